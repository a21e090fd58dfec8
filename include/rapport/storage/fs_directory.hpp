// SPDX-License-Identifier: MIT
// `fs_directory`: index files in a folder of the local file system. Files are written with
// buffered POSIX writes and fsynced on `finish`; they are read through read-only private memory
// maps (zero copy: payloads point into the page cache). The writer lock is `flock` on
// "write.lock", which the kernel releases when the holding process dies, so a crashed writer never
// leaves a stale lock; the file itself stays.
// Files must not be modified behind rapport's back while mapped (truncating a mapped file makes
// reads past the new end fault with SIGBUS); rapport never modifies a finished file.
// Thread safety: member functions may be called concurrently (each is a few system calls).
// Descriptors are close-on-exec; a child made by fork() alone (without exec) shares the lock's
// open file description, and releasing the lock in the parent releases it for the child too.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "rapport/core/export.hpp"
#include "rapport/storage/directory.hpp"

namespace rapport::storage {

/// A `directory` backed by a folder.
class RAPPORT_API fs_directory final : public directory {
public:
    /// Opens the folder at `path`, creating it (and missing parents) if needed.
    /// Throws: `io_error` naming `path` if it exists but is not a folder or cannot be created.
    [[nodiscard]] static std::unique_ptr<fs_directory> create_or_open(const std::filesystem::path& path);

    /// Opens the existing folder at `path` (for readers, which must not create an index).
    /// Throws: `io_error` naming `path` if it does not exist or is not a folder.
    [[nodiscard]] static std::unique_ptr<fs_directory> open_existing(const std::filesystem::path& path);

    /// The folder.
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

    /// The path of the file `name` in the folder.
    [[nodiscard]] std::string path_of(const std::string& name) const override;

private:
    explicit fs_directory(std::filesystem::path path) noexcept : path_(std::move(path)) {}

    [[nodiscard]] std::unique_ptr<file_sink> do_create(const std::string& name) override;
    [[nodiscard]] raw_file do_read(const std::string& name) const override;
    void do_write_atomic(const std::string& name, std::string_view file) override;
    [[nodiscard]] std::vector<std::string> do_list() const override;
    [[nodiscard]] bool do_exists(const std::string& name) const override;
    void do_remove(const std::string& name) override;
    [[nodiscard]] std::uint64_t do_file_size(const std::string& name) const override;
    [[nodiscard]] directory_lock do_lock() override;

    std::filesystem::path path_;
};

}  // namespace rapport::storage
