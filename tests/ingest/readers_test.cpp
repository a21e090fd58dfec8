// SPDX-License-Identifier: MIT
// Tests of read_text_directory and the JSON Lines reader.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "ingest/test_util.hpp"
#include "rapport/core/error.hpp"
#include "rapport/ingest/readers.hpp"

using rapport::invalid_utf8_policy;
using rapport::ingest::article;
using rapport::ingest::jsonl_reader;
using rapport::ingest::read_jsonl;
using rapport::ingest::read_options;
using rapport::ingest::list_text_files;
using rapport::ingest::read_text_directory;
using rapport::ingest::read_text_file;
using rapport::ingest::test::temp_dir;
using rapport::ingest::test::write_file;

namespace {

std::string message_of(auto&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "<no exception>";
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("ingest: text directory title rule") {
    temp_dir dir;
    SUBCASE("a short first line without final punctuation is the title") {
        write_file(dir.path() / "a.txt", "\n  My Heading  \r\nFirst paragraph.\nSecond paragraph.\n");
        const auto articles = read_text_directory(dir.path());
        REQUIRE(articles.size() == 1);
        CHECK(articles[0].id.value == "a");
        CHECK(articles[0].title == "My Heading");
        CHECK(articles[0].body == "First paragraph.\nSecond paragraph.\n");
    }
    SUBCASE("a first line ending in sentence punctuation stays in the body and titles the article") {
        for (const char* line : {"This is a sentence.", "Wow!", "Why?", "Ask yourself:", "Dear all,"}) {
            CAPTURE(line);
            const std::string content = std::string(line) + "\nMore text.\n";
            write_file(dir.path() / "b.txt", content);
            const auto articles = read_text_directory(dir.path());
            REQUIRE(articles.size() == 1);
            CHECK(articles[0].title == line);  // short: its opening words are the whole line
            CHECK(articles[0].body == content);
        }
    }
    SUBCASE("a first line over 120 bytes stays in the body; its opening words are the title") {
        const std::string long_line(121, 'x');
        write_file(dir.path() / "c.txt", long_line + "\nrest\n");
        auto articles = read_text_directory(dir.path());
        REQUIRE(articles.size() == 1);
        CHECK(articles[0].title == std::string(60, 'x') + "…");  // no space: cut at 60 bytes
        CHECK(articles[0].body == long_line + "\nrest\n");

        write_file(dir.path() / "c.txt", long_line.substr(1) + "\nrest\n");
        articles = read_text_directory(dir.path());
        CHECK(articles[0].title == long_line.substr(1));
        CHECK(articles[0].body == "rest\n");
    }
    SUBCASE("a long sentence is cut at a space, trailing punctuation dropped") {
        write_file(dir.path() / "g.txt",
                   "Herman Melville, the American writer/novelist, once said: We cannot live only for ourselves.\nx\n");
        const auto articles = read_text_directory(dir.path());
        CHECK(articles[0].title == "Herman Melville, the American writer/novelist, once said: We…");
        CHECK(articles[0].body.starts_with("Herman Melville"));
    }
    SUBCASE("a long line of multi-byte characters without spaces is cut on a character boundary") {
        std::string cjk;
        for (int i = 0; i < 50; ++i) cjk += "信";  // 150 bytes: too long for a heading
        write_file(dir.path() / "h.txt", cjk + "。\n");
        const auto articles = read_text_directory(dir.path());
        CHECK(articles[0].title == cjk.substr(0, 60) + "…");
    }
    SUBCASE("title only, empty and whitespace-only files") {
        write_file(dir.path() / "d.txt", "Only a title");
        write_file(dir.path() / "e.txt", "");
        write_file(dir.path() / "f.txt", " \n\t\n");
        const auto articles = read_text_directory(dir.path());
        REQUIRE(articles.size() == 3);
        CHECK(articles[0].title == "Only a title");
        CHECK(articles[0].body.empty());
        CHECK(articles[1].title == "e");
        CHECK(articles[1].body.empty());
        CHECK(articles[2].title == "f");
        CHECK(articles[2].body == " \n\t\n");
    }
    SUBCASE("a byte-order mark is dropped and text is NFC") {
        write_file(dir.path() / "g.txt", "\xEF\xBB\xBF" "Cafe\xCC\x81\nbody e\xCC\x81\n");
        const auto articles = read_text_directory(dir.path());
        REQUIRE(articles.size() == 1);
        CHECK(articles[0].title == "Caf\xC3\xA9");
        CHECK(articles[0].body == "body \xC3\xA9\n");
    }
}

TEST_CASE("ingest: text directory lists only .txt files, sorted by name") {
    temp_dir dir;
    write_file(dir.path() / "b.txt", "Bee\nbody b");
    write_file(dir.path() / "a.txt", "Ay\nbody a");
    write_file(dir.path() / "c.txt", "Sea\nbody c");
    write_file(dir.path() / "10.txt", "Ten\nbody 10");
    write_file(dir.path() / "notes.md", "# not an article");
    write_file(dir.path() / "upper.TXT", "not matched");
    write_file(dir.path() / "a.txt.bak", "backup");
    std::filesystem::create_directory(dir.path() / "sub.txt");
    write_file(dir.path() / "sub.txt" / "nested.txt", "nested");

    const auto articles = read_text_directory(dir.path());
    REQUIRE(articles.size() == 4);
    CHECK(articles[0].id.value == "10");
    CHECK(articles[1].id.value == "a");
    CHECK(articles[2].id.value == "b");
    CHECK(articles[3].id.value == "c");
    CHECK(articles[1].title == "Ay");
    CHECK(articles[1].body == "body a");
}

TEST_CASE("ingest: text directory errors") {
    SUBCASE("a missing directory is an io_error naming the path") {
        temp_dir dir;
        const auto missing = dir.path() / "no-such-dir";
        CHECK_THROWS_AS((void)read_text_directory(missing), rapport::io_error);
        const std::string what = message_of([&] { (void)read_text_directory(missing); });
        CHECK(contains(what, missing.string()));
        try {
            (void)read_text_directory(missing);
        } catch (const rapport::io_error& e) {
            CHECK(e.path() == missing.string());
        }
    }
    SUBCASE("a file is not a directory") {
        temp_dir dir;
        write_file(dir.path() / "x.txt", "x");
        CHECK_THROWS_AS((void)read_text_directory(dir.path() / "x.txt"), rapport::io_error);
    }
    SUBCASE("invalid UTF-8: reject names the file and the offset in it; replace repairs") {
        temp_dir dir;
        write_file(dir.path() / "bad.txt", "Title\nabc\xC3(def\n");
        try {
            (void)read_text_directory(dir.path());
            FAIL("no exception");
        } catch (const rapport::invalid_argument& e) {
            REQUIRE(e.offset().has_value());
            CHECK(*e.offset() == 9);
            CHECK(contains(e.what(), (dir.path() / "bad.txt").string()));
            CHECK(contains(e.what(), "byte 9"));
        }
        const auto articles = read_text_directory(dir.path(), read_options{invalid_utf8_policy::replace});
        REQUIRE(articles.size() == 1);
        CHECK(articles[0].title == "Title");
        CHECK(articles[0].body == "abc\xEF\xBF\xBD(def\n");
    }
}

TEST_CASE("ingest: text files one by one: a dangling link and an invalid file name name the file") {
    temp_dir dir;
    write_file(dir.path() / "a.txt", "Title\nbody\n");
    std::filesystem::create_symlink(dir.path() / "nowhere", dir.path() / "b.txt");
    write_file(dir.path() / "c\xFE.txt", "Name\nbody\n");
    const auto files = list_text_files(dir.path());
    REQUIRE(files.size() == 3);  // the dangling link is listed, so that reading reports it
    CHECK(read_text_file(files[0]).title == "Title");
    const std::string dangling = message_of([&] { (void)read_text_file(files[1]); });
    CHECK(contains(dangling, "b.txt"));
    CHECK(contains(dangling, "dangling symbolic link"));
    CHECK_THROWS_AS((void)read_text_file(files[1]), rapport::io_error);
    // The id is the file name: invalid UTF-8 there names the file (shown with U+FFFD).
    const std::string bad_name = message_of([&] { (void)read_text_file(files[2]); });
    CHECK(contains(bad_name, "c\xEF\xBF\xBD.txt"));
    CHECK(contains(bad_name, "article id"));
    // The whole folder fails at the first bad file.
    CHECK_THROWS_AS((void)read_text_directory(dir.path()), rapport::io_error);
}

TEST_CASE("ingest: JSONL reader") {
    SUBCASE("good input, integer ids, optional title, extra fields, blank lines") {
        std::istringstream in(
            "{\"id\":\"a1\",\"title\":\"  First \",\"text\":\"Body one.\",\"lang\":\"en\"}\n"
            "\n"
            "   \r\n"
            "{\"id\":42,\"text\":\"Body two.\"}\r\n"
            "{\"text\":\"Cafe\\u0301\",\"id\":-7,\"title\":null,\"tags\":[1,2,{\"x\":null}]}");
        jsonl_reader reader(in, "docs.jsonl");
        CHECK(reader.line() == 0);
        CHECK(reader.name() == "docs.jsonl");

        auto a = reader.next();
        REQUIRE(a.has_value());
        CHECK(a->id.value == "a1");
        CHECK(a->title == "First");
        CHECK(a->body == "Body one.");
        CHECK(reader.line() == 1);

        a = reader.next();
        REQUIRE(a.has_value());
        CHECK(a->id.value == "42");
        CHECK(a->title.empty());
        CHECK(a->body == "Body two.");
        CHECK(reader.line() == 4);

        a = reader.next();
        REQUIRE(a.has_value());
        CHECK(a->id.value == "-7");
        CHECK(a->body == "Caf\xC3\xA9");
        CHECK(reader.line() == 5);

        CHECK_FALSE(reader.next().has_value());
        CHECK_FALSE(reader.next().has_value());
    }
    SUBCASE("missing text names file and line; reading resumes after the bad line") {
        std::istringstream in("{\"id\":\"a\",\"text\":\"ok\"}\n\n{\"id\":\"b\",\"title\":\"t\"}\n{\"id\":\"c\",\"text\":\"fine\"}\n");
        jsonl_reader reader(in, "docs.jsonl");
        CHECK(reader.next().has_value());
        try {
            (void)reader.next();
            FAIL("no exception");
        } catch (const rapport::invalid_argument& e) {
            CHECK(std::string(e.what()) == "docs.jsonl:3: expected string field \"text\"");
        }
        const auto c = reader.next();
        REQUIRE(c.has_value());
        CHECK(c->id.value == "c");
        CHECK(reader.line() == 4);
    }
    SUBCASE("field type errors") {
        const auto error_of = [](const std::string& line) {
            std::istringstream in(line);
            jsonl_reader reader(in, "f.jsonl");
            return message_of([&] { (void)reader.next(); });
        };
        CHECK(error_of("{\"id\":\"a\",\"text\":5}") == "f.jsonl:1: expected string field \"text\"");
        CHECK(error_of("{\"text\":\"x\"}") == "f.jsonl:1: expected string or integer field \"id\"");
        CHECK(error_of("{\"id\":1.5,\"text\":\"x\"}") == "f.jsonl:1: expected string or integer field \"id\"");
        CHECK(error_of("{\"id\":\"\",\"text\":\"x\"}") == "f.jsonl:1: empty field \"id\"");
        CHECK(error_of("{\"id\":\"a\",\"title\":[],\"text\":\"x\"}") == "f.jsonl:1: expected string field \"title\"");
        CHECK(error_of("[1,2]") == "f.jsonl:1: expected a JSON object");
    }
    SUBCASE("malformed JSON names the line") {
        std::istringstream in("{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"text\":\"unterminated}\n");
        jsonl_reader reader(in, "docs.jsonl");
        CHECK(reader.next().has_value());
        const std::string what = message_of([&] { (void)reader.next(); });
        CHECK(what.starts_with("docs.jsonl:2: malformed JSON"));

        std::istringstream trailing("{\"id\":\"a\",\"text\":\"ok\"} extra\n");
        jsonl_reader reader2(trailing, "t.jsonl");
        CHECK_THROWS_AS((void)reader2.next(), rapport::invalid_argument);
    }
    SUBCASE("invalid UTF-8: reject names the line and offset, replace gives U+FFFD") {
        const std::string input = "{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\",\"text\":\"x\xFFy\"}\n";
        std::istringstream in(input);
        jsonl_reader reader(in, "u.jsonl");
        CHECK(reader.next().has_value());
        try {
            (void)reader.next();
            FAIL("no exception");
        } catch (const rapport::invalid_argument& e) {
            REQUIRE(e.offset().has_value());
            CHECK(*e.offset() == input.find('\xFF'));
            CHECK(std::string(e.what()).starts_with("u.jsonl:2: invalid UTF-8"));
        }

        std::istringstream in2(input);
        jsonl_reader repair(in2, "u.jsonl", read_options{invalid_utf8_policy::replace});
        CHECK(repair.next().has_value());
        const auto b = repair.next();
        REQUIRE(b.has_value());
        CHECK(b->body == "x\xEF\xBF\xBDy");
    }
    SUBCASE("files: read_jsonl, missing file, moved reader") {
        temp_dir dir;
        const auto path = dir.path() / "docs.jsonl";
        write_file(path, "\xEF\xBB\xBF{\"id\":1,\"text\":\"one\"}\n{\"id\":2,\"text\":\"two\"}\n");
        const auto articles = read_jsonl(path);
        REQUIRE(articles.size() == 2);
        CHECK(articles[0].id.value == "1");
        CHECK(articles[1].body == "two");

        jsonl_reader first(path);
        jsonl_reader moved(std::move(first));
        CHECK(moved.name() == path.string());
        CHECK(moved.next().has_value());

        const auto missing = dir.path() / "missing.jsonl";
        CHECK_THROWS_AS(jsonl_reader{missing}, rapport::io_error);
        CHECK(contains(message_of([&] { (void)read_jsonl(missing); }), missing.string()));
        CHECK_THROWS_AS((void)read_jsonl(dir.path()), rapport::io_error);

        write_file(dir.path() / "bad.jsonl", "{\"id\":1,\"text\":\"one\"}\n{\"id\":2}\n");
        CHECK(message_of([&] { (void)read_jsonl(dir.path() / "bad.jsonl"); }) ==
              (dir.path() / "bad.jsonl").string() + ":2: expected string field \"text\"");
    }
}
