// SPDX-License-Identifier: MIT
// Tests of split_passages: merging, sentence windows, overlap, long sentences, CJK, edge cases.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ingest/test_util.hpp"
#include "rapport/core/error.hpp"
#include "rapport/ingest/passage.hpp"

#if defined(__linux__)
#  include <sys/mman.h>
#endif

using rapport::ingest::paragraph_break;
using rapport::ingest::passage_options;
using rapport::ingest::passage_range;
using rapport::ingest::split_passages;
using rapport::ingest::test::check_passages;
using rapport::ingest::test::text_of;

namespace {

// "Sentence 0 tells a small story about item 0. Sentence 1 ..." — n sentences on one line.
std::string sentences(int n, const std::string& first_word = "Sentence") {
    std::string s;
    for (int i = 0; i < n; ++i) {
        if (i > 0) s += ' ';
        s += first_word + " " + std::to_string(i) + " tells a small story about item " + std::to_string(i * 7) + ".";
    }
    return s;
}

std::vector<passage_range> split_checked(const std::string& body, const passage_options& options) {
    auto passages = split_passages(body, options);
    check_passages(body, passages, options);
    return passages;
}

}  // namespace

TEST_CASE("ingest: empty and whitespace-only bodies yield no passages") {
    CHECK(split_passages("").empty());
    CHECK(split_passages(" \n\t\r\n  \n").empty());
    CHECK(split_passages("\xE3\x80\x80\xC2\xA0\xE2\x80\xA8").empty());  // U+3000, NBSP, U+2028
    CHECK(split_passages("   ", passage_options{.paragraphs = paragraph_break::blank_line}).empty());
}

TEST_CASE("ingest: passage options are validated") {
    CHECK_THROWS_AS((void)split_passages("x", passage_options{.max_bytes = 0, .min_bytes = 0}),
                    rapport::invalid_argument);
    CHECK_THROWS_AS((void)split_passages("x", passage_options{.max_bytes = 100, .min_bytes = 101}),
                    rapport::invalid_argument);
    CHECK(split_passages("x", passage_options{.max_bytes = 100, .min_bytes = 100}).size() == 1);
#if defined(__linux__) && UINTPTR_MAX > 0xFFFFFFFFu
    SUBCASE("a body of 4 GiB is refused before it is read") {
        // Reserve (never touch) 4 GiB of inaccessible address space for a valid string_view.
        const std::size_t size = std::size_t{1} << 32;
        void* p = ::mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) {
            const std::string_view huge(static_cast<const char*>(p), size);
            CHECK_THROWS_AS((void)split_passages(huge), rapport::invalid_argument);
            ::munmap(p, size);
        }
    }
#endif
}

TEST_CASE("ingest: short paragraphs are merged") {
    const passage_options options{.max_bytes = 400, .min_bytes = 100};
    SUBCASE("a heading joins the next paragraph") {
        const std::string para = sentences(3);  // about 140 bytes
        const std::string body = "Heading\n" + para + "\n\n" + para + "\n";
        const auto passages = split_checked(body, options);
        REQUIRE(passages.size() == 2);
        CHECK(text_of(body, passages[0]) == "Heading\n" + para);
        CHECK(text_of(body, passages[1]) == para);
    }
    SUBCASE("several short lines merge until long enough") {
        const std::string body = "one\ntwo\nthree\n" + sentences(3) + "\nshort tail";
        const auto passages = split_checked(body, options);
        REQUIRE(passages.size() == 1);
        CHECK(passages[0].begin == 0);
        CHECK(passages[0].end == body.size());
    }
    SUBCASE("a short last paragraph joins the previous one") {
        const std::string para = sentences(3);
        const std::string body = para + "\n" + para + "\n  Regards, Glenn  \n";
        const auto passages = split_checked(body, options);
        REQUIRE(passages.size() == 2);
        CHECK(text_of(body, passages[1]) == para + "\n  Regards, Glenn");
    }
    SUBCASE("merging never exceeds max_bytes") {
        std::string big = sentences(8);
        while (big.size() < 396) big += " x";
        REQUIRE(big.size() <= 400);  // "Tiny" fits with neither neighbour
        const std::string body = big + "\nTiny\n" + big;
        const auto passages = split_checked(body, options);
        REQUIRE(passages.size() == 3);
        CHECK(text_of(body, passages[1]) == "Tiny");
    }
    SUBCASE("min_bytes 0 keeps every paragraph") {
        const auto passages = split_checked("a\nb\n\nc", passage_options{.max_bytes = 10, .min_bytes = 0});
        CHECK(passages.size() == 3);
    }
}

TEST_CASE("ingest: long paragraphs are split on sentence boundaries") {
    const passage_options options{.max_bytes = 200, .min_bytes = 50};
    const std::string body = sentences(40);
    const auto passages = split_checked(body, options);
    REQUIRE(passages.size() > 5);
    for (const auto& p : passages) {
        const std::string_view text = text_of(body, p);
        CAPTURE(text);
        CHECK(text.starts_with("Sentence "));
        CHECK(text.ends_with("."));
        CHECK(text.size() <= 200);
    }
    SUBCASE("a heading opens the first window of a long paragraph") {
        const std::string with_heading = "Heading\n" + body;
        const auto windows = split_checked(with_heading, options);
        CHECK(text_of(with_heading, windows[0]).starts_with("Heading\nSentence 0 "));
    }
    SUBCASE("hard-wrapped text under blank_line") {
        // Wrap the paragraph at about 60 columns, in the middle of sentences.
        std::string wrapped;
        std::size_t column = 0;
        for (const char c : body) {
            if (c == ' ' && column >= 60) {
                wrapped += '\n';
                column = 0;
            } else {
                wrapped += c;
                ++column;
            }
        }
        wrapped += "\n\n" + sentences(2, "Second") + "\n";
        passage_options blank = options;
        blank.paragraphs = paragraph_break::blank_line;
        const auto windows = split_checked(wrapped, blank);
        REQUIRE(windows.size() > 5);
        for (const auto& p : windows) {
            const std::string_view text = text_of(wrapped, p);
            CAPTURE(text);
            CHECK(text.ends_with("."));
        }
        CHECK(text_of(wrapped, windows.back()).starts_with("Second 0"));
        // One paragraph per line instead: the lines themselves are the fragments.
        const auto lines = split_checked(wrapped, options);
        CHECK(lines.size() != windows.size());
    }
}

TEST_CASE("ingest: paragraph_break modes") {
    const std::string body = "Line one of the first\nline two of the first\n\n \nThe second one\nends here\r\n";
    const auto by_blank = split_checked(body, passage_options{.max_bytes = 100, .min_bytes = 0,
                                                              .paragraphs = paragraph_break::blank_line});
    REQUIRE(by_blank.size() == 2);
    CHECK(text_of(body, by_blank[0]) == "Line one of the first\nline two of the first");
    CHECK(text_of(body, by_blank[1]) == "The second one\nends here");
    const auto by_line = split_checked(body, passage_options{.max_bytes = 100, .min_bytes = 0});
    REQUIRE(by_line.size() == 4);
    CHECK(text_of(body, by_line[3]) == "ends here");
    // U+2029 ends a paragraph in both modes.
    const std::string ps = "first part\xE2\x80\xA9second part";
    CHECK(split_checked(ps, passage_options{.max_bytes = 100, .min_bytes = 0,
                                            .paragraphs = paragraph_break::blank_line})
              .size() == 2);
}

TEST_CASE("ingest: windows overlap by whole sentences") {
    const std::string body = sentences(30);
    for (std::size_t overlap : {1u, 2u}) {
        CAPTURE(overlap);
        const passage_options options{.max_bytes = 200, .min_bytes = 0, .overlap_sentences = overlap};
        const auto passages = split_checked(body, options);
        REQUIRE(passages.size() > 3);
        for (std::size_t i = 1; i < passages.size(); ++i) {
            const auto& prev = passages[i - 1];
            const auto& next = passages[i];
            CAPTURE(i);
            CHECK(next.begin < prev.end);  // they overlap
            CHECK(next.begin > prev.begin);
            const std::string_view repeated = std::string_view(body).substr(next.begin, prev.end - next.begin);
            CHECK(repeated.starts_with("Sentence "));
            CHECK(repeated.ends_with("."));
            // Number of repeated sentences: at most `overlap`.
            std::size_t count = 0;
            for (std::size_t at = repeated.find("Sentence "); at != std::string_view::npos;
                 at = repeated.find("Sentence ", at + 1))
                ++count;
            CHECK(count >= 1);
            CHECK(count <= overlap);
        }
    }
    SUBCASE("overlap does not apply across paragraphs") {
        const std::string two = sentences(3) + "\n" + sentences(3);
        const passage_options options{.max_bytes = 200, .min_bytes = 0, .overlap_sentences = 2};
        const auto passages = split_checked(two, options);
        REQUIRE(passages.size() == 2);
        CHECK(passages[0].end < passages[1].begin);
    }
}

TEST_CASE("ingest: a single huge sentence is cut at word boundaries") {
    SUBCASE("words separated by spaces, no punctuation") {
        std::string body;
        for (int i = 0; i < 2000; ++i) body += "word" + std::to_string(i) + " ";
        const passage_options options{.max_bytes = 300, .min_bytes = 100};
        const auto passages = split_checked(body, options);
        REQUIRE(passages.size() > 30);
        for (const auto& p : passages) {
            CHECK(body[p.begin - (p.begin > 0 ? 1 : 0)] == (p.begin > 0 ? ' ' : 'w'));
            CHECK((p.end == body.size() || body[p.end] == ' '));
        }
    }
    SUBCASE("no spaces at all: cuts fall on code point boundaries") {
        std::string body;
        for (int i = 0; i < 3000; ++i) body += "\xC3\xA9";       // é, 2 bytes
        for (int i = 0; i < 1000; ++i) body += "\xF0\x9F\x98\x80";  // 😀, 4 bytes
        const passage_options options{.max_bytes = 301, .min_bytes = 10};
        const auto passages = split_checked(body, options);  // checks code point boundaries
        CHECK(passages.size() >= body.size() / 301);
    }
    SUBCASE("max_bytes below a code point keeps the code point whole") {
        const std::string body = "\xF0\x9F\x98\x80\xF0\x9F\x98\x80";
        const auto passages = split_passages(body, passage_options{.max_bytes = 2, .min_bytes = 0});
        REQUIRE(passages.size() == 2);
        CHECK(passages[0].end == 4);
        CHECK(passages[1].begin == 4);
    }
    SUBCASE("one 1 MB paragraph") {
        std::string body;
        body.reserve(std::size_t{1} << 21);
        int i = 0;
        while (body.size() < (std::size_t{1} << 20) + 5000) {
            body += "Item " + std::to_string(i) + " is described in some detail here";
            body += (i % 5 == 4) ? ". " : ", ";
            ++i;
        }
        const passage_options options{};
        const auto passages = split_checked(body, options);
        CHECK(passages.size() > body.size() / options.max_bytes);
        std::size_t sentence_ends = 0;
        for (const auto& p : passages)
            if (text_of(body, p).ends_with(".")) ++sentence_ends;
        CHECK(sentence_ends + 1 >= passages.size());
    }
    SUBCASE("one 1 MB sentence") {
        std::string body;
        while (body.size() < (std::size_t{1} << 20) + 5000) body += "lorem ipsum dolor sit amet ";
        const auto passages = split_checked(body, passage_options{});
        CHECK(passages.size() >= body.size() / 1000);
    }
}

TEST_CASE("ingest: CJK text splits after the ideographic full stop") {
    // "今天天气很好。" (21 bytes) and "我们去公园散步吧。" (27 bytes), alternating, no spaces.
    std::string body;
    for (int i = 0; i < 40; ++i)
        body += (i % 2 == 0) ? "\xE4\xBB\x8A\xE5\xA4\xA9\xE5\xA4\xA9\xE6\xB0\x94\xE5\xBE\x88\xE5\xA5\xBD\xE3\x80\x82"
                             : "\xE6\x88\x91\xE4\xBB\xAC\xE5\x8E\xBB\xE5\x85\xAC\xE5\x9B\xAD\xE6\x95\xA3\xE6\xAD\xA5\xE5\x90\xA7\xE3\x80\x82";
    const passage_options options{.max_bytes = 100, .min_bytes = 30};
    const auto passages = split_checked(body, options);
    REQUIRE(passages.size() >= 10);
    for (const auto& p : passages) {
        const std::string_view text = text_of(body, p);
        CAPTURE(text);
        CHECK(text.ends_with("\xE3\x80\x82"));
    }
    SUBCASE("a CJK sentence without punctuation is cut between characters") {
        std::string run;
        for (int i = 0; i < 200; ++i) run += "\xE4\xBB\x8A\xE5\xA4\xA9\xE5\xA4\xA9\xE6\xB0\x94";  // 今天天气
        const auto cut = split_checked(run, options);
        CHECK(cut.size() >= run.size() / 100);
    }
}
