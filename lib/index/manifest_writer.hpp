// SPDX-License-Identifier: MIT
// Compile-only (lib/, never installed): the manifest's payload encoding (FORMAT.md) and its atomic
// publication, used by `index_writer`; readers use `read_latest_manifest` (rapport/index/manifest.hpp).
// Thread safety: free functions; publishing is serialised by the writer's lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rapport/index/manifest.hpp"

namespace rapport::storage {
class directory;
}

namespace rapport::index {

/// Current manifest format version.
inline constexpr std::uint32_t manifest_version = 1;

/// Serialises a manifest (payload only; the directory adds header and footer).
[[nodiscard]] std::string encode_manifest(const manifest& m);

/// Parses a manifest payload. Throws: `corruption_error` naming `file` when malformed.
[[nodiscard]] manifest decode_manifest(std::string_view payload, const std::string& file);

/// Publishes `m` atomically (temporary file, fsync, rename, directory fsync).
void write_manifest(storage::directory& dir, const manifest& m);

}  // namespace rapport::index
