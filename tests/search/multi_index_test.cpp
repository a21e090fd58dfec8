// SPDX-License-Identifier: MIT
// Several indexes as one: the same articles split over 1, 2 and 5 indexes (contiguous runs, so
// that the indexes' passages in order are the one index's) give, through `multi_searcher`, the
// same hits (article ids, passages, order) and the same scores to 1e-9 (in fact bit for bit) as one
// index holding all of them, with deletions, for every query shape (terms, conjunctions, phrases,
// sloppy phrases, prefixes, fuzzy terms, exclusions, field clauses, boosts, BM25F), over passages
// and articles, with facets, totals, a filter, a sort and search_after paging. Also: merged
// statistics equal the one index's, statistics survive JSON, a searcher given statistics for
// another query refuses it, and indexes that analyse differently cannot be searched together.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/search/multi_searcher.hpp"
#include "rapport/search/request.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/search/statistics.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "support/random_texts.hpp"

using namespace rapport;
using namespace rapport::search;
namespace ix = rapport::index;

namespace {

constexpr int article_count = 240;

struct doc {
    ingest::article article;
    bool deleted = false;
};

std::string random_words(std::mt19937& rng, std::size_t n) {
    std::string t;
    for (std::size_t i = 0; i < n; ++i) {
        const auto a = rng() % 40;
        const auto b = rng() % 40;
        t += test::letter_word(std::min(a, b)) + " ";
    }
    return t;
}

std::vector<doc> make_docs() {
    std::mt19937 rng(20261207);
    std::vector<doc> docs;
    const char* topics[] = {"billing", "refund", "login", "shipping"};
    for (int i = 0; i < article_count; ++i) {
        std::string body;
        for (auto p = 1 + rng() % 3; p > 0; --p) body += random_words(rng, 3 + rng() % 12) + "\n\n";
        std::vector<ingest::article_field> fields{{"topic", std::string("\"") + topics[rng() % 4] + "\""},
                                                  {"views", std::to_string(rng() % 1000)}};
        docs.push_back({ingest::article{{"a" + std::to_string(i)}, random_words(rng, rng() % 4), body, {}, fields},
                        rng() % 11 == 0});
    }
    return docs;
}

ix::index_writer_options writer_options() {
    ix::index_writer_options o;
    o.index.schema = ix::validate_schema({{{"topic", ix::field_type::keyword}, {"views", ix::field_type::integer}}});
    o.index.analyzer.language = "none";
    o.index.analyzer.stopwords = std::vector<std::string>{};
    o.index.passages.min_bytes = 1;
    o.merges.merge_factor = 0;  // no merge: deleted passages stay counted alike in every layout
    return o;
}

// Docs [begin, end) in one index, one segment per run of `per_segment` (the whole range when 0),
// then the deletions among them committed.
std::shared_ptr<const searcher> build(const std::vector<doc>& docs, std::size_t begin, std::size_t end,
                                      std::size_t per_segment) {
    auto dir = std::make_shared<storage::memory_directory>("multi");
    {
        ix::index_writer w(dir, writer_options());
        for (std::size_t i = begin; i < end; ++i) {
            w.add(docs[i].article);
            if (per_segment != 0 && (i + 1 - begin) % per_segment == 0) w.commit();
        }
        w.commit();
        for (std::size_t i = begin; i < end; ++i)
            if (docs[i].deleted) w.remove(docs[i].article.id);
        w.commit();
    }
    return std::make_shared<const searcher>(ix::index_reader::open(dir));
}

// The indexes of `docs` split into `parts` contiguous runs.
std::vector<std::shared_ptr<const searcher>> split(const std::vector<doc>& docs, std::size_t parts) {
    std::vector<std::shared_ptr<const searcher>> out;
    for (std::size_t p = 0; p < parts; ++p) out.push_back(build(docs, docs.size() * p / parts, docs.size() * (p + 1) / parts, 0));
    return out;
}

void same_response(const search_response& one, const search_response& many, const multi_searcher& m) {
    REQUIRE(one.hits.size() == many.hits.size());
    for (std::size_t i = 0; i < one.hits.size(); ++i) {
        const auto& a = one.hits[i];
        const auto& b = many.hits[i];
        CAPTURE(i);
        CHECK(a.hit.article.value == b.hit.article.value);
        CHECK(a.hit.passage == m.base(b.index) + b.hit.passage);
        CHECK(std::abs(a.hit.score - b.hit.score) <= 1e-9);
        CHECK(a.hit.score == b.hit.score);  // the same arithmetic: bit for bit
        CHECK(a.hit.text == b.hit.text);
        CHECK(a.values == b.values);
        CHECK(a.cursor == b.cursor);
    }
    CHECK(one.total == many.total);
    REQUIRE(one.facets.size() == many.facets.size());
    for (std::size_t f = 0; f < one.facets.size(); ++f) {
        CHECK(one.facets[f].counts == many.facets[f].counts);
        CHECK(one.facets[f].missing == many.facets[f].missing);
        CHECK(one.facets[f].other == many.facets[f].other);
    }
}

const char* const queries[] = {
    "qa",        "qa qb qc",          "+qa +qb",        "\"qa qb\"",       "\"qa qc\"~3", "qb*",
    "qa~1",      "qa -qb",            "title:qa qc",    "qa^2.5 qd",       "qab~2",       "+(qa qb) -qc*",
    "qba qca",   "title:\"qa qb\" qe", "qz",            "qa qa qb",        "q*",          "+qa qc~1",
};

}  // namespace

TEST_CASE("multi_searcher: 1, 2 and 5 indexes answer as one index, for every query shape") {
    const auto docs = make_docs();
    std::size_t deleted = 0;
    for (const auto& d : docs) deleted += d.deleted;
    REQUIRE(deleted > 5);
    for (const std::size_t parts : {1u, 2u, 5u}) {
        CAPTURE(parts);
        // One index whose segments are the parts, in order: its passages are numbered as the parts' are.
        const auto one = build(docs, 0, docs.size(), docs.size() / parts);
        REQUIRE(one->reader().segments().size() == parts);
        const multi_searcher many(split(docs, parts));
        REQUIRE(many.size() == parts);
        std::size_t answered = 0;  // queries with hits: the comparisons are not of empty lists
        for (const char* text : queries) {
            const std::string shown = text;
            CAPTURE(shown);
            const auto q = one->parse(text);
            // The merged statistics are the one index's.
            const auto merged = many.statistics(q);
            const auto own = one->statistics(q);
            CHECK(merged.passages == own.passages);
            CHECK(merged.total_lengths == own.total_lengths);
            CHECK(merged.doc_freqs == own.doc_freqs);
            REQUIRE(merged.expansions.size() == own.expansions.size());
            for (const auto& [key, e] : own.expansions) {
                REQUIRE(merged.expansions.contains(key));
                // The same terms, distances, dfs and surface words (`word_df` only breaks ties between
                // words, and a shard without the term in this field does not report its word's count).
                const auto& m = merged.expansions.at(key).terms;
                REQUIRE(m.size() == e.terms.size());
                for (std::size_t t = 0; t < m.size(); ++t) {
                    CHECK(m[t].term == e.terms[t].term);
                    CHECK(m[t].distance == e.terms[t].distance);
                    CHECK(m[t].df == e.terms[t].df);
                    CHECK(m[t].word == e.terms[t].word);
                }
            }
            for (const bool articles : {false, true}) {
                for (const bool bm25f : {false, true}) {
                    search_request r;
                    r.options.k = 15;
                    r.options.bm25f = bm25f;
                    r.articles = articles;
                    r.count_total = true;
                    CAPTURE(articles);
                    CAPTURE(bm25f);
                    const auto a = run(*one, q, r);
                    answered += !a.hits.empty() && !articles && !bm25f;
                    same_response(a, many.run(q, r), many);
                }
                // Facets, a filter, a sort and paging walk every match.
                search_request r;
                r.options.k = 7;
                r.articles = articles;
                r.filter = "views:<700";
                r.facets = {facet_request{"topic"}, facet_request{"views", 0, {}, "250"}};
                r.facet_articles = articles;
                r.sort = sort_spec{"views", true};
                auto a = run(*one, q, r);
                auto b = many.run(q, r);
                same_response(a, b, many);
                if (!a.hits.empty()) {
                    r.search_after = a.hits.back().cursor;
                    same_response(run(*one, q, r), many.run(q, r), many);
                }
            }
            // Statistics gathered by the caller serve every index, and equal the merged ones.
            search_request r;
            r.options.statistics = &merged;
            r.offset = 3;
            same_response(run(*one, q, search_request{}), many.run(q, search_request{}), many);
            same_response(run(*one, q, [] {
                              search_request x;
                              x.offset = 3;
                              return x;
                          }()),
                          many.run(q, r), many);
        }
        CHECK(answered >= std::size(queries) - 1);
        // Query-then-fetch by hand, as shards in other processes do it: each index scores with the
        // merged statistics and numbers its passages from its base; the pages merged by (score, global
        // id) are the whole's page, with the same cursors.
        for (const char* text : {"qa qb", "qab~2 qc", "\"qa qb\"~2"}) {
            const auto q = one->parse(text);
            const auto merged = many.statistics(q);
            search_request r;
            r.options.k = 12;
            r.options.statistics = &merged;
            std::vector<std::pair<docid_t, request_hit>> all;
            for (std::size_t i = 0; i < many.size(); ++i) {
                auto part = r;
                part.passage_base = many.base(i);
                for (auto& h : run(many.index(i), q, part).hits) all.emplace_back(many.base(i) + h.hit.passage, std::move(h));
            }
            std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
                return a.second.hit.score != b.second.hit.score ? a.second.hit.score > b.second.hit.score : a.first < b.first;
            });
            search_request plain;
            plain.options.k = 12;
            const auto whole = run(*one, q, plain);
            REQUIRE(all.size() >= whole.hits.size());
            for (std::size_t i = 0; i < whole.hits.size(); ++i) {
                CHECK(all[i].first == whole.hits[i].hit.passage);
                CHECK(all[i].second.hit.score == whole.hits[i].hit.score);
                CHECK(all[i].second.cursor == whole.hits[i].cursor);
            }
        }
        // A filter with no query: every allowed passage, score 0.
        search_request r;
        r.filter = "topic:refund";
        r.count_total = true;
        r.options.k = 30;
        same_response(run(*one, query::query(), r), many.run(query::query(), r), many);
    }
}

TEST_CASE("collection_statistics: JSON round trip, merge, refusal of foreign statistics") {
    const auto docs = make_docs();
    const auto parts = split(docs, 2);
    const auto q = parts[0]->parse("qa \"qb qc\" qd* qab~1 title:qe");
    auto s = parts[0]->statistics(q);
    CHECK(s.passages == parts[0]->reader().passage_count());
    CHECK(!s.doc_freqs.empty());
    CHECK(!s.expansions.empty());
    CHECK(collection_statistics::from_json(s.to_json()) == s);
    const auto t = parts[1]->statistics(q);
    auto sum = s;
    sum.merge(t);
    CHECK(sum.passages == s.passages + t.passages);
    CHECK(collection_statistics::from_json(sum.to_json()) == sum);
    const auto df_of = [](const collection_statistics& x, const std::string& key) {
        const auto* df = x.doc_freq(key);
        return df == nullptr ? std::uint64_t{0} : *df;
    };
    for (const auto& [key, df] : sum.doc_freqs) CHECK(df == df_of(s, key) + df_of(t, key));

    // Statistics of another query lack this one's terms: refused, not silently scored with df 0.
    const auto other = parts[0]->statistics(parts[0]->parse("qb"));
    search_options o;
    o.statistics = &other;
    CHECK_THROWS_AS((void)parts[0]->top_k(parts[0]->parse("qa"), o), invalid_argument);
    CHECK_THROWS_AS((void)parts[0]->top_k(parts[0]->parse("qa*"), o), invalid_argument);
    o.statistics = &sum;
    CHECK_NOTHROW((void)parts[0]->top_k(q, o));

    for (const char* bad : {"", "[]", "{\"passages\": -1}", "{\"passages\": 1, \"total_lengths\": [1]}",
                            "{\"passages\": 1, \"total_lengths\": [0,0,0,0,0,0,0,0], \"doc_freqs\": [[\"x\", 5]], "
                            "\"expansions\": []}",
                            "{\"passages\": 9, \"total_lengths\": [0,0,0,0,0,0,0,0], \"doc_freqs\": [], \"expansions\": "
                            "[{\"key\": \"zz\", \"truncated\": false, \"examined\": 0, \"terms\": []}]}"})
        CHECK_THROWS_AS((void)collection_statistics::from_json(bad), invalid_argument);
}

TEST_CASE("multi_searcher: refuses indexes that analyse differently, and passage bitsets") {
    const auto docs = make_docs();
    auto dir = std::make_shared<storage::memory_directory>("english");
    {
        auto o = writer_options();
        o.index.analyzer.language = "english";
        ix::index_writer w(dir, o);
        w.add(docs[0].article);
        w.commit();
    }
    auto english = std::make_shared<const searcher>(ix::index_reader::open(dir));
    const auto parts = split(docs, 2);
    CHECK_THROWS_AS(multi_searcher({parts[0], english}), invalid_argument);
    CHECK_THROWS_AS(multi_searcher({}), invalid_argument);
    CHECK_THROWS_AS(multi_searcher({parts[0], nullptr}), invalid_argument);
    const multi_searcher m(parts);
    search_request r;
    const std::vector<std::uint64_t> bits{~0ull};
    r.options.filter = bits;
    CHECK_THROWS_AS((void)m.run(parts[0]->parse("qa"), r), invalid_argument);
}

TEST_CASE("multi_searcher: English stemming and folding: expansions' dfs count every index (a second round)") {
    // Shard 0 spells "connection", "café"; shard 1 only "connected", "cafe": the same terms.
    const char* first[] = {"the connection failed at the café", "a connection to the cafe menu", "connections and cafés"};
    const char* second[] = {"we connected the router", "the cafe was connected late", "connected twice", "nothing here"};
    const auto english = [](const std::vector<const char*>& texts, std::size_t from) {
        auto dir = std::make_shared<storage::memory_directory>("english");
        auto o = writer_options();
        o.index.schema = ix::schema{};
        o.index.analyzer = {};
        o.index.analyzer.fold_accents = true;
        ix::index_writer w(dir, o);
        for (std::size_t i = 0; i < texts.size(); ++i)
            w.add(ingest::article{{"e" + std::to_string(from + i)}, "", texts[i]});
        w.commit();
        return dir;
    };
    std::vector<const char*> all(std::begin(first), std::end(first));
    all.insert(all.end(), std::begin(second), std::end(second));
    const auto one = std::make_shared<const searcher>(ix::index_reader::open(english(all, 0)));
    const multi_searcher many({std::make_shared<const searcher>(ix::index_reader::open(english({std::begin(first), std::end(first)}, 0))),
                               std::make_shared<const searcher>(ix::index_reader::open(english({std::begin(second), std::end(second)}, 3)))});
    for (const char* text : {"connecti*", "cafe*", "conection~1", "caf~1 connect*", "\"connected the router\"", "connect"}) {
        const std::string shown = text;
        CAPTURE(shown);
        const auto q = one->parse(text);
        const auto merged = many.statistics(q);
        const auto own = one->statistics(q);
        CHECK(merged.doc_freqs == own.doc_freqs);
        for (const auto& [key, e] : own.expansions) {
            REQUIRE(merged.expansions.contains(key));
            const auto& m = merged.expansions.at(key).terms;
            REQUIRE(m.size() == e.terms.size());
            for (std::size_t t = 0; t < m.size(); ++t) CHECK(m[t].df == e.terms[t].df);
        }
        search_request r;
        r.options.k = 10;
        r.count_total = true;
        const auto a = run(*one, q, r);
        CHECK(!a.hits.empty());
        same_response(a, many.run(q, r), many);
    }
}
