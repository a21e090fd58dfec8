// SPDX-License-Identifier: MIT
// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected, pre- and post-inverted: the checksum of
// iSCSI, ext4, leveldb and Lucene's footers) over byte strings. The SSE4.2 `crc32` instruction is
// used when the CPU has it (detected once at run time, no global -msse4.2), Boost.CRC otherwise.
// Thread safety: pure functions, safe to call from any number of threads.
#pragma once

#include <cstdint>
#include <string_view>

#include "rapport/core/export.hpp"

namespace rapport {

/// Returns the CRC32C of `data`, continuing from `crc`, the CRC32C of the bytes before it (0 for
/// none), so that `crc32c(b, crc32c(a)) == crc32c(a + b)`. `crc32c("123456789") == 0xE3069283`.
/// Complexity: linear in `data.size()`; with SSE4.2 about 3 bytes per cycle (three interleaved
/// streams), otherwise one table lookup per byte.
[[nodiscard]] RAPPORT_API std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0) noexcept;

namespace detail {

/// True when `crc32c` uses the SSE4.2 instruction on this CPU.
[[nodiscard]] RAPPORT_API bool crc32c_hardware_available() noexcept;

/// The portable implementation (Boost.CRC, byte at a time); same contract as `crc32c`.
/// Complexity: linear in `data.size()`.
[[nodiscard]] RAPPORT_API std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc = 0) noexcept;

/// The SSE4.2 implementation; same contract as `crc32c`.
/// Requires: `crc32c_hardware_available()`.
/// Complexity: linear in `data.size()`.
[[nodiscard]] RAPPORT_API std::uint32_t crc32c_hardware(std::string_view data, std::uint32_t crc = 0) noexcept;

}  // namespace detail

}  // namespace rapport
