// SPDX-License-Identifier: MIT
// Rewrapping a file's payload in a valid envelope (FORMAT.md §2), for tests that damage a payload
// and reseal it: the damage then reaches the payload's decoder instead of the checksum check.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "rapport/core/crc32c.hpp"
#include "rapport/storage/file_format.hpp"

namespace rapport::test {

/// `payload` as a whole file: the header of `like` (an existing file of the same kind), `payload`,
/// its length, the footer magic and a recomputed CRC32C. Returns the file and its CRC.
inline std::pair<std::string, std::uint32_t> envelope_like(const std::string& like, const std::string& payload) {
    std::string bytes = like.substr(0, storage::header_size) + payload;
    for (int i = 0; i < 8; ++i) bytes += static_cast<char>((std::uint64_t{payload.size()} >> (8 * i)) & 0xFF);
    bytes += like.substr(like.size() - 8, 4);
    const std::uint32_t crc = crc32c(bytes);
    for (int i = 0; i < 4; ++i) bytes += static_cast<char>((crc >> (8 * i)) & 0xFF);
    return {bytes, crc};
}

}  // namespace rapport::test
