// SPDX-License-Identifier: MIT
// Prefix and fuzzy expansion over sorted term dictionaries (see rapport/query/expand.hpp).
// Thread safety: pure functions over immutable dictionaries.
#include "rapport/query/expand.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "query/syntax.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"
#include "rapport/index/index_reader.hpp"

namespace rapport::query {

namespace {

// Index terms that start with article_key_prefix (the writer's hidden article keys) or
// title_term_prefix (title terms) are not body terms (index/fields.hpp). They sort first.
// Both marks are control bytes below every analysed term, so the first key after the internal
// ones starts with the byte that follows the higher mark.
static_assert(index::article_key_prefix < index::title_term_prefix);
constexpr char after_internal_byte = static_cast<char>(index::title_term_prefix + 1);
constexpr std::string_view after_internal{&after_internal_byte, 1};
[[nodiscard]] bool internal(std::string_view t) noexcept {
    return !t.empty() && (t.front() == index::article_key_prefix || t.front() == index::title_term_prefix);
}

// The bytes every dictionary key of `f` starts with: none for body, the title mark for title.
std::string key_space(index::field f) { return index::field_term(f, ""); }

// Splits `s` into code points (invalid bytes as themselves, see detail::decode_utf8), recording
// the byte offset just past each one in `ends`.
void decode_units(std::string_view s, std::vector<char32_t>& units, std::vector<std::size_t>& ends) {
    units.clear();
    ends.clear();
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        i += detail::decode_utf8(s, i, cp);
        units.push_back(cp);
        ends.push_back(i);
    }
}

// The smallest byte string greater than every string that starts with `prefix`, or nothing when
// no such string exists (the prefix is all 0xFF bytes).
std::optional<std::string> successor(std::string_view prefix) {
    std::string s(prefix);
    while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
    if (s.empty()) return std::nullopt;
    s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
    return s;
}

std::vector<const codec::term_dictionary*> one(const codec::term_dictionary& d) { return {&d}; }

// Per-dictionary results are sorted by term; merging sums the dfs of equal terms, then the cap
// keeps the best `cap` under `better` and the result is put back in term order.
template <class Better>
expansion finish(std::vector<expanded_term> all, std::uint64_t examined, std::size_t cap, Better better) {
    std::sort(all.begin(), all.end(), [](const expanded_term& a, const expanded_term& b) { return a.term < b.term; });
    std::vector<expanded_term> merged;
    for (auto& t : all) {
        if (!merged.empty() && merged.back().term == t.term) {
            merged.back().df += t.df;
        } else {
            merged.push_back(std::move(t));
        }
    }
    expansion out;
    out.examined = examined;
    if (merged.size() > cap) {
        out.truncated = true;
        std::nth_element(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(cap), merged.end(), better);
        merged.resize(cap);
        std::sort(merged.begin(), merged.end(),
                  [](const expanded_term& a, const expanded_term& b) { return a.term < b.term; });
    }
    out.terms = std::move(merged);
    return out;
}

// The Levenshtein automaton of one query term, run against a sorted dictionary. Its state after
// reading a term prefix u is the DP row d[|u|][0..m] of the distance between u and each query
// prefix; rows[i] is kept for every prefix length i of the current term so that the next term,
// which shares a prefix with it (sorted order), resumes at their common prefix.
class fuzzy_walk {
public:
    fuzzy_walk(std::string_view query_term, std::uint32_t max_edits, std::uint32_t prefix_length, bool transpositions)
        : k_(max_edits), transpositions_(transpositions) {
        std::vector<std::size_t> ends;
        decode_units(query_term, query_, ends);
        const std::size_t p = std::min<std::size_t>(prefix_length, query_.size());
        required_units_ = p;
        required_ = std::string(query_term.substr(0, p == 0 ? 0 : ends[p - 1]));
        chars_ = query_;
        std::sort(chars_.begin(), chars_.end());
        chars_.erase(std::unique(chars_.begin(), chars_.end()), chars_.end());
        // Jumping to the next live character needs every query unit to be a real code point.
        smart_ = std::none_of(chars_.begin(), chars_.end(), invalid_unit);
        width_ = query_.size() + 1;
        rows_.resize(width_);
        for (std::size_t j = 0; j < width_; ++j) rows_[j] = static_cast<std::uint32_t>(j);
    }

    // Walks the keys of `dict` that start with `space` (see key_space), matching what follows it.
    void run(const codec::term_dictionary& dict, std::string_view space, std::vector<expanded_term>& out,
             std::uint64_t& examined) {
        if (internal(required_)) return;
        valid_ = 0;
        term_.clear();
        const std::string start = std::string(space) + required_;
        auto c = dict.seek(start);
        while (c.valid()) {
            const std::string_view key = c.term();
            if (!key.starts_with(start)) break;
            const std::string_view t = key.substr(space.size());
            if (internal(t)) {
                c.seek(std::string(space) + std::string(after_internal));
                valid_ = 0;
                continue;
            }
            ++examined;
            decode_units(t, units_, ends_);
            std::size_t lcp = 0;
            const std::size_t limit = std::min(valid_, units_.size());
            while (lcp < limit && units_[lcp] == term_[lcp]) ++lcp;
            term_.assign(units_.begin(), units_.end());
            std::size_t dead = 0;  // 1-based row at which the automaton died, 0 if alive
            for (std::size_t i = lcp + 1; i <= term_.size(); ++i) {
                if (compute_row(i) > k_) {
                    dead = i;
                    break;
                }
            }
            if (dead != 0) {
                valid_ = dead;
                const auto next = next_target(t, dead);
                if (!next) break;
                c.seek(std::string(space) + *next);
                continue;
            }
            valid_ = term_.size();
            const std::uint32_t d = row(term_.size())[query_.size()];
            if (d <= k_) out.push_back(expanded_term{std::string(t), d, c.info().df});
            c.next();
        }
    }

private:
    // A unit that stands for an invalid byte (see detail::decode_utf8).
    static bool invalid_unit(char32_t u) noexcept { return u >= 0xDC80 && u <= 0xDCFF; }

    // Stands for any code point that does not occur in the query: all of them give the same row.
    static constexpr char32_t other = 0xFFFFFFFF;

    std::uint32_t* row(std::size_t i) { return rows_.data() + i * width_; }

    // Where the walk goes after term_ died at row `dead` (1-based): the smallest string after
    // the current term `t` that may still match, or nothing when none can. Strings are skipped
    // only when the automaton is dead on them. Adjacent rows differ by at most 1 in each column
    // (one insertion or deletion), so once a row's minimum exceeds k every later row's does
    // too; a transposition reaches back to row i-1, whose minimum is then at least k, and adds
    // 1. Hence no extension of term_[0, dead) matches. Then, level by level towards the root,
    // with prefix u = term_[0, level-1) and c = term_[level-1], every extension of u + c after
    // `t` is dead, so the walk looks for the smallest live u + x with x > c: a character that
    // does not occur in the query gives the same row as any other such character, so when such
    // characters are live the next candidate is the first string after all extensions of u + c;
    // otherwise only query characters can revive the row and the walk jumps straight to the
    // smallest live one (the "next string" step of an automaton intersection, as Lucene's
    // AutomatonTermsEnum does it). UTF-8 byte order is code point order, so byte seeks follow.
    std::optional<std::string> next_target(std::string_view t, std::size_t dead) {
        for (std::size_t level = dead; level > 0; --level) {
            // The required prefix is fixed: nothing after it can match.
            if (level <= required_units_) return std::nullopt;
            const char32_t c = term_[level - 1];
            if (!smart_ || invalid_unit(c) || candidate_min(level, other) <= k_)
                return successor(t.substr(0, ends_[level - 1]));
            const auto from = std::upper_bound(chars_.begin(), chars_.end(), c);
            for (auto x = from; x != chars_.end(); ++x) {
                if (candidate_min(level, *x) <= k_) {
                    std::string target(t.substr(0, level >= 2 ? ends_[level - 2] : 0));
                    append_utf8(target, *x);
                    return target;
                }
            }
        }
        return std::nullopt;
    }

    // The minimum of the row that term_[0, i-1) followed by `a` would have (rows up to i-1 valid).
    std::uint32_t candidate_min(std::size_t i, char32_t a) {
        scratch_.resize(width_);
        return fill_row(i, a, scratch_.data());
    }

    // Computes rows_[i] from rows i-1 (and i-2 for transpositions) for term_[i-1]; returns the
    // row's minimum.
    std::uint32_t compute_row(std::size_t i) {
        if (rows_.size() < (i + 1) * width_) rows_.resize((i + 1) * width_);
        return fill_row(i, term_[i - 1], row(i));
    }

    // Writes into `cur` the DP row after term_[0, i-1) + `a`; returns its minimum.
    std::uint32_t fill_row(std::size_t i, char32_t a, std::uint32_t* cur) {
        const std::uint32_t* above = row(i - 1);
        const std::uint32_t* above2 = i >= 2 ? row(i - 2) : nullptr;
        cur[0] = static_cast<std::uint32_t>(i);
        std::uint32_t best = cur[0];
        for (std::size_t j = 1; j < width_; ++j) {
            const char32_t b = query_[j - 1];
            std::uint32_t v = std::min({above[j] + 1, cur[j - 1] + 1, above[j - 1] + (a == b ? 0u : 1u)});
            if (transpositions_ && above2 != nullptr && j >= 2 && a == query_[j - 2] && term_[i - 2] == b)
                v = std::min(v, above2[j - 2] + 1);
            cur[j] = v;
            best = std::min(best, v);
        }
        return best;
    }

    std::uint32_t k_;
    bool transpositions_;
    bool smart_ = true;            // jump to the next live query character (see next_target)
    std::vector<char32_t> query_;
    std::vector<char32_t> chars_;  // the query's distinct code points, sorted
    std::size_t required_units_ = 0;
    std::string required_;  // bytes of the query's first prefix_length code points
    std::size_t width_ = 0;
    std::vector<std::uint32_t> rows_;  // rows_[i * width_ ..] = DP row after i code points of term_
    std::vector<char32_t> term_;       // code points of the term whose rows are in rows_
    std::size_t valid_ = 0;            // rows 0..valid_ are valid for term_
    std::vector<char32_t> units_;
    std::vector<std::size_t> ends_;  // byte offset past each unit of term_
    std::vector<std::uint32_t> scratch_;
};

}  // namespace

expansion expand_prefix(std::span<const codec::term_dictionary* const> dictionaries, std::string_view prefix,
                        const expansion_options& options) {
    std::vector<expanded_term> all;
    std::uint64_t examined = 0;
    const std::string space = key_space(options.field);
    const std::string start = space + std::string(prefix);
    if (!internal(prefix)) {
        for (const auto* dict : dictionaries) {
            if (dict == nullptr) continue;
            auto c = dict->seek(start);
            while (c.valid()) {
                const std::string_view key = c.term();
                if (!key.starts_with(start)) break;
                const std::string_view t = key.substr(space.size());
                if (internal(t)) {
                    c.seek(space + std::string(after_internal));
                    continue;
                }
                ++examined;
                all.push_back(expanded_term{std::string(t), 0, c.info().df});
                c.next();
            }
        }
    }
    return finish(std::move(all), examined, options.max_prefix_terms, [](const expanded_term& a, const expanded_term& b) {
        return a.df != b.df ? a.df > b.df : a.term < b.term;
    });
}

expansion expand_prefix(const codec::term_dictionary& dictionary, std::string_view prefix,
                        const expansion_options& options) {
    return expand_prefix(one(dictionary), prefix, options);
}

expansion expand_fuzzy(std::span<const codec::term_dictionary* const> dictionaries, std::string_view term,
                       std::uint32_t max_edits, std::optional<std::uint32_t> prefix_length,
                       const expansion_options& options) {
    std::vector<expanded_term> all;
    std::uint64_t examined = 0;
    fuzzy_walk walk(term, max_edits, prefix_length.value_or(options.fuzzy_prefix_length), options.transpositions);
    const std::string space = key_space(options.field);
    for (const auto* dict : dictionaries)
        if (dict != nullptr) walk.run(*dict, space, all, examined);
    return finish(std::move(all), examined, options.max_fuzzy_terms, [](const expanded_term& a, const expanded_term& b) {
        if (a.distance != b.distance) return a.distance < b.distance;
        return a.df != b.df ? a.df > b.df : a.term < b.term;
    });
}

expansion expand_fuzzy(const codec::term_dictionary& dictionary, std::string_view term, std::uint32_t max_edits,
                       std::optional<std::uint32_t> prefix_length, const expansion_options& options) {
    return expand_fuzzy(one(dictionary), term, max_edits, prefix_length, options);
}

expansion expand(std::span<const codec::term_dictionary* const> dictionaries, const query& q,
                 const expansion_options& options) {
    auto in_field = options;
    if (const auto f = index::field_named(q.field())) in_field.field = *f;
    if (const auto* p = q.get_if<prefix_node>()) return expand_prefix(dictionaries, p->text, in_field);
    if (const auto* f = q.get_if<fuzzy_node>())
        return expand_fuzzy(dictionaries, f->text, f->max_edits, f->prefix_length, in_field);
    throw invalid_argument("query: only prefix and fuzzy queries expand, not " + to_string(q));
}

expansion expand(const index::index_reader& reader, const query& q, const expansion_options& options) {
    std::vector<const codec::term_dictionary*> dicts;
    for (const auto& seg : reader.segments()) dicts.push_back(&seg->dictionary());
    return expand(dicts, q, options);
}

std::uint32_t edit_distance(std::string_view a, std::string_view b, bool transpositions) {
    std::vector<char32_t> x;
    std::vector<char32_t> y;
    std::vector<std::size_t> ends;
    decode_units(a, x, ends);
    decode_units(b, y, ends);
    const std::size_t m = y.size();
    std::vector<std::uint32_t> prev2(m + 1);
    std::vector<std::uint32_t> prev(m + 1);
    std::vector<std::uint32_t> cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<std::uint32_t>(j);
    for (std::size_t i = 1; i <= x.size(); ++i) {
        cur[0] = static_cast<std::uint32_t>(i);
        for (std::size_t j = 1; j <= m; ++j) {
            std::uint32_t v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0u : 1u)});
            if (transpositions && i >= 2 && j >= 2 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1])
                v = std::min(v, prev2[j - 2] + 1);
            cur[j] = v;
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[m];
}

}  // namespace rapport::query
