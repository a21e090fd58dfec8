// SPDX-License-Identifier: MIT
// Test support: a fresh folder for one test, removed with everything in it on destruction.
// The one temporary-folder helper of every suite.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace rapport::test {

/// A fresh folder under `base` (the system temporary folder by default), named after the
/// process, a counter and a random number so that parallel test processes never collide.
class scratch_dir {
public:
    explicit scratch_dir(const std::filesystem::path& base = std::filesystem::temp_directory_path()) {
        static std::atomic<unsigned> counter{0};
        path_ = base / ("rapport-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                        std::to_string(std::random_device{}()));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace rapport::test
