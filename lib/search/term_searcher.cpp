// SPDX-License-Identifier: MIT
#include "term_searcher.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "rapport/codec/postings_cursor.hpp"
#include "rapport/core/error.hpp"
#include "rapport/search/block_max_wand.hpp"
#include "rapport/search/count.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/maxscore.hpp"
#include "rapport/search/ranked_or.hpp"
#include "rapport/search/topk_queue.hpp"
#include "article_queue.hpp"
#include "explain_text.hpp"
#include "length_norms.hpp"
#include "segment_filter.hpp"

namespace rapport::search::detail {

namespace {
// The per-term plan of a query: its statistics and where it lives in each segment.
struct term_plan {
    std::uint64_t df = 0;     // over the snapshot
    std::uint32_t count = 0;  // occurrences in the query: the clause boost
    double boost = 1.0;       // the caller's boost of the term
    std::vector<std::optional<codec::term_info>> infos;  // per segment
};

// Looks the query's terms up in every segment. Statistics are over the whole snapshot, so a passage
// scores the same however the index is split into segments: N and df count every passage of the
// snapshot (deleted ones too, as Lucene does, until a merge drops them). Terms found nowhere are
// dropped, except that a conjunction with such a term matches nothing (empty plan).
std::vector<term_plan> make_plan(const index::index_reader& reader, const analysed_query& query, match_mode mode) {
    std::vector<term_plan> plan;
    for (const auto& t : query.terms) {
        if (!(t.boost >= 0.0) || !std::isfinite(t.boost))
            throw invalid_argument("search: term boosts must be finite and >= 0");
        term_plan p;
        std::uint64_t df = 0;
        for (const auto& seg : reader.segments()) {
            p.infos.push_back(seg->find(t.text));
            if (p.infos.back()) df += p.infos.back()->df;
        }
        if (df == 0) {
            if (mode == match_mode::all) return {};
            continue;
        }
        p.df = df;
        p.count = t.count;
        p.boost = t.boost;
        plan.push_back(std::move(p));
    }
    return plan;
}

void check_cursor(const index::disk_segment& seg, const codec::block_postings_cursor& c) {
    if (c.corrupt()) throw corruption_error(seg.postings_path(), std::nullopt, "a postings block failed to decode");
}

// Evaluates a planned query with one scoring model over every segment into `top`: the body of
// `top_k`, instantiated once per model, so that the model is chosen once per query.
template <Similarity Model, class Queue>
void evaluate(const index::index_reader& reader, const std::vector<term_plan>& plan, const search_options& options,
              const Model& model, double avgdl, const std::vector<std::vector<double>>& norms, Queue& top,
              search_stats& stats) {
    const auto segments = reader.segments();
    const algorithm algo = choose_algorithm(options.algorithm, plan.size(), options.k);
    std::vector<score_t> weights;
    weights.reserve(plan.size());
    for (const auto& p : plan)
        weights.push_back(static_cast<score_t>(p.count) * p.boost * model.idf(reader.passage_count(), p.df));
    using cursor_t = bm25_cursor<codec::block_postings_cursor, Model>;
    std::vector<cursor_t> cursors;
    cursors.reserve(plan.size());  // cursors hold decoded blocks: moving them is not free
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& seg = *segments[i];
        cursors.clear();
        bool missing = false;
        for (std::size_t t = 0; t < plan.size(); ++t) {
            if (!plan[t].infos[i]) {
                missing = true;
                continue;
            }
            cursors.emplace_back(seg.cursor(*plan[t].infos[i]), weights[t], model, avgdl, norms[i]);
        }
        if (cursors.empty() || (missing && options.mode == match_mode::all)) continue;
        const docid_t base = reader.bases()[i];
        if constexpr (requires { top.begin_segment(base, seg.article_numbers(), 0u); })
            top.begin_segment(base, seg.article_numbers(), static_cast<std::uint32_t>(i));
        const std::span<cursor_t> span(cursors);
        if (options.mode == match_mode::any) {
            // Segments go in ascending docid order into one queue, so a later segment starts with
            // the threshold the earlier ones reached.
            detail::with_filter(seg, base, options.filter, [&](auto accept) {
                switch (algo) {
                    case algorithm::maxscore: maxscore(span, top, accept, base, &stats); break;
                    case algorithm::block_max_wand: block_max_wand(span, top, accept, base, &stats); break;
                    default: ranked_or(span, top, accept, base, &stats); break;
                }
            });
        } else {
            // The rarest term leads the conjunction (fewest candidates to verify).
            std::stable_sort(cursors.begin(), cursors.end(),
                             [](const cursor_t& a, const cursor_t& b) { return a.base().size() < b.base().size(); });
            detail::with_filter(seg, base, options.filter, [&](auto accept) {
                if (options.algorithm == algorithm::exhaustive)
                    ranked_and(span, top, accept, base, &stats);
                else
                    block_max_and(span, top, accept, base, &stats);
            });
        }
        for (const auto& c : cursors) check_cursor(seg, c.base());
    }
}

// The term-by-term part of `explain`, for one model: the same idf, normaliser and score functions
// as the cursors, summed in the same order (see below). Fills `e.details` (one per query term
// found in the index) and `e.value`.
template <Similarity Model>
void explain_terms(const Model& model, const index::index_reader& reader, const analysed_query& query, match_mode mode,
                   const index::disk_segment& seg, docid_t local, double norm, explanation& e, bool& all, bool& any) {
    // (postings in this segment, score) of each term the passage holds, in query order.
    std::vector<std::pair<std::uint64_t, score_t>> parts;
    const auto n = reader.passage_count();
    for (const auto& t : query.terms) {
        std::uint64_t df = 0;
        for (const auto& sg : reader.segments())
            if (const auto info = sg->find(t.text)) df += info->df;
        if (df == 0) {
            all = false;
            continue;
        }
        const double idf = model.idf(n, df);
        const score_t weight = static_cast<score_t>(t.count) * t.boost * idf;
        std::uint32_t tf = 0;
        std::uint64_t segment_df = 0;
        if (const auto info = seg.find(t.text)) {
            auto c = seg.cursor(*info);
            segment_df = c.size();
            c.seek(local);
            if (c.docid() == local) tf = c.freq();
        }
        explanation te;
        te.matches = tf > 0;
        if (tf > 0) {
            te.value = model.score(weight, static_cast<double>(tf), norm);
            parts.emplace_back(segment_df, te.value);
            any = true;
        } else {
            all = false;
        }
        te.description = term_text(model, t.text, weight, static_cast<double>(t.count) * t.boost, df, tf, norm);
        e.details.push_back(std::move(te));
    }
    // A disjunction sums its cursors in query order; a conjunction puts the segment's rarest list
    // first (a stable sort on list length, as `run` does before `ranked_and` and `block_max_and`),
    // and floating-point addition is not associative: the same order gives the same bits.
    if (mode == match_mode::all)
        std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& p : parts) e.value += p.second;
}
}  // namespace

template <class Queue>
std::vector<scored_doc> term_searcher::run(const analysed_query& query, const search_options& options,
                                           search_stats& stats) const {
    options.bm25.validate();
    const auto& reader = *reader_;
    if (query.terms.empty() || options.k == 0 || reader.passage_count() == 0) return {};
    const auto plan = make_plan(reader, query, options.mode);
    if (plan.empty()) return {};

    // Held for the whole query: the cache may evict the table meanwhile, never free it under us.
    const auto table = norms(options.bm25);
    Queue top(options.k);
    const double avgdl = average_length();
    // The one dispatch on the scoring model: everything below it is compiled per model.
    with_similarity(options.bm25, [&](const auto& model) {
        evaluate(reader, plan, options, model, avgdl > 0 ? avgdl : 1.0, *table, top, stats);
    });
    return top.finish();
}

std::vector<scored_doc> term_searcher::top_k(const analysed_query& query, const search_options& options,
                                             search_stats& stats) const {
    return run<topk_queue>(query, options, stats);
}

std::vector<scored_doc> term_searcher::top_k_articles(const analysed_query& query, const search_options& options,
                                                      search_stats& stats) const {
    return run<article_topk_queue>(query, options, stats);
}

std::uint64_t term_searcher::count(const analysed_query& query, const search_options& options) const {
    const auto& reader = *reader_;
    if (query.terms.empty() || reader.passage_count() == 0) return 0;
    const auto plan = make_plan(reader, query, options.mode);
    if (plan.empty()) return 0;
    const auto segments = reader.segments();
    std::uint64_t total = 0;
    std::vector<codec::block_postings_cursor> cursors;
    cursors.reserve(plan.size());
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& seg = *segments[i];
        cursors.clear();
        bool missing = false;
        for (const auto& p : plan) {
            if (p.infos[i])
                cursors.push_back(seg.cursor(*p.infos[i]));
            else
                missing = true;
        }
        if (cursors.empty() || (missing && options.mode == match_mode::all)) continue;
        const std::span<codec::block_postings_cursor> span(cursors);
        with_filter(seg, reader.bases()[i], options.filter, [&](auto accept) {
            if (options.mode == match_mode::any) {
                total += count_or(span, accept);
            } else {
                std::stable_sort(cursors.begin(), cursors.end(),
                                 [](const auto& a, const auto& b) { return a.size() < b.size(); });
                total += count_and(span, accept);
            }
        });
        for (const auto& c : cursors) check_cursor(seg, c);
    }
    return total;
}

explanation term_searcher::explain(const analysed_query& query, docid_t passage, const search_options& options) const {
    options.bm25.validate();
    const auto& reader = *reader_;
    if (passage >= reader.passage_count()) throw invalid_argument("explain: passage id out of range");
    // Named variables, not a structured binding: lambdas below capture them (clang 14 cannot).
    const auto located = reader.locate(passage);
    const auto* seg = located.first;
    const docid_t local = located.second;
    const auto segments = reader.segments();
    const auto segment = static_cast<std::size_t>(
        std::find_if(segments.begin(), segments.end(), [&](const auto& p) { return p.get() == seg; }) - segments.begin());
    // The cursors' own normaliser for this passage, so the score is bit-identical to theirs.
    const double norm = (*norms(options.bm25))[segment][local];

    explanation e;
    bool all = true;
    bool any = false;
    std::string context;
    with_similarity(options.bm25, [&](const auto& model) {
        explain_terms(model, reader, query, options.mode, *seg, local, norm, e, all, any);
        context = passage_text(model, reader, passage, *seg, local);
    });
    const bool deleted = seg->is_deleted(local);
    const bool filtered = !options.filter.empty() && !test_bit(options.filter, passage);
    e.matches = !deleted && !filtered && (options.mode == match_mode::all ? all && any : any);
    if (deleted)
        e.description = "the passage is deleted: it is never returned";
    else if (filtered)
        e.description = "the passage is outside the filter: it is never returned";
    else if (!e.matches)
        e.description = "the query does not match this passage";
    else
        e.description = options.mode == match_mode::all ? "sum of every term's score (all terms required)"
                                                        : "sum of the matching terms' scores";
    if (!e.matches) e.value = 0;
    e.description += context;
    return e;
}

std::shared_ptr<const index::length_norm_table> term_searcher::norms(const bm25_params& params) const {
    const double avgdl = average_length();
    return shared_length_norms(*reader_, params, avgdl > 0 ? avgdl : 1.0, {{index::field::body, 1.0}});
}

double term_searcher::average_length() const noexcept {
    const auto n = reader_->passage_count();
    return n == 0 ? 0.0 : static_cast<double>(reader_->total_length()) / static_cast<double>(n);
}

}  // namespace rapport::search::detail
