// SPDX-License-Identifier: MIT
#include "rapport/search/searcher.hpp"

#include <algorithm>
#include <map>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/codec/postings_cursor.hpp"
#include "rapport/core/error.hpp"
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

// Rejects deleted passages of one segment.
struct not_deleted {
    std::span<const std::uint64_t> bits;
    bool operator()(docid_t d) const noexcept { return ((bits[d >> 6] >> (d & 63)) & 1u) == 0; }
};
}  // namespace

struct searcher::impl {
    explicit impl(index::index_reader r) : reader(std::move(r)), analyzer(query_analyzer_options(reader.options().analyzer)) {}

    // Length normalisers per segment for one parameter setting, computed once per searcher.
    const std::vector<std::vector<double>>& norms_for(const bm25_params& p) {
        if (norms_params != p || norms.empty()) {
            norms.clear();
            const double avgdl = average_length();
            for (const auto& seg : reader.segments())
                norms.push_back(bm25_length_norms(seg->lengths(), avgdl > 0 ? avgdl : 1.0, p));
            norms_params = p;
        }
        return norms;
    }

    [[nodiscard]] double average_length() const noexcept {
        const auto n = reader.passage_count();
        return n == 0 ? 0.0 : static_cast<double>(reader.total_length()) / static_cast<double>(n);
    }

    index::index_reader reader;
    analysis::analyzer analyzer;
    std::vector<analysis::token> tokens;
    std::vector<std::vector<double>> norms;
    bm25_params norms_params;
};

searcher::searcher(const index::index_reader& reader) : impl_(std::make_unique<impl>(reader)) {}
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
    const auto [seg, local] = impl_->reader.locate(doc.docid);
    auto p = seg->passage(local);
    auto a = seg->article(p.article);
    return {doc.docid, std::move(a.id), std::move(a.title), p.ordinal, p.begin, p.end, doc.score, std::move(p.text)};
}

index::article_record searcher::fetch_article(docid_t docid) const {
    const auto [seg, local] = impl_->reader.locate(docid);
    return seg->article(seg->article_of(local));
}

std::vector<scored_doc> searcher::top_k(const analysed_query& query, const search_options& options) {
    options.bm25.validate();
    auto& s = *impl_;
    const auto& reader = s.reader;
    if (query.terms.empty() || options.k == 0 || reader.passage_count() == 0) return {};

    // Statistics over the whole snapshot, so a passage scores the same however the index is split
    // into segments: N and df count every passage of the snapshot (deleted ones too, as Lucene
    // does, until a merge drops them).
    const auto segments = reader.segments();
    struct term_plan {
        score_t weight = 0;
        std::vector<std::optional<codec::term_info>> infos;  // per segment
    };
    std::vector<term_plan> plan;
    for (const auto& t : query.terms) {
        term_plan p;
        std::uint64_t df = 0;
        for (const auto& seg : segments) {
            p.infos.push_back(seg->find(t.text));
            if (p.infos.back()) df += p.infos.back()->df;
        }
        if (df == 0) {
            if (options.mode == match_mode::all) return {};
            continue;
        }
        p.weight = static_cast<score_t>(t.count) * bm25_idf(reader.passage_count(), df);
        plan.push_back(std::move(p));
    }
    if (plan.empty()) return {};

    const auto& norms = s.norms_for(options.bm25);
    using cursor_t = bm25_cursor<codec::block_postings_cursor>;
    topk_queue top(options.k);
    std::vector<cursor_t> cursors;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& seg = *segments[i];
        cursors.clear();
        bool missing = false;
        for (const auto& p : plan) {
            if (!p.infos[i]) {
                missing = true;
                continue;
            }
            cursors.emplace_back(seg.cursor(*p.infos[i]), p.weight, options.bm25.k1, norms[i]);
        }
        if (cursors.empty() || (missing && options.mode == match_mode::all)) continue;
        const docid_t base = reader.bases()[i];
        const std::span<cursor_t> span(cursors);
        if (options.mode == match_mode::any) {
            if (seg.deleted_count() == 0)
                ranked_or(span, top, accept_all{}, base);
            else
                ranked_or(span, top, not_deleted{seg.deletion_bits()}, base);
        } else {
            // The rarest term leads the conjunction (fewest candidates to verify).
            std::stable_sort(cursors.begin(), cursors.end(),
                             [](const cursor_t& a, const cursor_t& b) { return a.base().size() < b.base().size(); });
            if (seg.deleted_count() == 0)
                ranked_and(span, top, accept_all{}, base);
            else
                ranked_and(span, top, not_deleted{seg.deletion_bits()}, base);
        }
        for (const auto& c : cursors)
            if (c.base().corrupt())
                throw corruption_error(seg.postings_path(), std::nullopt, "a postings block failed to decode");
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

std::size_t searcher::passage_count() const noexcept { return impl_->reader.passage_count(); }
double searcher::average_length() const noexcept { return impl_->average_length(); }
const index::index_reader& searcher::reader() const noexcept { return impl_->reader; }

}  // namespace rapport::search
