// SPDX-License-Identifier: MIT
// `fs_directory` on POSIX: open(2)/write(2)/fsync(2) for writing, mmap(2) for reading, rename(2)
// plus a directory fsync for atomic replacement (leveldb's and Lucene's commit recipe), flock(2)
// for the writer lock.
// Thread safety: see fs_directory.hpp.
#include "rapport/storage/fs_directory.hpp"

#include <cerrno>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rapport/core/error.hpp"

namespace rapport::storage {

namespace {

std::string errno_message(int e) { return std::generic_category().message(e); }

// Closes a descriptor on scope exit unless released.
class unique_fd {
public:
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

private:
    int fd_;
};

int open_retry(const std::string& path, int flags, mode_t mode = 0) noexcept {
    int fd;
    do {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

void write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        const auto n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw io_error(path, "write failed: " + errno_message(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void sync_fd(int fd, const std::string& path) {
    if (::fsync(fd) != 0) throw io_error(path, "fsync failed: " + errno_message(errno));
}

// close(2) can report a deferred write error (NFS); it must not be retried on EINTR (Linux
// releases the descriptor anyway).
void close_checked(unique_fd& fd, const std::string& path) {
    if (::close(fd.release()) != 0 && errno != EINTR) throw io_error(path, "close failed: " + errno_message(errno));
}

// A file being written; deleted unless committed.
class fs_sink final : public file_sink {
public:
    fs_sink(int fd, std::string path) noexcept : fd_(fd), path_(std::move(path)) {}
    ~fs_sink() override {
        if (!committed_) {
            if (fd_.get() >= 0) ::close(fd_.release());
            ::unlink(path_.c_str());
        }
    }
    void write(std::string_view bytes) override { write_all(fd_.get(), bytes, path_); }
    void commit() override {
        sync_fd(fd_.get(), path_);
        close_checked(fd_, path_);
        committed_ = true;
    }

private:
    unique_fd fd_;
    std::string path_;
    bool committed_ = false;
};

// A read-only mapping, unmapped when the last view of it goes.
struct mapping {
    void* address;
    std::size_t length;
    mapping(void* a, std::size_t n) noexcept : address(a), length(n) {}
    mapping(const mapping&) = delete;
    mapping& operator=(const mapping&) = delete;
    ~mapping() { ::munmap(address, length); }
};

struct stat_result {
    bool found;
    struct ::stat st;
};

stat_result stat_path(const std::string& path) {
    stat_result r{};
    if (::stat(path.c_str(), &r.st) == 0) {
        r.found = true;
        return r;
    }
    if (errno == ENOENT || errno == ENOTDIR) return r;
    throw io_error(path, "stat failed: " + errno_message(errno));
}

}  // namespace

std::unique_ptr<fs_directory> fs_directory::create_or_open(const std::filesystem::path& path) {
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (std::filesystem::exists(st)) {
        if (!std::filesystem::is_directory(st)) throw io_error(path.string(), "exists and is not a folder");
    } else {
        std::filesystem::create_directories(path, ec);
        if (ec) throw io_error(path.string(), "cannot create the index folder: " + ec.message());
    }
    return std::unique_ptr<fs_directory>(new fs_directory(path));
}

std::unique_ptr<fs_directory> fs_directory::open_existing(const std::filesystem::path& path) {
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(st)) throw io_error(path.string(), "no such index folder");
    if (!std::filesystem::is_directory(st)) throw io_error(path.string(), "exists and is not a folder");
    return std::unique_ptr<fs_directory>(new fs_directory(path));
}

std::string fs_directory::path_of(const std::string& name) const { return (path_ / name).string(); }

std::unique_ptr<file_sink> fs_directory::do_create(const std::string& name) {
    auto path = path_of(name);
    const int fd = open_retry(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            throw io_error(path, "already exists: index files are immutable (write_atomic replaces small files)");
        throw io_error(path, "cannot create: " + errno_message(errno));
    }
    return std::make_unique<fs_sink>(fd, std::move(path));
}

directory::raw_file fs_directory::do_read(const std::string& name) const {
    const auto path = path_of(name);
    // O_NONBLOCK: a FIFO put in place of an index file must not block the open (no writer would
    // ever come); fstat then rejects anything that is not a regular file.
    unique_fd fd(open_retry(path, O_RDONLY | O_NONBLOCK));
    if (fd.get() < 0) {
        if (errno == ENOENT) throw io_error(path, "no such file");
        throw io_error(path, "cannot open: " + errno_message(errno));
    }
    struct ::stat st {};
    if (::fstat(fd.get(), &st) != 0) throw io_error(path, "fstat failed: " + errno_message(errno));
    if (!S_ISREG(st.st_mode)) throw io_error(path, "not a regular file (an index file must be one)");
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size == 0) return {};  // mmap rejects empty mappings; validation reports the truncation
    void* address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (address == MAP_FAILED) throw io_error(path, "mmap failed: " + errno_message(errno));
    // The mapping outlives the descriptor, which is closed here.
    auto owner = std::make_shared<const mapping>(address, size);
    return {std::string_view(static_cast<const char*>(address), size), std::move(owner)};
}

void fs_directory::do_write_atomic(const std::string& name, std::string_view file) {
    const auto path = path_of(name);
    const auto temp = path + std::string(temp_suffix);
    try {
        // A stale temporary file from a crashed writer is overwritten.
        unique_fd fd(open_retry(temp, O_WRONLY | O_CREAT | O_TRUNC, 0644));
        if (fd.get() < 0) throw io_error(temp, "cannot create: " + errno_message(errno));
        write_all(fd.get(), file, temp);
        sync_fd(fd.get(), temp);
        close_checked(fd, temp);
        if (::rename(temp.c_str(), path.c_str()) != 0)
            throw io_error(path, "cannot rename " + temp + " over it: " + errno_message(errno));
    } catch (...) {
        ::unlink(temp.c_str());
        throw;
    }
    // The rename is durable only once the folder's entries are.
    unique_fd dir(open_retry(path_.string(), O_RDONLY | O_DIRECTORY));
    if (dir.get() < 0) throw io_error(path_.string(), "cannot open the folder to sync it: " + errno_message(errno));
    sync_fd(dir.get(), path_.string());
}

std::vector<std::string> fs_directory::do_list() const {
    std::vector<std::string> names;
    std::error_code ec;
    std::filesystem::directory_iterator it(path_, ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec)) continue;
        auto name = it->path().filename().string();
        if (name != lock_file_name) names.push_back(std::move(name));
    }
    if (ec) throw io_error(path_.string(), "cannot list the folder: " + ec.message());
    return names;
}

bool fs_directory::do_exists(const std::string& name) const { return stat_path(path_of(name)).found; }

void fs_directory::do_remove(const std::string& name) {
    const auto path = path_of(name);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw io_error(path, "cannot remove: " + errno_message(errno));
}

std::uint64_t fs_directory::do_file_size(const std::string& name) const {
    const auto path = path_of(name);
    const auto r = stat_path(path);
    if (!r.found) throw io_error(path, "no such file");
    return static_cast<std::uint64_t>(r.st.st_size);
}

directory_lock fs_directory::do_lock() {
    const auto path = path_of(std::string(lock_file_name));
    unique_fd fd(open_retry(path, O_RDWR | O_CREAT, 0644));
    if (fd.get() < 0) throw io_error(path, "cannot open the lock file: " + errno_message(errno));
    int rc;
    do {
        rc = ::flock(fd.get(), LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        if (errno == EWOULDBLOCK) throw io_error(path_.string(), "index is locked by another writer: " + path);
        throw io_error(path, "cannot lock: " + errno_message(errno));
    }
    // Unlocking explicitly (not just closing) also releases the lock for children that inherited
    // the descriptor through fork().
    return directory_lock([raw = fd.release()]() noexcept {
        ::flock(raw, LOCK_UN);
        ::close(raw);
    });
}

}  // namespace rapport::storage
