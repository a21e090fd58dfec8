// SPDX-License-Identifier: MIT
// The storage test harness: one test body runs against every `directory` implementation (after
// xapian's backend-parameterised harness), through TEST_CASE_TEMPLATE over the backend types
// below. Each backend owns a fresh, empty directory and offers raw byte access for damaging files.
// Thread safety: not shared between threads.
#pragma once

#include "support/scratch_dir.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

#include "rapport/storage/fs_directory.hpp"
#include "rapport/storage/memory_directory.hpp"

namespace rapport::storage::test {

/// A fresh directory, removed with its contents on scope exit.
using temp_dir = rapport::test::scratch_dir;

/// An `fs_directory` in a temporary folder ("index" inside it, so that creation is exercised).
class fs_backend {
public:
    static constexpr std::string_view name = "fs";

    fs_backend() : dir_(fs_directory::create_or_open(temp_.path() / "index")) {}

    [[nodiscard]] fs_directory& dir() noexcept { return *dir_; }
    [[nodiscard]] const std::filesystem::path& root() const noexcept { return temp_.path(); }

    /// The stored bytes of the file `file`.
    [[nodiscard]] std::string read_raw(const std::string& file) const {
        std::ifstream in(dir_->path_of(file), std::ios::binary);
        REQUIRE(in.good());
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    /// Replaces the file `file` by `bytes` in a new inode (unlink, then create), so that open
    /// mappings of the old content stay valid (overwriting a mapped file in place could make it
    /// fault) and ext4 does not force a flush, as it does on rename-over and truncate.
    void write_raw(const std::string& file, std::string_view bytes) {
        const auto path = dir_->path_of(file);
        std::filesystem::remove(path);
        std::ofstream out(path, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        REQUIRE(out.good());
    }

private:
    temp_dir temp_;
    std::unique_ptr<fs_directory> dir_;
};

/// A `memory_directory`.
class memory_backend {
public:
    static constexpr std::string_view name = "memory";

    [[nodiscard]] memory_directory& dir() noexcept { return dir_; }
    [[nodiscard]] std::string read_raw(const std::string& file) const { return dir_.read_raw(file); }
    void write_raw(const std::string& file, std::string_view bytes) { dir_.write_raw(file, std::string(bytes)); }

private:
    memory_directory dir_{"mem"};
};

/// `n` pseudo-random bytes from `seed`.
[[nodiscard]] inline std::string random_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(rng());
    return out;
}

}  // namespace rapport::storage::test
