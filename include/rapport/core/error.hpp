// SPDX-License-Identifier: MIT
// The exception hierarchy thrown at rapport's boundaries (I/O, bad input, corrupt data).
// The hot path (codecs, cursors, scoring, top-k) never throws.
// Thread safety: exception objects are immutable after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "rapport/core/export.hpp"

namespace rapport {

/// Base of every exception rapport throws.
class RAPPORT_API error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A file could not be opened, read, written or synced. `what()` names the path.
class RAPPORT_API io_error : public error {
public:
    /// Builds "<path>: <message>".
    io_error(std::string path, const std::string& message);
    /// The file or directory at fault.
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

/// Stored data is damaged (bad checksum, truncated file, impossible value).
/// Carries the path and, when known, the byte offset of the damage.
class RAPPORT_API corruption_error : public error {
public:
    /// Builds "<path>: corrupt at byte <offset>: <message>" (offset omitted when unknown).
    corruption_error(std::string path, std::optional<std::uint64_t> offset, const std::string& message);
    /// The damaged file.
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    /// The byte offset of the damage, when known.
    [[nodiscard]] std::optional<std::uint64_t> offset() const noexcept { return offset_; }

private:
    std::string path_;
    std::optional<std::uint64_t> offset_;
};

/// A file was written by a format version this build cannot read; `what()` says too old or too new.
class RAPPORT_API format_version_error : public error {
public:
    using error::error;
};

/// A caller passed an argument that cannot be used (invalid UTF-8, unknown language, bad option).
/// When the fault lies at a byte of some input, `offset()` gives it.
class RAPPORT_API invalid_argument : public error {
public:
    using error::error;
    /// Builds "<message> (at byte <offset>)".
    invalid_argument(const std::string& message, std::uint64_t offset);
    /// The byte offset of the fault in the input, when there is one.
    [[nodiscard]] std::optional<std::uint64_t> offset() const noexcept { return offset_; }

private:
    std::optional<std::uint64_t> offset_;
};

/// A query failed to parse in strict mode; carries the byte position and what was expected.
class RAPPORT_API query_syntax_error : public error {
public:
    /// Builds "query syntax error at byte <position>: <message>".
    query_syntax_error(std::uint64_t position, const std::string& message);
    /// Byte position in the query string.
    [[nodiscard]] std::uint64_t position() const noexcept { return position_; }

private:
    std::uint64_t position_;
};

/// Why a search stopped before it finished (`search_interrupted`).
enum class interrupt_reason : std::uint8_t {
    none,       ///< it did not
    cancelled,  ///< its cancel token was requested
    deadline,   ///< its deadline passed
};

/// A search stopped early at the caller's request (`search::search_options::deadline` or
/// `cancel`); it returns no partial result. `what()` says which.
class RAPPORT_API search_interrupted : public error {
public:
    search_interrupted(interrupt_reason reason, const std::string& message) : error(message), reason_(reason) {}
    /// Cancelled or past the deadline.
    [[nodiscard]] interrupt_reason reason() const noexcept { return reason_; }

private:
    interrupt_reason reason_;
};

}  // namespace rapport
