// SPDX-License-Identifier: MIT
// What only the file-system directory has: folders, the lock across processes (fork), leftovers
// of crashed writers, and clean-up of the test folders themselves.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rapport/core/error.hpp"
#include "storage/backends.hpp"

using namespace rapport::storage;
using rapport::storage::test::fs_backend;
using rapport::storage::test::temp_dir;

namespace {

// Child exit codes.
constexpr int child_ok = 0;
constexpr int child_wrong = 1;

// In a forked child: 0 when taking the lock of the folder at `path` fails with the "locked"
// error, 1 otherwise. No doctest macros in children; they leave through _exit.
int child_lock_refused(const std::filesystem::path& path) noexcept {
    try {
        auto dir = fs_directory::open_existing(path);
        auto lock = dir->lock();
        return child_wrong;
    } catch (const rapport::io_error& e) {
        return std::string(e.what()).find("index is locked by another writer") != std::string::npos ? child_ok
                                                                                                    : child_wrong;
    } catch (...) {
        return child_wrong;
    }
}

int child_lock_granted(const std::filesystem::path& path) noexcept {
    try {
        auto dir = fs_directory::open_existing(path);
        auto lock = dir->lock();
        return lock.owns_lock() ? child_ok : child_wrong;
    } catch (...) {
        return child_wrong;
    }
}

void write_byte(int fd) {
    const char c = 'x';
    REQUIRE(::write(fd, &c, 1) == 1);
}

bool read_byte(int fd) noexcept {
    char c;
    return ::read(fd, &c, 1) == 1;
}

int wait_child(pid_t pid) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("storage: fs lock excludes another process until released") {
    fs_backend backend;
    const auto path = backend.dir().path();
    auto lock = backend.dir().lock();

    int to_child[2];
    int to_parent[2];
    REQUIRE(::pipe(to_child) == 0);
    REQUIRE(::pipe(to_parent) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // The child inherited the parent's locked descriptor (fork without exec): the lock must
        // still be refused to a new lock() in the child, and granted once the parent releases.
        const int first = child_lock_refused(path);
        const char c = 'x';
        if (::write(to_parent[1], &c, 1) != 1 || !read_byte(to_child[0])) ::_exit(child_wrong);
        const int second = child_lock_granted(path);
        ::_exit(first == child_ok && second == child_ok ? child_ok : child_wrong);
    }
    REQUIRE(read_byte(to_parent[0]));  // the child has tried while we hold the lock
    lock.release();
    write_byte(to_child[1]);
    CHECK(wait_child(pid) == child_ok);
    for (const int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(fd);

    auto again = backend.dir().lock();  // the child's lock died with it
    CHECK(again.owns_lock());
}

TEST_CASE("storage: a crashed writer leaves no stale fs lock") {
    fs_backend backend;
    const auto path = backend.dir().path();
    int to_parent[2];
    REQUIRE(::pipe(to_parent) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            auto dir = fs_directory::open_existing(path);
            auto lock = dir->lock();
            const char c = 'x';
            if (::write(to_parent[1], &c, 1) != 1) ::_exit(child_wrong);
            ::pause();  // hold the lock until killed
        } catch (...) {
        }
        ::_exit(child_wrong);
    }
    REQUIRE(read_byte(to_parent[0]));
    CHECK_THROWS_WITH_AS((void)backend.dir().lock(), doctest::Contains("index is locked by another writer"),
                         rapport::io_error);
    ::kill(pid, SIGKILL);  // no destructor runs: the kernel drops the flock
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    ::close(to_parent[0]);
    ::close(to_parent[1]);
    CHECK(std::filesystem::exists(path / "write.lock"));  // the file stays, the lock does not
    auto lock = backend.dir().lock();
    CHECK(lock.owns_lock());
}

TEST_CASE("storage: fs_directory folders") {
    temp_dir temp;
    SUBCASE("create_or_open creates missing folders and reopens existing ones") {
        const auto path = temp.path() / "a" / "b" / "index";
        {
            auto dir = fs_directory::create_or_open(path);
            CHECK(std::filesystem::is_directory(path));
            dir->write_atomic("MANIFEST", kinds::manifest, 1, "m");
        }
        auto dir = fs_directory::create_or_open(path);
        CHECK(dir->open("MANIFEST", kinds::manifest, 1, 1)->payload() == "m");
        CHECK(fs_directory::open_existing(path)->list() == std::vector<std::string>{"MANIFEST"});
    }
    SUBCASE("a path that is a file is an io_error") {
        const auto path = temp.path() / "file";
        { std::ofstream(path) << "not a folder"; }
        CHECK_THROWS_WITH_AS((void)fs_directory::create_or_open(path), doctest::Contains(path.string().c_str()),
                             rapport::io_error);
        CHECK_THROWS_AS((void)fs_directory::open_existing(path), rapport::io_error);
    }
    SUBCASE("open_existing does not create") {
        CHECK_THROWS_WITH_AS((void)fs_directory::open_existing(temp.path() / "missing"),
                             doctest::Contains("no such index folder"), rapport::io_error);
        CHECK_FALSE(std::filesystem::exists(temp.path() / "missing"));
    }
    SUBCASE("errors name the path") {
        auto dir = fs_directory::create_or_open(temp.path());
        CHECK(dir->path_of("x") == (temp.path() / "x").string());
        CHECK_THROWS_WITH_AS((void)dir->open("x", kinds::postings, 1, 1),
                             ((temp.path() / "x").string() + ": no such file").c_str(), rapport::io_error);
    }
}

TEST_CASE("storage: a FIFO or a folder in place of a file is an error, never a hang") {
    temp_dir temp;
    auto dir = fs_directory::create_or_open(temp.path());
    // Opening a FIFO for reading without O_NONBLOCK waits for a writer that never comes.
    const auto fifo = temp.path() / "seg_0.post";
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    CHECK_THROWS_WITH_AS((void)dir->open("seg_0.post", kinds::postings, 1, 1),
                         doctest::Contains("seg_0.post: not a regular file"), rapport::io_error);
    std::filesystem::create_directory(temp.path() / "seg_0.dict");
    CHECK_THROWS_WITH_AS((void)dir->open("seg_0.dict", kinds::dictionary, 1, 1),
                         doctest::Contains("not a regular file"), rapport::io_error);
}

TEST_CASE("storage: fs leftovers of a crashed commit are listed and removable") {
    fs_backend backend;
    auto& dir = backend.dir();
    { std::ofstream(dir.path() / "MANIFEST.tmp") << "half"; }
    std::filesystem::create_directory(dir.path() / "subfolder");
    CHECK(dir.list() == std::vector<std::string>{"MANIFEST.tmp"});  // folders are not files
    dir.write_atomic("MANIFEST", kinds::manifest, 1, "whole");      // overwrites the stale temporary
    CHECK(dir.list() == std::vector<std::string>{"MANIFEST"});
    { std::ofstream(dir.path() / "MANIFEST.tmp") << "half"; }
    dir.remove("MANIFEST.tmp");
    CHECK(dir.list() == std::vector<std::string>{"MANIFEST"});
}

TEST_CASE("storage: test folders are cleaned up") {
    std::filesystem::path root;
    {
        fs_backend backend;
        root = backend.root();
        backend.dir().write_atomic("MANIFEST", kinds::manifest, 1, "m");
        auto writer = backend.dir().create("seg", kinds::postings, 1);
        writer->append("x");
        writer->finish();
        const auto view = backend.dir().open("seg", kinds::postings, 1, 1);
        auto lock = backend.dir().lock();
        CHECK(std::filesystem::exists(root));
    }
    CHECK_FALSE(std::filesystem::exists(root));
}

TEST_CASE("storage: memory views and locks outlive their directory") {
    std::shared_ptr<const file_view> view;
    directory_lock lock;
    {
        memory_directory dir;
        dir.write_atomic("MANIFEST", kinds::manifest, 1, "kept");
        view = dir.open("MANIFEST", kinds::manifest, 1, 1);
        lock = dir.lock();
        CHECK(dir.path_of("MANIFEST") == "memory/MANIFEST");
    }
    CHECK(view->payload() == "kept");
    lock.release();
}
