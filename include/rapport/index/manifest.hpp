// SPDX-License-Identifier: MIT
// The manifest: the commit point of an index directory. It names the live segments of one commit,
// their passage counts and deletion generations, and the options the index was built with (so that
// readers analyse queries exactly as the text was analysed). Files `manifest_<generation>`; the
// highest generation whose file opens cleanly is the latest commit. Only the writer encodes and
// publishes manifests (lib/index/manifest_writer.hpp, compile-only).
// Thread safety: plain values and free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/index/index_options.hpp"

namespace rapport::storage {
class directory;
}

namespace rapport::index {

/// What a commit records of one file it names: its size and the CRC32C its footer holds. A file
/// whose envelope says otherwise is not the file the commit wrote (say, a valid file copied from
/// another segment or an older commit), and opening it fails (manifest version 4 on).
struct file_seal {
    std::uint64_t size = 0;       ///< the whole file's bytes
    std::uint32_t checksum = 0;   ///< the CRC32C in its footer
    friend bool operator==(const file_seal&, const file_seal&) = default;
};

/// One segment as a commit sees it.
struct segment_entry {
    std::string name;                 ///< file stem, e.g. "seg_1f"; files are <name>.dict, .post, ...
    std::uint32_t passages = 0;       ///< passages in the segment, deleted ones included
    std::uint32_t articles = 0;       ///< articles in the segment
    std::uint32_t deleted = 0;        ///< passages marked deleted
    std::uint64_t deletion_gen = 0;   ///< generation of its deletions file, 0 when it has none
    /// Seals of the segment files, one per `segment_files::all` entry in that order; empty for a
    /// segment committed before manifest version 4 (its files are then not bound to the commit).
    std::vector<file_seal> files;
    /// Seal of the deletions file; none when it has no deletions file or it was written before
    /// manifest version 4.
    std::optional<file_seal> deletions;
    friend bool operator==(const segment_entry&, const segment_entry&) = default;
};

/// One commit.
struct manifest {
    std::uint64_t generation = 0;     ///< 1 for the first commit, +1 for each commit after
    std::uint64_t next_segment = 0;   ///< counter that names new segments
    index_options options;            ///< analyzer and passage options of the index
    std::vector<segment_entry> segments;
};

/// The file name of generation `gen`: "manifest_" followed by 16 hex digits.
[[nodiscard]] RAPPORT_API std::string manifest_file_name(std::uint64_t gen);

/// The file name of a segment file: "<segment>.<extension>".
[[nodiscard]] inline std::string segment_file_name(const std::string& segment, const char* extension) {
    return segment + "." + extension;
}

/// The deletions file of a segment at a deletion generation: "<segment>_<gen hex>.dels".
[[nodiscard]] RAPPORT_API std::string deletions_file_name(const std::string& segment, std::uint64_t gen);

/// Reads the latest commit of `dir`: the highest manifest generation. Returns nothing when the
/// directory holds no commit. Throws: `corruption_error` / `format_version_error` when the latest
/// manifest is damaged or of an unknown version (an older intact one is NOT silently used: that
/// would resurrect deleted data).
[[nodiscard]] RAPPORT_API std::optional<manifest> read_latest_manifest(storage::directory& dir);

}  // namespace rapport::index
