// SPDX-License-Identifier: MIT
#include "rapport/search/searcher.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>

#include <boost/unordered/unordered_flat_map.hpp>

#include "rapport/analysis/analyzer.hpp"
#include "rapport/codec/postings_cursor.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/interrupt.hpp"
#include "rapport/core/phrase_sweep.hpp"
#include "rapport/core/detail/text.hpp"
#include "rapport/index/index_options.hpp"
#include "rapport/query/analyze.hpp"
#include "rapport/search/cursor.hpp"
#include "rapport/search/block_max_wand.hpp"
#include "rapport/search/maxscore.hpp"
#include "rapport/search/ranked_or.hpp"
#include "analyzer_pool.hpp"
#include "article_queue.hpp"
#include "explain_text.hpp"
#include "length_norms.hpp"
#include "segment_filter.hpp"
#include "statistics_view.hpp"
#include "term_searcher.hpp"
#include "word_expansion.hpp"

namespace rapport::search {

namespace {

namespace q = rapport::query;
using detail::format;
using detail::saturation_text;

// One node of the evaluation tree over one segment. `advance(target)` moves to the first matching
// passage ≥ target (never backwards); `doc` is then that passage or end_docid.
//
// Every node also bounds its scores, so that the pruning algorithms run on trees as on terms
// (Lucene's Scorer.getMaxScore/advanceShallow, tantivy's Scorer): `max_score()` bounds every score
// the node can give; `shallow(target)` moves the block positions of its leaves to the blocks that
// hold `target`, without decoding, and returns the last docid L (≥ target) up to which
// `block_max()` bounds every match of the node in [target, L] not yet passed. Targets of
// `shallow` ascend. Compound nodes sum their children's bounds in clause order, the order their
// scores are summed in: rounding to nearest is monotone, so such a sum of bounds is never below
// the sum of the scores it bounds, and no margin is needed beyond the leaves' own.
// Which file a scorer's malformed data came from.
enum class damage : std::uint8_t { none, postings, positions };

template <class Cursor>
damage damage_of(const Cursor& c) noexcept {
    if (!c.corrupt()) return damage::none;
    return c.positions_corrupt() ? damage::positions : damage::postings;
}

// The first damage among `items`, as `of` reports each.
template <class Range, class Of>
damage first_damage(const Range& items, Of of) {
    for (const auto& i : items)
        if (const damage d = of(i); d != damage::none) return d;
    return damage::none;
}

// Throws the corruption_error of `d` (not none) in `seg`, naming the file at fault.
[[noreturn]] void throw_damage(const index::disk_segment& seg, damage d) {
    if (d == damage::positions)
        throw corruption_error(seg.positions_path(), std::nullopt, "a positions block failed to decode");
    throw corruption_error(seg.postings_path(), std::nullopt, "a postings block failed to decode");
}

class scorer {
public:
    virtual ~scorer() = default;
    virtual void advance(docid_t target) = 0;
    [[nodiscard]] virtual score_t score() = 0;
    [[nodiscard]] virtual damage corrupt() const = 0;
    /// The explanation of `score()` at the current passage. Requires: not exhausted.
    [[nodiscard]] virtual explanation explain() = 0;
    [[nodiscard]] virtual score_t max_score() const = 0;
    virtual docid_t shallow(docid_t target) = 0;
    [[nodiscard]] virtual score_t block_max() const = 0;
    /// An estimate of the passages the node visits (its leaves' postings), to order conjunctions.
    [[nodiscard]] virtual std::uint64_t cost() const = 0;
    docid_t doc = 0;
};

using scorer_ptr = std::unique_ptr<scorer>;

// What every leaf needs to score a posting: the query's model (chosen once per query) and the
// segment's normalisers.
template <Similarity Model>
struct scoring {
    Model model;
    std::span<const double> norms;  // the model's normaliser per segment-local passage
    double avgdl = 1.0;             // the mean length `norms` were computed with

    // The normaliser of the shortest passage a bound covers: the function `norms` was tabulated
    // with, so a bound sees bit for bit the normaliser its shortest passage is scored with.
    [[nodiscard]] double norm_of(double length) const noexcept { return model.length_norm(length, avgdl); }
};

template <Similarity Model>
class term_scorer final : public scorer {
public:
    term_scorer(codec::block_postings_cursor c, score_t weight, const scoring<Model>& s, std::string term, double boost,
                std::uint64_t df)
        : c_(std::move(c), weight, s.model, s.avgdl, s.norms), weight_(weight), s_(s), term_(std::move(term)),
          boost_(boost), df_(df) {
        doc = c_.docid();
    }
    explanation explain() override {
        return {score(), detail::term_text(s_.model, term_, weight_, boost_, df_, c_.freq(), s_.norms[doc]), {}, true};
    }
    void advance(docid_t target) override {
        if (doc < target) c_.seek(target);
        doc = c_.docid();
    }
    score_t score() override { return c_.score(); }
    damage corrupt() const override { return damage_of(c_.base()); }
    score_t max_score() const override { return c_.max_score(); }
    docid_t shallow(docid_t target) override {
        c_.shallow_seek(target);
        return c_.block_last_docid();
    }
    score_t block_max() const override { return std::min(c_.block_max_score(), c_.max_score()); }
    std::uint64_t cost() const override { return c_.base().size(); }

private:
    bm25_cursor<codec::block_postings_cursor, Model> c_;
    score_t weight_;
    scoring<Model> s_;
    std::string term_;
    double boost_;
    std::uint64_t df_;
};

// Positions of the phrase's terms in one passage → phrase frequency (exact: occurrences; sloppy:
// sum of 1/(1+spread) over non-overlapping occurrences; see the header), scored by the model with
// the phrase frequency as a (fractional) tf.
template <Similarity Model>
class phrase_scorer final : public scorer {
public:
    phrase_scorer(std::vector<codec::block_postings_cursor> cs, std::vector<std::uint32_t> offsets, std::uint32_t slop,
                  score_t weight, const scoring<Model>& s)
        : cs_(std::move(cs)), offsets_(std::move(offsets)), slop_(slop), weight_(weight), s_(s) {
        // A phrase occurs at most as often as its rarest term in a passage (a sloppy phrase's
        // frequency, a sum of fractions of occurrences, even less), and every term's shortest
        // passage bounds the passage's length: the model's bound at (the least max tf, the longest
        // min length) bounds the phrase (the model is non-decreasing in tf, non-increasing in length).
        std::uint32_t tf = std::numeric_limits<std::uint32_t>::max();
        std::uint32_t length = 0;
        for (const auto& c : cs_) {
            tf = std::min(tf, c.term_max_tf());
            length = std::max(length, c.term_min_length());
        }
        max_ = bound(tf, length);
        doc = 0;
        find(0);
    }
    score_t max_score() const override { return max_; }
    docid_t shallow(docid_t target) override {
        docid_t last = end_docid;
        std::uint32_t tf = std::numeric_limits<std::uint32_t>::max();
        std::uint32_t length = 0;
        for (auto& c : cs_) {
            c.shallow_seek(target);
            last = std::min(last, c.block_last_docid());
            tf = std::min(tf, c.block_max_tf());  // 0 past a list's last block: nothing more matches
            length = std::max(length, c.block_min_length());
        }
        block_max_ = std::min(bound(tf, length), max_);
        return last;
    }
    score_t block_max() const override { return block_max_; }
    std::uint64_t cost() const override {
        std::uint64_t n = std::numeric_limits<std::uint64_t>::max();
        for (const auto& c : cs_) n = std::min<std::uint64_t>(n, c.size());
        return n;
    }
    void advance(docid_t target) override {
        if (doc < target) find(target);
    }
    score_t score() override { return s_.model.score(weight_, freq_, s_.norms[doc]); }
    explanation explain() override {
        return {score(),
                format("phrase (slop %u): weight %.6f (boost x sum of idfs)", slop_, weight_) +
                    saturation_text(s_.model, format("phrase freq %.6f", freq_), "freq", s_.norms[doc]),
                {},
                true};
    }
    damage corrupt() const override {
        return first_damage(cs_, [](const auto& c) { return damage_of(c); });
    }

private:
    void find(docid_t target) {
        for (;;) {
            // Leapfrog to a passage holding every term.
            docid_t candidate = target;
            for (docid_t next; (next = seek_all(std::span(cs_), candidate)) != candidate;) candidate = next;
            if (candidate == end_docid) {
                doc = end_docid;
                return;
            }
            freq_ = frequency();
            if (freq_ > 0) {
                doc = candidate;
                return;
            }
            target = candidate + 1;
        }
    }

    double frequency() {
        const std::size_t n = cs_.size();
        lists_.resize(n);
        for (std::size_t k = 0; k < n; ++k) {
            const auto p = cs_[k].positions();
            lists_[k].clear();
            for (const auto pos : p) lists_[k].push_back(static_cast<std::int64_t>(pos) - offsets_[k]);
            if (lists_[k].empty()) return 0;
        }
        if (slop_ == 0) {
            // Exact: values shared by every list (each list ascends).
            double count = 0;
            std::vector<std::size_t> at(n, 0);
            for (const auto v : lists_[0]) {
                bool all = true;
                for (std::size_t k = 1; k < n && all; ++k) {
                    auto& i = at[k];
                    while (i < lists_[k].size() && lists_[k][i] < v) ++i;
                    all = i < lists_[k].size() && lists_[k][i] == v;
                }
                count += all ? 1 : 0;
            }
            return count;
        }
        // Sloppy: the sweep highlighting uses too (core/phrase_sweep.hpp): occurrences of distinct
        // tokens, none shared between two, each counting 1 / (1 + spread).
        double f = 0;
        sizes_.resize(n);
        for (std::size_t k = 0; k < n; ++k) sizes_[k] = lists_[k].size();
        rapport::detail::for_each_phrase_occurrence(
            std::span<const std::size_t>(sizes_), slop_, [&](std::size_t k, std::size_t i) { return lists_[k][i]; },
            [&](std::size_t k, std::size_t i) { return lists_[k][i] + offsets_[k]; },
            [&](std::int64_t spread, std::span<const std::size_t>) { f += 1.0 / (1.0 + static_cast<double>(spread)); });
        return f;
    }

    // The model's bound for frequencies up to `tf` in passages of at least `length` tokens
    // (tf 0: no match, 0); never above the model's generic bound.
    [[nodiscard]] score_t bound(std::uint32_t tf, std::uint32_t length) const noexcept {
        if (tf == 0) return 0;
        return std::min(s_.model.bound(weight_, tf, s_.norm_of(length)), s_.model.upper_bound(weight_));
    }

    std::vector<codec::block_postings_cursor> cs_;
    std::vector<std::uint32_t> offsets_;
    std::uint32_t slop_;
    score_t weight_;
    scoring<Model> s_;
    score_t max_ = 0;
    score_t block_max_ = 0;
    double freq_ = 0;
    std::vector<std::vector<std::int64_t>> lists_;
    std::vector<std::size_t> sizes_;
};

// One term over several fields scored as one pseudo-field (BM25F, as Lucene's CombinedFieldQuery):
// frequency Σ w_f · tf_f over the fields holding the term here, the normaliser of the combined length
// Σ w_f · dl_f (precomputed per passage in `norms`), and the weight of the largest field df.
template <Similarity Model>
class bm25f_term_scorer final : public scorer {
public:
    struct part {
        codec::block_postings_cursor cursor;
        double weight;
        std::string name;  // what explain calls it: a field, or field:term in a synonym group
    };
    // `kind` names the combination in explanations ("BM25F", "synonyms", "BM25F, synonyms").
    bm25f_term_scorer(std::vector<part> parts, score_t weight, const scoring<Model>& s, std::string term, double boost,
                      std::uint64_t df, const char* kind)
        : parts_(std::move(parts)), weight_(weight), s_(s), term_(std::move(term)), boost_(boost), df_(df), kind_(kind) {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> stats;
        for (const auto& p : parts_) stats.emplace_back(p.cursor.term_max_tf(), p.cursor.term_min_length());
        max_ = bound(stats);
        settle();
    }
    score_t max_score() const override { return max_; }
    docid_t shallow(docid_t target) override {
        docid_t last = end_docid;
        stats_.clear();
        for (auto& p : parts_) {
            p.cursor.shallow_seek(target);
            last = std::min(last, p.cursor.block_last_docid());
            stats_.emplace_back(p.cursor.block_max_tf(), p.cursor.block_min_length());
        }
        block_max_ = std::min(bound(stats_), max_);
        return last;
    }
    score_t block_max() const override { return block_max_; }
    std::uint64_t cost() const override {
        std::uint64_t n = 0;
        for (const auto& p : parts_) n += p.cursor.size();
        return n;
    }
    void advance(docid_t target) override {
        if (doc >= target) return;
        for (auto& p : parts_)
            if (p.cursor.docid() < target) p.cursor.seek(target);
        settle();
    }
    score_t score() override { return s_.model.score(weight_, frequency(), s_.norms[doc]); }
    damage corrupt() const override {
        return first_damage(parts_, [](const part& p) { return damage_of(p.cursor); });
    }
    explanation explain() override {
        std::string tf;
        for (const auto& p : parts_)
            if (p.cursor.docid() == doc)
                tf += format("%s%s %g x %u", tf.empty() ? "" : " + ", p.name.c_str(), p.weight, p.cursor.freq());
        return {score(),
                format("term %s (%s): weight %.6f (boost %g x idf %.6f, df %llu, the largest df of its parts)",
                       term_.c_str(), kind_, weight_, boost_, boost_ == 0 ? 0.0 : weight_ / boost_,
                       static_cast<unsigned long long>(df_)) +
                    saturation_text(s_.model, format("tf %.6f = %s", frequency(), tf.c_str()), "tf", s_.norms[doc]),
                {},
                true};
    }

private:
    void settle() {
        doc = end_docid;
        for (const auto& p : parts_) doc = std::min(doc, p.cursor.docid());
    }
    double frequency() const {
        double tf = 0;
        for (const auto& p : parts_)
            if (p.cursor.docid() == doc) tf += p.weight * static_cast<double>(p.cursor.freq());
        return tf;
    }
    // A bound of the combined score from each field's (max tf, min length) (tf 0: the field has no
    // more postings). The combined frequency is at most Σ w_f · max_tf_f, rounded up to an integer
    // with a whole unit to spare for rounding; a matching passage holds the term in some field f, so
    // its combined length Σ w_f · dl_f is at least the least w_f · min_length_f over the fields.
    [[nodiscard]] score_t bound(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& stats) const noexcept {
        double tf = 0;
        double length = std::numeric_limits<double>::infinity();
        for (std::size_t i = 0; i < parts_.size(); ++i) {
            if (stats[i].first == 0) continue;
            tf += parts_[i].weight * static_cast<double>(stats[i].first);
            length = std::min(length, parts_[i].weight * static_cast<double>(stats[i].second));
        }
        if (tf == 0) return 0;
        const score_t generic = s_.model.upper_bound(weight_);
        if (!(tf < 4e9)) return generic;
        return std::min(s_.model.bound(weight_, static_cast<std::uint32_t>(std::ceil(tf)) + 1, s_.norm_of(length)),
                        generic);
    }
    std::vector<part> parts_;
    score_t weight_;
    scoring<Model> s_;
    score_t max_ = 0;
    score_t block_max_ = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> stats_;
    std::string term_;
    double boost_;
    std::uint64_t df_;
    const char* kind_;
};

// A boolean node: required clauses (leapfrogged), optional ones (scored when present, and at
// least `min_should` of them required), excluded ones.
class boolean_scorer final : public scorer {
public:
    boolean_scorer(std::vector<std::pair<q::occur, scorer_ptr>> clauses, std::size_t min_should,
                   const char* what = "boolean: sum of the matching required and optional clauses")
        : clauses_(std::move(clauses)), min_should_(min_should), what_(what) {
        for (auto& [o, c] : clauses_) {
            if (o == q::occur::must) has_must_ = true;
            if (o == q::occur::must_not) has_must_not_ = true;
            if (o == q::occur::should) ++shoulds_;
        }
        if (!has_must_ && min_should_ == 0) min_should_ = 1;
        doc = 0;
        settle(0);
    }
    void advance(docid_t target) override {
        if (doc < target) settle(target);
    }
    score_t score() override {
        score_t s = 0;
        for (auto& [o, c] : clauses_)
            if (o != q::occur::must_not && c->doc == doc) s += c->score();
        return s;
    }
    score_t max_score() const override {
        score_t s = 0;
        for (const auto& [o, c] : clauses_)
            if (o != q::occur::must_not) s += c->max_score();
        return s;
    }
    docid_t shallow(docid_t target) override {
        docid_t last = end_docid;
        block_max_ = 0;
        for (auto& [o, c] : clauses_)
            if (o != q::occur::must_not) {
                last = std::min(last, c->shallow(target));
                block_max_ += c->block_max();
            }
        return last;
    }
    score_t block_max() const override { return block_max_; }
    std::uint64_t cost() const override {
        std::uint64_t must = std::numeric_limits<std::uint64_t>::max(), should = 0;
        for (const auto& [o, c] : clauses_) {
            if (o == q::occur::must) must = std::min(must, c->cost());
            if (o == q::occur::should) should += c->cost();
        }
        return has_must_ ? must : should;
    }
    /// The clauses, in query order.
    [[nodiscard]] std::vector<std::pair<q::occur, scorer_ptr>>& clauses() noexcept { return clauses_; }
    /// How many optional clauses must match (at least 1 without required clauses).
    [[nodiscard]] std::size_t min_should() const noexcept { return min_should_; }
    damage corrupt() const override {
        return first_damage(clauses_, [](const auto& c) { return c.second->corrupt(); });
    }
    explanation explain() override {
        explanation e{score(), what_, {}, true};
        for (auto& [o, c] : clauses_)
            if (o != q::occur::must_not && c->doc == doc) e.details.push_back(c->explain());
        return e;
    }

private:
    void settle(docid_t target) {
        if ((!has_must_ && shoulds_ == 0) || min_should_ > shoulds_) {
            doc = end_docid;
            return;
        }
        for (;;) {
            // Candidate: the largest current doc of the required clauses, or the least of the optional.
            docid_t candidate = target;
            if (has_must_) {
                for (bool agreed = false; !agreed;) {
                    agreed = true;
                    for (auto& [o, c] : clauses_) {
                        if (o != q::occur::must) continue;
                        c->advance(candidate);
                        if (c->doc == end_docid) {
                            doc = end_docid;
                            return;
                        }
                        if (c->doc != candidate) {
                            candidate = c->doc;
                            agreed = false;
                        }
                    }
                }
            } else {
                candidate = end_docid;
                for (auto& [o, c] : clauses_)
                    if (o == q::occur::should) {
                        c->advance(target);
                        candidate = std::min(candidate, c->doc);
                    }
                // Any one optional clause suffices and none excludes: the least is the match.
                if (candidate == end_docid || (min_should_ == 1 && !has_must_not_)) {
                    doc = candidate;
                    return;
                }
            }
            std::size_t should_here = 0;
            bool excluded = false;
            for (auto& [o, c] : clauses_) {
                if (o == q::occur::must) continue;
                c->advance(candidate);
                if (c->doc != candidate) continue;
                if (o == q::occur::should) ++should_here;
                if (o == q::occur::must_not) excluded = true;
            }
            if (!excluded && should_here >= min_should_) {
                doc = candidate;
                return;
            }
            target = candidate + 1;
        }
    }
    std::vector<std::pair<q::occur, scorer_ptr>> clauses_;
    std::size_t min_should_;
    std::size_t shoulds_ = 0;
    bool has_must_ = false;
    bool has_must_not_ = false;
    const char* what_;
    score_t block_max_ = 0;
};

// A disjunction: the sum of whichever of `children` match (a boolean of optional clauses).
scorer_ptr make_any(std::vector<scorer_ptr> children, const char* what) {
    std::vector<std::pair<q::occur, scorer_ptr>> clauses;
    clauses.reserve(children.size());
    for (auto& c : children) clauses.emplace_back(q::occur::should, std::move(c));
    return std::make_unique<boolean_scorer>(std::move(clauses), 1, what);
}

class empty_scorer final : public scorer {
public:
    empty_scorer() { doc = end_docid; }
    void advance(docid_t) override {}
    score_t score() override { return 0; }
    damage corrupt() const override { return damage::none; }
    explanation explain() override { return {0, "matches nothing", {}}; }
    score_t max_score() const override { return 0; }
    docid_t shallow(docid_t) override { return end_docid; }
    score_t block_max() const override { return 0; }
    std::uint64_t cost() const override { return 0; }
};

}  // namespace

namespace {
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
// reader's norm cache): the query methods are const and keep their scratch state (scorer trees,
// queues, expansions) on the stack. The one analysis set-up of every query is here, derived from
// the index's stored options.
struct searcher::impl {
    impl(index::index_reader r, const analysis::analyzer* custom)
        : reader(std::move(r)), flat(reader), analyzers(text_analyzer(reader, custom).set_query_mode(true)),
          text_analyzers(text_analyzer(reader, custom)),
          serial(next_searcher_serial.fetch_add(1, std::memory_order_relaxed)) {
        const auto& schema = reader.options().schema;
        for (const auto& def : schema.fields) {
            if (!index::schema::is_extra_text(def)) continue;
            auto own = index::field_analyzer(reader.options(), def);
            if (!own) continue;
            own->set_invalid_utf8_policy(invalid_utf8_policy::replace);
            const auto f = static_cast<std::size_t>(*schema.text_field(def.name));
            field_text_analyzers[f] = std::make_unique<detail::analyzer_pool>(*own);
            field_analyzers[f] = std::make_unique<detail::analyzer_pool>(std::move(own->set_query_mode(true)));
        }
    }

    static analysis::analyzer_options analyzer_options(const index::index_reader& reader) {
        auto o = reader.options().analyzer;
        // Typed queries never throw over encoding: damaged bytes become U+FFFD, which matches nothing.
        o.invalid_utf8 = invalid_utf8_policy::replace;
        return o;
    }

    // The index's pipeline in index mode: the standard one its options describe, or the caller's
    // custom one, which an index built with a custom analyzer requires.
    static analysis::analyzer text_analyzer(const index::index_reader& reader, const analysis::analyzer* custom) {
        const auto& name = reader.options().custom_analyzer_name;
        if (custom != nullptr) {
            analysis::analyzer a(*custom);
            a.set_invalid_utf8_policy(invalid_utf8_policy::replace);
            a.set_query_mode(false);
            return a;
        }
        if (!name.empty())
            throw invalid_argument("searcher: the index was built with the custom analyzer '" + name +
                                   "'; construct the searcher with that pipeline");
        return analysis::analyzer(analyzer_options(reader));
    }

    using norm_table = index::length_norm_table;  // per segment, per local passage

    // Per-segment normalisers of a weighted combination of fields: one field at weight 1 is that
    // field's lengths; several are BM25F's Σ w_f · dl_f against Σ w_f · avgdl_f. From the snapshot's
    // cache, shared with the term path (the body at weight 1 is its table, bit for bit) and every
    // other searcher over the snapshot; the pointer keeps a table alive while a query uses it.
    [[nodiscard]] std::shared_ptr<const norm_table> norms(const search_options& o, const std::vector<field_weight>& weights) const {
        std::vector<std::pair<index::field, double>> fields;
        fields.reserve(weights.size());
        for (const auto& [f, w] : weights) fields.emplace_back(f, w);
        return detail::shared_length_norms(reader, o.bm25, average_length(weights, o), std::move(fields));
    }

    // The mean length the normalisers of `weights` use: Σ w_f · avgdl_f over the collection (for
    // the body alone the term path's value, bit for bit), or 1 when nothing has a length in these
    // fields (then nothing matches).
    [[nodiscard]] double average_length(const std::vector<field_weight>& weights, const search_options& o) const {
        const double n = static_cast<double>(detail::passages(reader, o));
        if (n == 0) return 1.0;
        double avgdl = 0;
        for (const auto& [f, w] : weights) avgdl += w * (static_cast<double>(detail::total_length(reader, f, o)) / n);
        return avgdl > 0 ? avgdl : 1.0;
    }

    // `top_k` into a `Queue` (passages or articles).
    template <class Queue>
    std::vector<scored_doc> run(const q::query& analysed, const search_options& options, search_info* info) const;
    // The same for a bag of terms: the term path, or the tree it stands for under other fields.
    template <class Queue>
    std::vector<scored_doc> run(const analysed_query& query, const search_options& options) const;

    index::index_reader reader;
    detail::term_searcher flat;  // the fast path for bags of distinct body terms
    detail::analyzer_pool analyzers;       // query mode: queries, expansions, suggestions
    detail::analyzer_pool text_analyzers;  // index mode: passage text (snippets, RM3 feedback)
    // The pools of the schema's text fields with analyzers of their own (by field number; null for
    // the others, analysed as the body), in query and in index mode.
    std::array<std::unique_ptr<detail::analyzer_pool>, index::max_text_fields> field_analyzers;
    std::array<std::unique_ptr<detail::analyzer_pool>, index::max_text_fields> field_text_analyzers;

    // The two pools of another language than the index's, for articles indexed in it.
    struct language_pools {
        detail::analyzer_pool query;
        detail::analyzer_pool text;
    };
    // The pools for `language`: the index's own for an empty one, else made on first use and kept.
    // Throws: `invalid_argument` for an unknown language or an index with a custom analyzer.
    [[nodiscard]] std::pair<const detail::analyzer_pool*, const detail::analyzer_pool*> pools(
        std::string_view language) const {
        if (language.empty()) return {&analyzers, &text_analyzers};
        if (!reader.options().custom_analyzer_name.empty())
            throw invalid_argument("searcher: a query language was given, but the index was built with the custom "
                                   "analyzer '" + reader.options().custom_analyzer_name + "'");
        const std::lock_guard lock(language_mutex);
        auto it = by_language.find(language);
        if (it == by_language.end()) {
            auto o = index::analyzer_options_for(reader.options(), language);
            o.invalid_utf8 = invalid_utf8_policy::replace;
            analysis::analyzer text(o);
            analysis::analyzer query(text);
            query.set_query_mode(true);
            std::unique_ptr<language_pools> made(
                new language_pools{detail::analyzer_pool(std::move(query)), detail::analyzer_pool(std::move(text))});
            it = by_language.emplace(std::string(language), std::move(made)).first;
        }
        return {&it->second->query, &it->second->text};
    }
    mutable std::mutex language_mutex;  // guards `by_language`
    mutable std::map<std::string, std::unique_ptr<language_pools>, std::less<>> by_language;
    std::uint64_t serial;  // names this searcher's `last_stats` slots
};

namespace {

// The expansion of one prefix or fuzzy node within one field.
struct expansion_entry {
    const q::query* node;
    index::field field;
    q::expansion terms;
};

template <Similarity Model>
struct build_context {
    const index::index_reader& reader;
    const index::disk_segment& seg;
    Model model;
    std::array<std::span<const double>, index::field_count> norms;  // per field, this segment's
    std::array<double, index::field_count> avgdl;  // the mean length each field's norms use
    std::span<const double> combined;  // BM25F normalisers of `options.fields` (when options.bm25f)
    double combined_avgdl;
    const search_options& options;
    const std::vector<expansion_entry>& expansions;
    std::uint64_t passages;
    // Document frequencies over the snapshot, looked up once per dictionary key and query (the
    // scorer tree is built once per segment, and each build needs every term's global df).
    boost::unordered_flat_map<std::string, std::uint64_t>& dfs;

    [[nodiscard]] scoring<Model> in(index::field f) const {
        return {model, norms[static_cast<std::size_t>(f)], avgdl[static_cast<std::size_t>(f)]};
    }
};

template <Similarity Model>
std::uint64_t global_df(const build_context<Model>& cx, const std::string& key) {
    const auto [it, fresh] = cx.dfs.try_emplace(key, 0);
    if (fresh) it->second = detail::doc_freq(cx.reader, key, cx.options);
    return it->second;
}

// `info` (this segment's entry of a key) against the collection's df of the key: a segment cannot
// hold more passages with it than the collection. Throws: `invalid_argument` for statistics that
// do not include this index's.
void check_df(const std::optional<codec::term_info>& info, std::uint64_t collection_df, const std::string& key) {
    if (info && info->df > collection_df)
        throw invalid_argument("search: the statistics given (search_options::statistics) count fewer passages with '" +
                               detail::shown_key(key) + "' than this index holds: they must include this index's");
}

template <Similarity Model>
// `blended_df`, when set, replaces the term's own df in its idf (a fuzzy expansion's shared df).
scorer_ptr make_term(const build_context<Model>& cx, index::field f, const std::string& term, double boost,
                     std::uint64_t blended_df = 0) {
    const auto key = index::field_term(f, term);
    const auto own = global_df(cx, key);
    const auto info = cx.seg.find(key);
    check_df(info, own, key);
    if (own == 0 || !info) return std::make_unique<empty_scorer>();
    const auto df = blended_df != 0 ? blended_df : own;
    return std::make_unique<term_scorer<Model>>(
        cx.seg.cursor(*info), boost * cx.model.idf(cx.passages, df), cx.in(f),
        f == index::field::body ? term : std::string(cx.reader.options().schema.text_field_def(f)->name) + ":" + term, boost,
        df);
}

// How much a fuzzy expansion at `distance` edits from `query` counts, as Lucene's FuzzyQuery
// boosts its terms: 1 − distance / (the shorter length in code points), at least 0.
double fuzzy_boost(std::string_view query, std::string_view term, std::uint32_t distance) {
    const auto code_points = [](std::string_view t) {
        std::size_t n = 0;
        for (const char c : t) n += !rapport::detail::is_utf8_continuation(c);
        return n;
    };
    const auto shorter = std::min(code_points(query), code_points(term));
    if (shorter == 0) return 0.0;
    return std::max(0.0, 1.0 - static_cast<double>(distance) / static_cast<double>(shorter));
}

// A term with its synonyms (possibly none) over `fields` as one combined term: BM25F's weighted
// frequencies and lengths across fields, and a synonym group's summed frequencies within each
// (Lucene's SynonymQuery); df the largest of its (term, field) parts'.
template <Similarity Model>
scorer_ptr make_combined_term(const build_context<Model>& cx, const q::term_node& t, const std::vector<field_weight>& fields,
                              const scoring<Model>& scored, double boost, const char* kind) {
    std::uint64_t df = 0;
    std::vector<typename bm25f_term_scorer<Model>::part> parts;
    const auto add = [&](const std::string& term) {
        for (const auto& [f, w] : fields) {
            const auto key = index::field_term(f, term);
            const auto collection_df = global_df(cx, key);
            df = std::max(df, collection_df);
            const std::string name(cx.reader.options().schema.text_field_def(f)->name);
            const auto info = cx.seg.find(key);
            check_df(info, collection_df, key);
            if (info)
                parts.push_back({cx.seg.cursor(*info), w, t.synonyms.empty() ? name : name + ":" + term});
        }
    };
    add(t.text);
    for (const auto& syn : t.synonyms) add(syn);
    if (df == 0 || parts.empty()) return std::make_unique<empty_scorer>();
    std::string shown = t.text;
    for (const auto& syn : t.synonyms) shown += "|" + syn;
    return std::make_unique<bm25f_term_scorer<Model>>(std::move(parts), boost * cx.model.idf(cx.passages, df), scored,
                                                      shown, boost, df, kind);
}

template <Similarity Model>
scorer_ptr make_bm25f_term(const build_context<Model>& cx, const q::term_node& t, double boost) {
    return make_combined_term(cx, t, cx.options.fields, scoring<Model>{cx.model, cx.combined, cx.combined_avgdl}, boost,
                              t.synonyms.empty() ? "BM25F" : "BM25F, synonyms");
}

template <Similarity Model>
scorer_ptr make_phrase(const build_context<Model>& cx, index::field f, const q::phrase_node& p, double boost) {
    if (p.terms.empty()) return std::make_unique<empty_scorer>();
    if (p.terms.size() == 1) return make_term(cx, f, p.terms.front(), boost);
    double idf = 0;
    std::vector<codec::block_postings_cursor> cursors;
    for (const auto& term : p.terms) {
        const auto key = index::field_term(f, term);
        const auto df = global_df(cx, key);
        const auto info = cx.seg.find(key);
        check_df(info, df, key);
        if (df == 0 || !info) return std::make_unique<empty_scorer>();
        idf += cx.model.idf(cx.passages, df);
        cursors.push_back(cx.seg.cursor(*info));
    }
    return std::make_unique<phrase_scorer<Model>>(std::move(cursors), p.positions, p.slop, boost * idf, cx.in(f));
}

// The field a node names itself, if any. Throws: `invalid_argument` for an unknown field.
std::optional<index::field> own_field(const index::index_reader& reader, const q::query& node) {
    if (node.field().empty()) return std::nullopt;
    const auto& s = reader.options().schema;
    if (const auto f = s.text_field(node.field())) return f;
    throw invalid_argument("query: unknown field '" + node.field() + "' (the text fields are " + s.text_field_names() + ")");
}

// Where a leaf searches: its (inherited) field at weight 1, or the default fields.
std::vector<field_weight> leaf_fields(std::optional<index::field> f, const search_options& o) {
    if (f) return {{*f, 1.0}};
    return o.fields;
}

template <Similarity Model>
scorer_ptr build(const build_context<Model>& cx, const q::query& node, double boost, std::optional<index::field> inherited) {
    if (const auto f = own_field(cx.reader, node)) inherited = f;
    boost *= node.boost();
    if (const auto* b = node.get_if<q::boolean_node>()) {
        std::vector<std::pair<q::occur, scorer_ptr>> clauses;
        // A child without a field inherits its parent's (the parser does this too).
        for (const auto& c : b->clauses) clauses.emplace_back(c.occur, build(cx, c.query, boost, inherited));
        return std::make_unique<boolean_scorer>(std::move(clauses), b->minimum_should_match);
    }
    const auto* t = node.get_if<q::term_node>();
    if (t != nullptr && !inherited && cx.options.bm25f && cx.options.fields.size() > 1)
        return make_bm25f_term(cx, *t, boost);
    // One scorer per field searched, weights multiplying the boost, summed.
    std::vector<scorer_ptr> per_field;
    for (const auto& fw : leaf_fields(inherited, cx.options)) {
        const index::field f = fw.field;  // not a structured binding: a lambda below captures it (clang 14)
        const double b = boost * fw.weight;
        if (t != nullptr && !t->synonyms.empty()) {
            per_field.push_back(make_combined_term(cx, *t, {{f, 1.0}}, cx.in(f), b, "synonyms"));
        } else if (t != nullptr) {
            per_field.push_back(make_term(cx, f, t->text, b));
        } else if (const auto* p = node.get_if<q::phrase_node>()) {
            per_field.push_back(make_phrase(cx, f, *p, b));
        } else {
            const auto it = std::find_if(cx.expansions.begin(), cx.expansions.end(),
                                         [&](const auto& e) { return e.node == &node && e.field == f; });
            RAPPORT_ASSERT(it != cx.expansions.end());
            std::vector<scorer_ptr> terms;
            if (const auto* fz = node.get_if<q::fuzzy_node>()) {
                // Lucene's blended rewrite: every expansion scores with the largest df among them,
                // so a rare misspelling gains no idf over the common word meant, and closer
                // terms weigh more.
                std::uint64_t blended = 0;
                for (const auto& e : it->terms.terms) blended = std::max(blended, e.df);
                for (const auto& e : it->terms.terms)
                    terms.push_back(make_term(cx, f, e.term,
                                              b * fuzzy_boost(fz->text, e.word.empty() ? e.term : e.word, e.distance),
                                              blended));
            } else {
                for (const auto& e : it->terms.terms) terms.push_back(make_term(cx, f, e.term, b));
            }
            per_field.push_back(terms.empty() ? scorer_ptr(std::make_unique<empty_scorer>())
                                              : make_any(std::move(terms), "expansion: sum of the matching expanded terms"));
        }
    }
    if (per_field.size() == 1) return std::move(per_field.front());
    return make_any(std::move(per_field), "fields: sum of the matching fields' scores");
}

// A disjunction of distinct plain terms (what most typed queries are, and what RM3 produces) as the
// flat searcher's query, which it evaluates with the same products and sums in the same order (a
// term's weight is boost · field weight · idf either way, the boost multiplied down from the root as
// `build` does; a term in several fields sums its fields first, as the tree's field disjunction
// does); nothing otherwise, or when a field is unknown (the tree reports it).
std::optional<detail::flat_query> as_flat_disjunction(const index::schema& schema, const q::query& root) {
    const auto plain = [&schema](const q::query& n, std::optional<index::field>& f) {
        if (!(n.boost() >= 0.0) || !std::isfinite(n.boost())) return false;
        if (n.field().empty()) return true;
        f = schema.text_field(n.field());
        return f.has_value();
    };
    std::optional<index::field> root_field;
    if (!plain(root, root_field)) return std::nullopt;
    const double root_boost = 1.0 * root.boost();
    detail::flat_query out;
    const auto add = [&](const std::string& t, double boost, std::optional<index::field> f) {
        for (const auto& e : out)
            if (e.text == t && e.field == f) return false;
        out.push_back({t, 1, boost, f});
        return true;
    };
    if (const auto* t = root.get_if<q::term_node>()) {
        if (!t->synonyms.empty()) return std::nullopt;  // a synonym group: the tree scores it
        add(t->text, root_boost, root_field);
        return out;
    }
    const auto* b = root.get_if<q::boolean_node>();
    if (b == nullptr || b->minimum_should_match > 1) return std::nullopt;
    for (const auto& c : b->clauses) {
        const auto* t = c.query.get_if<q::term_node>();
        std::optional<index::field> f = root_field;
        if (c.occur != q::occur::should || t == nullptr || !t->synonyms.empty() || !plain(c.query, f) ||
            !add(t->text, root_boost * c.query.boost(), f))
            return std::nullopt;
    }
    return out;
}

// The leaves of `node` that add to a score: terms, phrases, prefixes and fuzzy terms outside
// `must_not` clauses.
std::size_t scoring_leaves(const q::query& node) {
    if (node.empty()) return 0;
    const auto* b = node.get_if<q::boolean_node>();
    if (b == nullptr) return 1;
    std::size_t n = 0;
    for (const auto& c : b->clauses)
        if (c.occur != q::occur::must_not) n += scoring_leaves(c.query);
    return n;
}

// The tree a bag of terms stands for: one clause per term (optional under match_mode::any,
// required under all), boosted by count · boost, so that it scores as the term path does wherever
// that path applies (the default fields).
q::query as_tree(const analysed_query& query, match_mode mode) {
    std::vector<q::clause> clauses;
    clauses.reserve(query.terms.size());
    for (const auto& t : query.terms) {
        if (!(t.boost >= 0.0 && t.boost <= q::max_boost))
            throw invalid_argument("search: term boosts must lie in [0, 1e9] (query::max_boost)");
        auto leaf = q::term(t.text).boost(static_cast<double>(t.count) * t.boost);
        clauses.push_back(mode == match_mode::all ? q::must(std::move(leaf)) : q::should(std::move(leaf)));
    }
    return clauses.empty() ? q::query() : q::boolean(std::move(clauses));
}

// Expands every prefix and fuzzy node of the tree once per field it searches, over the whole snapshot.
[[noreturn]] void too_many_clauses(std::size_t limit) {
    throw invalid_argument("search: the query has more than " + std::to_string(limit) +
                           " clauses (terms, phrase words, and the terms prefixes and fuzzy terms expand to): "
                           "raise search_options::max_clauses (rapport search --max-clauses) to allow it");
}

// The clauses of `node` before expansion: terms with their synonyms, phrase words, and one per
// prefix or fuzzy term (`search_options::max_clauses`).
std::size_t clause_count(const q::query& node) {
    switch (node.kind()) {
        case q::node_kind::term: return 1 + node.get_if<q::term_node>()->synonyms.size();
        case q::node_kind::phrase: return node.get_if<q::phrase_node>()->terms.size();
        case q::node_kind::prefix:
        case q::node_kind::fuzzy: return 1;
        case q::node_kind::boolean: {
            std::size_t n = 0;
            for (const auto& c : node.get_if<q::boolean_node>()->clauses) n += clause_count(c.query);
            return n;
        }
    }
    return 0;
}

void collect_expansions(const index::index_reader& reader, const q::query& node, const search_options& o,
                        std::optional<index::field> inherited, std::vector<expansion_entry>& out,
                        search_info& info, const detail::analyzer_pool& analyzers, std::size_t& clauses) {
    if (const auto f = own_field(reader, node)) inherited = f;
    if (node.kind() == q::node_kind::prefix || node.kind() == q::node_kind::fuzzy) {
        --clauses;  // counted once before expansion; now its expansions count instead
        for (const auto& [f, w] : leaf_fields(inherited, o)) {
            if (rapport::detail::interrupted()) rapport::detail::current_interrupt->throw_if_fired("search");
            auto in_field = o.expansion;
            in_field.field = f;
            if (o.statistics != nullptr) {
                // The collection's expansion, merged over the indexes the statistics came from.
                const auto it = o.statistics->expansions.find(expansion_key(node, f, o.expansion));
                if (it == o.statistics->expansions.end())
                    throw invalid_argument("search: the statistics given (search_options::statistics) lack the "
                                           "expansion of " + q::to_string(node) +
                                           ": gather them with searcher::statistics for this very query");
                out.push_back({&node, f, it->second});
            } else {
                auto analyzer = analyzers.acquire();
                out.push_back({&node, f, detail::expand_words(reader, node, in_field, analyzer.analyzer())});
            }
            info.expanded_terms += out.back().terms.terms.size();
            info.expansion_truncated = info.expansion_truncated || out.back().terms.truncated;
            clauses += out.back().terms.terms.size();
            if (o.max_clauses != 0 && clauses > o.max_clauses) too_many_clauses(o.max_clauses);
        }
        return;
    }
    if (const auto* b = node.get_if<q::boolean_node>())
        for (const auto& c : b->clauses) collect_expansions(reader, c.query, o, inherited, out, info, analyzers, clauses);
}

// The interrupt of a search with these options; none when it has neither a deadline nor a cancel
// token that can be requested.
std::optional<interrupt> interrupt_of(const search_options& o) {
    if (!o.deadline && !o.cancel.stop_possible()) return std::nullopt;
    return interrupt(o.deadline, o.cancel);
}

void validate(const search_options& o) {
    o.bm25.validate();
    if (o.statistics != nullptr) o.statistics->validate();
    if (o.fields.empty()) throw invalid_argument("query search: no default field");
    for (std::size_t i = 0; i < o.fields.size(); ++i) {
        if (!(o.fields[i].weight > 0.0) || !(o.fields[i].weight <= 1e6))
            throw invalid_argument("query search: field weights must lie in (0, 1e6]");
        for (std::size_t j = 0; j < i; ++j)
            if (o.fields[j].field == o.fields[i].field)
                throw invalid_argument("query search: text field number " +
                                       std::to_string(static_cast<unsigned>(o.fields[i].field)) + " is listed twice");
    }
}

// Every boost of `node`, multiplied down from the root as scoring does, within [0, max_boost].
void check_boosts(const q::query& node, double above = 1.0) {
    const double b = above * node.boost();
    if (!(node.boost() >= 0.0) || !(b <= q::max_boost)) {
        char shown[32];
        std::snprintf(shown, sizeof shown, "%g", b);
        throw invalid_argument(std::string("search: a boost of ") + shown +
                               " (nested boosts multiply) is outside [0, 1e9], the limit query::max_boost");
    }
    if (const auto* bn = node.get_if<q::boolean_node>())
        for (const auto& c : bn->clauses) check_boosts(c.query, b);
}

bool body_only(const search_options& o) {
    return o.fields.size() == 1 && o.fields.front() == field_weight{index::field::body, 1.0};
}

// Whether the flat searcher scores bags of terms under `o` as the tree does: fields summed, not BM25F.
bool flat_fields(const search_options& o) { return !o.bm25f || o.fields.size() < 2; }

}  // namespace

searcher::searcher(const index::index_reader& reader) : impl_(std::make_unique<impl>(reader, nullptr)) {}
searcher::searcher(const index::index_reader& reader, const analysis::analyzer& custom)
    : impl_(std::make_unique<impl>(reader, &custom)) {}
searcher::~searcher() = default;
searcher::searcher(searcher&&) noexcept = default;
searcher& searcher::operator=(searcher&&) noexcept = default;

analysed_query searcher::analyze(std::string_view text) const {
    auto analyzer = impl_->analyzers.acquire();
    analysed_query out;
    for (const auto& t : analyzer.analyze(text)) {
        auto it = std::find_if(out.terms.begin(), out.terms.end(), [&](const auto& q) { return q.text == t.term; });
        if (it != out.terms.end())
            ++it->count;
        else
            out.terms.push_back({t.term, 1});
    }
    return out;
}

q::query searcher::parse(std::string_view text, const q::parser_options& options, std::string_view language) const {
    // Prefix and fuzzy terms are folded exactly when the index folded its text.
    q::analyze_options how;
    how.fold_multi_term = impl_->reader.options().analyzer.case_fold;
    const auto* pool = impl_->pools(language).first;
    const auto& schema = impl_->reader.options().schema;
    // The schema's other text fields are fields of the query language too.
    auto with_fields = options;
    for (const auto& def : schema.fields)
        if (index::schema::is_extra_text(def) &&
            std::find(with_fields.fields.begin(), with_fields.fields.end(), def.name) == with_fields.fields.end())
            with_fields.fields.push_back(def.name);
    auto parsed = q::parse(text, with_fields);
    auto analyzer = pool->acquire();
    // A field with an analyzer of its own analyses its leaves with one leased from its pool (only
    // when a query names such a field).
    std::array<std::optional<detail::analyzer_pool::lease>, index::max_text_fields> own;
    const std::function<analysis::analyzer*(std::string_view)> for_field = [&](std::string_view name) -> analysis::analyzer* {
        const auto f = name.empty() ? std::nullopt : schema.text_field(name);
        if (!f) return nullptr;
        const auto n = static_cast<std::size_t>(*f);
        if (!impl_->field_analyzers[n]) return nullptr;
        if (!own[n]) own[n].emplace(impl_->field_analyzers[n]->acquire());
        return &own[n]->analyzer();
    };
    return q::analyze(parsed, analyzer.analyzer(), how, for_field);
}

namespace {
// Whether some leaf of the tree searches field `f` (by its own or an inherited field, or the default fields).
bool searches_field(const index::index_reader& reader, const q::query& node, index::field f, const search_options& o,
                    std::optional<index::field> inherited) {
    if (const auto own = own_field(reader, node)) inherited = own;
    if (const auto* b = node.get_if<q::boolean_node>())
        return std::any_of(b->clauses.begin(), b->clauses.end(),
                           [&](const q::clause& c) { return searches_field(reader, c.query, f, o, inherited); });
    const auto fields = leaf_fields(inherited, o);
    return std::any_of(fields.begin(), fields.end(), [&](const field_weight& w) { return w.field == f; });
}

// Everything a scorer tree needs beside its segment, prepared once per query.
struct prepared {
    std::vector<expansion_entry> expansions;
    std::array<std::shared_ptr<const std::vector<std::vector<double>>>, index::field_count> field_norms{};
    std::shared_ptr<const std::vector<std::vector<double>>> combined;
    boost::unordered_flat_map<std::string, std::uint64_t> dfs;
};

// Builds the scorer tree of `analysed` over segment `i` under the model and passes it to `use`.
template <class Impl, class Use>
decltype(auto) with_tree(Impl& s, const q::query& analysed, const search_options& options, prepared& p,
                         std::size_t i, Use&& use) {
    const auto& reader = s.reader;
    return with_similarity(options.bm25, [&]<class Model>(const Model& model) -> decltype(auto) {
        std::array<std::span<const double>, index::field_count> norms;
        for (std::size_t f = 0; f < index::field_count; ++f)
            if (p.field_norms[f]) norms[f] = (*p.field_norms[f])[i];
        std::array<double, index::field_count> avgdl{};
        for (std::size_t f = 0; f < reader.options().schema.text_field_count(); ++f)
            avgdl[f] = s.average_length({{static_cast<index::field>(f), 1.0}}, options);
        const build_context<Model> cx{reader,
                                      *reader.segments()[i],
                                      model,
                                      norms,
                                      avgdl,
                                      p.combined != nullptr ? std::span<const double>((*p.combined)[i]) : std::span<const double>(),
                                      s.average_length(options.fields, options),
                                      options,
                                      p.expansions,
                                      detail::passages(reader, options),
                                      p.dfs};
        auto root = build(cx, analysed, 1.0, std::nullopt);
        return use(*root, model);
    });
}

template <class Impl>
prepared prepare(Impl& s, const q::query& analysed, const search_options& options, search_info& info) {
    prepared p;
    std::size_t clauses = clause_count(analysed);
    if (options.max_clauses != 0 && clauses > options.max_clauses) too_many_clauses(options.max_clauses);
    collect_expansions(s.reader, analysed, options, std::nullopt, p.expansions, info, s.analyzers, clauses);
    // Normalisers of the fields the tree searches only (a title table costs a pass over the passages).
    for (std::size_t n = 0; n < s.reader.options().schema.text_field_count(); ++n) {
        const auto f = static_cast<index::field>(n);
        if (searches_field(s.reader, analysed, f, options, std::nullopt)) p.field_norms[n] = s.norms(options, {{f, 1.0}});
    }
    if (options.bm25f && options.fields.size() > 1) p.combined = s.norms(options, options.fields);
    return p;
}
}  // namespace

namespace {
// Whether global passage `d` is allowed by `filter` (empty: all are).
bool allowed(std::span<const std::uint64_t> filter, docid_t d) noexcept {
    return filter.empty() || test_bit(filter, d);
}

// The cursor vocabulary (search/cursor.hpp, `BlockMaxCursor`) over a scorer node, so that
// MaxScore, block-max WAND and the block-max conjunction run over the clauses of a query tree as
// they do over terms. `freq()` has no meaning for a compound node and is 1.
class node_cursor {
public:
    explicit node_cursor(scorer& s) : s_(&s), max_(s.max_score()), cost_(s.cost()) {}
    [[nodiscard]] docid_t docid() const noexcept { return s_->doc; }
    void next() noexcept { s_->advance(s_->doc + 1); }
    void seek(docid_t target) noexcept { s_->advance(target); }
    [[nodiscard]] std::uint32_t freq() const noexcept { return 1; }
    [[nodiscard]] score_t score() const noexcept { return s_->score(); }
    [[nodiscard]] score_t max_score() const noexcept { return max_; }
    void shallow_seek(docid_t target) noexcept {
        if (target > last_ || !shallowed_) {
            last_ = s_->shallow(target);
            shallowed_ = true;
        }
    }
    [[nodiscard]] docid_t block_last_docid() const noexcept { return last_; }
    [[nodiscard]] score_t block_max_score() const noexcept { return shallowed_ ? s_->block_max() : max_; }
    [[nodiscard]] std::uint64_t cost() const noexcept { return cost_; }

private:
    scorer* s_;
    score_t max_;
    std::uint64_t cost_;
    docid_t last_ = 0;
    bool shallowed_ = false;
};
static_assert(BlockMaxCursor<node_cursor>);

// A segment filter that also rejects the passages an excluded (`must_not`) clause matches. The
// algorithms offer candidates in ascending order, so the excluded scorers only move forward.
template <class Accept>
struct excluding {
    Accept inner;
    std::span<scorer* const> excluded;
    bool operator()(docid_t d) const noexcept {
        if (!inner(d)) return false;
        for (scorer* x : excluded) {
            x->advance(d);
            if (x->doc == d) return false;
        }
        return true;
    }
    [[nodiscard]] docid_t next_allowed(docid_t d) const noexcept { return detail::next_allowed(inner, d); }
};

// The shape of a tree's root that decides how it is evaluated.
enum class root_shape {
    other,        // any node: block-max skipping over the root's own bounds
    disjunction,  // optional clauses (any one suffices), maybe excluded ones: MaxScore / BMW over the clauses
    conjunction,  // required clauses only, maybe excluded ones: the block-max conjunction over them
};

// Top-k evaluation of one segment's tree, exact (the same passages and bit-identical scores as
// scoring every match; tests/pruning checks it), with pruning chosen by `algo`:
// - a disjunction root runs MaxScore or block-max WAND over its clauses (each clause a cursor
//   bounded by its own bounds), excluded clauses filtering the candidates;
// - a conjunction root runs the block-max conjunction over its clauses, rarest first;
// - any other root (a phrase, a BM25F term, required with optional clauses, min-should > 1) skips
//   whole blocks at the root: where the root's block bound over [target, L] cannot reach the
//   threshold, nothing up to L is decoded (Ding & Suel's block-max idea applied to the whole tree).
template <class Queue, class Accept>
void evaluate_tree(scorer& root, Queue& top, Accept accept, docid_t base, algorithm algo, std::size_t k,
                   search_stats* stats) {
    auto* b = dynamic_cast<boolean_scorer*>(&root);
    root_shape shape = root_shape::other;
    std::vector<node_cursor> cursors;
    std::vector<scorer*> excluded;
    if (b != nullptr) {
        std::size_t must = 0, should = 0;
        for (auto& [o, c] : b->clauses()) {
            if (o == q::occur::must) ++must;
            if (o == q::occur::should) ++should;
            if (o == q::occur::must_not) excluded.push_back(c.get());
        }
        if (must == 0 && should > 0 && b->min_should() <= 1) shape = root_shape::disjunction;
        if (must > 0 && should == 0) shape = root_shape::conjunction;
        if (shape != root_shape::other) {
            // Clauses in query order: the pruned sums then add the same scores in the same order.
            for (auto& [o, c] : b->clauses())
                if (o != q::occur::must_not) cursors.emplace_back(*c);
        }
    }
    if (algo == algorithm::automatic) {
        // A disjunction as the term path chooses (detail::choose_algorithm); a conjunction runs the
        // block-max conjunction; any other root is scored exhaustively: root block skipping scored
        // under 1 % fewer passages on the Wikipedia log's `+first rest` queries and phrases and cost
        // 0-7 % more time (search_bench shape_log/*), so `automatic` does not use it.
        if (shape == root_shape::disjunction)
            algo = detail::choose_algorithm(algorithm::automatic, cursors.size(), k);
        else
            algo = shape == root_shape::conjunction ? algorithm::maxscore : algorithm::exhaustive;
    }
    const auto scan = [&](auto acc) {
        // Exhaustive: score every match.
        std::uint64_t scored = 0;
        for (root.advance(detail::next_allowed(acc, 0)); root.doc != end_docid;) {
            const docid_t d = root.doc;
            if (acc(d)) {
                ++scored;
                top.insert(root.score(), d + base);
                root.advance(d + 1);
            } else {
                root.advance(detail::next_allowed(acc, d + 1));
            }
        }
        if (stats != nullptr) *stats += {scored, scored};
    };
    if (algo == algorithm::exhaustive) return scan(accept);
    if (shape == root_shape::disjunction) {
        const std::span<node_cursor> span(cursors);
        const excluding<Accept> acc{accept, excluded};
        if (algo == algorithm::block_max_wand)
            block_max_wand(span, top, acc, base, stats);
        else
            maxscore(span, top, acc, base, stats);
        return;
    }
    if (shape == root_shape::conjunction) {
        // block_max_and sums in cursor order; ordering by cost would change the sum's order, so the
        // clauses keep query order unless they are a single one (then order is moot).
        const excluding<Accept> acc{accept, excluded};
        block_max_and(std::span<node_cursor>(cursors), top, acc, base, stats);
        return;
    }
    // Block-max skipping at the root.
    const detail::prune_test prune(1);
    std::uint64_t scored = 0;
    docid_t target = 0;
    docid_t last = end_docid;
    bool window = false;  // [target, last] has been checked against the threshold
    while (true) {
        const score_t threshold = top.threshold();
        if (!window && threshold > 0) {
            last = root.shallow(target);
            if (prune.below(root.block_max(), threshold)) {
                if (last == end_docid) break;
                target = last + 1;
                continue;
            }
            window = true;
        }
        root.advance(target);
        const docid_t d = root.doc;
        if (d == end_docid) break;
        if (window && d > last) {
            // The match lies beyond the window checked: check the window that holds it.
            target = d;
            window = false;
            continue;
        }
        if (accept(d)) {
            ++scored;
            if (top.insert(root.score(), d + base)) window = false;  // the threshold rose: check again
            target = d + 1;
        } else {
            target = detail::next_allowed(accept, d + 1);
        }
        if (window && target > last) window = false;
    }
    if (stats != nullptr) *stats += {scored, scored};
}

// Walks every live, allowed passage matching `analysed`, segment by segment, calling
// `visit(root, global docid)` with the scorer positioned on it.
template <class Impl, class Visit>
void walk_matches(Impl& s, const q::query& analysed, const search_options& options, search_info& info,
                    Visit&& visit) {
    const auto& reader = s.reader;
    auto p = prepare(s, analysed, options, info);
    const auto segments = reader.segments();
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& seg = *segments[i];
        const docid_t base = reader.bases()[i];
        with_tree(s, analysed, options, p, i, [&](scorer& root, const auto&) {
            detail::with_filter(seg, base, options.filter, [&](auto accept) {
                // Leaping over what the filter disallows, as the top-k evaluations do.
                for (root.advance(detail::next_allowed(accept, 0)); root.doc != end_docid;) {
                    const docid_t d = root.doc;
                    if (!accept(d)) {
                        root.advance(detail::next_allowed(accept, d + 1));
                        continue;
                    }
                    ++info.matches;
                    visit(root, d + base);
                    root.advance(d + 1);
                }
            });
            if (const damage d = root.corrupt(); d != damage::none) throw_damage(seg, d);
        });
    }
}
}  // namespace

template <class Queue>
std::vector<scored_doc> searcher::impl::run(const q::query& analysed, const search_options& options,
                                                  search_info* info_out) const {
    const auto& s = *this;
    validate(options);
    check_boosts(analysed);
    auto stop = interrupt_of(options);
    const interrupt_scope scope(stop ? &*stop : nullptr);
    // No more hits than passages: a huge k costs no memory.
    const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(options.k, s.reader.passage_count()));
    search_info info;
    if (k == 0 || s.reader.passage_count() == 0 || analysed.empty()) {
        record_stats(serial, {});
        if (info_out != nullptr) *info_out = info;
        return {};
    }
    if (const auto plain = as_flat_disjunction(s.reader.options().schema, analysed); plain && flat_fields(options)) {
        // The tree path counts clauses in `prepare`; this one bypasses it.
        if (options.max_clauses != 0 && plain->size() > options.max_clauses) too_many_clauses(options.max_clauses);
        search_options o;
        o.k = k;
        o.bm25 = options.bm25;
        o.algorithm = options.algorithm;
        o.filter = options.filter;
        o.fields = options.fields;
        o.statistics = options.statistics;
        search_stats stats;
        auto top = std::same_as<Queue, topk_queue> ? s.flat.top_k(*plain, o, stats) : s.flat.top_k_articles(*plain, o, stats);
        if (stop) stop->throw_if_fired("search");
        record_stats(serial, stats);
        info.matches = stats.candidates;
        if (info_out != nullptr) *info_out = info;
        return top;
    }
    Queue top(k);
    auto p = prepare(s, analysed, options, info);
    const auto segments = s.reader.segments();
    search_stats stats;
    // Segments go in ascending docid order into one queue, so a later segment starts with the
    // threshold the earlier ones reached.
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& seg = *segments[i];
        const docid_t base = s.reader.bases()[i];
        if constexpr (requires { top.begin_segment(base, seg.article_numbers(), 0u); })
            top.begin_segment(base, seg.article_numbers(), static_cast<std::uint32_t>(i));
        with_tree(s, analysed, options, p, i, [&](scorer& root, const auto&) {
            detail::with_filter(seg, base, options.filter, [&](auto accept) {
                evaluate_tree(root, top, accept, base, options.algorithm, k, &stats);
            });
            if (const damage d = root.corrupt(); d != damage::none) throw_damage(seg, d);
        });
    }
    if (stop) stop->throw_if_fired("search");
    record_stats(serial, stats);
    info.matches = stats.candidates;
    if (info_out != nullptr) *info_out = info;
    return top.finish();
}

template <class Queue>
std::vector<scored_doc> searcher::impl::run(const analysed_query& query, const search_options& options) const {
    validate(options);
    if (options.max_clauses != 0 && query.terms.size() > options.max_clauses) too_many_clauses(options.max_clauses);
    // Conjunctions over several fields take the tree: the flat conjunction sums its terms rarest
    // first, and only the body's explain repeats that order.
    if (flat_fields(options) && (options.mode == match_mode::any || body_only(options))) {
        search_stats stats;
        const auto terms = detail::to_flat(query);
        auto stop = interrupt_of(options);
        const interrupt_scope scope(stop ? &*stop : nullptr);
        auto top = std::same_as<Queue, topk_queue> ? flat.top_k(terms, options, stats) : flat.top_k_articles(terms, options, stats);
        if (stop) stop->throw_if_fired("search");
        record_stats(serial, stats);
        return top;
    }
    return run<Queue>(as_tree(query, options.mode), options, nullptr);
}

namespace {
// Records in `out` the df of every dictionary key scoring `node` reads (as `build` looks them up:
// its terms with their synonyms and its phrase words in each field searched, excluded clauses too).
void collect_keys(const index::index_reader& reader, const q::query& node, const search_options& o,
                  std::optional<index::field> inherited, collection_statistics& out) {
    if (const auto f = own_field(reader, node)) inherited = f;
    if (const auto* b = node.get_if<q::boolean_node>()) {
        for (const auto& c : b->clauses) collect_keys(reader, c.query, o, inherited, out);
        return;
    }
    const auto add = [&](index::field f, const std::string& term) {
        auto key = index::field_term(f, term);
        if (!out.doc_freqs.contains(key)) {
            const auto df = reader.doc_freq(key);
            out.doc_freqs.emplace(std::move(key), df);
        }
    };
    for (const auto& [f, w] : leaf_fields(inherited, o)) {
        if (const auto* t = node.get_if<q::term_node>()) {
            add(f, t->text);
            for (const auto& syn : t->synonyms) add(f, syn);
        } else if (const auto* p = node.get_if<q::phrase_node>()) {
            for (const auto& term : p->terms) add(f, term);
        }
    }
}
}  // namespace

collection_statistics searcher::statistics(const q::query& analysed, const search_options& options,
                                           const collection_statistics* expansions) const {
    auto o = options;
    // This snapshot's own counts; with `expansions`, its dfs of the terms they list.
    o.statistics = expansions;
    validate(o);
    check_boosts(analysed);
    auto stats = collection_statistics::of(impl_->reader);
    if (analysed.empty()) return stats;
    collect_keys(impl_->reader, analysed, o, std::nullopt, stats);
    search_info info;
    std::vector<expansion_entry> found;
    std::size_t clauses = clause_count(analysed);
    if (o.max_clauses != 0 && clauses > o.max_clauses) too_many_clauses(o.max_clauses);
    collect_expansions(impl_->reader, analysed, o, std::nullopt, found, info, impl_->analyzers, clauses);
    for (auto& e : found) {
        for (auto& t : e.terms.terms) {
            auto key = index::field_term(e.field, t.term);
            if (expansions != nullptr) t.df = impl_->reader.doc_freq(key);  // 0 where this index lacks it
            stats.doc_freqs.try_emplace(std::move(key), t.df);
        }
        stats.expansions.insert_or_assign(expansion_key(*e.node, e.field, o.expansion), std::move(e.terms));
    }
    return stats;
}

collection_statistics searcher::statistics(const analysed_query& query, const search_options& options,
                                           const collection_statistics* expansions) const {
    return statistics(as_tree(query, options.mode), options, expansions);
}

std::vector<scored_doc> searcher::top_k(const q::query& analysed, const search_options& options,
                                              search_info* info_out) const {
    return impl_->run<topk_queue>(analysed, options, info_out);
}

std::vector<scored_doc> searcher::top_k_articles(const q::query& analysed, const search_options& options,
                                                       search_info* info) const {
    return impl_->run<detail::article_topk_queue>(analysed, options, info);
}

std::vector<scored_doc> searcher::top_k(const analysed_query& query, const search_options& options) const {
    return impl_->run<topk_queue>(query, options);
}

std::vector<scored_doc> searcher::top_k_articles(const analysed_query& query, const search_options& options) const {
    return impl_->run<detail::article_topk_queue>(query, options);
}

std::vector<hit> searcher::search(const q::query& analysed, const search_options& options) const {
    std::vector<hit> hits;
    for (const auto& e : top_k(analysed, options)) hits.push_back(fetch(e));
    return hits;
}

std::vector<hit> searcher::search(const analysed_query& query, const search_options& options) const {
    std::vector<hit> hits;
    for (const auto& e : top_k(query, options)) hits.push_back(fetch(e));
    return hits;
}

std::vector<hit> searcher::search(std::string_view text, const search_options& options) const {
    return search(analyze(text), options);
}

std::uint64_t searcher::count(const q::query& analysed, const search_options& options) const {
    validate(options);
    const auto& s = *impl_;
    record_stats(s.serial, {});
    if (s.reader.passage_count() == 0 || analysed.empty()) return 0;
    auto stop = interrupt_of(options);
    const interrupt_scope scope(stop ? &*stop : nullptr);
    if (const auto flat = as_flat_disjunction(impl_->reader.options().schema, analysed); flat && flat_fields(options)) {
        search_options o;
        o.filter = options.filter;
        o.fields = options.fields;
        if (const auto n = s.flat.count(*flat, o)) {
            if (stop) stop->throw_if_fired("count");
            return *n;
        }
    }
    search_info info;
    walk_matches(s, analysed, options, info, [](scorer&, docid_t) {});
    if (stop) stop->throw_if_fired("count");
    return info.matches;
}

void searcher::for_each_match(const q::query& analysed, const search_options& options,
                              const match_visitor& visit) const {
    validate(options);
    check_boosts(analysed);
    const auto& s = *impl_;
    record_stats(s.serial, {});
    if (s.reader.passage_count() == 0 || analysed.empty()) return;
    auto stop = interrupt_of(options);
    const interrupt_scope scope(stop ? &*stop : nullptr);
    search_info info;
    walk_matches(s, analysed, options, info, [&](scorer& root, docid_t d) {
        const std::function<score_t()> score = [&root] { return root.score(); };
        visit(d, score);
    });
    if (stop) stop->throw_if_fired("search");
}

std::uint64_t searcher::count(const analysed_query& query, const search_options& options) const {
    validate(options);
    record_stats(impl_->serial, {});
    if (flat_fields(options)) {
        auto stop = interrupt_of(options);
        const interrupt_scope scope(stop ? &*stop : nullptr);
        if (const auto n = impl_->flat.count(detail::to_flat(query), options)) {
            if (stop) stop->throw_if_fired("count");
            return *n;
        }
    }
    return count(as_tree(query, options.mode), options);
}

std::uint64_t searcher::count(std::string_view text, const search_options& options) const {
    return count(analyze(text), options);
}

explanation searcher::explain(const analysed_query& query, docid_t passage, const search_options& options) const {
    validate(options);
    if (body_only(options)) return impl_->flat.explain(query, passage, options);
    return explain(as_tree(query, options.mode), passage, options);
}

explanation searcher::explain(const q::query& analysed, docid_t passage, const search_options& options) const {
    validate(options);
    check_boosts(analysed);
    const auto& reader = impl_->reader;
    if (passage >= reader.passage_count()) throw invalid_argument("explain: passage id out of range");
    // Named variables, not a structured binding: clang 14 cannot capture bindings in lambdas.
    const auto located = reader.locate(passage);
    const auto* seg = located.first;
    const docid_t local = located.second;
    if (analysed.empty()) return {0, "the query is empty: it matches nothing", {}};
    if (seg->is_deleted(local)) return {0, "the passage is deleted: it is never returned", {}};
    if (!allowed(options.filter, passage)) return {0, "the passage is outside the filter: it is never returned", {}};
    search_info info;
    auto p = prepare(*impl_, analysed, options, info);
    const auto segments = reader.segments();
    const auto i = static_cast<std::size_t>(std::find_if(segments.begin(), segments.end(),
                                                         [&](const auto& s) { return s.get() == seg; }) -
                                            segments.begin());
    return with_tree(*impl_, analysed, options, p, i, [&](scorer& root, const auto& model) -> explanation {
        root.advance(local);
        if (root.doc != local) return {0, "the query does not match this passage", {}};
        auto e = root.explain();
        e.description += detail::passage_text(model, detail::passages(reader, options), passage, *seg, local);
        e.matches = true;
        return e;
    });
}

namespace {
// Marks what matches in the body: titles are not part of the passage text, so a clause that
// searches only the title (by its own field, its parent's, or default fields without the body)
// marks nothing.
// `target`: the field whose text is marked (the body by default).
void collect_highlight(const index::index_reader& reader, const q::query& node, const search_options& o,
                       std::optional<index::field> inherited, highlight::highlight_query& out,
                       const detail::analyzer_pool& analyzers, index::field target = index::field::body) {
    if (const auto f = own_field(reader, node)) inherited = f;
    if (const auto* b = node.get_if<q::boolean_node>()) {
        for (const auto& c : b->clauses)
            if (c.occur != q::occur::must_not) collect_highlight(reader, c.query, o, inherited, out, analyzers, target);
        return;
    }
    const auto fields = leaf_fields(inherited, o);
    if (std::none_of(fields.begin(), fields.end(), [&](const field_weight& f) { return f.field == target; })) return;
    if (const auto* t = node.get_if<q::term_node>()) {
        out.terms.push_back(t->text);
        out.terms.insert(out.terms.end(), t->synonyms.begin(), t->synonyms.end());
    } else if (const auto* p = node.get_if<q::phrase_node>()) {
        if (p->terms.size() == 1) out.terms.push_back(p->terms.front());
        if (p->terms.size() > 1) out.phrases.push_back({p->terms, p->positions, p->slop});
    } else if (node.kind() == q::node_kind::prefix || node.kind() == q::node_kind::fuzzy) {
        auto in_body = o.expansion;
        in_body.field = target;
        auto analyzer = analyzers.acquire();
        for (const auto& e : detail::expand_words(reader, node, in_body, analyzer.analyzer()).terms)
            out.terms.push_back(e.term);
    }
}
}  // namespace

highlight::highlight_query searcher::highlight_terms(const q::query& analysed, const search_options& options) const {
    highlight::highlight_query out;
    collect_highlight(impl_->reader, analysed, options, std::nullopt, out, impl_->analyzers);
    return out;
}

highlight::highlight_query searcher::highlight_terms(const q::query& analysed, index::field f,
                                                     const search_options& options) const {
    highlight::highlight_query out;
    collect_highlight(impl_->reader, analysed, options, std::nullopt, out, impl_->analyzers, f);
    return out;
}

highlight::snippet searcher::field_snippet(std::string_view text, index::field f, const highlight::highlight_query& terms,
                                           const highlight::snippet_options& options) const {
    const auto n = static_cast<std::size_t>(f);
    const bool own = n < impl_->field_text_analyzers.size() && impl_->field_text_analyzers[n];
    auto analyzer = (own ? *impl_->field_text_analyzers[n] : impl_->text_analyzers).acquire();
    return highlight::make_snippet(text, analyzer.analyze(text), terms, options);
}

highlight::snippet searcher::snippet(std::string_view text, const highlight::highlight_query& terms,
                                     const highlight::snippet_options& options, std::string_view language) const {
    auto analyzer = impl_->pools(language).second->acquire();
    return highlight::make_snippet(text, analyzer.analyze(text), terms, options);
}

std::optional<std::string> searcher::suggest(std::string_view text, const suggest_options& options) const {
    auto analyzer = impl_->analyzers.acquire();
    return detail::suggest(impl_->reader, text, analyzer.analyzer(), impl_->reader.options().analyzer.case_fold, options);
}

synonym_table searcher::synonyms(std::span<const q::synonym_rule> rules) const {
    synonym_table table;
    auto analyzer = impl_->analyzers.acquire();
    // An entry as index terms at their positions (the first term of each position), or nothing
    // (counted) when it analyses to no term.
    struct entry {
        std::vector<std::string> terms;
        std::vector<std::uint32_t> positions;
    };
    const auto entries_of = [&](const std::vector<std::string>& words) {
        std::vector<entry> out;
        for (const auto& w : words) {
            entry e;
            std::uint32_t first = 0;
            for (const auto& t : analyzer.analyze(w)) {
                if (e.terms.empty()) first = t.position;
                const std::uint32_t pos = t.position - first;
                if (!e.positions.empty() && e.positions.back() == pos) continue;  // stacked: keep the word's own
                e.terms.push_back(t.term);
                e.positions.push_back(pos);
            }
            if (e.terms.empty()) {
                ++table.skipped_entries;
                continue;
            }
            if (std::none_of(out.begin(), out.end(), [&](const entry& o) { return o.terms == e.terms; }))
                out.push_back(std::move(e));
        }
        return out;
    };
    const auto merge = [](std::vector<std::string>& into, const std::vector<std::string>& more) {
        for (const auto& m : more)
            if (std::find(into.begin(), into.end(), m) == into.end()) into.push_back(m);
    };
    const auto add_phrase = [](synonym_expansion& e, const entry& p) {
        q::phrase_node node{p.terms, p.positions, 0};
        if (std::find(e.phrases.begin(), e.phrases.end(), node) == e.phrases.end()) e.phrases.push_back(std::move(node));
    };
    boost::unordered_flat_map<std::string, std::vector<std::string>> equivalent, explicit_to;
    boost::unordered_flat_map<std::string, bool> explicit_single;  // single-term keys with phrases: replaced?
    for (const auto& r : rules) {
        const auto from = entries_of(r.from);
        const bool equivalence = r.from == r.to;
        const auto to = equivalence ? from : entries_of(r.to);
        std::vector<std::string> singles;
        for (const auto& e : to)
            if (e.terms.size() == 1) singles.push_back(e.terms.front());
        const bool has_multi = singles.size() != to.size();
        if (to.empty()) continue;
        for (const auto& f : from) {
            if (f.terms.size() == 1) {
                const auto& term = f.terms.front();
                if (!singles.empty() || !equivalence) merge(equivalence ? equivalent[term] : explicit_to[term], singles);
                if (!has_multi) continue;
                auto& e = table.multi_words[f.terms];
                for (const auto& t : to)
                    if (t.terms.size() > 1) add_phrase(e, t);
                if (!equivalence) explicit_single[term] = true;
                else explicit_single.try_emplace(term, false);
                continue;
            }
            auto& e = table.multi_words[f.terms];
            e.positions = f.positions;
            e.replaces = e.replaces || !equivalence;
            merge(e.terms, singles);
            for (const auto& t : to)
                if (t.terms.size() > 1 && t.terms != f.terms) add_phrase(e, t);
        }
    }
    for (auto& [term, group] : equivalent) {
        // The term itself first: it keeps its place in the query, its synonyms join it.
        std::vector<std::string> ordered{term};
        merge(ordered, group);
        if (ordered.size() > 1) table.groups.emplace(term, std::move(ordered));
    }
    for (auto& [term, to] : explicit_to) table.groups[term] = std::move(to);  // replaces, as Solr's =>
    // A word with multi-word synonyms carries its whole expansion in `multi_words`.
    for (const auto& [term, replaced] : explicit_single) {
        auto& e = table.multi_words[{term}];
        e.replaces = replaced;
        if (const auto it = table.groups.find(term); it != table.groups.end()) {
            e.terms = std::move(it->second);
            table.groups.erase(it);
        } else if (!replaced) {
            e.terms = {term};
        }
    }
    return table;
}

namespace {
// A term clause that a run of multi-word synonyms may include: a plain term with no synonyms,
// field or boost of its own.
const q::term_node* plain_term(const q::clause& c) {
    const auto* t = c.query.get_if<q::term_node>();
    if (t == nullptr || !t->synonyms.empty() || !c.query.field().empty() || c.query.boost() != 1.0) return nullptr;
    return c.occur == q::occur::must_not ? nullptr : t;
}

// The OR of `self` (a run's own phrase, when kept), `e`'s group and its phrases; one clause alone
// stands for itself.
q::query expansion_query(const synonym_expansion& e, const q::phrase_node* self) {
    q::boolean_node b;
    if (self != nullptr) b.clauses.push_back({q::occur::should, q::query(*self)});
    if (!e.terms.empty())
        b.clauses.push_back({q::occur::should, q::query(q::term_node{e.terms.front(), {e.terms.begin() + 1, e.terms.end()}})});
    for (const auto& p : e.phrases) b.clauses.push_back({q::occur::should, q::query(p)});
    if (b.clauses.size() == 1) return std::move(b.clauses.front().query);
    return q::query(std::move(b));
}
}  // namespace

namespace {
// `searcher::expand_synonyms` below the root; `longest` is the most terms of a multi-word key.
q::query expand_with(const q::query& analysed, const synonym_table& table, std::size_t longest) {
    if (analysed.empty()) return analysed;
    if (const auto* t = analysed.get_if<q::term_node>()) {
        if (!t->synonyms.empty()) return analysed;
        if (const auto m = table.multi_words.find({t->text}); m != table.multi_words.end()) {
            auto out = expansion_query(m->second, nullptr);
            if (out.empty()) return analysed;
            return out.field(analysed.field()).boost(analysed.boost());
        }
        const auto it = table.groups.find(t->text);
        if (it == table.groups.end()) return analysed;
        q::term_node node{it->second.front(), {it->second.begin() + 1, it->second.end()}};
        q::query out(std::move(node));
        return out.field(analysed.field()).boost(analysed.boost());
    }
    if (const auto* b = analysed.get_if<q::boolean_node>()) {
        q::boolean_node out;
        out.minimum_should_match = b->minimum_should_match;
        std::vector<q::clause> extra;
        const auto& in = b->clauses;
        for (std::size_t i = 0; i < in.size();) {
            // The longest run of plain terms from clause i, of one occurrence, that a rule names.
            std::size_t run = 0;
            const synonym_expansion* found = nullptr;
            if (plain_term(in[i]) != nullptr) {
                std::vector<std::string> key;
                for (std::size_t n = 0; n < longest && i + n < in.size(); ++n) {
                    const auto* t = plain_term(in[i + n]);
                    if (t == nullptr || in[i + n].occur != in[i].occur) break;
                    key.push_back(t->text);
                    if (key.size() < 2) continue;
                    if (const auto m = table.multi_words.find(key); m != table.multi_words.end()) {
                        run = key.size();
                        found = &m->second;
                    }
                }
            }
            if (found == nullptr) {
                out.clauses.push_back({in[i].occur, expand_with(in[i].query, table, longest)});
                ++i;
                continue;
            }
            if (in[i].occur == q::occur::should && !found->replaces) {
                // The words stay (each may have synonyms of its own); their synonyms join as one clause.
                for (std::size_t n = 0; n < run; ++n)
                    out.clauses.push_back({in[i + n].occur, expand_with(in[i + n].query, table, longest)});
                extra.push_back({q::occur::should, expansion_query(*found, nullptr)});
            } else {
                q::phrase_node self;
                for (std::size_t n = 0; n < run; ++n) self.terms.push_back(in[i + n].query.get_if<q::term_node>()->text);
                self.positions = found->positions;
                out.clauses.push_back({in[i].occur, expansion_query(*found, found->replaces ? nullptr : &self)});
            }
            i += run;
        }
        for (auto& c : extra) out.clauses.push_back(std::move(c));
        if (out.clauses.size() == 1 && out.clauses.front().occur != q::occur::must_not && out.minimum_should_match <= 1) {
            q::query only = std::move(out.clauses.front().query);
            only.boost(only.boost() * analysed.boost());
            if (only.field().empty()) only.field(analysed.field());
            return only;
        }
        return q::query(std::move(out)).field(analysed.field()).boost(analysed.boost());
    }
    return analysed;
}
}  // namespace

q::query searcher::expand_synonyms(const q::query& analysed, const synonym_table& table) const {
    if (table.groups.empty() && table.multi_words.empty()) return analysed;
    std::size_t longest = 0;
    for (const auto& entry : table.multi_words) longest = std::max(longest, entry.first.size());
    return expand_with(analysed, table, longest);
}

q::query searcher::rm3(const q::query& analysed, const search_options& options, const rm3_options& rm) const {
    if (!(rm.original_weight >= 0.0 && rm.original_weight <= 1.0))
        throw invalid_argument("rm3: original_weight must lie in [0, 1]");
    if (!(rm.max_df_ratio > 0.0 && rm.max_df_ratio <= 1.0)) throw invalid_argument("rm3: max_df_ratio must lie in (0, 1]");
    if (!(rm.score_exponent >= 0.0 && rm.score_exponent <= 16.0))
        throw invalid_argument("rm3: score_exponent must lie in [0, 16]");
    if (rm.feedback_passages == 0 || rm.expansion_terms == 0) return analysed;
    auto first = options;
    first.k = rm.feedback_passages;
    const auto feedback = top_k(analysed, first);
    if (feedback.empty()) return analysed;

    // Relevance model: score-weighted sum of each passage's term distribution.
    boost::unordered_flat_map<std::string, double> weights;  // term -> Σ score(d) · tf / |d|
    {
        auto analyzer = impl_->text_analyzers.acquire();
        for (const auto& d : feedback) {
            const auto h = fetch(d);
            const auto& tokens = analyzer.analyze(h.text);
            if (tokens.empty()) continue;
            const double length = static_cast<double>(tokens.size());
            // The passage's weight in the relevance model: its score to the power γ (1: Anserini's
            // raw score), which sharpens the model towards the best passages as RM1's query
            // likelihood does.
            const double weight = std::pow(d.score, rm.score_exponent);
            for (const auto& t : tokens) weights[t.term] += weight / length;
        }
    }
    std::vector<std::pair<std::string, double>> model;
    model.reserve(weights.size());
    {
        // Body document frequencies against the passage count: drop the collection's commonest terms.
        const double limit = rm.max_df_ratio * static_cast<double>(impl_->reader.passage_count());
        for (auto& [term, w] : weights) {
            if (rm.max_df_ratio < 1.0 && static_cast<double>(impl_->reader.doc_freq(term)) > limit) continue;
            model.emplace_back(term, w);
        }
    }
    // Keep the most probable terms (ties by term), normalised to sum 1.
    std::sort(model.begin(), model.end(),
              [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    if (model.size() > rm.expansion_terms) model.resize(rm.expansion_terms);
    double total = 0;
    for (const auto& [t, v] : model) total += v;
    if (total <= 0) return analysed;
    for (auto& [t, v] : model) v /= total;

    std::vector<q::clause> clauses;
    const double fb_weight = 1.0 - rm.original_weight;
    const auto flat = as_flat_disjunction(impl_->reader.options().schema, analysed);
    // Terms without a field of their own and boost 1: the feedback terms, which carry no field
    // either, search the same fields, so the two term vectors interpolate term by term.
    if (flat && std::all_of(flat->begin(), flat->end(), [](const auto& t) { return t.boost == 1.0 && !t.field; })) {
        // Interpolate two term vectors: q(w) = count / |q|.
        std::vector<std::pair<std::string, double>> merged;
        const double n = static_cast<double>(flat->size());
        for (const auto& t : *flat) merged.emplace_back(t.text, rm.original_weight * static_cast<double>(t.count) / n);
        for (const auto& tv : model) {
            const std::string& t = tv.first;  // not a structured binding: the lambda captures it (clang 14)
            const double v = tv.second;
            auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& m) { return m.first == t; });
            if (it == merged.end())
                merged.emplace_back(t, fb_weight * v);
            else
                it->second += fb_weight * v;
        }
        for (const auto& [t, w] : merged)
            if (w > 0) clauses.push_back(q::should(q::term(t).boost(w)));
    } else {
        // Any other query keeps its structure, scaled as the term vector above would be: its weight
        // spread over its scoring leaves (terms, phrases, prefixes, fuzzy terms, not exclusions),
        // so that each counts original_weight / leaves, on the feedback terms' scale (as Anserini
        // normalises both parts to sum 1 before interpolating).
        const double leaves = static_cast<double>(std::max<std::size_t>(1, scoring_leaves(analysed)));
        if (rm.original_weight > 0)
            clauses.push_back(q::should(q::query(analysed).boost(analysed.boost() * rm.original_weight / leaves)));
        if (fb_weight > 0)
            for (const auto& [t, v] : model) clauses.push_back(q::should(q::term(t).boost(fb_weight * v)));
    }
    if (clauses.empty()) return analysed;
    return q::boolean(std::move(clauses));
}

std::string explanation::to_string() const {
    std::string out;
    const auto walk = [&](const auto& self, const explanation& e, int depth) -> void {
        out.append(static_cast<std::size_t>(depth) * 2, ' ');
        out += format("%.6f = ", e.value) + e.description + "\n";
        for (const auto& d : e.details) self(self, d, depth + 1);
    };
    walk(walk, *this, 0);
    return out;
}

highlight::highlight_query searcher::highlight_terms(const analysed_query& query) const {
    highlight::highlight_query out;
    for (const auto& t : query.terms) out.terms.push_back(t.text);
    return out;
}

highlight::snippet searcher::snippet(const hit& h, const analysed_query& query,
                                     const highlight::snippet_options& options) const {
    return snippet(h.text, highlight_terms(query), options);
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

search_stats searcher::last_stats() const noexcept { return recorded_stats(impl_->serial); }

std::shared_ptr<const index::length_norm_table> searcher::length_norms(const bm25_params& params) const {
    params.validate();
    search_options o;
    o.bm25 = params;
    return impl_->flat.norms(o);
}

std::size_t searcher::passage_count() const noexcept { return impl_->reader.passage_count(); }
double searcher::average_length() const noexcept { return impl_->flat.average_length(); }
const index::index_reader& searcher::reader() const noexcept { return impl_->reader; }

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

}  // namespace rapport::search
