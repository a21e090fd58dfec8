// SPDX-License-Identifier: MIT
// Reading and writing TREC qrels and runs: formats, round trips, file:line errors, and the
// Cranfield qrels shipped in tests/data/cranfield.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/eval/metrics.hpp"
#include "rapport/eval/qrels.hpp"
#include "rapport/eval/run.hpp"

using namespace rapport::eval;

namespace {

qrels qrels_from(const std::string& text, std::string_view name = "q.txt") {
    std::istringstream in(text);
    return parse_qrels(in, name);
}

run run_from(const std::string& text, std::string_view name = "r.txt") {
    std::istringstream in(text);
    return parse_run(in, name);
}

// A scratch directory removed at scope exit.
struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        path = std::filesystem::temp_directory_path() /
               ("rapport_eval_test_" + std::to_string(::getpid()));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

}  // namespace

TEST_CASE("eval: qrels parsing") {
    SUBCASE("fields, whitespace, comments, graded and negative values") {
        const auto q = qrels_from("# judged by hand\n"
                                  "1 0 d1 2\n"
                                  "1\t0\td2\t0\r\n"
                                  "\n"
                                  "  10 Q0 d1 +1  \n"
                                  "2 0 d9 -1\n");
        REQUIRE(q.judgments.size() == 3);
        CHECK(q.judgments.at("1").at("d1") == 2);
        CHECK(q.judgments.at("1").at("d2") == 0);
        CHECK(q.judgments.at("10").at("d1") == 1);
        CHECK(q.judgments.at("2").at("d9") == -1);
        // qid order is strcmp order: "1" < "10" < "2".
        std::vector<std::string> qids;
        for (const auto& [qid, judged] : q.judgments) qids.push_back(qid);
        CHECK(qids == std::vector<std::string>{"1", "10", "2"});
    }
    SUBCASE("bad lines name file and line") {
        CHECK_THROWS_WITH_AS((void)qrels_from("1 0 d1 1\n1 0 d2\n"),
                             "q.txt:2: expected 4 fields (qid iter docno rel), found 3",
                             rapport::invalid_argument);
        CHECK_THROWS_WITH_AS((void)qrels_from("1 0 d1 1 extra\n"),
                             doctest::Contains("q.txt:1: expected 4 fields"),
                             rapport::invalid_argument);
        CHECK_THROWS_WITH_AS((void)qrels_from("\n# c\n1 0 d1 high\n"),
                             "q.txt:3: relevance 'high' is not an integer",
                             rapport::invalid_argument);
        CHECK_THROWS_WITH_AS((void)qrels_from("1 0 d1 1.5\n"), doctest::Contains("q.txt:1:"),
                             rapport::invalid_argument);
        CHECK_THROWS_WITH_AS((void)qrels_from("1 0 d1 1\n2 0 d1 1\n1 0 d1 0\n"),
                             "q.txt:3: docno 'd1' judged twice for query '1'",
                             rapport::invalid_argument);
    }
    SUBCASE("a missing file is an io_error naming the path") {
        CHECK_THROWS_WITH_AS((void)read_qrels("/nonexistent/qrels.txt"),
                             doctest::Contains("/nonexistent/qrels.txt"), rapport::io_error);
    }
}

TEST_CASE("eval: run parsing") {
    SUBCASE("fields, order kept, first tag") {
        const auto r = run_from("# header comment\n"
                                "q1 Q0 b 1 2.5 bm25\n"
                                "q2 Q0 x 1 -1e-3 bm25\n"
                                "q1 Q0 a 2 +3 other\r\n"
                                "\n"
                                "q1 Q0 c 3 -inf bm25\n");
        CHECK(r.tag == "bm25");
        REQUIRE(r.results.size() == 2);
        const auto& q1 = r.results.at("q1");
        REQUIRE(q1.size() == 3);
        CHECK(q1[0].docno == "b");
        CHECK(q1[0].score == 2.5);
        CHECK(q1[1].docno == "a");
        CHECK(q1[1].score == 3.0);
        CHECK(q1[2].score == -std::numeric_limits<double>::infinity());
        CHECK(r.results.at("q2").at(0).score == -0.001);
    }
    SUBCASE("an empty input is an empty run with the default tag") {
        const auto r = run_from("");
        CHECK(r.results.empty());
        CHECK(r.tag == "rapport");
    }
    SUBCASE("bad lines name file and line") {
        CHECK_THROWS_WITH_AS((void)run_from("q Q0 a 1 1 t\nq Q0 b 2 1\n", "run.trec"),
                             "run.trec:2: expected 6 fields (qid Q0 docno rank score tag), found 5",
                             rapport::invalid_argument);
        // A docno with a space shifts every field after it: 7 fields are an error, not a shorter
        // docno (that read "a b" as "a" and scored the run as if it were right).
        CHECK_THROWS_WITH_AS((void)run_from("q Q0 a b 1 1 t\n", "run.trec"),
                             "run.trec:1: expected 6 fields (qid Q0 docno rank score tag), found 7",
                             rapport::invalid_argument);
        CHECK_THROWS_WITH_AS((void)run_from("q Q0 a 1 high t\n", "run.trec"),
                             "run.trec:1: score 'high' is not a number", rapport::invalid_argument);
        CHECK_THROWS_WITH_AS((void)run_from("q Q0 a 1 1.5x t\n", "run.trec"),
                             doctest::Contains("run.trec:1: score '1.5x'"),
                             rapport::invalid_argument);
        CHECK_THROWS_WITH_AS((void)run_from("q Q0 a 1 nan t\n", "run.trec"),
                             "run.trec:1: score 'nan' is not a number", rapport::invalid_argument);
        CHECK_THROWS_WITH_AS((void)run_from("q Q0 a 1 1 t\nz Q0 a 1 1 t\n\nq Q0 a 2 0.5 t\n",
                                            "run.trec"),
                             "run.trec:4: duplicate docno 'a' for query 'q'",
                             rapport::invalid_argument);
    }
    SUBCASE("a missing file is an io_error naming the path") {
        CHECK_THROWS_WITH_AS((void)read_run("/nonexistent/run.trec"),
                             doctest::Contains("/nonexistent/run.trec"), rapport::io_error);
    }
}

TEST_CASE("eval: writing runs") {
    run r;
    r.tag = "sys";
    r.results["q2"] = {{"z", 0.1}, {"y", 1.0 / 3.0}, {"x", 1e-300}, {"w", -0.0}};
    r.results["q10"] = {{"a", 1.0}, {"c", 1.0}, {"b", 2.0}};

    SUBCASE("ranks follow trec_eval's order; queries in qid order; scores shortest exact") {
        std::ostringstream out;
        write_run(out, r);
        CHECK(out.str() ==
              "q10 Q0 b 1 2 sys\n"
              "q10 Q0 c 2 1 sys\n"
              "q10 Q0 a 3 1 sys\n"
              "q2 Q0 y 1 0.3333333333333333 sys\n"
              "q2 Q0 z 2 0.1 sys\n"
              "q2 Q0 x 3 1e-300 sys\n"
              "q2 Q0 w 4 -0 sys\n");
    }
    SUBCASE("round trip through a stream and a file keeps every entry and score bit") {
        temp_dir dir;
        const auto file = dir.path / "run.trec";
        write_run(file, r);
        const run back = read_run(file);
        CHECK(back.tag == "sys");
        REQUIRE(back.results.size() == r.results.size());
        for (const auto& [qid, entries] : r.results) {
            auto expected = entries;
            sort_trec_order(expected, qid);
            const auto& got = back.results.at(qid);  // written in trec order, read in file order
            REQUIRE(got.size() == expected.size());
            for (std::size_t i = 0; i < got.size(); ++i) {
                CHECK(got[i].docno == expected[i].docno);
                CHECK(std::signbit(got[i].score) == std::signbit(expected[i].score));
                CHECK(got[i].score == expected[i].score);
            }
        }
        std::ostringstream again;
        write_run(again, back);
        std::ostringstream first;
        write_run(first, r);
        CHECK(again.str() == first.str());
    }
    SUBCASE("fields that could not be read back throw before anything is written") {
        std::ostringstream out;
        run bad = r;
        bad.results["q3"] = {{"has space", 1.0}};
        CHECK_THROWS_WITH_AS(write_run(out, bad), doctest::Contains("docno 'has space'"),
                             rapport::invalid_argument);
        CHECK(out.str().empty());
        bad = r;
        bad.tag = "";
        CHECK_THROWS_AS(write_run(out, bad), rapport::invalid_argument);
        bad = r;
        bad.results["q3"] = {{"d", 1.0}, {"d", 0.0}};
        CHECK_THROWS_WITH_AS(write_run(out, bad), "query 'q3': duplicate docno 'd'",
                             rapport::invalid_argument);
        CHECK(out.str().empty());
    }
    SUBCASE("an unwritable path is an io_error") {
        CHECK_THROWS_AS(write_run(std::filesystem::path("/nonexistent/dir/run.trec"), r),
                        rapport::io_error);
    }
}

TEST_CASE("eval: cranfield qrels") {
    const auto q = read_qrels(std::filesystem::path(RAPPORT_TEST_DATA_DIR) / "cranfield" / "qrels.txt");
    SUBCASE("225 queries, 1612 judgments, grades as SOURCE.md lists them") {
        CHECK(q.judgments.size() == 225);
        std::size_t judgments = 0;
        std::map<int, std::size_t> grades;
        for (const auto& [qid, judged] : q.judgments) {
            judgments += judged.size();
            for (const auto& [docno, grade] : judged) ++grades[grade];
        }
        CHECK(judgments == 1612);
        CHECK(grades == std::map<int, std::size_t>{{1, 363}, {2, 734}, {3, 387}, {4, 128}});
        CHECK(q.judgments.at("1").at("184") == 3);
    }
    SUBCASE("the qrels as a run score perfectly") {
        // Score each judged doc by its grade: an ideal ranking for every query, so every
        // measure except P@10 (fewer than 10 relevant for most queries) is exactly 1.
        run ideal;
        for (const auto& [qid, judged] : q.judgments) {
            for (const auto& [docno, grade] : judged) ideal.results[qid].push_back({docno, double(grade)});
        }
        const auto e = evaluate(ideal, q);
        CHECK(e.mean.queries == 225);
        CHECK(e.mean.map == doctest::Approx(1.0).epsilon(1e-12));
        CHECK(e.mean.ndcg_at_10 == doctest::Approx(1.0).epsilon(1e-12));
        CHECK(e.mean.mrr_at_10 == 1.0);
        CHECK(e.mean.recall_at_1000 == 1.0);
        // Sum over queries of min(10, R) / 10, divided by 225: 1362 / 2250 = 0.6053333...
        double expected_p10 = 0;
        for (const auto& [qid, judged] : q.judgments) {
            expected_p10 += static_cast<double>(std::min<std::size_t>(10, judged.size())) / 10.0;
        }
        CHECK(expected_p10 == doctest::Approx(136.2).epsilon(1e-12));
        CHECK(e.mean.p_at_10 == doctest::Approx(1362.0 / 2250.0).epsilon(1e-12));
    }
}
