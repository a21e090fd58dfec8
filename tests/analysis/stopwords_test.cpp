// SPDX-License-Identifier: MIT
// Stopword lists read from text and files: comments, blank lines, White_Space, CRLF, a BOM,
// invalid UTF-8 and missing files.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "rapport/analysis/stopwords.hpp"
#include "rapport/analysis/token_filter.hpp"
#include "rapport/core/error.hpp"
#include "support/scratch_dir.hpp"

using namespace rapport;
using analysis::parse_stopwords;
using analysis::read_stopwords;
using words = std::vector<std::string>;

TEST_CASE("analysis: parse_stopwords reads one word per line") {
    SUBCASE("comments, blank lines and surrounding White_Space") {
        CHECK(parse_stopwords("the\n  a \t\n\n# a comment\nof # trailing comment\n\xE3\x80\x80und\xC2\xA0\n") ==
              words{"the", "a", "of", "und"});
    }
    SUBCASE("CRLF line ends, no final newline, a byte order mark") {
        CHECK(parse_stopwords("\xEF\xBB\xBFThe\r\nAn\r\nde") == words{"The", "An", "de"});
    }
    SUBCASE("nothing") {
        CHECK(parse_stopwords("").empty());
        CHECK(parse_stopwords("\n \n#\n").empty());
    }
    SUBCASE("order and inner spaces are kept") {
        CHECK(parse_stopwords("zu\nab\nvon der\n") == words{"zu", "ab", "von der"});
    }
    SUBCASE("invalid UTF-8 names the list and the byte") {
        try {
            (void)parse_stopwords("ok\nbad\xFF\n", "mine.txt");
            FAIL("expected invalid_argument");
        } catch (const invalid_argument& e) {
            CHECK(e.offset() == 6);
            CHECK(std::string(e.what()).starts_with("mine.txt: invalid UTF-8"));
        }
    }
}

TEST_CASE("analysis: read_stopwords loads a file for the stopword filter") {
    test::scratch_dir scratch;
    const auto path = scratch.path() / "stop.txt";
    std::ofstream(path, std::ios::binary) << "# German\nder\ndie\r\ndas\n";
    const auto list = read_stopwords(path);
    CHECK(list == words{"der", "die", "das"});
    auto filter = analysis::make_stopword_filter(list);
    std::string term = "Die";
    CHECK_FALSE(filter->apply(term));
    term = "Haus";
    CHECK(filter->apply(term));

    CHECK_THROWS_WITH_AS((void)read_stopwords(scratch.path() / "missing.txt"), doctest::Contains("missing.txt"),
                         io_error);
}
