// SPDX-License-Identifier: MIT
// `directory`: the flat set of immutable, checksummed files an index lives in (after tantivy's
// Directory and Lucene's Directory). Files are written once through a `file_writer`, read through
// a `file_view` whose payload stays valid while the view lives, and validated on open against
// FORMAT.md §2. The one way to replace a file is `write_atomic` (the commit manifest).
// `fs_directory` keeps files in a folder and maps them; `memory_directory` keeps them in memory
// for tests; both implement the same semantics, which live here (the non-virtual interface).
// Thread safety: a directory's member functions may be called concurrently from any threads (the
// caller serialises writers with `lock()`); a `file_view` is immutable and shareable; a
// `file_writer` belongs to one thread; a `directory_lock` must not be shared.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/storage/file_format.hpp"

namespace rapport::storage {

/// Where a `file_writer`'s bytes go: the part of file creation a directory implementation supplies.
class RAPPORT_API file_sink {
public:
    /// Discards the file unless `commit()` succeeded.
    virtual ~file_sink();
    /// Appends `bytes` to the file.
    /// Throws: `io_error` naming the file.
    virtual void write(std::string_view bytes) = 0;
    /// Makes the file complete and durable (fs: fsync and close).
    /// Requires: called at most once, after the last `write`.
    /// Throws: `io_error` naming the file.
    virtual void commit() = 0;

protected:
    file_sink() = default;
};

/// Writes one new file: the header at creation, the payload through `append`, the footer and
/// checksum in `finish`. Appends are buffered (64 KiB).
/// A writer destroyed before `finish` succeeded deletes its partial file.
class RAPPORT_API file_writer final {
public:
    /// Starts the file `name` (at `path`, for messages) of `kind` and format `version` on `sink`.
    /// Directories call this; users call `directory::create`.
    file_writer(std::string name, std::string path, file_kind kind, std::uint32_t version,
                std::unique_ptr<file_sink> sink);
    file_writer(const file_writer&) = delete;
    file_writer& operator=(const file_writer&) = delete;
    ~file_writer();

    /// Appends `bytes` to the payload.
    /// Requires: `finish()` was not called.
    /// Throws: `io_error` naming the file when a write fails (or an earlier one failed).
    /// Complexity: amortised linear in `bytes.size()` (CRC32C plus copy).
    void append(std::string_view bytes);

    /// Payload bytes appended so far: the payload offset the next `append` writes at.
    [[nodiscard]] std::uint64_t size() const noexcept { return payload_size_; }

    /// Writes the footer, makes the file durable (fs: fsync) and closes it. The file's directory
    /// entry becomes durable with the directory's next `write_atomic` (which syncs the folder).
    /// Requires: called once.
    /// Throws: `io_error` naming the file.
    void finish();

    /// The file's name in its directory.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    /// The CRC32C its footer records. Requires: `finish()` succeeded.
    [[nodiscard]] std::uint32_t checksum() const noexcept { return checksum_; }
    /// The whole file's size: payload plus `envelope_size`.
    [[nodiscard]] std::uint64_t file_size() const noexcept { return payload_size_ + envelope_size; }

private:
    void flush();

    std::string name_;
    std::string path_;
    std::unique_ptr<file_sink> sink_;
    std::string buffer_;
    std::uint32_t crc_ = 0;
    std::uint32_t checksum_ = 0;
    std::uint64_t payload_size_ = 0;
    bool failed_ = false;
    bool finished_ = false;
};

/// A validated, read-only file. `payload()` stays valid while the view lives, even after the
/// file is removed from its directory (the view owns the mapping or buffer).
class RAPPORT_API file_view final {
public:
    /// A view of the whole file `file` (named `name`, at `path`) kept alive by `owner`, whose
    /// envelope is `info`. Directories call this; users call `directory::open`.
    /// Requires: `info` is what `check_envelope(file, ...)` returned.
    file_view(std::string name, std::string path, file_info info, std::string_view file,
              std::shared_ptr<const void> owner) noexcept;

    /// The payload: the file's bytes between header and footer.
    [[nodiscard]] std::string_view payload() const noexcept { return payload_; }
    /// The file's name in its directory.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// How errors name the file (`directory::path_of(name())`): pass it to `corruption_error`.
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    /// The kind from the header.
    [[nodiscard]] file_kind kind() const noexcept { return info_.kind; }
    /// The payload's format version from the header.
    [[nodiscard]] std::uint32_t version() const noexcept { return info_.version; }
    /// Payload bytes (`payload().size()`); the file itself has `envelope_size` more.
    [[nodiscard]] std::uint64_t size() const noexcept { return payload_.size(); }
    /// The CRC32C its footer records.
    [[nodiscard]] std::uint32_t checksum() const noexcept { return info_.checksum; }

private:
    std::string name_;
    std::string path_;
    file_info info_;
    std::string_view payload_;
    std::shared_ptr<const void> owner_;
};

/// Exclusive write access to a directory, held until this object is destroyed or `release()`d.
class RAPPORT_API directory_lock {
public:
    /// Holds nothing.
    directory_lock() noexcept = default;
    /// Holds a lock that `release` gives up. Directories call this; users call `directory::lock`.
    /// Requires: `release` does not throw.
    explicit directory_lock(std::function<void()> release) noexcept : release_(std::move(release)) {}
    directory_lock(directory_lock&& other) noexcept : release_(std::exchange(other.release_, nullptr)) {}
    directory_lock& operator=(directory_lock&& other) noexcept;
    directory_lock(const directory_lock&) = delete;
    directory_lock& operator=(const directory_lock&) = delete;
    /// Releases the lock if held.
    ~directory_lock() { release(); }

    /// True while the lock is held.
    [[nodiscard]] bool owns_lock() const noexcept { return static_cast<bool>(release_); }
    /// Gives the lock up now; nothing if it is not held.
    void release() noexcept;

private:
    std::function<void()> release_;
};

/// A flat set of named, immutable, checksummed files.
///
/// File names are non-empty, contain neither '/' nor NUL, and are not "." or ".."; "write.lock"
/// is reserved, and names ending in ".tmp" are reserved for `write_atomic`'s temporary files (they
/// can be listed, opened and removed but not created). Invalid names throw
/// `rapport::invalid_argument`.
class RAPPORT_API directory {
public:
    virtual ~directory();
    directory(const directory&) = delete;
    directory& operator=(const directory&) = delete;

    /// Starts writing the new file `name` of `kind` whose payload has format `version`.
    /// Requires: no other writer of this index is active (hold `lock()`).
    /// Throws: `io_error` naming the file if `name` exists (files are immutable) or cannot be
    /// created; `invalid_argument` for an invalid name.
    /// Complexity: one file creation.
    [[nodiscard]] std::unique_ptr<file_writer> create(const std::string& name, file_kind kind, std::uint32_t version);

    /// Opens the file `name`, which must hold `kind` in a format version in
    /// [`min_version`, `max_version`], and validates its envelope (see `check_envelope`).
    /// Requires: `min_version <= max_version`.
    /// Throws: `io_error` naming the file if it is missing or unreadable; `corruption_error`
    /// naming the file if it is damaged, truncated, not a rapport file or of another kind;
    /// `format_version_error` naming the file and saying "too old" or "too new".
    /// Complexity: one mapping (fs) plus, with `options.verify_checksum`, a read of every byte.
    [[nodiscard]] std::shared_ptr<const file_view> open(const std::string& name, file_kind kind,
                                                        std::uint32_t min_version, std::uint32_t max_version,
                                                        const open_options& options = {}) const;

    /// Checks the envelope and CRC32C of the file `name` whatever its kind and version (for
    /// check_index), and returns what its envelope says.
    /// Throws: as `open`, except that kind and version are not checked.
    /// Complexity: a read of every byte.
    [[nodiscard]] file_info verify(const std::string& name) const;

    /// Creates or replaces the file `name` so that readers see the old file or the new one,
    /// never a mix, even across a crash: writes "<name>.tmp", syncs it, renames it over `name`
    /// and syncs the directory (fs). Meant for small files such as the commit manifest.
    /// Requires: no other writer of this index is active (hold `lock()`).
    /// Throws: `io_error` naming the file; `invalid_argument` for an invalid name.
    /// Complexity: linear in `payload.size()`, plus two syncs.
    void write_atomic(const std::string& name, file_kind kind, std::uint32_t version, std::string_view payload);

    /// The names of the directory's files, sorted bytewise (the lock file excluded).
    /// Throws: `io_error` naming the directory.
    /// Complexity: linear in the number of files (plus sorting).
    [[nodiscard]] std::vector<std::string> list() const;

    /// True when the file `name` exists (finished or being written).
    /// Throws: `io_error` if that cannot be determined; `invalid_argument` for an invalid name.
    [[nodiscard]] bool exists(const std::string& name) const;

    /// Deletes the file `name`; nothing if it does not exist. Open views stay valid.
    /// Throws: `io_error` naming the file; `invalid_argument` for an invalid name.
    void remove(const std::string& name);

    /// The size in bytes of the whole file `name` (payload plus `envelope_size` for a sound file).
    /// Throws: `io_error` naming the file if it is missing; `invalid_argument` for an invalid name.
    [[nodiscard]] std::uint64_t file_size(const std::string& name) const;

    /// Takes the directory's writer lock, held until the returned object is destroyed.
    /// Throws: `io_error` whose message says "index is locked by another writer" when another
    /// lock on the same directory is held, in this process or (fs) another one.
    [[nodiscard]] directory_lock lock();

    /// How messages name the file `name` (fs: its path; memory: a label and the name).
    [[nodiscard]] virtual std::string path_of(const std::string& name) const = 0;

protected:
    directory() = default;

    /// The bytes of a whole file and what keeps them alive.
    struct raw_file {
        std::string_view bytes;
        std::shared_ptr<const void> owner;
    };

    /// Creates the new file `name` exclusively. Throws: `io_error` if it exists.
    [[nodiscard]] virtual std::unique_ptr<file_sink> do_create(const std::string& name) = 0;
    /// Maps the whole file `name` read-only. Throws: `io_error` if it is missing.
    [[nodiscard]] virtual raw_file do_read(const std::string& name) const = 0;
    /// Atomically creates or replaces the file `name` with `file`.
    virtual void do_write_atomic(const std::string& name, std::string_view file) = 0;
    /// The names of all files, in any order, the lock file excluded.
    [[nodiscard]] virtual std::vector<std::string> do_list() const = 0;
    /// Whether the file `name` exists.
    [[nodiscard]] virtual bool do_exists(const std::string& name) const = 0;
    /// Deletes `name` if it exists.
    virtual void do_remove(const std::string& name) = 0;
    /// The size of the file `name`. Throws: `io_error` if it is missing.
    [[nodiscard]] virtual std::uint64_t do_file_size(const std::string& name) const = 0;
    /// Takes the lock. Throws: `io_error` "index is locked by another writer" when it is held.
    [[nodiscard]] virtual directory_lock do_lock() = 0;
};

/// The name of the lock file `fs_directory::lock` creates.
inline constexpr std::string_view lock_file_name = "write.lock";
/// The suffix of `write_atomic`'s temporary files.
inline constexpr std::string_view temp_suffix = ".tmp";

}  // namespace rapport::storage
