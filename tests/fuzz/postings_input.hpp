// SPDX-License-Identifier: MIT
// The input of the `postings` fuzz target: one term's `term_info`, the postings layout, the docid
// limit, seek steps and the two payloads, all taken from the fuzzer's bytes. `write_postings_input`
// is its inverse, for make_seeds.cpp. Layout (integers little-endian):
//
//   input := layout:u8 (bit 0: impacts, else bounds) df:u32 docid_limit:u32 max_tf:u32
//            min_length:u32 postings_offset:u64 postings_length:u64 positions_offset:u64
//            positions_length:u64 postings_size:u32 step_count:u8 step:u32 × step_count
//            postings:bytes[postings_size] positions:bytes (the rest)
//
// A postings_size beyond what remains takes what remains. Offsets and lengths are not clamped:
// ranges outside the payloads are the cursor's to reject.
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/codec/postings_format.hpp"
#include "rapport/codec/term_info.hpp"
#include "rapport/core/types.hpp"
#include "rapport/core/varint.hpp"

namespace rapport::fuzz {

/// One decoded `postings` input; the payloads point into the fuzzer's bytes.
struct postings_input {
    codec::postings_layout layout = codec::postings_layout::impacts;
    codec::term_info info;
    docid_t docid_limit = end_docid;
    std::vector<std::uint32_t> steps;  ///< seek and shallow-seek increments (odd: shallow)
    std::string_view postings;
    std::string_view positions;
};

/// Bytes before the steps.
inline constexpr std::size_t postings_input_header = 1 + 4 * 4 + 4 * 8 + 4 + 1;

/// Decodes `data`; nothing when it is shorter than its header and steps.
[[nodiscard]] inline std::optional<postings_input> read_postings_input(const std::uint8_t* data, std::size_t size) {
    if (size < postings_input_header) return std::nullopt;
    const char* p = reinterpret_cast<const char*>(data);
    postings_input in;
    in.layout = (p[0] & 1) != 0 ? codec::postings_layout::impacts : codec::postings_layout::bounds;
    in.info.df = load_fixed32(p + 1);
    in.docid_limit = load_fixed32(p + 5);
    in.info.max_tf = load_fixed32(p + 9);
    in.info.min_length = load_fixed32(p + 13);
    in.info.postings_offset = load_fixed64(p + 17);
    in.info.postings_length = load_fixed64(p + 25);
    in.info.positions_offset = load_fixed64(p + 33);
    in.info.positions_length = load_fixed64(p + 41);
    const std::uint32_t postings_size = load_fixed32(p + 49);
    const std::size_t steps = static_cast<std::uint8_t>(p[53]);
    std::size_t at = postings_input_header;
    if (size - at < 4 * steps) return std::nullopt;
    for (std::size_t i = 0; i < steps; ++i, at += 4) in.steps.push_back(load_fixed32(p + at));
    const std::size_t n = std::min<std::size_t>(postings_size, size - at);
    in.postings = {p + at, n};
    in.positions = {p + at + n, size - at - n};
    return in;
}

/// Encodes an input that `read_postings_input` decodes to the same fields.
[[nodiscard]] inline std::string write_postings_input(const postings_input& in) {
    std::string out(1, static_cast<char>(in.layout == codec::postings_layout::impacts ? 1 : 0));
    put_fixed32(out, in.info.df);
    put_fixed32(out, in.docid_limit);
    put_fixed32(out, in.info.max_tf);
    put_fixed32(out, in.info.min_length);
    put_fixed64(out, in.info.postings_offset);
    put_fixed64(out, in.info.postings_length);
    put_fixed64(out, in.info.positions_offset);
    put_fixed64(out, in.info.positions_length);
    put_fixed32(out, static_cast<std::uint32_t>(in.postings.size()));
    out.push_back(static_cast<char>(in.steps.size()));
    for (const std::uint32_t s : in.steps) put_fixed32(out, s);
    out += in.postings;
    out += in.positions;
    return out;
}

}  // namespace rapport::fuzz
