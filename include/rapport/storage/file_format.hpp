// SPDX-License-Identifier: MIT
// The envelope of every rapport index file: a 12-byte header (magic "RPRT", a four-letter kind,
// the payload's format version) and a 16-byte footer (payload length, magic "TRPR", CRC32C of all
// preceding bytes), after tantivy's footer, Lucene's CodecUtil and leveldb's table footer.
// FORMAT.md §2 specifies every byte.
// Validation distinguishes three failures, as Lucene does: damage (`corruption_error`), a version
// older than this build reads and one newer than it reads (`format_version_error`).
// Thread safety: value types and pure functions, safe to use from any number of threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rapport/core/export.hpp"

namespace rapport::storage {

/// What a file holds, as four ASCII bytes stored in its header ("DICT", "POST", ...).
class file_kind {
public:
    /// The kind spelled by a four-letter literal, e.g. `file_kind("POST")`.
    /// Requires: four printable ASCII characters (checked at compile time).
    // Implicit, so that a literal reads as a kind: `dir.open(name, "POST", 1, 1)`.
    consteval file_kind(const char (&text)[5]) : bytes_{text[0], text[1], text[2], text[3]} {
        for (int i = 0; i < 4; ++i)
            if (text[i] < 0x20 || text[i] > 0x7E) throw "file_kind: four printable ASCII characters";
    }

    /// The kind stored in the four bytes at `p`, whatever they are (for decoding headers).
    /// Requires: 4 readable bytes at `p`.
    [[nodiscard]] static constexpr file_kind from_bytes(const char* p) noexcept {
        return file_kind(std::array<char, 4>{p[0], p[1], p[2], p[3]});
    }

    /// The four bytes as stored.
    [[nodiscard]] constexpr std::string_view bytes() const noexcept { return {bytes_.data(), bytes_.size()}; }

    /// The kind for messages: the four bytes, with bytes outside printable ASCII written as \xNN.
    [[nodiscard]] RAPPORT_API std::string to_string() const;

    /// Kinds are equal when their four bytes are.
    [[nodiscard]] friend constexpr bool operator==(const file_kind&, const file_kind&) noexcept = default;

private:
    constexpr explicit file_kind(std::array<char, 4> bytes) noexcept : bytes_(bytes) {}
    std::array<char, 4> bytes_;
};

/// The kinds of the files of an index.
namespace kinds {
inline constexpr file_kind dictionary{"DICT"};  ///< term dictionary
inline constexpr file_kind postings{"POST"};    ///< docids and frequencies
inline constexpr file_kind positions{"POSN"};   ///< token positions
inline constexpr file_kind lengths{"LENS"};     ///< passage lengths
inline constexpr file_kind stored{"STOR"};      ///< stored passages and articles
inline constexpr file_kind deletes{"DELS"};     ///< deleted passages
inline constexpr file_kind words{"WORD"};       ///< surface words (segment format 4)
inline constexpr file_kind values{"FVAL"};      ///< field values by article (segment format 5)
inline constexpr file_kind manifest{"MANI"};    ///< the commit manifest
}  // namespace kinds

/// The four bytes that open every rapport file.
inline constexpr std::string_view header_magic = "RPRT";
/// The four bytes before the checksum at the end of every rapport file.
inline constexpr std::string_view footer_magic = "TRPR";
/// Header bytes: magic (4), kind (4), format version (u32 LE). The payload starts at this offset.
inline constexpr std::size_t header_size = 12;
/// Footer bytes: payload length (u64 LE), footer magic (4), CRC32C (u32 LE).
inline constexpr std::size_t footer_size = 16;
/// Bytes a file holds besides its payload; the smallest possible file (an empty payload).
inline constexpr std::size_t envelope_size = header_size + footer_size;

/// How `directory::open` validates a file.
struct open_options {
    /// Recompute the CRC32C of the whole file and compare it with the footer's (reads every
    /// byte). When false only the header and footer are read; damage inside the file goes
    /// unnoticed until `directory::verify` (check_index) runs.
    bool verify_checksum = true;
    /// When the caller knows the file's size (say, from the manifest), a file of another size
    /// fails first with a message giving both sizes, even when truncation took the footer away.
    std::optional<std::uint64_t> expected_size;
};

/// What the envelope of a sound file says.
struct file_info {
    file_kind kind;              ///< from the header
    std::uint32_t version;       ///< the payload's format version, from the header
    std::uint64_t payload_size;  ///< from the footer; the payload is bytes [header_size, header_size + payload_size)
    std::uint64_t file_size;     ///< payload_size + envelope_size
    std::uint32_t checksum = 0;  ///< the CRC32C the footer records (what a commit seals the file with)
};

/// Appends a header for a file of `kind` whose payload has format `version`.
/// Complexity: constant.
RAPPORT_API void append_header(std::string& out, file_kind kind, std::uint32_t version);

/// Appends the footer of a file whose payload has `payload_size` bytes, given `crc`, the CRC32C
/// of every byte of the file before the footer; the stored CRC also covers the footer's first
/// 12 bytes.
/// Complexity: constant.
RAPPORT_API void append_footer(std::string& out, std::uint64_t payload_size, std::uint32_t crc);

/// Returns a complete file: header, `payload`, footer.
/// Complexity: linear in `payload.size()`.
[[nodiscard]] RAPPORT_API std::string encode_file(file_kind kind, std::uint32_t version, std::string_view payload);

/// Checks the envelope of `file`, the whole content of the file at `path`, without expectations
/// about its kind or version, in this order: size against `options.expected_size`, at least
/// `envelope_size` bytes, header magic, footer magic, the footer's payload length against the
/// file size, then (if `options.verify_checksum`) the CRC32C.
/// Throws: `corruption_error` naming `path` ("truncated ...", "not a rapport file", "size
/// mismatch ...", "checksum mismatch ...").
/// Complexity: constant, or linear in `file.size()` when verifying the checksum.
[[nodiscard]] RAPPORT_API file_info check_envelope(std::string_view file, const std::string& path,
                                                   const open_options& options = {});

/// Checks that a file with envelope `info` at `path` holds `expected` in a version in
/// [`min_version`, `max_version`].
/// Requires: `min_version <= max_version`.
/// Throws: `corruption_error` naming `path` ("expected kind X, found Y"); `format_version_error`
/// whose message names `path` and says "too old" (version < min: re-create the index) or "too
/// new" (version > max: upgrade rapport).
/// Complexity: constant.
RAPPORT_API void check_kind_and_version(const file_info& info, const std::string& path, file_kind expected,
                                        std::uint32_t min_version, std::uint32_t max_version);

}  // namespace rapport::storage
