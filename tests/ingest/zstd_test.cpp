// SPDX-License-Identifier: MIT
// JSONL collections compressed with zstd are read on the fly; damage gives corruption_error.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "rapport/core/error.hpp"
#include "rapport/ingest/readers.hpp"
#include "test_util.hpp"

using namespace rapport;
using namespace rapport::ingest;

namespace {
std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("ingest: .jsonl.zst files are decompressed while reading") {
    const std::filesystem::path good = RAPPORT_TEST_DATA_DIR "/two_docs.jsonl.zst";
    const auto articles = read_jsonl(good);
    REQUIRE(articles.size() == 2);
    CHECK(articles[0].id.value == "1");
    CHECK(articles[0].title == "T");
    CHECK(articles[1].body == "two");

    const std::string bytes = slurp(good);
    REQUIRE(bytes.size() > 20);
    rapport::ingest::test::temp_dir dir;
    SUBCASE("truncated") {
        for (std::size_t keep : {bytes.size() - 1, bytes.size() / 2, std::size_t{5}}) {
            CAPTURE(keep);
            rapport::ingest::test::write_file(dir.path() / "t.jsonl.zst", bytes.substr(0, keep));
            CHECK_THROWS_AS((void)read_jsonl(dir.path() / "t.jsonl.zst"), rapport::corruption_error);
        }
    }
    SUBCASE("a flipped byte in the frame header or the checksum") {
        for (std::size_t at : {std::size_t{0}, std::size_t{4}, bytes.size() - 2}) {
            CAPTURE(at);
            std::string bad = bytes;
            bad[at] = static_cast<char>(bad[at] ^ 0x5A);
            rapport::ingest::test::write_file(dir.path() / "f.jsonl.zst", bad);
            try {
                (void)read_jsonl(dir.path() / "f.jsonl.zst");
                FAIL("damaged zstd data was accepted");
            } catch (const rapport::corruption_error& e) {
                CHECK(std::string(e.what()).find("f.jsonl.zst") != std::string::npos);
            }
        }
    }
    SUBCASE("missing file") { CHECK_THROWS_AS((void)read_jsonl(dir.path() / "none.jsonl.zst"), rapport::io_error); }
}
