// SPDX-License-Identifier: MIT
// Safe pruning: the block bounds of every scoring model (BM25, BM25+, BM25L) never fall below a real
// score, and MaxScore, block-max WAND and the block-max conjunction return exactly what exhaustive
// evaluation returns (same passages, same order, bit-identical scores), on hand-made segments and on
// thousands of random queries over random multi-segment indexes with deletions, filters, varied
// BM25 parameters and a random scoring model.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rapport/core/bitset.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/block_max_wand.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/count.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/maxscore.hpp"
#include "rapport/search/ranked_or.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/search/topk_queue.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "support/backends.hpp"
#include "support/hand_index.hpp"
#include "support/random_texts.hpp"
#include "support/seed.hpp"

using namespace rapport;
using namespace rapport::search;

namespace {

using block_cursor = bm25_cursor<codec::block_postings_cursor>;
static_assert(BlockMaxCursor<block_cursor>);
static_assert(!BlockMaxCursor<bm25_cursor<index::postings_cursor>>);
static_assert(ScoredCursor<bm25_cursor<index::postings_cursor>>);
static_assert(BlockMaxCursor<bm25_cursor<codec::block_postings_cursor, bm25_plus_model>>);
static_assert(BlockMaxCursor<bm25_cursor<codec::block_postings_cursor, bm25l_model>>);
static_assert(!BlockMaxCursor<bm25_cursor<index::postings_cursor, bm25l_model>>);

// Every model with a few parameter settings, for the hand-made cases.
const std::vector<bm25_params> some_models{
    bm25_params{},
    bm25_params{.model = scoring_model::bm25_plus},
    bm25_params{.model = scoring_model::bm25l},
    bm25_params{.k1 = 0.0, .b = 0.0, .model = scoring_model::bm25_plus},
    bm25_params{.k1 = 0.0, .b = 0.4, .model = scoring_model::bm25l},
    bm25_params{.k1 = 1.2, .b = 1.0, .model = scoring_model::bm25l, .delta = 0.0},
    bm25_params{.k1 = 1.2, .b = 0.75, .model = scoring_model::bm25_plus, .delta = 3.0},
};

// A random model and δ from their own generator, so that adding the model as a dimension leaves the
// random indexes and queries of the differential tests as they were.
template <class Rng>
void randomise_model(bm25_params& p, Rng& rng) {
    p.model = static_cast<scoring_model>(rng() % 3);
    const double deltas[] = {0.0, 0.25, 0.5, 1.0, 2.5};
    p.delta = rng() % 2 == 0 ? std::nullopt : std::optional<double>(deltas[rng() % 5]);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// A hand-written segment written in the on-disk format and opened again, so that its cursors carry
// skip tables and block bounds.
struct disk_hand {
    std::shared_ptr<storage::memory_directory> dir = std::make_shared<storage::memory_directory>("hand");
    index::segment mem;
    std::shared_ptr<const index::disk_segment> seg;
    double avgdl = 1;

    explicit disk_hand(const std::vector<std::string>& texts) : mem(test::hand_segment(texts)) {
        index::write_segment(*dir, "s", mem);
        seg = index::disk_segment::open(*dir, "s", static_cast<std::uint32_t>(mem.size()), "");
        avgdl = mem.size() == 0 ? 1.0 : static_cast<double>(mem.total_length()) / static_cast<double>(mem.size());
        if (avgdl <= 0) avgdl = 1;
    }
};

// Returns "" when `got` equals `want` exactly (docids, order, score bits), else a description.
// Counts score pairs that agree to 1e-9 but not bit for bit in `near`.
std::string compare(const std::vector<scored_doc>& want, const std::vector<scored_doc>& got, std::size_t* near = nullptr) {
    std::ostringstream out;
    if (want.size() != got.size()) out << "size " << got.size() << " != " << want.size() << "; ";
    for (std::size_t i = 0; i < std::min(want.size(), got.size()); ++i) {
        if (want[i].docid != got[i].docid || std::abs(want[i].score - got[i].score) > 1e-9) {
            out.precision(17);
            out << "rank " << i << ": got " << got[i].docid << "@" << got[i].score << " want " << want[i].docid << "@"
                << want[i].score << "; ";
            break;
        }
        if (!same_bits(want[i].score, got[i].score) && near != nullptr) ++*near;
    }
    return out.str();
}

enum class algo { exhaustive, maxscore, bmw, exhaustive_and, block_max_and };

// Runs one algorithm over fresh cursors on `h` for (term, boost) pairs, scored by `p`'s model.
template <class Accept = accept_all>
std::vector<scored_doc> run(const disk_hand& h, const std::vector<std::pair<std::string, double>>& query, algo a,
                            std::size_t k, bm25_params p = {}, Accept accept = {}, search_stats* stats = nullptr,
                            topk_queue* shared = nullptr, docid_t base = 0) {
    topk_queue local(k);
    topk_queue& top = shared != nullptr ? *shared : local;
    with_similarity(p, [&]<class Model>(const Model& model) {
        const auto norms = length_norms(model, h.seg->lengths(), h.avgdl);
        using cursor_t = bm25_cursor<codec::block_postings_cursor, Model>;
        std::vector<cursor_t> cursors;
        for (const auto& [term, boost] : query) {
            const auto info = h.seg->find(term);
            if (!info) continue;
            cursors.emplace_back(h.seg->cursor(*info), boost * model.idf(h.seg->size(), info->df), model, h.avgdl, norms);
        }
        const std::span<cursor_t> span(cursors);
        switch (a) {
            case algo::exhaustive: ranked_or(span, top, accept, base, stats); break;
            case algo::maxscore: maxscore(span, top, accept, base, stats); break;
            case algo::bmw: block_max_wand(span, top, accept, base, stats); break;
            case algo::exhaustive_and: ranked_and(span, top, accept, base, stats); break;
            case algo::block_max_and: block_max_and(span, top, accept, base, stats); break;
        }
    });
    return shared != nullptr ? std::vector<scored_doc>{} : top.finish();
}

std::string word(std::size_t i) { return test::letter_word(i); }

}  // namespace

TEST_CASE("pruning: BM25 block bounds are never below a score they bound") {
    std::mt19937_64 rng(rapport::test::seed(7));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double k1s[] = {0.0, 1e-9, 0.01, 0.5, 0.9, 1.2, 2.0, 10.0};
    std::size_t checks = 0;
    for (int round = 0; round < 4000; ++round) {
        const bm25_params p{k1s[rng() % 8], rng() % 4 == 0 ? static_cast<double>(rng() % 2) : unit(rng)};
        const double avgdl = 0.5 + unit(rng) * 300;
        // (Random draws go in separate statements: operands of one operator are unsequenced.)
        const double scale = std::exp(unit(rng) * 6 - 4);
        const double weight = scale * static_cast<double>(1 + rng() % 3);
        const auto norm = bm25_length_norm::of(p, avgdl);
        const std::uint32_t tf_cap = rng() % 2 ? 8 : 3000;
        const std::uint32_t max_tf = 1 + static_cast<std::uint32_t>(rng() % tf_cap);
        const std::uint32_t min_len = static_cast<std::uint32_t>(rng() % 400);
        std::vector<std::uint32_t> lengths;
        for (int i = 0; i < 8; ++i) lengths.push_back(min_len + static_cast<std::uint32_t>(rng() % 1000) * (i % 2));
        lengths.push_back(min_len);
        const auto table = bm25_length_norms(lengths, avgdl, p);
        const double bound = bm25_bound(weight, p.k1, max_tf, norm(min_len));
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            // The bound evaluates K exactly as the table does.
            REQUIRE(same_bits(table[i], norm(lengths[i])));
            for (std::uint32_t tf : {1u, max_tf / 2 + 1, max_tf > 1 ? max_tf - 1 : 1u, max_tf}) {
                const double s = bm25_term_score(weight, p.k1, tf, table[i]);
                REQUIRE(s <= bound);
                REQUIRE(s <= bm25_upper_bound(weight, p.k1));
                ++checks;
            }
        }
    }
    CHECK(checks > 100000);

    SUBCASE("without the margin, rounding breaks monotonicity in tf") {
        // With k1 = 0 a score is weight · tf / tf, which rounds either way: the score at max_tf is
        // not always the largest, which is why bm25_bound adds bm25_bound_margin.
        std::size_t violations = 0;
        for (int i = 0; i < 20000; ++i) {
            const double w = 0.01 + unit(rng) * 20;
            const auto t1 = static_cast<std::uint32_t>(1 + rng() % 50);
            const auto t2 = static_cast<std::uint32_t>(t1 + 1 + rng() % 50);
            if (bm25_term_score(w, 0.0, t1, 0.0) > bm25_term_score(w, 0.0, t2, 0.0)) ++violations;
            CHECK(bm25_term_score(w, 0.0, t1, 0.0) <= bm25_bound(w, 0.0, t2, 0.0));
        }
        CHECK(violations > 0);
    }
}

TEST_CASE("pruning: the bounds of every model are never below a score they bound") {
    std::mt19937_64 rng(rapport::test::seed(8));
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const double k1s[] = {0.0, 1e-9, 0.01, 0.5, 0.9, 1.2, 2.0, 10.0};
    const double deltas[] = {0.0, 1e-9, 0.25, 0.5, 1.0, 2.0, 10.0};
    std::size_t checks = 0;
    for (int round = 0; round < 6000; ++round) {
        bm25_params p{k1s[rng() % 8], rng() % 4 == 0 ? static_cast<double>(rng() % 2) : unit(rng)};
        p.model = static_cast<scoring_model>(rng() % 3);
        p.delta = deltas[rng() % 7];
        const double avgdl = 0.5 + unit(rng) * 300;
        const double scale = std::exp(unit(rng) * 6 - 4);
        const double weight = scale * static_cast<double>(1 + rng() % 3);
        const std::uint32_t tf_cap = rng() % 2 ? 8 : 3000;
        const std::uint32_t max_tf = 1 + static_cast<std::uint32_t>(rng() % tf_cap);
        const std::uint32_t min_len = static_cast<std::uint32_t>(rng() % 400);
        std::vector<std::uint32_t> lengths;
        for (int i = 0; i < 8; ++i) lengths.push_back(min_len + static_cast<std::uint32_t>(rng() % 1000) * (i % 2));
        lengths.push_back(min_len);
        with_similarity(p, [&](const auto& m) {
            const auto table = length_norms(m, lengths, avgdl);
            const double min_norm = m.length_norm(min_len, avgdl);
            const double bound = m.bound(weight, max_tf, min_norm);
            const double blind = m.bound(weight, max_tf, 0.0);  // lengths unknown
            double best = 0;
            for (std::size_t i = 0; i < lengths.size(); ++i) {
                // The normaliser is monotone in length, in floating point.
                REQUIRE(table[i] >= min_norm);
                REQUIRE(table[i] >= 0.0);
                for (const double tf : {1.0, 0.5, 1.0 / 3.0, static_cast<double>(max_tf / 2 + 1),
                                        static_cast<double>(max_tf > 1 ? max_tf - 1 : 1u), static_cast<double>(max_tf)}) {
                    if (tf > max_tf) continue;
                    const double s = m.score(weight, tf, table[i]);
                    REQUIRE(std::isfinite(s));
                    REQUIRE(s >= 0.0);
                    REQUIRE(s <= bound);
                    REQUIRE(s <= blind);
                    REQUIRE(s <= m.upper_bound(weight));
                    best = std::max(best, s);
                    ++checks;
                }
            }
            // The bound is the corner's score (lengths holds min_len), not merely some large number.
            REQUIRE(bound <= best * (1.0 + 2e-14));
        });
    }
    CHECK(checks > 200000);
}

TEST_CASE("pruning: block_max_score bounds every posting of its block in a real segment") {
    std::mt19937 rng(rapport::test::seed(11));
    std::vector<std::string> texts(1500);
    for (auto& t : texts) {
        const std::size_t len_cap = rng() % 10 == 0 ? 120 : 15;
        const std::size_t len = 1 + rng() % len_cap;
        for (std::size_t i = 0; i < len; ++i) t += word(rng() % 3 == 0 ? rng() % 3 : rng() % 40) + " ";
    }
    const disk_hand h(texts);
    auto params = some_models;
    for (const bm25_params p : {bm25_params{0.0, 0.0}, bm25_params{1.2, 0.75}, bm25_params{2.0, 1.0}}) params.push_back(p);
    for (const bm25_params& p : params)
    with_similarity(p, [&]<class Model>(const Model& model) {
        using cursor_t = bm25_cursor<codec::block_postings_cursor, Model>;
        const auto norms = bm25_length_norms(h.seg->lengths(), h.avgdl, p);
        for (std::size_t w = 0; w < 40; ++w) {
            const auto info = h.seg->find(word(w));
            REQUIRE(info);
            for (bool with_norm : {true, false}) {
                const double weight = model.idf(h.seg->size(), info->df);
                cursor_t c = with_norm ? cursor_t(h.seg->cursor(*info), weight, model, h.avgdl, norms)
                                       : cursor_t(h.seg->cursor(*info), weight, model, norms);
                CHECK(c.max_score() <= model.upper_bound(weight));
                std::size_t blocks = 0;
                docid_t last = end_docid;
                for (; c.docid() != end_docid; c.next()) {
                    c.shallow_seek(c.docid());
                    REQUIRE(c.block_last_docid() >= c.docid());
                    if (c.block_last_docid() != last) ++blocks, last = c.block_last_docid();
                    REQUIRE(c.score() <= c.block_max_score());
                    REQUIRE(c.score() <= c.max_score());
                }
                CHECK(blocks == c.base().block_count());
                c.shallow_seek(end_docid);
                CHECK(c.block_max_score() == 0.0);
            }
        }
    });
}

TEST_CASE("pruning: hand-made cases with ties at the threshold") {
    // Passages 0..299 all "a b" (equal scores), then "a a b" ones: the best are the later ones,
    // and among the tied "a b" the lowest docids must win, whatever the algorithm skips.
    std::vector<std::string> texts;
    for (int i = 0; i < 300; ++i) texts.push_back(i % 7 == 3 ? "a a b" : "a b");
    for (int i = 0; i < 300; ++i) texts.push_back(i % 5 == 0 ? "b" : "a c");
    const disk_hand h(texts);
    for (const std::size_t k : {1u, 2u, 10u, 43u, 44u, 45u, 100u, 1000u}) {
        auto params = some_models;
        for (const bm25_params p : {bm25_params{0.0, 0.0}, bm25_params{1.2, 0.0}}) params.push_back(p);
        for (const bm25_params& p : params) {
            for (const auto& q : std::vector<std::vector<std::pair<std::string, double>>>{
                     {{"a", 1.0}, {"b", 1.0}}, {{"b", 1.0}, {"a", 1.0}}, {{"a", 1.0}}, {{"c", 2.0}, {"a", 1.0}, {"b", 1.0}},
                     {{"a", 1.0}, {"a", 1.0}}, {{"zzz", 1.0}, {"b", 3.0}}}) {
                CAPTURE(k);
                CAPTURE(q.size());
                const auto want = run(h, q, algo::exhaustive, k, p);
                CHECK(compare(want, run(h, q, algo::maxscore, k, p)) == "");
                CHECK(compare(want, run(h, q, algo::bmw, k, p)) == "");
                const auto want_and = run(h, q, algo::exhaustive_and, k, p);
                CHECK(compare(want_and, run(h, q, algo::block_max_and, k, p)) == "");
            }
        }
    }
    SUBCASE("an empty query or k = 0 yields nothing") {
        CHECK(run(h, {}, algo::maxscore, 10).empty());
        CHECK(run(h, {}, algo::bmw, 10).empty());
        CHECK(run(h, {{"a", 1.0}}, algo::maxscore, 0).empty());
        CHECK(run(h, {{"a", 1.0}}, algo::bmw, 0).empty());
    }
}

TEST_CASE("pruning: strong postings right at block boundaries are found") {
    // "a" occurs in every passage, so block j holds docids 128j .. 128j + 127. In every third block
    // the passage at a fixed offset holds "a" more often, rising block after block: each one enters
    // the top k right after blocks whose bounds are too low to be read, so a skip that overshoots the
    // end of a block by a single docid loses it.
    for (const std::uint32_t offset : {0u, 1u, 64u, 126u, 127u}) {
        std::vector<std::string> texts;
        for (std::uint32_t d = 0; d < 128 * 30; ++d) {
            std::string t = "a";
            if (d % 128 == offset && (d / 128) % 3 == 2)
                for (std::uint32_t r = 0; r < d / 128; ++r) t += " a";
            t += d % 2 == 0 ? " b c" : " c c";
            texts.push_back(t);
        }
        const disk_hand h(texts);
        for (const std::size_t k : {1u, 2u, 3u, 7u}) {
            for (const bm25_params p : {bm25_params{}, bm25_params{1.2, 0.0}, bm25_params{.model = scoring_model::bm25_plus},
                                        bm25_params{.k1 = 1.2, .b = 0.0, .model = scoring_model::bm25l}}) {
                for (const auto& q : std::vector<std::vector<std::pair<std::string, double>>>{
                         {{"a", 1.0}}, {{"a", 1.0}, {"b", 1.0}}, {{"b", 1.0}, {"a", 1.0}, {"c", 0.5}}}) {
                    CAPTURE(offset);
                    CAPTURE(k);
                    CAPTURE(q.size());
                    const auto want = run(h, q, algo::exhaustive, k, p);
                    CHECK(compare(want, run(h, q, algo::maxscore, k, p)) == "");
                    CHECK(compare(want, run(h, q, algo::bmw, k, p)) == "");
                    CHECK(compare(run(h, q, algo::exhaustive_and, k, p), run(h, q, algo::block_max_and, k, p)) == "");
                }
            }
        }
    }
}

TEST_CASE("pruning: algorithms agree with ranked OR / AND on random hand-made segments") {
    std::mt19937 rng(rapport::test::seed(2024));
    std::mt19937 model_rng(rapport::test::seed(4202));
    std::size_t cases = 0, near = 0;
    std::size_t per_model[3] = {0, 0, 0};
    for (int round = 0; round < 30; ++round) {
        const std::size_t docs = 1 + rng() % 3000;
        const std::size_t vocab = 3 + rng() % 60;
        std::vector<std::string> texts(docs);
        for (auto& t : texts) {
            const std::size_t len_cap = rng() % 8 == 0 ? 150 : 12;
            const std::size_t len = rng() % len_cap;
            for (std::size_t i = 0; i < len; ++i) {
                // Skewed: a few words are very frequent.
                const std::size_t w = rng() % 2 ? rng() % std::min<std::size_t>(vocab, 4) : rng() % vocab;
                t += word(w) + " ";
                if (rng() % 30 == 0)
                    for (std::size_t r = rng() % 40; r > 0; --r) t += word(w) + " ";
            }
        }
        const disk_hand h(texts);
        // A filter as deletions would be: reject a random subset.
        std::vector<bool> rejected(docs);
        for (std::size_t d = 0; d < docs; ++d) rejected[d] = rng() % 4 == 0;
        const auto filter = [&](docid_t d) { return !rejected[d]; };
        for (int qi = 0; qi < 40; ++qi) {
            std::vector<std::pair<std::string, double>> q;
            const std::size_t terms = 1 + rng() % 8;
            for (std::size_t t = 0; t < terms; ++t) q.push_back({word(rng() % (vocab + 2)), 1.0 + static_cast<double>(rng() % 3)});
            const std::size_t k_cap = rng() % 4 == 0 ? 300 : 30;
            const std::size_t k = 1 + rng() % k_cap;
            bm25_params p{static_cast<double>(rng() % 5) * 0.5, static_cast<double>(rng() % 5) * 0.25};
            randomise_model(p, model_rng);
            const auto model = scoring_model_name(p.model);
            CAPTURE(round);
            CAPTURE(qi);
            CAPTURE(model);
            ++per_model[static_cast<int>(p.model)];
            for (bool filtered : {false, true}) {
                std::vector<scored_doc> want, ms, bmw, want_and, bma;
                search_stats s_ex, s_ms, s_bmw;
                if (filtered) {
                    want = run(h, q, algo::exhaustive, k, p, filter, &s_ex);
                    ms = run(h, q, algo::maxscore, k, p, filter, &s_ms);
                    bmw = run(h, q, algo::bmw, k, p, filter, &s_bmw);
                    want_and = run(h, q, algo::exhaustive_and, k, p, filter);
                    bma = run(h, q, algo::block_max_and, k, p, filter);
                } else {
                    want = run(h, q, algo::exhaustive, k, p, accept_all{}, &s_ex);
                    ms = run(h, q, algo::maxscore, k, p, accept_all{}, &s_ms);
                    bmw = run(h, q, algo::bmw, k, p, accept_all{}, &s_bmw);
                    want_and = run(h, q, algo::exhaustive_and, k, p);
                    bma = run(h, q, algo::block_max_and, k, p);
                }
                CHECK(compare(want, ms, &near) == "");
                CHECK(compare(want, bmw, &near) == "");
                CHECK(compare(want_and, bma, &near) == "");
                // Each posting is scored at most once, and only if the exhaustive run scores it.
                CHECK(s_ms.postings_scored <= s_ex.postings_scored);
                CHECK(s_bmw.postings_scored <= s_ex.postings_scored);
                cases += 3;
            }
        }
    }
    CHECK(near == 0);  // bit-identical, not merely close
    for (const auto n : per_model) CHECK(n > 200);
    MESSAGE("hand-made segment cases: " << cases << " (queries per model: BM25 " << per_model[0] << ", BM25+ "
                                        << per_model[1] << ", BM25L " << per_model[2] << ")");
}

TEST_CASE("pruning: MaxScore without block bounds (in-memory cursors) agrees with ranked OR") {
    std::mt19937 rng(rapport::test::seed(5));
    for (int round = 0; round < 20; ++round) {
        std::vector<std::string> texts(1 + rng() % 800);
        for (auto& t : texts)
            for (std::size_t i = rng() % 15; i > 0; --i) t += word(rng() % 2 ? rng() % 3 : rng() % 30) + " ";
        const auto seg = test::hand_segment(texts);
        const double avgdl = seg.total_length() == 0 ? 1.0 : static_cast<double>(seg.total_length()) / static_cast<double>(seg.size());
        const bm25_params p{0.9, 0.4};
        const auto norms = bm25_length_norms(seg.lengths(), avgdl, p);
        for (int qi = 0; qi < 30; ++qi) {
            std::vector<std::string> q;
            for (std::size_t t = 1 + rng() % 6; t > 0; --t) q.push_back(word(rng() % 32));
            const std::size_t k = 1 + rng() % 20;
            const auto make = [&] {
                std::vector<bm25_cursor<index::postings_cursor>> cs;
                for (const auto& t : q) {
                    auto c = seg.cursor(t);
                    if (c.size() == 0) continue;
                    cs.emplace_back(c, bm25_idf(seg.size(), c.size()), p.k1, norms);
                }
                return cs;
            };
            auto a = make();
            auto b = make();
            topk_queue ta(k), tb(k);
            ranked_or(std::span(a), ta);
            maxscore(std::span(b), tb);
            CHECK(compare(ta.finish(), tb.finish()) == "");
        }
    }
}

TEST_CASE("pruning: one queue shared across segments keeps the exhaustive answer") {
    // Two segments evaluated in turn into one queue (as the searcher does): the second starts with
    // the first one's threshold.
    std::mt19937 rng(rapport::test::seed(9));
    for (int round = 0; round < 20; ++round) {
        std::vector<std::string> t1(400 + rng() % 600), t2(400 + rng() % 600);
        for (auto* ts : {&t1, &t2})
            for (auto& t : *ts)
                for (std::size_t i = 1 + rng() % 10; i > 0; --i) t += word(rng() % 2 ? rng() % 3 : rng() % 20) + " ";
        const disk_hand h1(t1), h2(t2);
        std::vector<std::pair<std::string, double>> q;
        for (std::size_t t = 1 + rng() % 5; t > 0; --t) q.push_back({word(rng() % 20), 1.0});
        const std::size_t k = 1 + rng() % 50;
        std::vector<std::vector<scored_doc>> results;
        for (const algo a : {algo::exhaustive, algo::maxscore, algo::bmw}) {
            topk_queue top(k);
            (void)run(h1, q, a, k, {}, accept_all{}, nullptr, &top, 0);
            (void)run(h2, q, a, k, {}, accept_all{}, nullptr, &top, static_cast<docid_t>(t1.size()));
            results.push_back(top.finish());
        }
        CHECK(compare(results[0], results[1]) == "");
        CHECK(compare(results[0], results[2]) == "");
    }
}

TEST_CASE("pruning: count_or and count_and count matching, accepted passages") {
    std::mt19937 rng(rapport::test::seed(3));
    for (int round = 0; round < 20; ++round) {
        std::vector<std::string> texts(1 + rng() % 1000);
        for (auto& t : texts)
            for (std::size_t i = rng() % 8; i > 0; --i) t += word(rng() % 12) + " ";
        const disk_hand h(texts);
        std::vector<std::string> q;
        for (std::size_t t = 1 + rng() % 4; t > 0; --t) q.push_back(word(rng() % 14));
        const auto accept = [](docid_t d) { return d % 3 != 1; };
        std::uint64_t any = 0, all = 0, any_live = 0, all_live = 0;
        for (docid_t d = 0; d < texts.size(); ++d) {
            const auto toks = test::hand_tokens(texts[d]);
            std::size_t found = 0;
            for (const auto& w : q) found += std::any_of(toks.begin(), toks.end(), [&](const auto& tk) { return tk.term == w; });
            const bool has_any = found > 0, has_all = found == q.size();
            any += has_any;
            all += has_all;
            any_live += has_any && accept(d);
            all_live += has_all && accept(d);
        }
        const auto cursors = [&] {
            std::vector<codec::block_postings_cursor> cs;
            for (const auto& w : q) {
                const auto info = h.seg->find(w);
                cs.push_back(info ? h.seg->cursor(*info) : codec::block_postings_cursor());
            }
            return cs;
        };
        auto c1 = cursors(), c2 = cursors(), c3 = cursors(), c4 = cursors();
        CHECK(count_or(std::span(c1)) == any);
        CHECK(count_and(std::span(c2)) == all);
        CHECK(count_or(std::span(c3), accept) == any_live);
        CHECK(count_and(std::span(c4), accept) == all_live);
    }
}

namespace {
// A random index written through index_writer over a memory_directory: several segments (one per
// commit, merging disabled), deletions, Zipf-distributed words, skewed term frequencies and lengths.
struct random_index {
    std::shared_ptr<storage::directory> dir;
    std::size_t vocab = 0;
    std::vector<double> zipf;  // sampling weights of the vocabulary
    index::index_reader reader;

    static index::index_writer_options options() {
        index::index_writer_options o;
        o.index.analyzer.language = "none";
        o.index.analyzer.stopwords = std::vector<std::string>{};
        o.merges.merge_factor = 0;
        return o;
    }

    random_index(std::mt19937_64& rng, std::shared_ptr<storage::directory> d) : dir(std::move(d)), reader(build(rng)) {}

    index::index_reader build(std::mt19937_64& rng) {
        vocab = 50 + rng() % 151;
        const double s = std::array{0.0, 0.8, 1.0, 1.3}[rng() % 4];
        for (std::size_t i = 0; i < vocab; ++i) zipf.push_back(1.0 / std::pow(static_cast<double>(i + 1), s));
        std::discrete_distribution<std::size_t> pick(zipf.begin(), zipf.end());
        const std::size_t passages = 2000 + rng() % 3001;
        const std::size_t segments = 1 + rng() % 5;
        index::index_writer w(dir, options());
        std::size_t id = 0;
        for (std::size_t seg = 0; seg < segments; ++seg) {
            const std::size_t n = passages / segments;
            for (std::size_t i = 0; i < n; ++i, ++id) {
                std::string text;
                const std::size_t len_cap = rng() % 10 == 0 ? 250 : rng() % 2 ? 30 : 8;
                const std::size_t len = 1 + rng() % len_cap;
                for (std::size_t t = 0; t < len; ++t) {
                    const std::size_t v = pick(rng);
                    text += word(v);
                    text += ' ';
                    if (rng() % 40 == 0)  // a very skewed frequency
                        for (std::size_t r = 1 + rng() % 60; r > 0; --r) text += word(v) + " ";
                }
                w.add_passage({"p" + std::to_string(id)}, "t", text);
            }
            // Delete a few passages, committed or not.
            for (std::size_t d = rng() % 60; d > 0 && id > 0; --d) w.remove({"p" + std::to_string(rng() % id)});
            w.commit();
        }
        return index::index_reader::open(dir);
    }
};
}  // namespace

namespace {
// Builds `rounds` random indexes through `make_dir()` and runs `queries` random queries on each with
// every algorithm, against exhaustive evaluation.
template <class MakeDir>
void searcher_differential(std::uint64_t seed, int rounds, int queries, MakeDir make_dir) {
    std::mt19937_64 rng(seed);
    std::mt19937_64 model_rng(seed + 1);
    std::size_t cases = 0, near = 0, multi_segment = 0, with_deletions = 0;
    std::size_t per_model[3] = {0, 0, 0};
    const double k1s[] = {0.0, 0.3, 0.9, 1.2, 2.0};
    const double bs[] = {0.0, 0.4, 0.75, 1.0};
    for (int round = 0; round < rounds; ++round) {
        const random_index idx(rng, make_dir());
        searcher s(idx.reader);
        multi_segment += idx.reader.segments().size() > 1;
        with_deletions += idx.reader.live_passage_count() < idx.reader.passage_count();
        std::discrete_distribution<std::size_t> pick(idx.zipf.begin(), idx.zipf.end());
        const std::size_t n = idx.reader.passage_count();
        for (int qi = 0; qi < queries; ++qi) {
            analysed_query q;
            const std::size_t terms = 1 + rng() % 8;
            for (std::size_t t = 0; t < terms; ++t) {
                const std::size_t v = rng() % 3 == 0 ? rng() % (idx.vocab + 3) : pick(rng);  // a few unknown words
                const std::string text = word(v);
                const auto it = std::find_if(q.terms.begin(), q.terms.end(), [&](const auto& e) { return e.text == text; });
                if (it != q.terms.end() && rng() % 4 != 0)
                    ++it->count;  // a repeated term
                else
                    q.terms.push_back({text, 1});  // sometimes the same term twice: two identical cursors
            }
            search_options o;
            const std::size_t k_cap = rng() % 3 == 0 ? 100 : 20;
            o.k = rng() % 10 == 0 ? 1 : 1 + rng() % k_cap;
            o.bm25 = {rng() % 3 == 0 ? k1s[rng() % 5] : 0.9, rng() % 3 == 0 ? bs[rng() % 4] : 0.4};
            randomise_model(o.bm25, model_rng);
            ++per_model[static_cast<int>(o.bm25.model)];
            // The body alone (one cursor per term), or the default body + title (a summed cursor
            // per term; the tree evaluates their conjunctions).
            const bool body_only = rng() % 2 == 0;
            if (body_only) o.fields = {{index::field::body, 1.0}};
            CAPTURE(body_only);
            std::vector<std::uint64_t> bits;
            if (rng() % 5 == 0) {
                std::vector<docid_t> allowed;
                const std::size_t density = 1 + rng() % 10;
                for (docid_t d = 0; d < n; ++d)
                    if (rng() % 10 < density) allowed.push_back(d);
                bits = make_passage_filter(allowed, n);
                o.filter = bits;
            }
            const auto model = scoring_model_name(o.bm25.model);
            CAPTURE(round);
            CAPTURE(qi);
            CAPTURE(o.k);
            CAPTURE(model);
            for (const match_mode mode : {match_mode::any, match_mode::all}) {
                o.mode = mode;
                o.algorithm = algorithm::exhaustive;
                const auto want = s.top_k(q, o);
                const auto exhaustive_stats = s.last_stats();
                for (const algorithm a : {algorithm::maxscore, algorithm::block_max_wand, algorithm::automatic}) {
                    if (mode == match_mode::all && a != algorithm::automatic) continue;
                    o.algorithm = a;
                    CHECK(compare(want, s.top_k(q, o), &near) == "");
                    // (The tree's exhaustive conjunction counts the postings it scores otherwise.)
                    if (mode == match_mode::any || body_only)
                        CHECK(s.last_stats().postings_scored <= exhaustive_stats.postings_scored);
                    ++cases;
                }
                // count() agrees with the number of passages an unbounded search returns.
                search_options all = o;
                all.k = n;
                all.algorithm = algorithm::exhaustive;
                CHECK(s.count(q, o) == s.top_k(q, all).size());
            }
        }
        // The filter restricts exactly: a filtered search is the unfiltered one, filtered.
        for (int qi = 0; qi < 5; ++qi) {
            analysed_query q{{{word(pick(rng)), 1}, {word(pick(rng)), 1}, {word(rng() % idx.vocab), 1}}};
            std::vector<docid_t> allowed;
            for (docid_t d = 0; d < n; ++d)
                if (rng() % 3 == 0) allowed.push_back(d);
            const auto bits = make_passage_filter(allowed, n);
            const std::set<docid_t> allowed_set(allowed.begin(), allowed.end());
            search_options o{.k = n, .algorithm = algorithm::exhaustive};
            auto expected = s.top_k(q, o);
            std::erase_if(expected, [&](const scored_doc& e) { return !allowed_set.contains(e.docid); });
            if (expected.size() > 10) expected.resize(10);
            for (const algorithm a : {algorithm::exhaustive, algorithm::maxscore, algorithm::block_max_wand}) {
                CHECK(compare(expected, s.top_k(q, {.k = 10, .algorithm = a, .filter = bits})) == "");
            }
        }
    }
    CHECK(near == 0);  // bit-identical, not merely within 1e-9
    if (rounds >= 8) {
        CHECK(multi_segment > 0);
        CHECK(with_deletions > 0);
    }
    for (const auto n : per_model) CHECK(n > 0);
    MESSAGE("searcher differential cases: " << cases << ", scores not bit-identical: " << near << " (queries per model: BM25 "
                                            << per_model[0] << ", BM25+ " << per_model[1] << ", BM25L " << per_model[2]
                                            << ")");
}
}  // namespace

TEST_CASE("pruning: searcher algorithms agree with exhaustive evaluation on random indexes") {
    searcher_differential(20240607, 40, 120, [] { return std::make_shared<storage::memory_directory>("random"); });
}

TEST_CASE_TEMPLATE("pruning: searcher differential on both directory backends", B, test::fs_backend, test::memory_backend) {
    // A fresh directory per index: the fs backend's folder holds one index.
    std::vector<std::unique_ptr<B>> backends;
    searcher_differential(77, 3, 60, [&] {
        backends.push_back(std::make_unique<B>());
        return backends.back()->make();
    });
}

TEST_CASE("pruning: searcher counts, reports work and validates like search") {
    std::mt19937_64 rng(rapport::test::seed(1));
    const random_index idx(rng, std::make_shared<storage::memory_directory>("stats"));
    searcher s(idx.reader);
    const analysed_query q{{{word(0), 1}, {word(1), 1}, {word(2), 2}}};
    const auto hits = s.top_k(q, {.k = 10, .algorithm = algorithm::exhaustive});
    const auto ex = s.last_stats();
    CHECK(ex.candidates > 0);
    CHECK(ex.postings_scored >= ex.candidates);
    CHECK(s.top_k(q, {.k = 10, .algorithm = algorithm::maxscore}) == hits);
    CHECK(s.last_stats().postings_scored < ex.postings_scored);
    CHECK(s.top_k(q, {.k = 10, .algorithm = algorithm::block_max_wand}) == hits);
    const auto every = s.top_k(q, {.k = idx.reader.passage_count()}).size();
    CHECK(s.count(q) == every);  // (two statements: the operands' evaluation order is unspecified)
    CHECK(s.last_stats() == search_stats{});  // counting scores nothing
    CHECK(s.count(word(0) + " " + word(1)) ==
          s.count(analysed_query{{{word(0), 1}, {word(1), 1}}}));
    CHECK(s.count(analysed_query{}) == 0);
    CHECK(s.count(analysed_query{{{"absent", 1}, {word(0), 1}}}, {.mode = match_mode::all}) == 0);
    CHECK(s.top_k(analysed_query{{{"absent", 1}}}, {.algorithm = algorithm::maxscore}).empty());
    CHECK_THROWS_AS((void)s.top_k(q, {.bm25 = {-1.0, 0.4}, .algorithm = algorithm::block_max_wand}), rapport::invalid_argument);
    // A filter that allows nothing.
    const std::vector<std::uint64_t> none(rapport::bitset_words(idx.reader.passage_count()), 0);
    for (const algorithm a : {algorithm::exhaustive, algorithm::maxscore, algorithm::block_max_wand})
        CHECK(s.top_k(q, {.algorithm = a, .filter = none}).empty());
    CHECK(s.count(q, {.filter = none}) == 0);
}



TEST_CASE("pruning: pruning skips work on skewed lists") {
    // One rare, strong term and one very common, weak one: once the queue holds two passages with
    // both terms, the common list is only probed where the rare term occurs. (Passages that merely
    // tie the threshold are still scored: pruning is strict, so only k = 2 early hits make it cheap.)
    std::vector<std::string> texts;
    for (int i = 0; i < 20000; ++i) texts.push_back(i % 1000 < 2 ? "rare common" : "common filler words here");
    const disk_hand h(texts);
    const std::vector<std::pair<std::string, double>> q{{"common", 1.0}, {"rare", 1.0}};
    search_stats ex, ms, bmw;
    const auto want = run(h, q, algo::exhaustive, 2, {}, accept_all{}, &ex);
    CHECK(compare(want, run(h, q, algo::maxscore, 2, {}, accept_all{}, &ms)) == "");
    CHECK(compare(want, run(h, q, algo::bmw, 2, {}, accept_all{}, &bmw)) == "");
    MESSAGE("postings scored: exhaustive " << ex.postings_scored << ", MaxScore " << ms.postings_scored << ", BMW "
                                           << bmw.postings_scored);
    CHECK(ex.postings_scored == 20040);
    CHECK(ms.postings_scored < ex.postings_scored / 10);
    CHECK(bmw.postings_scored < ex.postings_scored / 10);
}

TEST_CASE("pruning: block and list bounds of format 3 are the exact maxima, for every model and parameters") {
    // The stored (tf, length) frontiers make `block_max_score()` the block's largest real score and
    // `max_score()` the list's (each raised by bm25_bound_margin), whatever k1, b and model a query
    // picks: checked against a scan of every posting.
    std::mt19937 rng(rapport::test::seed(20261202));
    const auto texts = test::skewed_texts(rng, 3000, 2, 60, 40);
    const disk_hand h(texts);
    std::size_t blocks = 0;
    for (int rep = 0; rep < 12; ++rep) {
        bm25_params p;
        p.k1 = std::array{0.0, 0.5, 0.9, 1.2, 3.0}[rng() % 5];
        p.b = std::array{0.0, 0.4, 0.75, 1.0}[rng() % 4];
        randomise_model(p, rng);
        CAPTURE(p.k1);
        CAPTURE(p.b);
        CAPTURE(static_cast<int>(p.model));
        with_similarity(p, [&]<class Model>(const Model& model) {
            const auto norms = length_norms(model, h.seg->lengths(), h.avgdl);
            for (std::size_t w = 0; w < 40; ++w) {
                const auto info = h.seg->find("w" + std::to_string(w));
                if (!info) continue;
                bm25_cursor<codec::block_postings_cursor, Model> c(h.seg->cursor(*info), 1.7, model, h.avgdl, norms);
                const score_t list_bound = c.max_score();
                std::map<docid_t, std::pair<score_t, score_t>> per_block;  // last docid → (bound, real max)
                score_t list_max = 0;
                for (; c.docid() != end_docid; c.next()) {
                    c.shallow_seek(c.docid());
                    auto& [bound, real] = per_block[c.block_last_docid()];
                    bound = c.block_max_score();
                    real = std::max(real, c.score());
                    list_max = std::max(list_max, c.score());
                }
                for (const auto& [last_docid, b] : per_block) {
                    const docid_t last = last_docid;  // CAPTURE's lambda cannot capture a binding (clang 14)
                    CAPTURE(last);
                    CHECK(b.first >= b.second);
                    CHECK(b.first <= b.second * (1 + 3 * bm25_bound_margin));
                    ++blocks;
                }
                CHECK(list_bound >= list_max);
                CHECK(list_bound <= list_max * (1 + 3 * bm25_bound_margin));
            }
        });
    }
    CHECK(blocks > 100);  // lists of several blocks were checked
}
