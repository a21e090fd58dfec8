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

[[nodiscard]] inline bool is_ascii_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

[[nodiscard]] inline bool is_continuation(char c) noexcept {
    return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u;
}

/// True when the code point starting at `body[i]` has the Unicode White_Space property;
/// `length` receives its length in bytes.
[[nodiscard]] inline bool is_space_at(std::string_view body, std::size_t i, std::size_t& length) noexcept {
    const auto c0 = static_cast<unsigned char>(body[i]);
    length = c0 < 0x80 ? 1 : c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
    if (i + length > body.size()) length = 1;
    if (length == 1) return is_ascii_space(body[i]);
    char32_t cp = c0 & (length == 2 ? 0x1Fu : length == 3 ? 0x0Fu : 0x07u);
    for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(body[i + k]) & 0x3Fu);
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
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
        CHECK_FALSE(is_continuation(body[p.begin]));
        if (p.end < body.size()) CHECK_FALSE(is_continuation(body[p.end]));
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
