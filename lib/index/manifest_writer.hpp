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

/// Current manifest format version (6: the schema may declare an index sort, `schema::sort`; 5 adds
/// the schema): 2 adds accent folding and elision to the analysis options
/// (version 1, without them, still opens: its indexes fold no accents and keep elisions); 3 adds
/// CJK bigrams and the custom analyzer's name (versions 1 and 2 open with CJK words as ICU splits
/// them and the standard pipeline); 4 seals every segment file with its size and checksum
/// (older manifests open with their files unsealed).
inline constexpr std::uint32_t manifest_version = 6;
/// The version written for an index without an index sort: version 6 only for those with one, so
/// that builds before it refuse a sorted index as too new, and still open every other.
inline constexpr std::uint32_t unsorted_manifest_version = 5;
/// The oldest manifest version readers accept.
inline constexpr std::uint32_t oldest_manifest_version = 1;

/// Serialises a manifest (payload only; the directory adds header and footer) in format `version`
/// (≥ 4; below 5 without the schema, which tests of older formats cut further).
[[nodiscard]] std::string encode_manifest(const manifest& m, std::uint32_t version = manifest_version);

/// Parses a manifest payload of format `version`. Throws: `corruption_error` naming `file` when
/// malformed.
[[nodiscard]] manifest decode_manifest(std::string_view payload, const std::string& file,
                                       std::uint32_t version = manifest_version);

/// Publishes `m` atomically (temporary file, fsync, rename, directory fsync).
void write_manifest(storage::directory& dir, const manifest& m);

}  // namespace rapport::index
