// SPDX-License-Identifier: MIT
// Test support: the two directory backends, so that one test body runs against both (xapian's
// backend-parameterised harness): TEST_CASE_TEMPLATE("...", B, fs_backend, memory_backend).
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <system_error>

#include "rapport/storage/fs_directory.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "support/scratch_dir.hpp"

namespace rapport::test {

/// An index folder on disk (mmap reads, fsync'd writes).
struct fs_backend {
    static constexpr const char* name = "fs";
    scratch_dir scratch;
    std::shared_ptr<storage::directory> make() const {
        return std::shared_ptr<storage::directory>(storage::fs_directory::create_or_open(scratch.path() / "index"));
    }
};

/// An index held in memory, same format.
struct memory_backend {
    static constexpr const char* name = "memory";
    std::shared_ptr<storage::directory> shared = std::make_shared<storage::memory_directory>();
    std::shared_ptr<storage::directory> make() const { return shared; }
};

}  // namespace rapport::test
