// SPDX-License-Identifier: MIT
#include "rapport/search/searcher.hpp"

#include <algorithm>
#include <optional>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/core/utf8.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/ranked_or.hpp"
#include "rapport/search/topk_queue.hpp"

namespace rapport::search {

namespace {
analysis::analyzer_options query_analyzer_options(analysis::analyzer_options o) {
    // Typed queries never throw over encoding: damaged bytes become U+FFFD, which matches nothing.
    o.invalid_utf8 = invalid_utf8_policy::replace;
    return o;
}
}  // namespace

struct searcher::impl {
    explicit impl(const index::memory_index& i)
        : index(i), analyzer(query_analyzer_options(i.options().analyzer)) {}

    const std::vector<double>& norms_for(const bm25_params& p) {
        if (!norms || norms_params != p) {
            const auto& seg = index.passages();
            const double avgdl = average_length();
            norms = bm25_length_norms(seg.lengths(), avgdl > 0 ? avgdl : 1.0, p);
            norms_params = p;
        }
        return *norms;
    }

    double average_length() const noexcept {
        const auto& seg = index.passages();
        return seg.size() == 0 ? 0.0 : static_cast<double>(seg.total_length()) / static_cast<double>(seg.size());
    }

    const index::memory_index& index;
    analysis::analyzer analyzer;
    std::vector<analysis::token> tokens;
    std::optional<std::vector<double>> norms;
    bm25_params norms_params;
};

searcher::searcher(const index::memory_index& index) : impl_(std::make_unique<impl>(index)) {}
searcher::~searcher() = default;
searcher::searcher(searcher&&) noexcept = default;
searcher& searcher::operator=(searcher&&) noexcept = default;

analysed_query searcher::analyze(std::string_view query) {
    impl_->analyzer.analyze(query, impl_->tokens);
    analysed_query out;
    for (const auto& t : impl_->tokens) {
        auto it = std::find_if(out.terms.begin(), out.terms.end(), [&](const auto& q) { return q.text == t.term; });
        if (it != out.terms.end())
            ++it->count;
        else
            out.terms.push_back({t.term, 1});
    }
    return out;
}

std::vector<hit> searcher::search(std::string_view query, const search_options& options) {
    return search(analyze(query), options);
}

std::vector<hit> searcher::search(const analysed_query& query, const search_options& options) {
    std::vector<hit> hits;
    for (const auto& e : top_k(query, options)) hits.push_back(fetch(e));
    return hits;
}

hit searcher::fetch(const scored_doc& doc) const {
    const auto& seg = impl_->index.passages();
    const auto& p = seg.passage(doc.docid);
    const auto& a = seg.article(p.article);
    return {doc.docid, a.id, a.title, p.ordinal, p.begin, p.end, doc.score, p.text};
}

std::vector<scored_doc> searcher::top_k(const analysed_query& query, const search_options& options) {
    options.bm25.validate();
    auto& s = *impl_;
    const auto& seg = s.index.passages();
    std::vector<scored_doc> hits;
    if (query.terms.empty() || options.k == 0 || seg.size() == 0) return hits;

    const auto& norms = s.norms_for(options.bm25);
    using cursor_t = bm25_cursor<index::postings_cursor>;
    std::vector<cursor_t> cursors;
    cursors.reserve(query.terms.size());
    for (const auto& t : query.terms) {
        auto c = seg.cursor(t.text);
        if (c.size() == 0) {
            if (options.mode == match_mode::all) return hits;  // a missing term empties a conjunction
            continue;
        }
        const score_t weight = static_cast<score_t>(t.count) * bm25_idf(seg.size(), c.size());
        cursors.emplace_back(c, weight, options.bm25.k1, norms);
    }
    if (cursors.empty()) return hits;

    topk_queue top(options.k);
    if (options.mode == match_mode::any) {
        ranked_or(std::span<cursor_t>(cursors), top);
    } else {
        // The rarest term leads the conjunction (fewest candidates to verify).
        std::stable_sort(cursors.begin(), cursors.end(),
                         [](const cursor_t& a, const cursor_t& b) { return a.base().size() < b.base().size(); });
        ranked_and(std::span<cursor_t>(cursors), top);
    }

    return top.finish();
}

highlight::snippet searcher::snippet(const hit& h, const analysed_query& query, const highlight::snippet_options& options) {
    impl_->analyzer.analyze(h.text, impl_->tokens);
    std::vector<std::string_view> terms;
    terms.reserve(query.terms.size());
    for (const auto& t : query.terms) terms.push_back(t.text);
    return highlight::make_snippet(h.text, impl_->tokens, terms, options);
}

std::size_t searcher::passage_count() const noexcept { return impl_->index.passages().size(); }
double searcher::average_length() const noexcept { return impl_->average_length(); }

}  // namespace rapport::search
