// SPDX-License-Identifier: MIT
// `memory_directory`: index files held in memory, with the semantics of `fs_directory` (immutable
// files, atomic replacement, views that outlive removal, an exclusive lock), for tests and for
// indexes that need no durability. Raw access (`read_raw`, `write_raw`) lets tests damage files.
// Thread safety: member functions may be called concurrently (one internal mutex); views and locks
// stay valid after the directory is destroyed.
#pragma once

#include <memory>
#include <string>

#include "rapport/core/export.hpp"
#include "rapport/storage/directory.hpp"

namespace rapport::storage {

/// A `directory` whose files live in memory.
class RAPPORT_API memory_directory final : public directory {
public:
    /// An empty directory; `label` prefixes file names in messages ("<label>/<name>").
    explicit memory_directory(std::string label = "memory");
    ~memory_directory() override;

    /// "<label>/<name>".
    [[nodiscard]] std::string path_of(const std::string& name) const override;

    /// The whole stored content of the file `name`, envelope included (for fault-injection tests).
    /// Throws: `io_error` naming the file if it is missing.
    /// Complexity: a copy of the file.
    [[nodiscard]] std::string read_raw(const std::string& name) const;

    /// Stores `bytes` as the file `name` verbatim, replacing any file of that name and bypassing
    /// the envelope and immutability (for fault-injection tests: damaged or truncated files).
    /// Views already open keep the old content.
    void write_raw(const std::string& name, std::string bytes);

private:
    struct state;

    [[nodiscard]] std::unique_ptr<file_sink> do_create(const std::string& name) override;
    [[nodiscard]] raw_file do_read(const std::string& name) const override;
    void do_write_atomic(const std::string& name, std::string_view file) override;
    [[nodiscard]] std::vector<std::string> do_list() const override;
    [[nodiscard]] bool do_exists(const std::string& name) const override;
    void do_remove(const std::string& name) override;
    [[nodiscard]] std::uint64_t do_file_size(const std::string& name) const override;
    [[nodiscard]] directory_lock do_lock() override;

    std::string label_;
    std::shared_ptr<state> state_;  // shared with writers' sinks and locks, which may outlive us
};

}  // namespace rapport::storage
