// SPDX-License-Identifier: MIT
// index_writer and index_reader: commits, visibility, update/delete, RAM-budget flushes, merges,
// threads, locking, and scores that do not depend on how passages are split into segments.
// Every case runs against both directory backends.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "rapport/core/error.hpp"
#include "rapport/index/check_index.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "index/manifest_writer.hpp"
#include "rapport/storage/fs_directory.hpp"
#include "support/backends.hpp"
#include "support/scratch_dir.hpp"

using namespace rapport;
using index::index_reader;
using index::index_writer;
using index::index_writer_options;

namespace {
// A deterministic article: a few sentences drawn from a small vocabulary, so that terms repeat
// across articles and BM25 statistics matter.
ingest::article make_article(int n) {
    static const char* words[] = {"trust", "customer", "service", "loyalty", "team", "build", "positive", "attitude",
                                  "work", "listen", "care", "value", "promise", "answer", "quick"};
    std::string body;
    for (int s = 0; s < 1 + n % 3; ++s) {
        for (int w = 0; w < 6 + (n * 7 + s) % 9; ++w) {
            body += words[(n * 31 + s * 17 + w * 13) % 15];
            body += ' ';
        }
        body += "unique" + std::to_string(n) + ".\n";
    }
    return {{"a" + std::to_string(n)}, "Article " + std::to_string(n), body};
}

// Article id → score of every passage the query ranks (top 1000), summed per article would hide
// differences, so keyed by article id and passage ordinal.
std::map<std::pair<std::string, std::uint32_t>, score_t> ranking(const index_reader& r, const std::string& q,
                                                                 std::size_t k = 1000) {
    search::searcher s(r);
    std::map<std::pair<std::string, std::uint32_t>, score_t> out;
    for (const auto& h : s.search(q, {.k = k})) out[{h.article.value, h.ordinal}] = h.score;
    return out;
}

std::vector<std::string> ordered_ids(const index_reader& r, const std::string& q, std::size_t k = 50) {
    search::searcher s(r);
    std::vector<std::string> out;
    for (const auto& h : s.search(q, {.k = k})) out.push_back(h.article.value + "#" + std::to_string(h.ordinal));
    return out;
}

const char* queries[] = {"trust customer", "loyalty", "positive attitude work", "quick answer promise", "unique7"};
}  // namespace

TEST_CASE_TEMPLATE("index: a commit becomes visible atomically; reopen picks up newer commits", B, test::fs_backend,
                   test::memory_backend) {
    B backend;
    auto dir = backend.make();
    index_writer w(dir);
    const auto empty = index_reader::open(dir);
    CHECK(empty.passage_count() == 0);
    for (int i = 0; i < 20; ++i) CHECK(w.add(make_article(i)) >= 1);
    CHECK(index_reader::open(dir).passage_count() == 0);  // not committed yet
    CHECK_FALSE(empty.reopen());
    w.commit();
    auto r = index_reader::open(dir);
    CHECK(r.live_passage_count() == r.passage_count());
    CHECK(r.article_count() == 20);
    CHECK(r.generation() == empty.generation() + 1);
    const auto again = empty.reopen();
    REQUIRE(again);
    CHECK(again->generation() == r.generation());
    CHECK_FALSE(r.reopen());
    CHECK(ordered_ids(r, "unique7").front() == "a7#0");
    // The old snapshot still answers from its own commit.
    CHECK(search::searcher(empty).search("trust").empty());
    const auto report = index::check_index(dir);
    CHECK(report.ok());
    CHECK(report.passages == r.passage_count());
}

TEST_CASE_TEMPLATE("index: update replaces, remove deletes, rejected input changes nothing", B, test::fs_backend,
                   test::memory_backend) {
    B backend;
    auto dir = backend.make();
    index_writer w(dir);
    for (int i = 0; i < 10; ++i) w.add(make_article(i));
    w.commit();
    w.update({{"a3"}, "Three again", "completely different words about zebras"});
    w.remove({"a5"});
    w.remove({"does-not-exist"});
    CHECK_THROWS_AS(w.update({{"a4"}, "bad", std::string("caf\xc3") + " zebras"}), rapport::invalid_argument);
    CHECK_THROWS_AS(w.add({{""}, "no id", "x"}), rapport::invalid_argument);
    w.commit();
    auto r = index_reader::open(dir);
    search::searcher s(r);
    CHECK(s.search("unique3").empty());
    CHECK(s.search("unique5").empty());
    REQUIRE(s.search("unique4").size() >= 1);  // the rejected update left a4 in place
    const auto z = s.search("zebras");
    REQUIRE(z.size() == 1);
    CHECK(z[0].article.value == "a3");
    CHECK(z[0].title == "Three again");
    CHECK(r.live_passage_count() < r.passage_count());
    CHECK(index::check_index(dir).ok());

    SUBCASE("updating an article twice before a commit keeps only the last version") {
        w.update({{"a1"}, "v2", "version two marmot"});
        w.update({{"a1"}, "v3", "version three marmot"});
        w.commit();
        auto r2 = index_reader::open(dir);
        const auto hits = search::searcher(r2).search("marmot");
        REQUIRE(hits.size() == 1);
        CHECK(hits[0].title == "v3");
    }
}

TEST_CASE_TEMPLATE("index: scores do not depend on how passages are split into segments", B, test::fs_backend,
                   test::memory_backend) {
    B one_backend, many_backend;
    auto one_dir = one_backend.make();
    auto many_dir = many_backend.make();
    {
        index_writer one(one_dir);
        index_writer many(many_dir, index_writer_options{.merges = {.merge_factor = 0}});
        for (int i = 0; i < 60; ++i) {
            one.add(make_article(i));
            many.add(make_article(i));
            if (i % 7 == 6) many.commit();
        }
        one.commit();
        many.commit();
        CHECK(many.segment_count() > 5);
        CHECK(one.segment_count() == 1);
    }
    const auto a = index_reader::open(one_dir);
    const auto b = index_reader::open(many_dir);
    CHECK(a.passage_count() == b.passage_count());
    CHECK(a.total_length() == b.total_length());
    for (const char* q : queries) {
        CAPTURE(q);
        CHECK(ranking(a, q) == ranking(b, q));  // identical scores, bit for bit
        CHECK(ordered_ids(a, q) == ordered_ids(b, q));
    }
}

TEST_CASE_TEMPLATE("index: deletions then merge score exactly like an index of the survivors", B, test::fs_backend,
                   test::memory_backend) {
    B merged_backend, fresh_backend;
    auto merged_dir = merged_backend.make();
    auto fresh_dir = fresh_backend.make();
    {
        index_writer merged(merged_dir, index_writer_options{.merges = {.merge_factor = 0}});
        index_writer fresh(fresh_dir);
        for (int i = 0; i < 50; ++i) {
            merged.add(make_article(i));
            if (i % 5 != 0) fresh.add(make_article(i));
            if (i % 10 == 9) merged.commit();
        }
        for (int i = 0; i < 50; i += 5) merged.remove({"a" + std::to_string(i)});
        merged.commit();
        const auto before = index_reader::open(merged_dir);
        CHECK(before.live_passage_count() < before.passage_count());
        merged.merge_all();
        CHECK(merged.segment_count() == 1);
        fresh.commit();
    }
    const auto a = index_reader::open(merged_dir);
    const auto b = index_reader::open(fresh_dir);
    CHECK(a.passage_count() == b.passage_count());
    CHECK(a.live_passage_count() == a.passage_count());
    for (const char* q : queries) {
        CAPTURE(q);
        CHECK(ranking(a, q) == ranking(b, q));
        CHECK(ordered_ids(a, q) == ordered_ids(b, q));
    }
    CHECK(index::check_index(merged_dir).ok());
}

TEST_CASE_TEMPLATE("index: a small RAM budget flushes segments; the tiered policy merges them", B, test::fs_backend,
                   test::memory_backend) {
    B backend, reference_backend;
    auto dir = backend.make();
    auto reference_dir = reference_backend.make();
    {
        index_writer w(dir, index_writer_options{.ram_budget_mb = 1, .merges = {.merge_factor = 3, .floor_passages = 50}});
        index_writer ref(reference_dir);
        for (int i = 0; i < 3000; ++i) {
            w.add(make_article(i));
            ref.add(make_article(i));
            if (i % 500 == 499) w.commit();
        }
        w.commit();
        ref.commit();
        CHECK(w.stats().flushed_segments > 1);
        CHECK(w.stats().merges > 0);
        CHECK(w.segment_count() < w.stats().flushed_segments);
    }
    const auto a = index_reader::open(dir);
    const auto b = index_reader::open(reference_dir);
    for (const char* q : queries) {
        CAPTURE(q);
        CHECK(ranking(a, q) == ranking(b, q));
    }
    CHECK(index::check_index(dir).ok());
}

TEST_CASE_TEMPLATE("index: deletes between flushes of one commit remove exactly the passages added before them", B,
                   test::fs_backend, test::memory_backend) {
    // A 1 MB budget flushes several segments before the commit: each delete is applied to them by
    // the operation numbers the pending segments keep (packed), not by where a passage sits.
    B backend;
    auto dir = backend.make();
    index_writer w(dir, index_writer_options{.ram_budget_mb = 1, .merges = {.merge_factor = 0}});
    for (int i = 0; i < 3000; ++i) {
        w.add(make_article(i));
        if (i == 1000) w.remove({"a10"});                                   // a10 was added before
        if (i == 1500) w.add({{"a10"}, "Ten again", "second version wombat"});  // survives the delete
        if (i == 2000) w.update({{"a20"}, "Twenty again", "replacement wombat"});
        if (i == 2500) w.remove({"a2600"});  // added after the delete: stays
    }
    w.commit();
    REQUIRE(w.stats().flushed_segments > 2);
    auto r = index_reader::open(dir);
    search::searcher s(r);
    CHECK(s.search("unique10").empty());
    CHECK(s.search("unique20").empty());
    CHECK(s.search("unique2600").size() >= 1);
    CHECK(s.search("unique11").size() >= 1);
    std::vector<std::string> titles;
    for (const auto& h : s.search("wombat")) titles.push_back(h.title);
    std::sort(titles.begin(), titles.end());
    CHECK(titles == std::vector<std::string>{"Ten again", "Twenty again"});
    CHECK(index::check_index(dir).ok());
}

TEST_CASE_TEMPLATE("index: memory the caller declares comes out of the RAM budget, down to a quarter of it", B,
                   test::fs_backend, test::memory_backend) {
    const auto flushes = [](std::size_t outside) {
        B backend;
        auto dir = backend.make();
        index_writer w(dir, index_writer_options{.ram_budget_mb = 4, .merges = {.merge_factor = 0}});
        w.set_outside_memory(outside);
        for (int i = 0; i < 6000; ++i) w.add(make_article(i));
        w.commit();
        return w.stats().flushed_segments;
    };
    const auto none = flushes(0);
    const auto half = flushes(std::size_t{2} << 20);     // the builders get 2 of the 4 MB
    const auto beyond = flushes(std::size_t{100} << 20);  // more than the budget: they keep a quarter
    CAPTURE(none);
    CAPTURE(half);
    CAPTURE(beyond);
    // About twice and four times the flushes (each count includes the commit's partial flush).
    REQUIRE(none >= 4);
    CHECK(half >= none * 3 / 2 + 1);
    CHECK(half <= none * 5 / 2 + 1);
    CHECK(beyond >= none * 3);
    CHECK(beyond <= none * 5 + 1);
}

TEST_CASE_TEMPLATE("index: two threads index in parallel into their own segments", B, test::fs_backend,
                   test::memory_backend) {
    B backend, reference_backend;
    auto dir = backend.make();
    auto reference_dir = reference_backend.make();
    {
        index_writer w(dir);
        std::thread t1([&] { for (int i = 0; i < 400; i += 2) w.add(make_article(i)); });
        std::thread t2([&] { for (int i = 1; i < 400; i += 2) w.add(make_article(i)); });
        t1.join();
        t2.join();
        w.commit();
        index_writer ref(reference_dir);
        for (int i = 0; i < 400; ++i) ref.add(make_article(i));
        ref.commit();
    }
    const auto a = index_reader::open(dir);
    const auto b = index_reader::open(reference_dir);
    CHECK(a.passage_count() == b.passage_count());
    for (const char* q : queries) {
        CAPTURE(q);
        CHECK(ranking(a, q) == ranking(b, q));  // same passages, same scores; docid order may differ
    }
    CHECK(index::check_index(dir).ok());
}

TEST_CASE_TEMPLATE("index: after a two-thread load the policy merges its groups concurrently, as serially", B,
                   test::fs_backend, test::memory_backend) {
    // Two builders at a 1 MB budget flush many small segments; with a merge factor of 2 every tier
    // holds several groups, which the final commit merges on two threads at once.
    B backend, reference_backend;
    auto dir = backend.make();
    auto reference_dir = reference_backend.make();
    const index_writer_options small{.ram_budget_mb = 1, .merges = {.merge_factor = 2, .floor_passages = 50}};
    std::uint64_t merges = 0;
    {
        index_writer w(dir, small);
        std::thread t1([&] { for (int i = 0; i < 4000; i += 2) w.add(make_article(i)); });
        std::thread t2([&] { for (int i = 1; i < 4000; i += 2) w.add(make_article(i)); });
        t1.join();
        t2.join();
        w.commit();
        merges = w.stats().merges;
        CHECK(w.stats().flushed_segments >= 6);
        CHECK(w.segment_count() < w.stats().flushed_segments);
        index_writer ref(reference_dir);
        for (int i = 0; i < 4000; ++i) ref.add(make_article(i));
        ref.commit();
    }
    CHECK(merges >= 3);
    const auto a = index_reader::open(dir);
    const auto b = index_reader::open(reference_dir);
    CHECK(a.passage_count() == b.passage_count());
    for (const char* q : queries) {
        CAPTURE(q);
        const auto expected = ranking(b, q, 10000);  // every match: no cut among equal scores
        CHECK(expected.size() < 10000);
        CHECK(ranking(a, q, 10000) == expected);
    }
    CHECK(index::check_index(dir).ok());
}

TEST_CASE_TEMPLATE("index: one writer at a time", B, test::fs_backend, test::memory_backend) {
    B backend;
    auto dir = backend.make();
    index_writer first(dir);
    try {
        index_writer second(dir);
        FAIL("a second writer was allowed");
    } catch (const rapport::io_error& e) {
        CHECK(std::string(e.what()).find("locked") != std::string::npos);
    }
}

TEST_CASE("index: opening a folder without an index is a clear error") {
    test::fs_backend backend;
    auto dir = backend.make();
    try {
        (void)index_reader::open(dir);
        FAIL("opened an empty folder");
    } catch (const rapport::io_error& e) {
        CHECK(std::string(e.what()).find("no index") != std::string::npos);
    }
}

TEST_CASE_TEMPLATE("index: concurrent searches of one reader while a writer commits and readers reopen", B,
                   test::fs_backend, test::memory_backend) {
    B backend;
    auto dir = backend.make();
    index_writer w(dir, index_writer_options{.merges = {.merge_factor = 3, .floor_passages = 10}});
    for (int i = 0; i < 100; ++i) w.add(make_article(i));
    w.commit();
    const auto reader = index_reader::open(dir);
    const auto expected = ranking(reader, "trust customer");
    std::atomic<bool> done{false};
    std::atomic<int> mismatches{0}, reopened{0};
    auto searching = [&] {
        search::searcher s(reader);  // one searcher per thread over the shared snapshot
        index_reader latest = reader;
        do {
            std::map<std::pair<std::string, std::uint32_t>, score_t> got;
            for (const auto& h : s.search("trust customer", {.k = 1000})) got[{h.article.value, h.ordinal}] = h.score;
            if (got != expected) ++mismatches;  // the snapshot must never change under us
            if (auto next = latest.reopen()) {
                latest = std::move(*next);
                (void)search::searcher(latest).search("loyalty");
                ++reopened;
            }
        } while (!done);
        // Every commit is published by now: a thread that never caught one in flight sees it here.
        if (latest.reopen()) ++reopened;
    };
    std::thread t1(searching), t2(searching);
    for (int round = 0; round < 5; ++round) {
        for (int i = 0; i < 20; ++i) w.add(make_article(1000 + round * 20 + i));
        w.remove({"a" + std::to_string(round)});
        w.commit();
    }
    done = true;
    t1.join();
    t2.join();
    CHECK(mismatches == 0);
    CHECK(reopened > 0);
    CHECK(index::check_index(dir).ok());
}

TEST_CASE("index: version 1 and 2 manifests read with the analysis they were built with") {
    // A version 3 payload without segments ends with fold_accents, elision, cjk_bigrams, the
    // custom analyzer's name (empty: one byte) and the segment count; version 2 is the same
    // without cjk_bigrams and the name, version 1 also without fold_accents and elision.
    const auto as_version = [](const std::string& v3, int version) {
        REQUIRE(v3.size() >= 5);
        const std::size_t cut = version == 1 ? 5 : 3;
        return v3.substr(0, v3.size() - cut) + v3.back();
    };
    index::manifest m;
    m.generation = 1;
    m.options.analyzer.language = "french";  // stopwords unset: the language's list today
    const auto v3 = index::encode_manifest(m, 4);
    const auto old = index::decode_manifest(as_version(v3, 1), "manifest_old", 1);
    // Then only English had a default stop list, and nothing folded accents or removed elisions.
    REQUIRE(old.options.analyzer.stopwords.has_value());
    CHECK(old.options.analyzer.stopwords->empty());
    CHECK(old.options.analyzer.fold_accents == false);
    CHECK(old.options.analyzer.elision == false);
    CHECK(old.options.analyzer.cjk_bigrams == false);
    const auto v2 = index::decode_manifest(as_version(v3, 2), "manifest_v2", 2);
    CHECK_FALSE(v2.options.analyzer.stopwords.has_value());  // French's Snowball list
    CHECK(v2.options.analyzer.elision == true);             // resolved when written
    CHECK(v2.options.analyzer.fold_accents == false);
    CHECK(v2.options.analyzer.cjk_bigrams == false);  // ICU's dictionary words then
    CHECK(v2.options.custom_analyzer_name.empty());
    m.options.analyzer.language = "english";
    const auto en = index::encode_manifest(m, 4);
    const auto old_en = index::decode_manifest(as_version(en, 1), "manifest_old", 1);
    CHECK_FALSE(old_en.options.analyzer.stopwords.has_value());  // English's list then and now
    CHECK(index::decode_manifest(as_version(en, 2), "manifest_v2", 2).options.analyzer.fold_accents == true);
}

TEST_CASE("index: a version 3 manifest keeps CJK bigrams and the custom analyzer's name") {
    index::manifest m;
    m.generation = 7;
    m.options.analyzer.cjk_bigrams = false;
    m.options.custom_analyzer_name = "synonyms-v1";
    const auto back = index::decode_manifest(index::encode_manifest(m, 4), "manifest_v3", 3);
    CHECK(back.generation == 7u);
    CHECK(back.options.analyzer.cjk_bigrams == false);
    CHECK(back.options.custom_analyzer_name == "synonyms-v1");
    m.options.analyzer.cjk_bigrams = true;
    m.options.custom_analyzer_name.clear();
    const auto plain = index::decode_manifest(index::encode_manifest(m, 4), "manifest_v3", 3);
    CHECK(plain.options.analyzer.cjk_bigrams == true);
    CHECK(plain.options.custom_analyzer_name.empty());
}

TEST_CASE("index: a version 4 manifest keeps each segment's file seals, and rejects malformed ones") {
    index::manifest m;
    m.generation = 9;
    index::segment_entry sealed{"seg_3", 10, 2, 1, 9, {}, index::file_seal{77, 0xDEADBEEFu}};
    for (std::uint64_t f = 0; f < index::segment_files::format4_count; ++f)
        sealed.files.push_back({100 + f, static_cast<std::uint32_t>(0xFFFFFFF0u + f)});
    const index::segment_entry unsealed{"seg_1", 4, 1, 0, 0, {}, std::nullopt};  // from an older manifest
    m.segments = {unsealed, sealed};
    const auto bytes = index::encode_manifest(m, 4);
    const auto back = index::decode_manifest(bytes, "manifest_v4", 4);
    REQUIRE(back.segments.size() == 2);
    CHECK(back.segments[0] == unsealed);
    CHECK(back.segments[1] == sealed);
    // Malformed seals: a count neither 0 nor one per segment file, a deletions seal on a segment
    // without deletions. Each is a corruption_error naming the file.
    auto bad = m;
    bad.segments[1].files.pop_back();
    CHECK_THROWS_WITH_AS((void)index::decode_manifest(index::encode_manifest(bad, 4), "manifest_bad", 4),
                         doctest::Contains("manifest_bad"), corruption_error);
    bad = m;
    bad.segments[0].deletions = index::file_seal{1, 2};
    CHECK_THROWS_WITH_AS((void)index::decode_manifest(index::encode_manifest(bad, 4), "manifest_bad", 4),
                         doctest::Contains("deletions seal"), corruption_error);
    // A language this build cannot stem (found by the index fuzz target: it escaped as an
    // invalid_argument from the first searcher) is corruption of the manifest.
    bad = m;
    bad.options.analyzer.language = "klingon";
    CHECK_THROWS_WITH_AS((void)index::decode_manifest(index::encode_manifest(bad, 4), "manifest_bad", 4),
                         doctest::Contains("unknown analysis language"), corruption_error);
    // Truncated anywhere: an error, never a shorter manifest.
    for (std::size_t cut = 0; cut < bytes.size(); ++cut)
        CHECK_THROWS_AS((void)index::decode_manifest(std::string_view(bytes).substr(0, cut), "manifest_cut", 4),
                        corruption_error);
}

TEST_CASE("index: check_index during commits and merges never reports damage that is not there (threads)") {
    // The race: check re-opened every file by name, and a merge's clean-up removed some between
    // the snapshot and the check ("no such file ... DAMAGED" on a healthy index).
    rapport::test::scratch_dir scratch;
    auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::create_or_open(scratch.path() / "idx"));
    index_writer_options o;
    o.merges.merge_factor = 2;  // merge eagerly: files are replaced and removed often
    index_writer w(dir, o);
    for (int i = 0; i < 20; ++i) w.add(make_article(i));
    w.commit();
    std::atomic<bool> done{false};
    std::atomic<int> checks{0}, damaged{0};
    std::string first_problem;
    std::thread checker([&] {
        while (!done.load()) {
            const auto report = index::check_index(dir);
            ++checks;
            if (!report.ok() && damaged++ == 0) first_problem = report.problems.front();
        }
    });
    for (int round = 0; round < 150; ++round) {
        for (int i = 0; i < 5; ++i) w.add(make_article(100 + round * 5 + i));
        w.commit();
        if (round % 2 == 1) {
            w.merge_all();
            w.commit();
        }
    }
    done = true;
    checker.join();
    CAPTURE(first_problem);
    CHECK(damaged == 0);
    CHECK(checks > 0);
    CHECK(index::check_index(dir).ok());
}

TEST_CASE("index: check_index of a snapshot whose files a merge has since removed finds no damage") {
    rapport::test::scratch_dir scratch;
    auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::create_or_open(scratch.path() / "idx"));
    index_writer_options o;
    o.merges.merge_factor = 0;
    index_writer w(dir, o);
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 10; ++i) w.add(make_article(round * 10 + i));
        w.commit();
    }
    const auto snapshot = index_reader::open(dir);
    REQUIRE(snapshot.segments().size() == 3);
    const auto old_file = snapshot.segments()[0]->files().front()->name();
    w.merge_all();
    w.commit();  // removes the three old segments' files
    // The attack's condition: the snapshot's files are gone by name (re-opening them fails)...
    CHECK_THROWS_AS((void)dir->verify(old_file), io_error);
    // ...and checking the snapshot still finds it healthy, from the files it mapped.
    const auto report = index::check_index(snapshot);
    CAPTURE(report.problems.empty() ? std::string() : report.problems.front());
    CHECK(report.ok());
    CHECK(report.segments == 3);
    CHECK(index::check_index(dir).ok());
}


TEST_CASE("index: an article larger than max_article_bytes is refused, naming it; 0 lifts the limit") {
    auto dir = std::make_shared<storage::memory_directory>();
    index_writer_options o;
    o.max_article_bytes = 100;
    index_writer w(dir, o);
    w.add({{"small"}, "Title", std::string(95, 'a')});  // 100 bytes with the title
    try {
        w.add({{"large"}, "Title", std::string(96, 'a')});
        FAIL("a 101-byte article was accepted");
    } catch (const invalid_argument& e) {
        CHECK(std::string(e.what()).find("article 'large' is 101 bytes, more than max_article_bytes (100)") !=
              std::string::npos);
    }
    CHECK_THROWS_AS(w.update({{"small"}, "", std::string(200, 'b')}), invalid_argument);
    w.commit();
    CHECK(index_reader::open(dir).article_count() == 1);
    CHECK(index_writer_options{}.max_article_bytes == std::size_t{64} << 20);
    o.max_article_bytes = 0;
    auto other = std::make_shared<storage::memory_directory>();
    index_writer unlimited(other, o);
    CHECK(unlimited.add({{"large"}, "", std::string(1000, 'a')}) == 1);
}
