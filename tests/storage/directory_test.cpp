// SPDX-License-Identifier: MIT
// One body per behaviour, run against every directory implementation (TEST_CASE_TEMPLATE over
// the backends of backends.hpp): round trips, immutability, corruption and truncation, kinds and
// versions, atomic replacement, listing and removal, and the writer lock.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "rapport/core/error.hpp"
#include "storage/backends.hpp"

using namespace rapport::storage;
using rapport::storage::test::fs_backend;
using rapport::storage::test::memory_backend;
using rapport::storage::test::random_bytes;

namespace {

// Writes `payload` as the file `name` in several appends of varying size.
void write_file(directory& dir, const std::string& name, file_kind kind, std::uint32_t version,
                std::string_view payload) {
    auto writer = dir.create(name, kind, version);
    std::size_t pos = 0;
    std::size_t step = 1;
    while (pos < payload.size()) {
        const auto n = std::min(step, payload.size() - pos);
        writer->append(payload.substr(pos, n));
        pos += n;
        REQUIRE(writer->size() == pos);
        step = step * 3 + 1;
    }
    writer->finish();
}

// A payload that never contains the footer magic, so that any truncation of it is structural.
std::string payload_without_magic(std::size_t n, std::uint64_t seed) {
    auto p = random_bytes(n, seed);
    for (auto& c : p)
        if (c == 'T') c = 't';
    return p;
}

}  // namespace

#define BACKENDS fs_backend, memory_backend

TEST_CASE_TEMPLATE("storage: files round-trip through a directory", B, BACKENDS) {
    B backend;
    auto& dir = backend.dir();
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{65'536 - 12},
                                std::size_t{65'536}, std::size_t{200'001}, std::size_t{1'000'000}}) {
        CAPTURE(n);
        const auto name = "file" + std::to_string(n);
        const auto payload = random_bytes(n, n);
        write_file(dir, name, kinds::postings, 3, payload);
        CHECK(dir.exists(name));
        CHECK(dir.file_size(name) == n + envelope_size);
        const auto view = dir.open(name, kinds::postings, 1, 3);
        CHECK(view->payload() == payload);
        CHECK(view->name() == name);
        CHECK(view->path() == dir.path_of(name));
        CHECK(view->version() == 3);
        CHECK(view->kind() == kinds::postings);
        CHECK(view->size() == n);
        CHECK(backend.read_raw(name) == encode_file(kinds::postings, 3, payload));
        const auto info = dir.verify(name);
        CHECK(info.kind == kinds::postings);
        CHECK(info.payload_size == n);
        CHECK(dir.open(name, kinds::postings, 3, 3, {.verify_checksum = false, .expected_size = n + envelope_size})
                  ->payload() == payload);
    }
    SUBCASE("one large append") {
        const auto payload = random_bytes(300'000, 9);
        auto writer = dir.create("big", kinds::stored, 1);
        writer->append("head");
        writer->append(payload);
        writer->append("tail");
        writer->finish();
        CHECK(dir.open("big", kinds::stored, 1, 1)->payload() == "head" + payload + "tail");
    }
}

TEST_CASE_TEMPLATE("storage: files are immutable", B, BACKENDS) {
    B backend;
    auto& dir = backend.dir();
    write_file(dir, "seg", kinds::dictionary, 1, "first");

    SUBCASE("creating an existing name fails and leaves the file alone") {
        CHECK_THROWS_WITH_AS((void)dir.create("seg", kinds::dictionary, 1), doctest::Contains("already exists"),
                             rapport::io_error);
        CHECK(dir.open("seg", kinds::dictionary, 1, 1)->payload() == "first");
    }
    SUBCASE("a name being written is taken") {
        auto writer = dir.create("pending", kinds::dictionary, 1);
        CHECK(dir.exists("pending"));
        CHECK_THROWS_AS((void)dir.create("pending", kinds::dictionary, 1), rapport::io_error);
        // Unfinished files look truncated to readers.
        CHECK_THROWS_AS((void)dir.open("pending", kinds::dictionary, 1, 1), rapport::corruption_error);
        writer->append("x");
        writer->finish();
        CHECK(dir.open("pending", kinds::dictionary, 1, 1)->payload() == "x");
    }
    SUBCASE("an abandoned writer leaves no file") {
        {
            auto writer = dir.create("abandoned", kinds::dictionary, 1);
            writer->append(random_bytes(100'000, 1));
        }
        CHECK_FALSE(dir.exists("abandoned"));
        write_file(dir, "abandoned", kinds::dictionary, 1, "again");
        CHECK(dir.open("abandoned", kinds::dictionary, 1, 1)->payload() == "again");
    }
    SUBCASE("a view outlives removal of its file") {
        const auto view = dir.open("seg", kinds::dictionary, 1, 1);
        dir.remove("seg");
        CHECK_FALSE(dir.exists("seg"));
        CHECK(view->payload() == "first");
        CHECK_THROWS_WITH_AS((void)dir.open("seg", kinds::dictionary, 1, 1), doctest::Contains("no such file"),
                             rapport::io_error);
    }
    SUBCASE("invalid and reserved names") {
        for (const std::string& bad :
             std::vector<std::string>{"", ".", "..", "a/b", std::string("a\0b", 3), "write.lock"}) {
            CAPTURE(bad);
            CHECK_THROWS_AS((void)dir.create(bad, kinds::dictionary, 1), rapport::invalid_argument);
            CHECK_THROWS_AS((void)dir.exists(bad), rapport::invalid_argument);
        }
        CHECK_THROWS_AS((void)dir.create("x.tmp", kinds::dictionary, 1), rapport::invalid_argument);
        CHECK_THROWS_AS(dir.write_atomic("x.tmp", kinds::manifest, 1, ""), rapport::invalid_argument);
    }
}

TEST_CASE_TEMPLATE("storage: a flipped byte anywhere is corruption naming the file", B, BACKENDS) {
    B backend;
    auto& dir = backend.dir();
    const auto payload = random_bytes(300, 5);
    write_file(dir, "seg_1.post", kinds::postings, 2, payload);
    const auto good = backend.read_raw("seg_1.post");
    const auto path = dir.path_of("seg_1.post");
    REQUIRE(good.size() == 328);
    SUBCASE("every byte, three masks, with and without verify") {
        for (std::size_t offset = 0; offset < good.size(); ++offset) {
            for (const int mask : {0x01, 0x80, 0xFF}) {
                auto bad = good;
                bad[offset] = static_cast<char>(static_cast<unsigned char>(bad[offset]) ^ mask);
                backend.write_raw("seg_1.post", bad);
                try {
                    (void)dir.open("seg_1.post", kinds::postings, 2, 2);
                    FAIL("no error for a flip at byte " << offset);
                } catch (const rapport::corruption_error& e) {
                    if (e.path() != path || std::string(e.what()).find(path) == std::string::npos)
                        FAIL("flip at byte " << offset << ": " << e.what());
                }
                try {
                    (void)dir.verify("seg_1.post");
                    FAIL("verify missed a flip at byte " << offset);
                } catch (const rapport::corruption_error&) {
                }
            }
        }
    }
    SUBCASE("without the checksum, the envelope is still checked") {
        auto bad = good;
        bad[0] = 'X';
        backend.write_raw("seg_1.post", bad);
        CHECK_THROWS_WITH_AS(
            (void)dir.open("seg_1.post", kinds::postings, 2, 2,
                           {.verify_checksum = false, .expected_size = std::nullopt}),
            (path + ": corrupt at byte 0: not a rapport file (no \"RPRT\" magic at the start)").c_str(),
            rapport::corruption_error);
        bad = good;
        bad[good.size() - 6] = 'X';
        backend.write_raw("seg_1.post", bad);
        CHECK_THROWS_AS((void)dir.open("seg_1.post", kinds::postings, 2, 2,
                                       {.verify_checksum = false, .expected_size = std::nullopt}),
                        rapport::corruption_error);
    }
    SUBCASE("a payload flip is caught by verify even when open skips the checksum") {
        auto bad = good;
        bad[100] ^= 0x10;
        backend.write_raw("seg_1.post", bad);
        CHECK_NOTHROW((void)dir.open("seg_1.post", kinds::postings, 2, 2,
                                     {.verify_checksum = false, .expected_size = std::nullopt}));
        CHECK_THROWS_WITH_AS((void)dir.verify("seg_1.post"), doctest::Contains("checksum mismatch"),
                             rapport::corruption_error);
    }
}

TEST_CASE_TEMPLATE("storage: a truncated file is corruption naming the file", B, BACKENDS) {
    B backend;
    auto& dir = backend.dir();
    write_file(dir, "seg_1.lens", kinds::lengths, 1, payload_without_magic(200, 3));
    const auto good = backend.read_raw("seg_1.lens");
    const auto path = dir.path_of("seg_1.lens");
    // Every length: 0, 1, inside the header, inside the payload, inside the footer; and one byte more.
    for (std::size_t length = 0; length <= good.size() + 1; ++length) {
        if (length == good.size()) continue;
        const auto bad = length <= good.size() ? good.substr(0, length) : good + "!";
        backend.write_raw("seg_1.lens", bad);
        try {
            (void)dir.open("seg_1.lens", kinds::lengths, 1, 1);
            FAIL("no error for a file cut to " << length << " bytes");
        } catch (const rapport::corruption_error& e) {
            const std::string what = e.what();
            if (what.find(path) == std::string::npos) FAIL(what);
            if (length < envelope_size && what.find("truncated") == std::string::npos) FAIL(what);
        }
        try {
            (void)dir.open("seg_1.lens", kinds::lengths, 1, 1,
                           {.verify_checksum = false, .expected_size = good.size()});
            FAIL("no error for a file cut to " << length << " bytes");
        } catch (const rapport::corruption_error& e) {
            const auto expected =
                "expected " + std::to_string(good.size()) + " bytes, found " + std::to_string(bad.size());
            if (std::string(e.what()).find(expected) == std::string::npos) FAIL(e.what());
        }
    }
    SUBCASE("an intact footer with missing payload bytes reports both sizes") {
        auto bad = good;
        bad.erase(50, 10);
        backend.write_raw("seg_1.lens", bad);
        CHECK_THROWS_WITH_AS((void)dir.open("seg_1.lens", kinds::lengths, 1, 1),
                             doctest::Contains("truncated: the footer records a payload of 200 bytes, so the file "
                                               "should have 228 bytes, but it has 218"),
                             rapport::corruption_error);
    }
}

TEST_CASE_TEMPLATE("storage: kind and version are checked", B, BACKENDS) {
    B backend;
    auto& dir = backend.dir();
    write_file(dir, "seg_1.dict", kinds::dictionary, 4, "terms");
    const auto path = dir.path_of("seg_1.dict");
    CHECK(dir.open("seg_1.dict", kinds::dictionary, 4, 4)->payload() == "terms");
    CHECK(dir.open("seg_1.dict", kinds::dictionary, 1, 9)->version() == 4);

    SUBCASE("wrong kind") {
        CHECK_THROWS_WITH_AS((void)dir.open("seg_1.dict", kinds::postings, 1, 9),
                             (path + ": corrupt at byte 4: expected kind POST, found DICT").c_str(),
                             rapport::corruption_error);
    }
    SUBCASE("not a rapport file") {
        backend.write_raw("seg_1.dict", std::string(64, 'z'));
        CHECK_THROWS_WITH_AS((void)dir.open("seg_1.dict", kinds::dictionary, 1, 9),
                             doctest::Contains("not a rapport file"), rapport::corruption_error);
    }
    SUBCASE("too old") {
        CHECK_THROWS_WITH_AS((void)dir.open("seg_1.dict", kinds::dictionary, 5, 7),
                             (path + ": DICT file format too old (version 4, this build reads 5..7): re-create the "
                                     "index with this version of rapport (or read it with the older rapport that "
                                     "wrote it)")
                                 .c_str(),
                             rapport::format_version_error);
    }
    SUBCASE("too new") {
        CHECK_THROWS_WITH_AS((void)dir.open("seg_1.dict", kinds::dictionary, 1, 3),
                             (path + ": DICT file format too new (version 4, this build reads 1..3): upgrade rapport "
                                     "to read this index")
                                 .c_str(),
                             rapport::format_version_error);
    }
    SUBCASE("verify ignores kind and version") {
        const auto info = dir.verify("seg_1.dict");
        CHECK(info.kind == kinds::dictionary);
        CHECK(info.version == 4);
    }
}

TEST_CASE_TEMPLATE("storage: write_atomic creates and replaces", B, BACKENDS) {
    B backend;
    auto& dir = backend.dir();
    dir.write_atomic("MANIFEST", kinds::manifest, 1, "generation 1");
    const auto old_view = dir.open("MANIFEST", kinds::manifest, 1, 1);
    dir.write_atomic("MANIFEST", kinds::manifest, 2, "generation 2, longer");
    const auto new_view = dir.open("MANIFEST", kinds::manifest, 1, 2);
    CHECK(new_view->payload() == "generation 2, longer");
    CHECK(new_view->version() == 2);
    CHECK(old_view->payload() == "generation 1");               // readers of the old manifest are unaffected
    CHECK(dir.list() == std::vector<std::string>{"MANIFEST"});  // no temporary file left
    CHECK_THROWS_AS((void)dir.create("MANIFEST", kinds::manifest, 1), rapport::io_error);
    write_file(dir, "seg", kinds::postings, 1, "p");
    dir.write_atomic("seg", kinds::postings, 1, "replaced");
    CHECK(dir.open("seg", kinds::postings, 1, 1)->payload() == "replaced");
}

TEST_CASE_TEMPLATE("storage: list, exists, remove and file_size", B, BACKENDS) {
    B backend;
    auto& dir = backend.dir();
    CHECK(dir.list().empty());
    for (const std::string name : {"b", "a", "seg_10.post", "seg_2.post", "Z"})
        write_file(dir, name, kinds::postings, 1, name);
    const auto lock = dir.lock();  // the fs lock file is not listed
    CHECK(dir.list() == std::vector<std::string>{"Z", "a", "b", "seg_10.post", "seg_2.post"});
    CHECK(dir.exists("a"));
    CHECK_FALSE(dir.exists("c"));
    CHECK(dir.file_size("seg_10.post") == 11 + envelope_size);
    CHECK_THROWS_WITH_AS((void)dir.file_size("c"), doctest::Contains("no such file"), rapport::io_error);
    dir.remove("a");
    dir.remove("a");  // missing: nothing
    dir.remove("never");
    CHECK(dir.list() == std::vector<std::string>{"Z", "b", "seg_10.post", "seg_2.post"});
    CHECK_THROWS_AS((void)dir.open("a", kinds::postings, 1, 1), rapport::io_error);
    CHECK_THROWS_AS((void)dir.verify("a"), rapport::io_error);
}

TEST_CASE_TEMPLATE("storage: the writer lock is exclusive", B, BACKENDS) {
    B backend;
    auto& dir = backend.dir();
    {
        auto lock = dir.lock();
        CHECK(lock.owns_lock());
        CHECK_THROWS_WITH_AS((void)dir.lock(), doctest::Contains("index is locked by another writer"),
                             rapport::io_error);
        auto moved = std::move(lock);
        CHECK_FALSE(lock.owns_lock());  // NOLINT: use after move is the point
        CHECK(moved.owns_lock());
        CHECK_THROWS_AS((void)dir.lock(), rapport::io_error);
        moved.release();
        CHECK_FALSE(moved.owns_lock());
        auto again = dir.lock();
        CHECK(again.owns_lock());
    }
    auto after_scope = dir.lock();
    CHECK(after_scope.owns_lock());
}

TEST_CASE_TEMPLATE("storage: readers see whole files while write_atomic replaces them", B, BACKENDS) {
    B backend;
    auto& dir = backend.dir();
    const auto generation = [](int g) { return "generation " + std::to_string(g) + std::string(1000, 'x'); };
    dir.write_atomic("MANIFEST", kinds::manifest, 1, generation(0));
    std::atomic<bool> done{false};
    std::atomic<int> bad{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&] {
            while (!done.load()) {
                try {
                    const auto view = dir.open("MANIFEST", kinds::manifest, 1, 1);
                    if (view->payload().substr(0, 11) != "generation " || view->size() < 1000) ++bad;
                } catch (...) {
                    ++bad;
                }
            }
        });
    }
    for (int g = 1; g <= 30; ++g) dir.write_atomic("MANIFEST", kinds::manifest, 1, generation(g));
    done = true;
    for (auto& r : readers) r.join();
    CHECK(bad.load() == 0);
    CHECK(dir.open("MANIFEST", kinds::manifest, 1, 1)->payload() == generation(30));
}
