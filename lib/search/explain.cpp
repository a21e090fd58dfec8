// SPDX-License-Identifier: MIT
#include "rapport/search/explain.hpp"

#include <algorithm>
#include <cstdio>

#include "rapport/core/error.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/search/bm25.hpp"

namespace rapport::search {

explanation explain(searcher& s, const analysed_query& query, docid_t passage, const search_options& options) {
    options.bm25.validate();
    const auto& reader = s.reader();
    if (passage >= reader.passage_count()) throw invalid_argument("explain: passage id out of range");
    const auto [seg, local] = reader.locate(passage);
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
    const double norm = s.length_norms(options.bm25)[segment][local];

    bool all = true;
    bool any = false;
    for (const auto& t : query.terms) {
        term_explanation te;
        te.term = t.text;
        te.count = t.count;
        for (const auto& sg : segments)
            if (const auto info = sg->find(t.text)) te.df += info->df;
        if (te.df == 0) {
            all = false;
            continue;
        }
        te.idf = bm25_idf(e.passages, te.df);
        te.weight = static_cast<score_t>(t.count) * te.idf;
        te.norm = norm;
        if (const auto info = seg->find(t.text)) {
            auto c = seg->cursor(*info);
            c.seek(local);
            if (c.docid() == local) te.tf = c.freq();
        }
        if (te.tf > 0) {
            te.score = bm25_term_score(te.weight, options.bm25.k1, te.tf, norm);
            e.score += te.score;
            any = true;
        } else {
            all = false;
        }
        e.terms.push_back(std::move(te));
    }
    e.matches = !e.deleted && (options.mode == match_mode::all ? all && any : any);
    if (!e.matches) e.score = 0;
    return e;
}

std::string explanation::to_string() const {
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line, "%.6f = sum of %zu term scores (passage %u, dl %u, avgdl %.4f, N %llu, k1 %g, b %g)%s\n",
                  score, terms.size(), passage, length, average_length, static_cast<unsigned long long>(passages),
                  params.k1, params.b, deleted ? " [deleted]" : (matches ? "" : " [no match]"));
    out += line;
    for (const auto& t : terms) {
        std::snprintf(line, sizeof line,
                      "  %.6f  %s: weight %.6f (count %u × idf %.6f, df %llu) × tf %u × (k1+1) / (tf + norm %.6f)\n",
                      t.score, t.term.c_str(), t.weight, t.count, t.idf, static_cast<unsigned long long>(t.df), t.tf,
                      t.norm);
        out += line;
    }
    return out;
}

}  // namespace rapport::search
