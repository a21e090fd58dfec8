// SPDX-License-Identifier: MIT
// Pruned evaluation of query trees returns exactly what exhaustive evaluation returns (same
// passages, same order, bit-identical scores) for every query shape: OR, AND, required / optional /
// excluded mixes, exact and sloppy phrases, prefix and fuzzy expansions, field clauses, several
// default fields summed or as BM25F, boosts, nested groups and filters, under every scoring model,
// on random multi-segment indexes with deletions, through MaxScore, block-max WAND and the
// automatic choice; and article-level results (MaxP) equal the exhaustive ranking collapsed to articles. The seed is fixed (RAPPORT_TEST_SEED shifts it) so a failure reproduces.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "support/random_texts.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::search;

namespace {

std::string word(std::size_t i) { return test::letter_word(i); }

struct tree_index {
    std::shared_ptr<storage::memory_directory> dir = std::make_shared<storage::memory_directory>("trees");
    std::vector<double> zipf;
    std::size_t vocab = 0;
    index::index_reader reader;

    explicit tree_index(std::mt19937_64& rng) : reader(build(rng)) {}

    index::index_reader build(std::mt19937_64& rng) {
        vocab = 40 + rng() % 80;
        for (std::size_t i = 0; i < vocab; ++i) zipf.push_back(1.0 / std::pow(static_cast<double>(i + 1), 1.0));
        std::discrete_distribution<std::size_t> pick(zipf.begin(), zipf.end());
        index::index_writer_options o;
        o.index.analyzer.language = "none";
        o.index.analyzer.stopwords = std::vector<std::string>{};
        o.merges.merge_factor = 0;
        o.index.passages.min_bytes = 0;
        index::index_writer w(dir, o);
        const std::size_t segments = 1 + rng() % 4;
        std::size_t id = 0;
        for (std::size_t seg = 0; seg < segments; ++seg) {
            const std::size_t n = 250 + rng() % 600;
            for (std::size_t i = 0; i < n; ++i, ++id) {
                const auto words = [&](std::size_t len) {
                    std::string t;
                    for (std::size_t j = 0; j < len; ++j) {
                        const std::size_t v = pick(rng);
                        t += word(v) + ' ';
                        if (rng() % 30 == 0)  // a run: phrases and skewed frequencies
                            for (std::size_t r = 1 + rng() % 8; r > 0; --r) t += word(v + r % 3) + ' ';
                    }
                    return t;
                };
                // An article of 1–4 paragraphs, one passage each.
                std::string body;
                for (std::size_t para = 1 + (rng() % 3 == 0 ? rng() % 4 : 0); para > 0; --para) {
                    const std::size_t cap = rng() % 10 == 0 ? 200 : rng() % 2 ? 30 : 8;
                    body += words(1 + rng() % cap) + "\n\n";
                }
                w.add({{"p" + std::to_string(id)}, rng() % 4 == 0 ? "" : words(1 + rng() % 5), body});
            }
            for (std::size_t d = rng() % 40; d > 0 && id > 0; --d) w.remove({"p" + std::to_string(rng() % id)});
            w.commit();
        }
        return index::index_reader::open(dir);
    }
};

// One random clause of the query language.
std::string random_clause(std::mt19937_64& rng, const tree_index& idx, int depth) {
    std::discrete_distribution<std::size_t> pick(idx.zipf.begin(), idx.zipf.end());
    const auto w = [&] { return word(rng() % 4 == 0 ? rng() % (idx.vocab + 2) : pick(rng)); };
    switch (rng() % (depth > 0 ? 9 : 8)) {
        case 0:
        case 1: return w();
        case 2: return "\"" + w() + " " + w() + "\"";
        case 3: return "\"" + w() + " " + w() + " " + w() + "\"~" + std::to_string(1 + rng() % 3);
        case 4: {
            const auto t = w();
            return t.substr(0, 2 + rng() % std::max<std::size_t>(1, t.size() - 1)) + "*";
        }
        case 5: return w() + "~" + std::to_string(1 + rng() % 2);
        case 6: return std::string(rng() % 2 ? "title:" : "body:") + w();
        case 7: return w() + "^" + std::to_string(0.25 + static_cast<double>(rng() % 12) / 4.0);
        default: {
            std::string g = "(";
            for (std::size_t i = 1 + rng() % 3; i > 0; --i) g += random_clause(rng, idx, depth - 1) + " ";
            return g + ")";
        }
    }
}

// A random query: 1–5 clauses, each optional, required or excluded.
std::string random_query(std::mt19937_64& rng, const tree_index& idx) {
    std::string q;
    const std::size_t n = 1 + rng() % 5;
    const int style = static_cast<int>(rng() % 4);  // 0: all optional, 1: all required, 2-3: mixed
    for (std::size_t i = 0; i < n; ++i) {
        const auto r = rng() % 6;
        if (style == 1 || (style >= 2 && r < 2)) q += "+";
        if (style >= 2 && r == 2 && i > 0) q += "-";
        q += random_clause(rng, idx, 1) + " ";
    }
    return q;
}

std::string compare(const std::vector<scored_doc>& want, const std::vector<scored_doc>& got) {
    std::ostringstream out;
    out.precision(17);
    if (want.size() != got.size()) out << "size " << got.size() << " != " << want.size() << "; ";
    for (std::size_t i = 0; i < std::min(want.size(), got.size()); ++i)
        if (want[i].docid != got[i].docid || std::memcmp(&want[i].score, &got[i].score, sizeof(score_t)) != 0) {
            out << "rank " << i << ": got " << got[i].docid << "@" << got[i].score << " want " << want[i].docid << "@"
                << want[i].score;
            break;
        }
    return out.str();
}

}  // namespace

TEST_CASE("pruning: every query shape, pruned, equals exhaustive evaluation") {
    std::mt19937_64 rng(rapport::test::seed(20261202));
    std::size_t cases = 0, nonempty = 0, pruned_less = 0, article_cases = 0, multi_passage = 0;
    for (int round = 0; round < 12; ++round) {
        const tree_index idx(rng);
        searcher qs(idx.reader);
        const std::size_t n = idx.reader.passage_count();
        for (int qi = 0; qi < 150; ++qi) {
            const auto text = random_query(rng, idx);
            search_options o;
            o.k = rng() % 8 == 0 ? 1 : 1 + rng() % (rng() % 3 == 0 ? 100 : 15);
            const double k1s[] = {0.0, 0.5, 0.9, 1.2, 2.0};
            const double bs[] = {0.0, 0.4, 0.75, 1.0};
            o.bm25 = {rng() % 3 == 0 ? k1s[rng() % 5] : 0.9, rng() % 3 == 0 ? bs[rng() % 4] : 0.4};
            o.bm25.model = static_cast<scoring_model>(rng() % 3);
            switch (rng() % 4) {
                case 0: o.fields = {{index::field::title, 2.0}, {index::field::body, 1.0}}; break;
                case 1:
                    o.fields = {{index::field::title, 1.5}, {index::field::body, 1.0}};
                    o.bm25f = true;
                    break;
                default: break;
            }
            std::vector<std::uint64_t> bits;
            if (rng() % 5 == 0) {
                std::vector<docid_t> allowed;
                for (docid_t d = 0; d < n; ++d)
                    if (rng() % 3 != 0) allowed.push_back(d);
                bits = make_passage_filter(allowed, n);
                o.filter = bits;
            }
            const auto tree = qs.parse(text);
            CAPTURE(round);
            CAPTURE(text);
            const auto shown = query::to_string(tree);
            CAPTURE(shown);
            CAPTURE(o.k);
            CAPTURE(o.bm25f);
            CAPTURE(scoring_model_name(o.bm25.model));
            o.algorithm = algorithm::exhaustive;
            search_info every;
            const auto want = qs.top_k(tree, o, &every);
            nonempty += !want.empty();
            for (const algorithm a : {algorithm::maxscore, algorithm::block_max_wand, algorithm::automatic}) {
                o.algorithm = a;
                search_info info;
                CHECK(compare(want, qs.top_k(tree, o, &info)) == "");
                CHECK(info.matches <= every.matches);
                pruned_less += info.matches < every.matches;
                // Wrapped in a one-clause boolean, the plain-term fast path cannot take over: the
                // tree walk gives the same answer again.
                CHECK(compare(want, qs.top_k(query::boolean({query::should(tree)}), o)) == "");
                ++cases;
            }
            if (qi % 3 == 0) {
                // Articles (MaxP) in one pass equal the full exhaustive ranking collapsed to each
                // article's first (best) passage.
                auto all = o;
                all.k = n;
                all.algorithm = algorithm::exhaustive;
                std::vector<scored_doc> collapsed;
                std::set<std::pair<const void*, std::uint32_t>> seen;
                for (const auto& d : qs.top_k(tree, all)) {
                    const auto [seg, local] = idx.reader.locate(d.docid);
                    if (seen.insert({seg, seg->article_of(local)}).second) {
                        if (collapsed.size() < o.k) collapsed.push_back(d);
                    } else {
                        ++multi_passage;  // an article matched by several passages
                    }
                }
                for (const algorithm a : {algorithm::exhaustive, algorithm::maxscore, algorithm::block_max_wand,
                                          algorithm::automatic}) {
                    o.algorithm = a;
                    CHECK(compare(collapsed, qs.top_k_articles(tree, o)) == "");
                    ++article_cases;
                }
            }
        }
    }
    CHECK(multi_passage > 0);
    MESSAGE("tree pruning cases: " << cases << ", non-empty: " << nonempty << ", pruned runs that scored fewer: "
                                   << pruned_less << ", article cases: " << article_cases);
    CHECK(nonempty > cases / 6);   // the queries do find things
    CHECK(pruned_less > cases / 10);  // and pruning does skip work on a good share of them
}
