// SPDX-License-Identifier: MIT
// Helpers for the ingest tests: a self-deleting temporary directory, file writing, and a
// checker of the invariants every result of split_passages must satisfy.
// Thread safety: not shared between threads.
#pragma once

#include "support/scratch_dir.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "core/text.hpp"
#include "rapport/ingest/passage.hpp"

namespace rapport::ingest::test {

/// A fresh directory, removed with its contents on scope exit.
using temp_dir = rapport::test::scratch_dir;

/// Writes `content` to `path` byte for byte.
inline void write_file(const std::filesystem::path& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    REQUIRE(out.good());
}

using rapport::detail::is_ascii_space;
using rapport::detail::is_utf8_continuation;

/// True when the code point starting at `body[i]` has the Unicode White_Space property;
/// `length` receives its length in bytes.
[[nodiscard]] inline bool is_space_at(std::string_view body, std::size_t i, std::size_t& length) noexcept {
    const auto d = rapport::detail::decode_utf8(body, i);
    length = d.length;
    return d.valid && rapport::detail::is_white_space(d.code_point);
}

/// Checks what split_passages promises: ordinals 0.., ranges in bounds, non-empty, on code point
/// boundaries, trimmed, at most max_bytes, in order; every non-space byte covered; and, without
/// overlap, disjoint ranges.
inline void check_passages(std::string_view body, const std::vector<passage_range>& passages,
                           const passage_options& options) {
    std::vector<bool> covered(body.size(), false);
    for (std::size_t i = 0; i < passages.size(); ++i) {
        const passage_range& p = passages[i];
        CAPTURE(i);
        CAPTURE(p.begin);
        CAPTURE(p.end);
        CHECK(p.ordinal == i);
        REQUIRE(p.begin < p.end);
        REQUIRE(p.end <= body.size());
        CHECK(p.end - p.begin <= options.max_bytes);
        CHECK_FALSE(is_utf8_continuation(body[p.begin]));
        if (p.end < body.size()) CHECK_FALSE(is_utf8_continuation(body[p.end]));
        CHECK_FALSE(is_ascii_space(body[p.begin]));
        CHECK_FALSE(is_ascii_space(body[p.end - 1]));
        if (i > 0) {
            CHECK(passages[i - 1].begin < p.begin);
            CHECK(passages[i - 1].end < p.end);
            if (options.overlap_sentences == 0) CHECK(passages[i - 1].end <= p.begin);
        }
        for (std::uint32_t k = p.begin; k < p.end; ++k) covered[k] = true;
    }
    std::size_t uncovered = 0;
    for (std::size_t k = 0, length = 1; k < body.size(); k += length)
        if (!is_space_at(body, k, length))
            for (std::size_t j = k; j < k + length; ++j)
                if (!covered[j]) ++uncovered;
    CHECK(uncovered == 0);
}

/// The text of passage `p` of `body`.
[[nodiscard]] inline std::string_view text_of(std::string_view body, const passage_range& p) {
    return body.substr(p.begin, p.end - p.begin);
}

}  // namespace rapport::ingest::test
