// SPDX-License-Identifier: MIT
// Byte-level encoding shared by every on-disk structure: LEB128 varints and little-endian fixed
// integers. Writers append to a std::string (a byte buffer, as leveldb does); readers decode from
// [p, limit) and report malformed or truncated input by returning nullptr, never reading past limit.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace rapport {

/// Appends `v` as an unsigned LEB128 varint (1–10 bytes).
inline void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

/// Decodes a varint from [p, limit) into `v`; returns the byte after it, or nullptr when the
/// input ends first or the value needs more than 64 bits.
[[nodiscard]] inline const char* get_varint(const char* p, const char* limit, std::uint64_t& v) noexcept {
    std::uint64_t result = 0;
    for (unsigned shift = 0; shift <= 63 && p < limit; shift += 7) {
        const auto byte = static_cast<std::uint8_t>(*p++);
        if (shift == 63 && byte > 1) return nullptr;
        result |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) {
            v = result;
            return p;
        }
    }
    return nullptr;
}

/// As `get_varint`, for a value that must fit 32 bits (nullptr otherwise).
[[nodiscard]] inline const char* get_varint32(const char* p, const char* limit, std::uint32_t& v) noexcept {
    std::uint64_t wide = 0;
    p = get_varint(p, limit, wide);
    if (p == nullptr || wide > 0xFFFFFFFFu) return nullptr;
    v = static_cast<std::uint32_t>(wide);
    return p;
}

/// Appends `v` as 4 little-endian bytes.
inline void put_fixed32(std::string& out, std::uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out.append(b, 4);
}

/// Appends `v` as 8 little-endian bytes.
inline void put_fixed64(std::string& out, std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out.append(b, 8);
}

/// Reads 4 little-endian bytes at `p`. Requires: 4 readable bytes.
[[nodiscard]] inline std::uint32_t load_fixed32(const char* p) noexcept {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    return v;
}

/// Reads 8 little-endian bytes at `p`. Requires: 8 readable bytes.
[[nodiscard]] inline std::uint64_t load_fixed64(const char* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    return v;
}

}  // namespace rapport
