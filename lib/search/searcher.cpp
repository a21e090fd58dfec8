// SPDX-License-Identifier: MIT
#include "rapport/search/searcher.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <map>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/codec/postings_cursor.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"
#include "rapport/search/block_max_wand.hpp"
#include "rapport/search/count.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/maxscore.hpp"
#include "rapport/search/ranked_or.hpp"
#include "rapport/search/topk_queue.hpp"
#include "analyzer_pool.hpp"
#include "article_queue.hpp"
#include "length_norms.hpp"
#include "segment_filter.hpp"

namespace rapport::search {

namespace {
analysis::analyzer_options query_analyzer_options(analysis::analyzer_options o) {
    // Typed queries never throw over encoding: damaged bytes become U+FFFD, which matches nothing.
    o.invalid_utf8 = invalid_utf8_policy::replace;
    return o;
}

// The work counters of each thread's last call on each of the last few searchers it used. Per
// thread, so that threads sharing a searcher neither see nor race on each other's counters; keyed by
// a searcher's serial number, never reused, so a searcher at the address of a destroyed one starts
// from zero.
struct stats_slot {
    std::uint64_t searcher = 0;  // 0: empty
    search_stats stats;
};
constexpr std::size_t stats_slots = 8;
thread_local std::array<stats_slot, stats_slots> last_stats_slots{};
thread_local std::size_t last_stats_next = 0;
std::atomic<std::uint64_t> next_searcher_serial{1};

void record_stats(std::uint64_t searcher, const search_stats& stats) noexcept {
    for (auto& slot : last_stats_slots)
        if (slot.searcher == searcher) {
            slot.stats = stats;
            return;
        }
    last_stats_slots[last_stats_next++ % stats_slots] = {searcher, stats};
}

search_stats recorded_stats(std::uint64_t searcher) noexcept {
    for (const auto& slot : last_stats_slots)
        if (slot.searcher == searcher) return slot.stats;
    return {};
}

}  // namespace

// Everything here is fixed at construction or internally synchronised (the analyzer pool, the
// reader's norm cache): the search methods are const and keep their scratch state on the stack.
struct searcher::impl {
    explicit impl(index::index_reader r)
        : reader(std::move(r)), analyzers(query_analyzer_options(reader.options().analyzer)),
          serial(next_searcher_serial.fetch_add(1, std::memory_order_relaxed)) {}

    // Length normalisers per segment for one parameter setting (the model's normaliser: K(dl) or
    // L(dl)) from the snapshot's cache, shared with every searcher over it.
    [[nodiscard]] std::shared_ptr<const index::length_norm_table> norms_for(const bm25_params& p) const {
        return detail::shared_length_norms(reader, p, norm_avgdl(), {{index::field::body, 1.0}});
    }

    // The avgdl the length normalisers use (1 for an empty index, which has nothing to score).
    [[nodiscard]] double norm_avgdl() const noexcept {
        const double avgdl = average_length();
        return avgdl > 0 ? avgdl : 1.0;
    }

    [[nodiscard]] double average_length() const noexcept {
        const auto n = reader.passage_count();
        return n == 0 ? 0.0 : static_cast<double>(reader.total_length()) / static_cast<double>(n);
    }

    // `top_k` into a `Queue` (passages or articles).
    template <class Queue>
    std::vector<scored_doc> run(const analysed_query& query, const search_options& options) const;

    index::index_reader reader;
    detail::analyzer_pool analyzers;
    std::uint64_t serial;  // names this searcher's `last_stats` slots
};

searcher::searcher(const index::index_reader& reader) : impl_(std::make_unique<impl>(reader)) {}
searcher::~searcher() = default;
searcher::searcher(searcher&&) noexcept = default;
searcher& searcher::operator=(searcher&&) noexcept = default;

analysed_query searcher::analyze(std::string_view query) const {
    auto analyzer = impl_->analyzers.acquire();
    analysed_query out;
    for (const auto& t : analyzer.analyze(query)) {
        auto it = std::find_if(out.terms.begin(), out.terms.end(), [&](const auto& q) { return q.text == t.term; });
        if (it != out.terms.end())
            ++it->count;
        else
            out.terms.push_back({t.term, 1});
    }
    return out;
}

std::vector<hit> searcher::search(std::string_view query, const search_options& options) const {
    return search(analyze(query), options);
}

std::vector<hit> searcher::search(const analysed_query& query, const search_options& options) const {
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

// The algorithm `automatic` stands for a disjunction of `terms` terms (see `algorithm::automatic`).
// Measured through `rapport search --format trec --timings` on the Wikipedia passages (151,583
// passages in the 5 segments `rapport index` leaves, 2,000 web queries, best of 2 runs per query)
// with the exact block bounds of segment format 3: at k = 10 block-max WAND beat exhaustive
// evaluation by 1.2× (p50) on 3-word queries, 1.35× on 4 and 1.45× on 5 or more, and lost on 1 or 2
// words; at k = 20 it won only from 5 words on; at k ≥ 50 exhaustive evaluation won on every query
// length. MaxScore never beat exhaustive evaluation by more than noise.
algorithm choose(algorithm requested, std::size_t terms, std::size_t k) noexcept {
    if (requested != algorithm::automatic) return requested;
    const bool prune = (k <= 10 && terms >= 3) || (k <= 20 && terms >= 5);
    return prune ? algorithm::block_max_wand : algorithm::exhaustive;
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
    const algorithm algo = choose(options.algorithm, plan.size(), options.k);
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
}  // namespace

template <class Queue>
std::vector<scored_doc> searcher::impl::run(const analysed_query& query, const search_options& options) const {
    options.bm25.validate();
    record_stats(serial, {});
    if (query.terms.empty() || options.k == 0 || reader.passage_count() == 0) return {};
    const auto plan = make_plan(reader, query, options.mode);
    if (plan.empty()) return {};

    // Held for the whole query: the cache may evict the table meanwhile, never free it under us.
    const auto table = norms_for(options.bm25);
    Queue top(options.k);
    search_stats stats;
    // The one dispatch on the scoring model: everything below it is compiled per model.
    with_similarity(options.bm25, [&](const auto& model) {
        evaluate(reader, plan, options, model, norm_avgdl(), *table, top, stats);
    });
    record_stats(serial, stats);
    return top.finish();
}

std::vector<scored_doc> searcher::top_k(const analysed_query& query, const search_options& options) const {
    return impl_->run<topk_queue>(query, options);
}

std::vector<scored_doc> searcher::top_k_articles(const analysed_query& query, const search_options& options) const {
    return impl_->run<detail::article_topk_queue>(query, options);
}

std::uint64_t searcher::count(std::string_view query, const search_options& options) const {
    return count(analyze(query), options);
}

std::uint64_t searcher::count(const analysed_query& query, const search_options& options) const {
    const auto& s = *impl_;
    record_stats(s.serial, {});
    const auto& reader = s.reader;
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
        detail::with_filter(seg, reader.bases()[i], options.filter, [&](auto accept) {
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

std::shared_ptr<const index::length_norm_table> searcher::length_norms(const bm25_params& params) const {
    params.validate();
    return impl_->norms_for(params);
}

search_stats searcher::last_stats() const noexcept { return recorded_stats(impl_->serial); }

highlight::snippet searcher::snippet(const hit& h, const analysed_query& query,
                                     const highlight::snippet_options& options) const {
    auto analyzer = impl_->analyzers.acquire();
    const auto& tokens = analyzer.analyze(h.text);
    std::vector<std::string_view> terms;
    terms.reserve(query.terms.size());
    for (const auto& t : query.terms) terms.push_back(t.text);
    return highlight::make_snippet(h.text, tokens, terms, options);
}

std::vector<std::uint64_t> make_article_filter(const index::index_reader& reader, std::span<const article_id> articles) {
    std::vector<docid_t> passages;
    const auto segments = reader.segments();
    for (const auto& a : articles) {
        // The writer's hidden key term of the article (one posting per passage; see index_writer).
        const std::string key = index::article_key(a.value);
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const auto info = segments[i]->find(key);
            if (!info) continue;
            auto c = segments[i]->cursor(*info);
            for (; c.docid() != end_docid; c.next()) passages.push_back(reader.bases()[i] + c.docid());
            if (c.corrupt())
                throw corruption_error(segments[i]->postings_path(), std::nullopt, "postings of an article key fail to decode");
        }
    }
    return make_passage_filter(passages, reader.passage_count());
}

std::size_t searcher::passage_count() const noexcept { return impl_->reader.passage_count(); }
double searcher::average_length() const noexcept { return impl_->average_length(); }
const index::index_reader& searcher::reader() const noexcept { return impl_->reader; }

}  // namespace rapport::search
