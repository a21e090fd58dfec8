// SPDX-License-Identifier: MIT
// One searcher and one searcher shared by many threads: every call gives exactly what it gives
// single-threaded (ids, bit-identical scores, explanations, snippets, per-thread work counters), with
// the snapshot's length-normaliser tables built once and shared by every searcher over it. The TSan
// build runs these cases (their names hold "thread"; tests/CMakeLists.txt).
#include <doctest/doctest.h>

#include <atomic>
#include <bit>
#include <cstdint>
#include <latch>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "support/random_texts.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::search;

namespace {

constexpr int thread_count = 4;

// A few hundred passages over a skewed letter vocabulary (prefix and fuzzy clauses find
// neighbours), with titles, in three segments, two of them with a deletion.
std::shared_ptr<storage::directory> make_index() {
    auto dir = std::make_shared<storage::memory_directory>();
    // The default analyzer (case folding, English stopwords, Snowball stemming): every filter of the
    // pooled query analyzers runs under TSan.
    index::index_writer w(dir, {.index = {}, .ram_budget_mb = 64, .merges = {.merge_factor = 0, .floor_passages = 0}});
    std::mt19937 rng(rapport::test::seed(2024));
    const auto word = [&] { return test::letter_word(std::min(rng() % 60, rng() % 60)); };
    int article = 0;
    for (int segment = 0; segment < 3; ++segment) {
        for (int i = 0; i < 150; ++i, ++article) {
            std::string title, body;
            for (std::size_t j = 0, n = 1 + rng() % 3; j < n; ++j) title += word() + " ";
            for (std::size_t j = 0, n = 3 + rng() % 30; j < n; ++j) body += word() + " ";
            (void)w.add_passage(article_id{"a" + std::to_string(article)}, title, body);
        }
        if (segment > 0) w.remove({"a" + std::to_string(article - 200)});
        w.commit();
    }
    return dir;
}

bool same_bits(score_t a, score_t b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

bool same(const std::vector<scored_doc>& a, const std::vector<scored_doc>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].docid != b[i].docid || !same_bits(a[i].score, b[i].score)) return false;
    return true;
}

bool same(const highlight::snippet& a, const highlight::snippet& b) {
    return a.begin == b.begin && a.end == b.end && a.matches == b.matches;
}

const std::vector<bm25_params> settings{
    {},
    {.k1 = 1.2, .b = 0.75},
    {.model = scoring_model::bm25_plus},
    {.model = scoring_model::bm25l, .delta = 0.3},
    {.k1 = 0.5, .b = 1.0, .model = scoring_model::bm25l},
};

// A flat query with its options, and what one thread alone gets for it.
struct flat_case {
    std::string text;
    search_options options;
    std::vector<scored_doc> top;
    search_stats stats;
    std::vector<scored_doc> articles;
    std::uint64_t count = 0;
    std::string first_text;   // the best hit's stored text
    std::string explanation;  // explain(best hit).to_string()
    highlight::snippet snippet;
};

struct tree_case {
    std::string text;
    search_options options;
    std::vector<scored_doc> top;
    std::vector<scored_doc> articles;
    std::uint64_t count = 0;
    std::string explanation;  // of the best hit
    highlight::snippet snippet;
    query::query rm3;
};

std::vector<flat_case> flat_cases(std::mt19937& rng) {
    std::vector<flat_case> out;
    const algorithm algorithms[] = {algorithm::automatic, algorithm::exhaustive, algorithm::maxscore, algorithm::block_max_wand};
    const std::size_t ks[] = {1, 5, 10, 50};
    for (int i = 0; i < 48; ++i) {
        flat_case c;
        for (std::size_t j = 0, n = 1 + rng() % 4; j < n; ++j) c.text += test::letter_word(rng() % 40) + " ";
        c.options.k = ks[rng() % 4];
        c.options.mode = rng() % 4 == 0 ? match_mode::all : match_mode::any;
        c.options.algorithm = algorithms[rng() % 4];
        c.options.bm25 = settings[rng() % settings.size()];
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<tree_case> tree_cases(std::mt19937& rng) {
    std::vector<tree_case> out;
    const auto w = [&] { return test::letter_word(rng() % 30); };
    for (int i = 0; i < 40; ++i) {
        tree_case c;
        switch (i % 8) {
            case 0: c.text = w() + " " + w() + " " + w(); break;
            case 1: c.text = "\"" + w() + " " + w() + "\""; break;
            case 2: c.text = "\"" + w() + " " + w() + "\"~2 " + w(); break;
            case 3: c.text = "title:" + w() + " " + w(); break;
            case 4: c.text = "+" + w() + " -" + w() + " " + w(); break;
            case 5: c.text = w().substr(0, 2) + "* " + w(); break;
            case 6: c.text = w() + "~1 title:\"" + w() + " " + w() + "\""; break;
            default: c.text = "(" + w() + " " + w() + ")^2 " + w(); break;
        }
        c.options.k = 1 + rng() % 20;
        c.options.bm25 = settings[rng() % settings.size()];
        c.options.algorithm = rng() % 2 == 0 ? algorithm::automatic : algorithm::exhaustive;
        if (i % 3 == 1) c.options.fields = {{index::field::body, 1.0}, {index::field::title, 2.0}};
        c.options.bm25f = i % 6 == 1;
        out.push_back(std::move(c));
    }
    return out;
}

// Runs every call of `c` on `s` and fills in (expect) or compares with (check) the answers;
// returns the number of differences.
int run(const searcher& s, flat_case& c, bool expect) {
    const auto q = s.analyze(c.text);
    const auto top = s.top_k(q, c.options);
    const auto stats = s.last_stats();  // the calling thread's: other threads' calls do not show
    const auto articles = s.top_k_articles(q, c.options);
    const auto count = s.count(q, c.options);
    std::string first_text, explanation;
    highlight::snippet snip;
    if (!top.empty()) {
        const auto hits = s.search(q, {.k = 1, .mode = c.options.mode, .bm25 = c.options.bm25});
        first_text = hits.empty() ? "" : hits.front().text;
        explanation = s.explain(q, top.front().docid, c.options).to_string();
        if (!hits.empty()) snip = s.snippet(hits.front(), q);
    }
    if (expect) {
        c.top = top;
        c.stats = stats;
        c.articles = articles;
        c.count = count;
        c.first_text = first_text;
        c.explanation = explanation;
        c.snippet = snip;
        return 0;
    }
    return int(!same(top, c.top)) + int(stats != c.stats) + int(!same(articles, c.articles)) + int(count != c.count) +
           int(first_text != c.first_text) + int(explanation != c.explanation) + int(!same(snip, c.snippet));
}

int run(const searcher& s, tree_case& c, bool expect) {
    const auto q = s.parse(c.text);
    const auto top = s.top_k(q, c.options);
    const auto articles = s.top_k_articles(q, c.options);
    const auto count = s.count(q, c.options);
    std::string explanation;
    highlight::snippet snip;
    if (!top.empty()) {
        explanation = s.explain(q, top.front().docid, c.options).to_string();
        const auto passage = searcher(s.reader()).fetch(top.front());
        snip = s.snippet(passage.text, s.highlight_terms(q, c.options));
    }
    const auto expanded = s.rm3(q, c.options, {.feedback_passages = 3, .expansion_terms = 4});
    if (expect) {
        c.top = top;
        c.articles = articles;
        c.count = count;
        c.explanation = explanation;
        c.snippet = snip;
        c.rm3 = expanded;
        return 0;
    }
    return int(!same(top, c.top)) + int(!same(articles, c.articles)) + int(count != c.count) +
           int(explanation != c.explanation) + int(!same(snip, c.snippet)) + int(!(expanded == c.rm3));
}

}  // namespace

TEST_CASE("search: one searcher and one searcher shared by threads answer as single-threaded") {
    const auto dir = make_index();
    std::mt19937 rng(rapport::test::seed(7));
    auto flats = flat_cases(rng);
    auto trees = tree_cases(rng);
    {
        // The expected answers over a snapshot of its own (its own table cache), one thread.
        const auto alone = index::index_reader::open(dir);
        REQUIRE(alone.segments().size() == 3);
        const searcher s(alone);
        const searcher t(alone);
        for (auto& c : flats) run(s, c, true);
        for (auto& c : trees) run(t, c, true);
    }
    std::size_t hits = 0;
    for (const auto& c : flats) hits += c.top.size();
    for (const auto& c : trees) hits += c.top.size();
    REQUIRE(hits > 200);  // the queries find things

    // A fresh snapshot: no table is cached yet, so the threads also race to build them (the settings
    // and fields need more tables than the cache keeps, so tables are evicted while in use too).
    const auto reader = index::index_reader::open(dir);
    const searcher shared(reader);
    const searcher shared_trees(reader);
    std::atomic<int> differences{0};
    std::latch start(thread_count);
    std::vector<std::thread> threads;
    for (int t = 0; t < thread_count; ++t) {
        threads.emplace_back([&, t] {
            auto my_flats = flats;  // each thread compares against its own copy
            auto my_trees = trees;
            start.arrive_and_wait();
            for (int round = 0; round < 2; ++round) {
                // Each thread walks the cases from its own offset, so different queries overlap.
                for (std::size_t i = 0; i < my_flats.size(); ++i) {
                    const int d = run(shared, my_flats[(i + static_cast<std::size_t>(t) * 11) % my_flats.size()], false);
                    differences += d;
                }
                for (std::size_t i = 0; i < my_trees.size(); ++i) {
                    const int d = run(shared_trees, my_trees[(i + static_cast<std::size_t>(t) * 7) % my_trees.size()], false);
                    differences += d;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(differences == 0);
    const auto cache = reader.length_norm_cache();
    CHECK(cache.tables <= index::length_norm_cache_capacity);
    CHECK(cache.hits > cache.builds);
}

TEST_CASE("search: searchers and threads over one snapshot share its length-normaliser tables") {
    const auto dir = make_index();
    const auto reader = index::index_reader::open(dir);
    const bm25_params p{.k1 = 1.1, .b = 0.6};
    const searcher a(reader), b(reader);
    const auto before = reader.length_norm_cache();
    CHECK(before.tables == 0);
    const auto table = a.length_norms(p);
    REQUIRE(table->size() == reader.segments().size());
    CHECK(table->front().size() == reader.segments().front()->size());
    // The second searcher, a copy of the reader, BM25+ (the same K) and a searcher's body
    // clauses all get the same table; BM25L with another k1 has no k1 in its L(dl), so it too shares
    // one table with BM25L at this b.
    CHECK(b.length_norms(p) == table);
    CHECK(searcher(index::index_reader(reader)).length_norms(p) == table);
    CHECK(b.length_norms({.k1 = 1.1, .b = 0.6, .model = scoring_model::bm25_plus, .delta = 2.0}) == table);
    const auto l = a.length_norms({.k1 = 0.2, .b = 0.6, .model = scoring_model::bm25l});
    CHECK(l != table);
    CHECK(b.length_norms({.k1 = 3.0, .b = 0.6, .model = scoring_model::bm25l, .delta = 0.1}) == l);
    const searcher trees(reader);
    search_info info;  // asking for it takes the tree walk, not the flat searcher
    search_options body_only{.bm25 = p};
    body_only.fields = {{index::field::body, 1.0}};
    (void)trees.top_k(trees.parse("qa qb"), body_only, &info);
    auto stats = reader.length_norm_cache();
    CHECK(stats.builds == before.builds + 2);  // K(1.1, 0.6) and L(0.6) only
    CHECK(stats.tables == 2);
    CHECK(stats.hits >= 5);
    // A title clause needs the title table; a snapshot opened anew has its own cache.
    (void)trees.top_k(trees.parse("title:qa"), {.bm25 = p});
    CHECK(reader.length_norm_cache().builds == before.builds + 3);
    CHECK(searcher(index::index_reader::open(dir)).length_norms(p) != table);
    CHECK(reader.length_norm_cache().builds == before.builds + 3);

    SUBCASE("the least recently used table is evicted, never freed while held") {
        const auto held = *table;
        for (std::size_t i = 0; i < index::length_norm_cache_capacity + 2; ++i)
            (void)a.length_norms({.k1 = 0.1 * static_cast<double>(i + 1), .b = 0.3});
        CHECK(reader.length_norm_cache().tables == index::length_norm_cache_capacity);
        CHECK(*table == held);  // still alive, unchanged
        const auto again = a.length_norms(p);
        CHECK(again != table);  // evicted: built again, with the same values
        CHECK(*again == held);
    }

    SUBCASE("threads asking for one new table at once build it once") {
        // Many rounds, each with a table nobody asked for yet, the threads released together (a
        // spinning start: a sleeping one would let the first thread finish before the others wake).
        constexpr int rounds = 200;
        const auto builds = reader.length_norm_cache().builds;
        std::vector<std::shared_ptr<const index::length_norm_table>> got(rounds * thread_count);
        std::atomic<int> arrived{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < thread_count; ++t)
            threads.emplace_back([&, t] {
                for (int r = 0; r < rounds; ++r) {
                    arrived.fetch_add(1);
                    while (arrived.load() < (r + 1) * thread_count) {
                    }
                    const bm25_params fresh{.k1 = 0.5 + 0.01 * r, .b = 0.33};
                    got[static_cast<std::size_t>(r * thread_count + t)] = (t % 2 == 0 ? a : b).length_norms(fresh);
                }
            });
        for (auto& th : threads) th.join();
        CHECK(reader.length_norm_cache().builds == builds + rounds);
        for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == got[i - i % thread_count]);
        // Bit for bit the table bm25_length_norms computes, which the scores divide by.
        const double avgdl = static_cast<double>(reader.total_length()) / static_cast<double>(reader.passage_count());
        const bm25_params last{.k1 = 0.5 + 0.01 * (rounds - 1), .b = 0.33};
        for (std::size_t i = 0; i < reader.segments().size(); ++i)
            CHECK((*got.back())[i] == bm25_length_norms(reader.segments()[i]->lengths(), avgdl, last));
    }
}

TEST_CASE("search: last_stats is per thread") {
    const auto dir = make_index();
    const auto reader = index::index_reader::open(dir);
    const searcher s(reader);
    const auto q = s.analyze("qa qb qc");
    (void)s.top_k(q, {.algorithm = algorithm::exhaustive});
    const auto mine = s.last_stats();
    CHECK(mine.postings_scored > 0);
    search_stats other_before{}, other_after{};
    std::thread([&] {
        other_before = s.last_stats();  // nothing yet on this thread
        (void)s.count(q);
        other_after = s.last_stats();
    }).join();
    CHECK(other_before == search_stats{});
    CHECK(other_after == search_stats{});
    CHECK(s.last_stats() == mine);  // untouched by the other thread's count
    CHECK(searcher(reader).last_stats() == search_stats{});  // a new searcher starts from zero
}
