// SPDX-License-Identifier: MIT
#include "term_searcher.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "rapport/codec/postings_cursor.hpp"
#include "rapport/core/error.hpp"
#include "rapport/query/query.hpp"
#include "rapport/search/block_max_wand.hpp"
#include "rapport/search/count.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/maxscore.hpp"
#include "rapport/search/ranked_or.hpp"
#include "rapport/search/sum_cursor.hpp"
#include "rapport/search/topk_queue.hpp"
#include "article_queue.hpp"
#include "explain_text.hpp"
#include "length_norms.hpp"
#include "segment_filter.hpp"
#include "statistics_view.hpp"

namespace rapport::search::detail {

namespace {
void check_cursor(const index::disk_segment& seg, const codec::block_postings_cursor& c) {
    if (c.corrupt()) throw corruption_error(seg.postings_path(), std::nullopt, "a postings block failed to decode");
}

// One field of a planned `flat_term`: its dictionary key's statistics and where it lives in each
// segment.
struct field_plan {
    index::field field = index::field::body;
    double boost = 1.0;       // count · boost · field weight: the clause boost in this field
    std::uint64_t df = 0;     // over the snapshot
    std::vector<std::optional<codec::term_info>> infos;  // per segment
};
using flat_plan = std::vector<std::vector<field_plan>>;  // per term, its fields with postings

// Looks the query's terms up in every segment, each in its own field or in every field of
// `options`. Statistics are over the whole snapshot, so a passage scores the same however the index
// is split into segments: N and df count every passage of the snapshot (deleted ones too, as Lucene
// does, until a merge drops them). Fields without postings anywhere are dropped, and terms found in
// none, except that a conjunction with such a term matches nothing (empty plan).
flat_plan make_flat_plan(const index::index_reader& reader, const flat_query& query, const search_options& options) {
    flat_plan plan;
    for (const auto& t : query) {
        if (!(t.boost >= 0.0 && t.boost <= rapport::query::max_boost))
            throw invalid_argument("search: term boosts must lie in [0, 1e9] (query::max_boost)");
        std::vector<field_plan> parts;
        const auto add = [&](index::field f, double weight) {
            field_plan p;
            p.field = f;
            // The tree's order of products: (count · boost) · field weight, then · idf.
            p.boost = static_cast<double>(t.count) * t.boost * weight;
            const auto key = index::field_term(f, t.text);
            std::uint64_t here = 0;  // this snapshot's df
            for (const auto& seg : reader.segments()) {
                p.infos.push_back(seg->find(key));
                if (p.infos.back()) here += p.infos.back()->df;
            }
            p.df = options.statistics != nullptr ? detail::doc_freq(reader, key, options) : here;
            if (options.statistics != nullptr && p.df < here)
                throw invalid_argument("search: the statistics given (search_options::statistics) count fewer passages "
                                       "with '" + t.text + "' than this index holds: they must include this index's");
            if (here > 0) parts.push_back(std::move(p));
        };
        if (t.field)
            add(*t.field, 1.0);
        else
            for (const auto& fw : options.fields) add(fw.field, fw.weight);
        if (parts.empty()) {
            if (options.mode == match_mode::all) return {};
            continue;
        }
        plan.push_back(std::move(parts));
    }
    return plan;
}

template <class C>
std::uint64_t list_cost(const C& c) noexcept {
    if constexpr (requires { c.cost(); })
        return c.cost();
    else
        return c.base().size();
}

template <class C>
void check_cursor(const index::disk_segment& seg, const C& c) {
    if constexpr (requires { c.members(); }) {
        for (std::size_t m = 0; m < c.members(); ++m) check_cursor(seg, c.member(m).base());
    } else {
        check_cursor(seg, c.base());
    }
}

// The normalisers and mean lengths of every field, for one query.
struct field_scoring {
    std::array<std::shared_ptr<const index::length_norm_table>, index::field_count> norms{};
    std::array<double, index::field_count> avgdl{};
};

// Evaluates a planned query with one scoring model over every segment into `top`: the body of
// `top_k`, instantiated once per model and cursor type (one field per term, or a sum of fields),
// so that the model is chosen once per query.
template <class Cursor, Similarity Model, class Queue, class Make>
void evaluate(const index::index_reader& reader, const flat_plan& plan, const search_options& options,
              Queue& top, search_stats& stats, Make make) {
    const auto segments = reader.segments();
    // Summed fields (a sum_cursor per term) bound their scores by the sum of the fields' bounds,
    // loose enough that pruning never paid: measured as `choose_algorithm` was, with the default
    // body + title^0.5, block-max WAND lost to exhaustive evaluation at every query length, at
    // k = 10 (p50 108 against 76 µs on 2 words, 282 against 200 on 4) and k = 1000.
    constexpr bool summed = requires(const Cursor& c) { c.members(); };
    const algorithm algo = summed && options.algorithm == algorithm::automatic
                               ? algorithm::exhaustive
                               : choose_algorithm(options.algorithm, plan.size(), options.k);
    std::vector<Cursor> cursors;
    cursors.reserve(plan.size());  // cursors hold decoded blocks: moving them is not free
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& seg = *segments[i];
        cursors.clear();
        bool missing = false;
        for (std::size_t t = 0; t < plan.size(); ++t)
            if (!make(cursors, t, i)) missing = true;
        if (cursors.empty() || (missing && options.mode == match_mode::all)) continue;
        const docid_t base = reader.bases()[i];
        if constexpr (requires { top.begin_segment(base, seg.article_numbers(), 0u); })
            top.begin_segment(base, seg.article_numbers(), static_cast<std::uint32_t>(i));
        const std::span<Cursor> span(cursors);
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
                             [](const Cursor& a, const Cursor& b) { return list_cost(a) < list_cost(b); });
            detail::with_filter(seg, base, options.filter, [&](auto accept) {
                if (options.algorithm == algorithm::exhaustive)
                    ranked_and(span, top, accept, base, &stats);
                else
                    block_max_and(span, top, accept, base, &stats);
            });
        }
        for (const auto& c : cursors) check_cursor(seg, c);
    }
}

// `evaluate` with the term cursors of `model`: one per term when every term has one field with
// postings, else one `sum_cursor` of its field cursors per term.
template <Similarity Model, class Queue>
void evaluate(const index::index_reader& reader, const flat_plan& plan, const search_options& options,
              const Model& model, const field_scoring& fs, Queue& top, search_stats& stats) {
    using term_cursor = bm25_cursor<codec::block_postings_cursor, Model>;
    std::vector<std::vector<score_t>> weights;  // per term and field
    weights.reserve(plan.size());
    bool single = true;
    for (const auto& parts : plan) {
        auto& w = weights.emplace_back();
        for (const auto& p : parts) w.push_back(p.boost * model.idf(passages(reader, options), p.df));
        single = single && parts.size() == 1;
    }
    const auto field_cursor = [&](std::size_t t, std::size_t m, std::size_t i) {
        const auto& p = plan[t][m];
        const auto f = static_cast<std::size_t>(p.field);
        return term_cursor(reader.segments()[i]->cursor(*p.infos[i]), weights[t][m], model, fs.avgdl[f], (*fs.norms[f])[i]);
    };
    if (single) {
        evaluate<term_cursor, Model>(reader, plan, options, top, stats,
                                     [&](std::vector<term_cursor>& out, std::size_t t, std::size_t i) {
                                         if (!plan[t].front().infos[i]) return false;
                                         out.push_back(field_cursor(t, 0, i));
                                         return true;
                                     });
        return;
    }
    using summed = sum_cursor<term_cursor, index::field_count>;
    evaluate<summed, Model>(reader, plan, options, top, stats, [&](std::vector<summed>& out, std::size_t t, std::size_t i) {
        summed sum;
        for (std::size_t m = 0; m < plan[t].size(); ++m)
            if (const auto& info = plan[t][m].infos[i]) sum.add(field_cursor(t, m, i), info->df);
        if (sum.members() == 0) return false;
        out.push_back(std::move(sum));
        return true;
    });
}

// The term-by-term part of `explain`, for one model: the same idf, normaliser and score functions
// as the cursors, summed in the same order (see below). Fills `e.details` (one per query term
// found in the index) and `e.value`.
template <Similarity Model>
void explain_terms(const Model& model, const index::index_reader& reader, const analysed_query& query,
                   const search_options& options, const index::disk_segment& seg, docid_t local, double norm,
                   explanation& e, bool& all, bool& any) {
    // (postings in this segment, score) of each term the passage holds, in query order.
    std::vector<std::pair<std::uint64_t, score_t>> parts;
    const auto n = passages(reader, options);
    for (const auto& t : query.terms) {
        const std::uint64_t df = doc_freq(reader, t.text, options);
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
    if (options.mode == match_mode::all)
        std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& p : parts) e.value += p.second;
}
}  // namespace

flat_query to_flat(const analysed_query& query) {
    flat_query out;
    out.reserve(query.terms.size());
    for (const auto& t : query.terms) out.push_back({t.text, t.count, t.boost, std::nullopt});
    return out;
}

template <class Queue>
std::vector<scored_doc> term_searcher::run(const flat_query& query, const search_options& options,
                                           search_stats& stats) const {
    options.bm25.validate();
    const auto& reader = *reader_;
    if (query.empty() || options.k == 0 || reader.passage_count() == 0) return {};
    const auto plan = make_flat_plan(reader, query, options);
    if (plan.empty()) return {};

    // Held for the whole query: the cache may evict a table meanwhile, never free it under us.
    field_scoring fs;
    for (const auto& parts : plan)
        for (const auto& p : parts) {
            const auto f = static_cast<std::size_t>(p.field);
            if (fs.norms[f]) continue;
            fs.norms[f] = norms(options, p.field);
            const double avgdl = detail::average_length(reader, p.field, options);
            fs.avgdl[f] = avgdl > 0 ? avgdl : 1.0;
        }
    Queue top(static_cast<std::size_t>(std::min<std::uint64_t>(options.k, reader.passage_count())));  // huge k: no memory
    // The one dispatch on the scoring model: everything below it is compiled per model.
    with_similarity(options.bm25, [&](const auto& model) { evaluate(reader, plan, options, model, fs, top, stats); });
    return top.finish();
}

std::vector<scored_doc> term_searcher::top_k(const flat_query& query, const search_options& options,
                                             search_stats& stats) const {
    return run<topk_queue>(query, options, stats);
}

std::vector<scored_doc> term_searcher::top_k_articles(const flat_query& query, const search_options& options,
                                                      search_stats& stats) const {
    return run<article_topk_queue>(query, options, stats);
}

std::optional<std::uint64_t> term_searcher::count(const flat_query& query, const search_options& options) const {
    const auto& reader = *reader_;
    if (query.empty() || reader.passage_count() == 0) return 0;
    const auto plan = make_flat_plan(reader, query, options);
    if (plan.empty()) return 0;
    if (options.mode == match_mode::all &&
        std::any_of(plan.begin(), plan.end(), [](const auto& parts) { return parts.size() > 1; }))
        return std::nullopt;  // a conjunction of unions: the tree counts it
    const auto segments = reader.segments();
    std::uint64_t total = 0;
    std::vector<codec::block_postings_cursor> cursors;
    cursors.reserve(plan.size());
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& seg = *segments[i];
        cursors.clear();
        bool missing = false;
        for (const auto& parts : plan) {
            // Under `any` every field of every term joins the union; under `all` a term has one.
            bool found = false;
            for (const auto& part : parts)
                if (const auto& info = part.infos[i]) {
                    cursors.push_back(seg.cursor(*info));
                    found = true;
                }
            missing = missing || !found;
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
    const double norm = (*norms(options, index::field::body))[segment][local];

    explanation e;
    bool all = true;
    bool any = false;
    std::string context;
    with_similarity(options.bm25, [&](const auto& model) {
        explain_terms(model, reader, query, options, *seg, local, norm, e, all, any);
        context = passage_text(model, passages(reader, options), passage, *seg, local);
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

std::shared_ptr<const index::length_norm_table> term_searcher::norms(const search_options& options, index::field f) const {
    const double avgdl = detail::average_length(*reader_, f, options);
    return shared_length_norms(*reader_, options.bm25, avgdl > 0 ? avgdl : 1.0, {{f, 1.0}});
}

double term_searcher::average_length(index::field f) const noexcept {
    const auto n = reader_->passage_count();
    return n == 0 ? 0.0 : static_cast<double>(reader_->total_length(f)) / static_cast<double>(n);
}

}  // namespace rapport::search::detail
