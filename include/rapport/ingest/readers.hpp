// SPDX-License-Identifier: MIT
// Readers that turn files into normalised articles: a directory of plain-text files, and a
// JSON Lines file read as a stream, one article per line.
// Thread safety: the free functions share no state and may run concurrently. A `jsonl_reader`
// is a stateful cursor over its input: use one per thread (it may be moved between threads).
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/ingest/article.hpp"

namespace rapport::ingest {

/// Reads every regular file whose name ends in ".txt" (case-sensitive) directly in `dir`,
/// sorted by file name (byte order); subdirectories and other files are ignored.
///
/// Each file becomes one article. The id is the file name without its ".txt" extension.
/// A UTF-8 byte-order mark at the start of the file is dropped. Title rule: the first line that
/// holds more than whitespace (lines end at LF; a CR before it is dropped), trimmed of
/// whitespace, is the title when it is at most 120 bytes long and does not end in '.', '!',
/// '?', ':' or ','; that line is then removed and the body is the rest of the file after it.
/// Otherwise (a sentence or a long line) the title is that line's opening words, cut at a space
/// to at most 60 bytes and followed by "…" when cut, and the body is the whole file; a file with
/// no such line gets the id as its title. Every article then goes through `normalize_article`.
///
/// Throws: `io_error` naming the path when `dir` is missing or not a directory, cannot be
/// listed, or a file cannot be read; `invalid_argument` naming the file, with the byte offset
/// in the file, when a file is invalid UTF-8 under `invalid_utf8_policy::reject` or is 2 GiB or
/// longer, and when a file's name (its id) holds a control character (`normalize_article`).
/// Complexity: linear in the total size of the files, plus sorting the names.
[[nodiscard]] RAPPORT_API std::vector<article> read_text_directory(const std::filesystem::path& dir,
                                                                   const read_options& options = {});

/// The files `read_text_directory` reads, sorted as it reads them: every entry of `dir` whose name
/// ends in ".txt" and that is a regular file or a symbolic link (a dangling one included, so that
/// reading it reports it). Throws: `io_error` naming `dir` as `read_text_directory` does.
[[nodiscard]] RAPPORT_API std::vector<std::filesystem::path> list_text_files(const std::filesystem::path& dir);

/// One article from a `.txt` file, read as `read_text_directory` reads each (id, title rule,
/// normalisation). Throws: `io_error` naming the file when it cannot be read (a dangling symbolic
/// link: "dangling symbolic link"); `invalid_argument` naming the file (invalid bytes shown as
/// U+FFFD) when its text or its name is invalid UTF-8 under `reject`, or it is 2 GiB or longer.
[[nodiscard]] RAPPORT_API article read_text_file(const std::filesystem::path& path, const read_options& options = {});

/// A streaming reader of JSON Lines: one object {"id", "title", "text"} per line.
///
/// "id" is a JSON string (not empty) or integer (written in decimal); "title" is a string and
/// optional (absent or null gives ""); "text" is a string and required, and becomes the body.
/// "lang" (a string) is the article's language. Every other key is kept, with its JSON value,
/// in `article::fields` (the index's schema types them and refuses undeclared ones); lines holding only whitespace are skipped; a UTF-8 byte-order mark
/// before the first line is dropped. Every article goes through `normalize_article`.
/// Under `invalid_utf8_policy::replace`, invalid bytes are repaired before the line is parsed.
///
/// Errors name the input and the 1-based line, e.g. `docs.jsonl:17: expected string field
/// "text"`, and are thrown as `invalid_argument` (malformed JSON, a missing or mistyped field,
/// an empty id, invalid UTF-8 under reject; where a byte is at fault, `offset()` is its offset
/// from the start of the input). A failed read of the underlying stream throws `io_error`.
/// After an `invalid_argument`, `next()` may be called again and resumes at the following line.
class RAPPORT_API jsonl_reader {
public:
    /// Opens the file at `path`; errors name it as `path.string()`. A name ending in ".zst" is
    /// decompressed on the fly (zstd, streaming: memory stays bounded whatever the file size);
    /// damaged compressed data throws `corruption_error` naming the file and compressed offset.
    /// Throws: `io_error` naming the path when it cannot be opened or is a directory.
    explicit jsonl_reader(const std::filesystem::path& path, const read_options& options = {});

    /// Reads from `in`, which the reader does not own; errors name the input `name`.
    /// Requires: `in` outlives the reader.
    explicit jsonl_reader(std::istream& in, std::string name = "<stdin>", const read_options& options = {});

    /// Moves the cursor; the moved-from reader may only be destroyed or assigned to.
    jsonl_reader(jsonl_reader&&) noexcept;
    /// Moves the cursor; the moved-from reader may only be destroyed or assigned to.
    jsonl_reader& operator=(jsonl_reader&&) noexcept;
    /// Not copyable: a reader is a cursor over one stream.
    jsonl_reader(const jsonl_reader&) = delete;
    /// Not copyable: a reader is a cursor over one stream.
    jsonl_reader& operator=(const jsonl_reader&) = delete;
    /// Closes the file if the reader opened it.
    ~jsonl_reader();

    /// Returns the article on the next non-blank line, or nothing at the end of the input.
    /// Throws: `invalid_argument` for a bad line, `io_error` when reading fails (see the class).
    /// Complexity: linear in the length of the lines consumed.
    [[nodiscard]] std::optional<article> next();

    /// Returns the 1-based number of the last line read (0 before the first `next()`).
    [[nodiscard]] std::uint64_t line() const noexcept;

    /// Returns the name used in error messages (the path, or the name given with a stream).
    [[nodiscard]] const std::string& name() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// Reads a whole JSON Lines file with a `jsonl_reader`.
/// Throws: as `jsonl_reader` (`io_error` naming the path, `invalid_argument` naming file:line).
/// Complexity: linear in the size of the file.
[[nodiscard]] RAPPORT_API std::vector<article> read_jsonl(const std::filesystem::path& path,
                                                          const read_options& options = {});

}  // namespace rapport::ingest
