// SPDX-License-Identifier: MIT
// Filters and counts through searcher: top-k under a passage or article filter equals the
// unfiltered ranking with the disallowed passages removed, for query trees (tree walk) and plain
// disjunctions (the searcher's path) alike, over several segments with deletions; count() equals
// the number of matches the tree walk reports. Boosted disjunctions (RM3's output) take the
// searcher's pruned paths and score exactly as the tree walk.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "rapport/core/bitset.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "support/seed.hpp"

using namespace rapport;

namespace {
const char* words[] = {"trust", "customer", "service", "loyalty", "team", "build", "answer", "quick", "care", "value"};

// 4 segments of random articles (1–3 passages each), with updates and deletions between commits.
index::index_reader random_index(std::mt19937& rng) {
    auto dir = std::make_shared<storage::memory_directory>();
    index::index_writer_options o;
    o.merges.merge_factor = 0;
    o.index.passages.min_bytes = 1;
    o.index.passages.max_bytes = 60;
    index::index_writer w(dir, o);
    for (int round = 0; round < 4; ++round) {
        for (int a = 0; a < 40; ++a) {
            std::string body;
            const int paragraphs = 1 + static_cast<int>(rng() % 3);
            for (int p = 0; p < paragraphs; ++p) {
                for (int k = 0; k < 3 + static_cast<int>(rng() % 6); ++k) body += std::string(words[rng() % 10]) + " ";
                body += "\n\n";
            }
            w.update({{"a" + std::to_string(rng() % 100)}, std::string(words[rng() % 10]), body});
        }
        for (int d = 0; d < 5; ++d) w.remove({"a" + std::to_string(rng() % 100)});
        w.commit();
    }
    return index::index_reader::open(dir);
}
}  // namespace

TEST_CASE("filters: filtered top-k is the unfiltered ranking without the disallowed passages; counts agree") {
    std::mt19937 rng(rapport::test::seed(5));
    const auto r = random_index(rng);
    REQUIRE(r.segments().size() == 4);
    search::searcher qs(r);
    search::searcher flat(r);
    const char* queries[] = {"trust customer",  "+team -care",      "\"customer service\"~2", "title:trust value",
                             "loyal* answer",   "quick OR (care AND build)", "valu~1 team^2", "service"};
    int cases = 0;
    for (int round = 0; round < 30; ++round) {
        // A random passage filter, or the passages of random articles.
        std::vector<std::uint64_t> bits;
        if (round % 2 == 0) {
            std::vector<docid_t> some;
            for (docid_t d = 0; d < r.passage_count(); ++d)
                if (rng() % 3 == 0) some.push_back(d);
            bits = search::make_passage_filter(some, r.passage_count());
        } else {
            std::vector<article_id> ids;
            for (int i = 0; i < 30; ++i) ids.push_back({"a" + std::to_string(rng() % 100)});
            ids.push_back({"no such article"});
            bits = search::make_article_filter(r, ids);
            // The filter holds exactly the passages of those articles.
            std::set<std::string> wanted;
            for (const auto& id : ids) wanted.insert(id.value);
            for (docid_t d = 0; d < r.passage_count(); ++d) {
                const bool in = test_bit(bits, d);
                CHECK(in == (wanted.count(flat.fetch_article(d).id.value) == 1));
            }
        }
        const auto allowed = [&](docid_t d) { return test_bit(bits, d); };
        for (const char* text : queries) {
            CAPTURE(text);
            const auto tree = qs.parse(text);
            search::search_options o;
            o.k = 1 + rng() % 20;
            search::search_options all = o;
            all.k = r.passage_count();
            std::vector<search::scored_doc> expected;
            for (const auto& h : qs.top_k(tree, all))
                if (allowed(h.docid) && expected.size() < o.k) expected.push_back(h);
            o.filter = bits;
            const auto got = qs.top_k(tree, o);
            REQUIRE(got.size() == expected.size());
            for (std::size_t i = 0; i < got.size(); ++i) {
                CHECK(got[i].docid == expected[i].docid);
                CHECK(got[i].score == expected[i].score);
            }
            // count: through the searcher's path for plain disjunctions, the tree walk otherwise.
            search::search_info info;
            auto every = o;
            every.algorithm = search::algorithm::exhaustive;  // info.matches counts every match then
            (void)qs.top_k(tree, every, &info);
            CHECK(qs.count(tree, o) == info.matches);
            ++cases;
        }
    }
    CHECK(cases == 240);
    // An unfiltered count equals the number of hits of an exhaustive top-N.
    search::search_options every;
    every.k = r.passage_count();
    for (const char* text : queries) {
        const auto tree = qs.parse(text);
        CHECK(qs.count(tree) == qs.top_k(tree, every).size());
    }
}

TEST_CASE("boosted disjunctions: the searcher's pruned paths equal the tree walk bit for bit") {
    std::mt19937 rng(rapport::test::seed(9));
    const auto r = random_index(rng);
    search::searcher qs(r);
    search::searcher flat(r);
    int compared = 0;
    for (int round = 0; round < 200; ++round) {
        // A disjunction of distinct body terms with random boosts (0 included), a boosted root.
        std::vector<query::clause> clauses;
        search::analysed_query aq;
        std::set<int> used;
        const int n = 1 + static_cast<int>(rng() % 5);
        for (int i = 0; i < n; ++i) {
            const int w = static_cast<int>(rng() % 10);
            if (!used.insert(w).second) continue;
            const double boost = static_cast<double>(rng() % 7) * 0.5;
            clauses.push_back(query::should(query::term(words[w]).boost(boost)));
        }
        const double root_boost = 0.25 * static_cast<double>(1 + rng() % 8);
        const auto tree = query::boolean(clauses).boost(root_boost);
        search::search_options o;
        o.k = 1 + rng() % 30;
        search::search_info info;
        const auto walked = qs.top_k(tree, o, &info);  // info forces the tree walk
        const auto fast = qs.top_k(tree, o);           // handed to the searcher
        REQUIRE(walked.size() == fast.size());
        for (std::size_t i = 0; i < walked.size(); ++i) {
            CHECK(walked[i].docid == fast[i].docid);
            CHECK(walked[i].score == fast[i].score);
        }
        // Every algorithm of the searcher agrees on the same boosted query.
        for (const auto& c : clauses) {
            const auto& t = std::get<query::term_node>(c.query.node());
            aq.terms.push_back({t.text, 1, root_boost * c.query.boost()});
        }
        search::search_options so;
        so.k = o.k;
        so.algorithm = search::algorithm::exhaustive;
        const auto reference = flat.top_k(aq, so);
        for (const auto algo : {search::algorithm::maxscore, search::algorithm::block_max_wand}) {
            so.algorithm = algo;
            const auto got = flat.top_k(aq, so);
            REQUIRE(got.size() == reference.size());
            for (std::size_t i = 0; i < got.size(); ++i) {
                CHECK(got[i].docid == reference[i].docid);
                CHECK(got[i].score == reference[i].score);
            }
        }
        ++compared;
    }
    CHECK(compared == 200);
    search::analysed_query bad;
    bad.terms.push_back({"trust", 1, -1.0});
    CHECK_THROWS_AS((void)flat.top_k(bad), invalid_argument);
}
