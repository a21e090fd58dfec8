// SPDX-License-Identifier: MIT
#include "rapport/search/explain.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/search/bm25.hpp"

namespace rapport::search {

namespace {
// The term-by-term part of `explain`, for one model: the same idf, normaliser and score functions
// as the searcher's cursors, summed in the same order (see below).
template <Similarity Model>
void explain_terms(const Model& model, const searcher& s, const analysed_query& query, match_mode mode,
                   const index::disk_segment& seg, docid_t local, double norm, explanation& e, bool& all, bool& any) {
    // (postings in this segment, score) of each term the passage holds, in query order.
    std::vector<std::pair<std::uint64_t, score_t>> parts;
    for (const auto& t : query.terms) {
        term_explanation te;
        te.term = t.text;
        te.count = t.count;
        for (const auto& sg : s.reader().segments())
            if (const auto info = sg->find(t.text)) te.df += info->df;
        if (te.df == 0) {
            all = false;
            continue;
        }
        te.idf = model.idf(e.passages, te.df);
        te.weight = static_cast<score_t>(t.count) * t.boost * te.idf;
        te.norm = norm;
        std::uint64_t segment_df = 0;
        if (const auto info = seg.find(t.text)) {
            auto c = seg.cursor(*info);
            segment_df = c.size();
            c.seek(local);
            if (c.docid() == local) te.tf = c.freq();
        }
        if (te.tf > 0) {
            te.score = model.score(te.weight, static_cast<double>(te.tf), norm);
            parts.emplace_back(segment_df, te.score);
            any = true;
        } else {
            all = false;
        }
        e.terms.push_back(std::move(te));
    }
    // A disjunction sums its cursors in query order; a conjunction puts the segment's rarest list
    // first (a stable sort on list length, as `searcher::top_k` does before `ranked_and` and
    // `block_max_and`), and floating-point addition is not associative: the same order gives the
    // same bits.
    if (mode == match_mode::all)
        std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& p : parts) e.score += p.second;
}
}  // namespace

explanation explain(const searcher& s, const analysed_query& query, docid_t passage, const search_options& options) {
    options.bm25.validate();
    const auto& reader = s.reader();
    if (passage >= reader.passage_count()) throw invalid_argument("explain: passage id out of range");
    // Named variables, not a structured binding: lambdas below capture them (clang 14 cannot).
    const auto located = reader.locate(passage);
    const auto* seg = located.first;
    const docid_t local = located.second;
    const auto segments = reader.segments();

    explanation e;
    e.passage = passage;
    e.deleted = seg->is_deleted(local);
    e.passages = reader.passage_count();
    e.average_length = s.average_length();
    e.length = seg->lengths()[local];
    e.params = options.bm25;
    // The searcher's own normaliser for this passage, so the score is bit-identical to its.
    const auto segment = static_cast<std::size_t>(
        std::find_if(segments.begin(), segments.end(), [&](const auto& p) { return p.get() == seg; }) - segments.begin());
    const double norm = (*s.length_norms(options.bm25))[segment][local];

    bool all = true;
    bool any = false;
    with_similarity(options.bm25,
                    [&](const auto& model) { explain_terms(model, s, query, options.mode, *seg, local, norm, e, all, any); });
    e.matches = !e.deleted && (options.mode == match_mode::all ? all && any : any);
    if (!e.matches) e.score = 0;
    return e;
}

std::string explanation::to_string() const {
    std::string out;
    char line[512];
    const auto model = params.model;
    if (model == scoring_model::bm25) {
        std::snprintf(line, sizeof line, "%.6f = sum of %zu term scores (passage %u, dl %u, avgdl %.4f, N %llu, k1 %g, b %g)%s\n",
                      score, terms.size(), passage, length, average_length, static_cast<unsigned long long>(passages),
                      params.k1, params.b, deleted ? " [deleted]" : (matches ? "" : " [no match]"));
    } else {
        const double delta = model == scoring_model::bm25_plus ? bm25_plus_model::of(params).delta : bm25l_model::of(params).delta;
        std::snprintf(line, sizeof line,
                      "%.6f = sum of %zu term scores (passage %u, dl %u, avgdl %.4f, N %llu, %s, k1 %g, b %g, delta %g)%s\n",
                      score, terms.size(), passage, length, average_length, static_cast<unsigned long long>(passages),
                      std::string(scoring_model_name(model)).c_str(), params.k1, params.b, delta,
                      deleted ? " [deleted]" : (matches ? "" : " [no match]"));
    }
    out += line;
    for (const auto& t : terms) {
        const auto df = static_cast<unsigned long long>(t.df);
        switch (model) {
            case scoring_model::bm25_plus:
                std::snprintf(line, sizeof line,
                              "  %.6f  %s: weight %.6f (count %u × idf %.6f, df %llu) × (tf %u × (k1+1) / (tf + norm %.6f) + delta)\n",
                              t.score, t.term.c_str(), t.weight, t.count, t.idf, df, t.tf, t.norm);
                break;
            case scoring_model::bm25l:
                std::snprintf(line, sizeof line,
                              "  %.6f  %s: weight %.6f (count %u × idf %.6f, df %llu) × (k1+1)(c + delta) / (k1 + c + delta), "
                              "c = tf %u / norm %.6f\n",
                              t.score, t.term.c_str(), t.weight, t.count, t.idf, df, t.tf, t.norm);
                break;
            case scoring_model::bm25:
                std::snprintf(line, sizeof line,
                              "  %.6f  %s: weight %.6f (count %u × idf %.6f, df %llu) × tf %u × (k1+1) / (tf + norm %.6f)\n",
                              t.score, t.term.c_str(), t.weight, t.count, t.idf, df, t.tf, t.norm);
                break;
        }
        out += line;
    }
    return out;
}

}  // namespace rapport::search
