// SPDX-License-Identifier: MIT
// Snippets: the best window(s) of a passage for a query, with what matched as byte ranges, and two
// renderers (terminal bold, plain [brackets]). Byte offsets only; no HTML.
// What matches: single terms (including the terms a prefix or fuzzy query expanded to) and phrases,
// located by token positions (a phrase occurrence is one span from its first to its last word).
// Tokens may share positions and overlap (CJK bigrams beside unigrams, stacked synonyms): marks
// that overlap or touch are merged, so a matched bigram marks both its characters once.
// Window choice: among windows of at most `max_bytes` that start at a match, the one covering the
// most distinct query parts (terms and phrases) wins, then the one with most matches, then the
// earliest; the window is then widened evenly to `max_bytes` and its edges snapped to whitespace, or
// in text without spaces (CJK) to a grapheme cluster boundary, so neither a UTF-8 sequence nor a
// user-perceived character (a letter with combining marks, an emoji sequence) is ever split.
// Thread safety: pure functions (the grapheme helpers keep one ICU iterator per thread).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/analysis/token.hpp"
#include "rapport/core/detail/text.hpp"
#include "rapport/core/export.hpp"
#include "rapport/core/phrase_sweep.hpp"

namespace rapport::highlight {

/// A matched term: bytes [begin, end) of the passage text.
struct match_span {
    std::uint32_t begin;
    std::uint32_t end;
    friend bool operator==(const match_span&, const match_span&) = default;
};

/// The chosen window [begin, end) of the passage text and the matches inside it.
struct snippet {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    std::vector<match_span> matches;  ///< ascending, disjoint and not touching, inside [begin, end)
};

/// Snippet settings.
struct snippet_options {
    std::size_t max_bytes = 240;  ///< the longest window, in bytes
};

namespace detail {
using rapport::detail::is_ascii_space;
using rapport::detail::is_utf8_continuation;

// Moves `pos` forward to the start of the next word (just after whitespace), but not past
// `limit`; failing that, to the next UTF-8 character boundary.
inline std::size_t snap_forward(std::string_view text, std::size_t pos, std::size_t limit) noexcept {
    if (pos == 0 || pos >= text.size() || is_ascii_space(text[pos - 1])) return pos;
    for (std::size_t p = pos; p < limit; ++p)
        if (is_ascii_space(text[p - 1]) && !is_ascii_space(text[p])) return p;
    while (pos < text.size() && is_utf8_continuation(text[pos])) ++pos;
    return pos;
}

// Moves `pos` back to the end of the previous word (just before whitespace), but not before
// `limit`; failing that, to the previous UTF-8 character boundary.
inline std::size_t snap_backward(std::string_view text, std::size_t pos, std::size_t limit) noexcept {
    if (pos >= text.size() || is_ascii_space(text[pos])) return std::min(pos, text.size());
    for (std::size_t p = pos; p > limit; --p)
        if (is_ascii_space(text[p]) && !is_ascii_space(text[p - 1])) return p;
    while (pos > 0 && is_utf8_continuation(text[pos])) --pos;
    return pos;
}
}  // namespace detail

/// A phrase to locate: analysed terms in phrase order at relative positions. A stopword removed from
/// the phrase leaves a gap (offsets 0, 2 for "trust [the] process"); empty `offsets` means 0, 1, 2, ...
/// An occurrence is a choice of one token per term such that, with p_i = position_i − offset_i,
/// max(p) − min(p) ≤ `slop` (Lucene's sloppy phrase distance; slop 0 is the exact phrase).
struct phrase_pattern {
    std::vector<std::string> terms;
    std::vector<std::uint32_t> offsets;
    std::uint32_t slop = 0;
};

/// What to mark: single terms and phrases. Query parts are numbered terms first, then phrases.
struct highlight_query {
    std::vector<std::string> terms;
    std::vector<phrase_pattern> phrases;

    /// Number of query parts (terms + phrases).
    [[nodiscard]] std::size_t parts() const noexcept { return terms.size() + phrases.size(); }
};

/// One located match: its byte range and the query part it belongs to.
struct part_match {
    match_span span;
    std::size_t part;
};

/// Settings of `make_fragments`.
struct fragment_options {
    std::size_t max_bytes = 160;     ///< the longest fragment, in bytes
    std::size_t max_fragments = 3;   ///< at most this many fragments
};

/// The first grapheme cluster boundary at or after byte `pos` of UTF-8 `text` (text.size() at the end).
/// Requires: `text` is valid UTF-8. Complexity: O(length of the cluster), plus a one-time ICU setup per thread.
[[nodiscard]] RAPPORT_API std::size_t grapheme_ceil(std::string_view text, std::size_t pos);
/// The last grapheme cluster boundary at or before byte `pos` of UTF-8 `text`.
/// Requires: `text` is valid UTF-8. Complexity: as `grapheme_ceil`.
[[nodiscard]] RAPPORT_API std::size_t grapheme_floor(std::string_view text, std::size_t pos);

namespace detail {

// Phrase occurrences: per term the tokens carrying it (ascending positions), then the sweep that
// scoring uses too (core/phrase_sweep.hpp), so what is marked is what was scored.
inline void find_phrase(std::span<const analysis::token> tokens, const phrase_pattern& p, std::size_t part,
                        std::vector<part_match>& out) {
    const std::size_t n = p.terms.size();
    if (n == 0) return;
    std::vector<std::vector<std::size_t>> lists(n);  // token indexes per phrase term
    for (std::size_t i = 0; i < tokens.size(); ++i)
        for (std::size_t k = 0; k < n; ++k)
            if (tokens[i].term == p.terms[k]) lists[k].push_back(i);
    std::vector<std::size_t> sizes(n);
    for (std::size_t k = 0; k < n; ++k) sizes[k] = lists[k].size();
    const auto offset = [&](std::size_t k) -> std::int64_t { return k < p.offsets.size() ? p.offsets[k] : static_cast<std::int64_t>(k); };
    rapport::detail::for_each_phrase_occurrence(
        std::span<const std::size_t>(sizes), p.slop,
        [&](std::size_t k, std::size_t i) { return static_cast<std::int64_t>(tokens[lists[k][i]].position) - offset(k); },
        [&](std::size_t k, std::size_t i) { return static_cast<std::int64_t>(tokens[lists[k][i]].position); },
        [&](std::int64_t, std::span<const std::size_t> at) {
            std::uint32_t b = UINT32_MAX, e = 0;
            for (std::size_t k = 0; k < n; ++k) {
                const auto& t = tokens[lists[k][at[k]]];
                b = std::min(b, t.begin);
                e = std::max(e, t.end);
            }
            out.push_back({{b, e}, part});
        });
}

// The best run of matches [i, j) (sorted by begin) fitting in max_bytes: most distinct parts not in
// `covered`, then most matches, then earliest. Runs overlapping `taken` byte ranges are skipped.
struct run_choice {
    std::size_t i = 0, j = 0, fresh = 0;
};
inline run_choice best_run(const std::vector<part_match>& m, std::size_t parts, std::size_t max_bytes,
                           const std::vector<bool>& covered, const std::vector<match_span>& taken) {
    run_choice best;
    std::vector<bool> seen(parts);
    for (std::size_t i = 0; i < m.size(); ++i) {
        std::fill(seen.begin(), seen.end(), false);
        std::size_t fresh = 0, j = i;
        for (; j < m.size() && m[j].span.end - m[i].span.begin <= max_bytes; ++j)
            if (!seen[m[j].part]) {
                seen[m[j].part] = true;
                fresh += covered[m[j].part] ? 0 : 1;
            }
        if (j == i) j = i + 1;  // a single match longer than the window still shows
        const std::uint32_t b = m[i].span.begin;
        std::uint32_t e = b;
        for (std::size_t k = i; k < j; ++k) e = std::max(e, m[k].span.end);
        bool overlaps = false;
        for (const auto& t : taken) overlaps = overlaps || (b < t.end && t.begin < e);
        if (overlaps) continue;
        if (fresh > best.fresh || (fresh == best.fresh && best.fresh > 0 && j - i > best.j - best.i) ||
            (best.j == 0 && fresh == 0 && best.fresh == 0)) {
            best = {i, j, fresh};
        }
    }
    return best;
}

// Widens the core [core_begin, core_end) evenly to at most max_bytes inside [lo, hi), snapping the
// edges to words or grapheme clusters.
inline snippet window_around(std::string_view text, std::size_t core_begin, std::size_t core_end, std::size_t max_bytes,
                             bool has_core) {
    const std::size_t core = core_end - core_begin;
    std::size_t begin = 0, end = text.size();
    if (text.size() > max_bytes) {
        const std::size_t slack = core < max_bytes ? max_bytes - core : 0;
        begin = core_begin > slack / 2 ? core_begin - slack / 2 : 0;
        end = std::min(text.size(), begin + std::max(max_bytes, core));
        if (end - begin < max_bytes) begin = end > max_bytes ? end - max_bytes : 0;
        begin = snap_forward(text, begin, has_core ? core_begin : end);
        end = snap_backward(text, end, has_core ? core_end : begin);
        // Without whitespace to snap to, the edges land on code points; move them to grapheme
        // boundaries so that no combining mark or emoji sequence is cut (never past the core).
        if (begin > 0 && !is_ascii_space(text[begin - 1])) begin = std::min(grapheme_ceil(text, begin), has_core ? core_begin : end);
        if (end < text.size() && !is_ascii_space(text[end])) end = std::max(grapheme_floor(text, end), has_core ? core_end : begin);
        if (end < begin) end = begin;
    }
    return {static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end), {}};
}

// The matches inside [s.begin, s.end), with overlapping and adjacent ones merged: a term inside a
// phrase is marked once, and CJK bigrams, which overlap by a character, mark their whole run.
inline void fill_matches(snippet& s, const std::vector<part_match>& matches) {
    for (const auto& m : matches) {
        if (m.span.begin < s.begin || m.span.end > s.end) continue;
        if (!s.matches.empty() && m.span.begin <= s.matches.back().end)
            s.matches.back().end = std::max(s.matches.back().end, m.span.end);
        else
            s.matches.push_back(m.span);
    }
}

}  // namespace detail

/// Every match of `query` among `tokens`, sorted by begin (longest first at equal begins). Term
/// matches are token ranges; phrase matches span their first to last token. Matches may overlap
/// (tokens at one position, CJK bigrams); a snippet merges them.
/// Complexity: O(t · (|terms| + phrase terms)) plus the phrase sweeps.
[[nodiscard]] inline std::vector<part_match> find_matches(std::span<const analysis::token> tokens,
                                                          const highlight_query& query) {
    std::vector<part_match> out;
    for (const auto& t : tokens)
        for (std::size_t q = 0; q < query.terms.size(); ++q)
            if (t.term == query.terms[q]) {
                out.push_back({{t.begin, t.end}, q});
                break;
            }
    for (std::size_t p = 0; p < query.phrases.size(); ++p)
        detail::find_phrase(tokens, query.phrases[p], query.terms.size() + p, out);
    std::sort(out.begin(), out.end(), [](const part_match& a, const part_match& b) {
        return a.span.begin != b.span.begin ? a.span.begin < b.span.begin : a.span.end > b.span.end;
    });
    return out;
}

/// Up to `max_fragments` non-overlapping windows of `text`, in text order, chosen greedily: each
/// next fragment is the window covering most query parts that no chosen fragment covers yet; the
/// search stops when no window adds a part. With no match at all, one fragment from the start.
/// Requires: `text` is valid UTF-8; token offsets lie within it.
[[nodiscard]] inline std::vector<snippet> make_fragments(std::string_view text, std::span<const analysis::token> tokens,
                                                         const highlight_query& query,
                                                         const fragment_options& options = {}) {
    const auto matches = find_matches(tokens, query);
    const std::size_t max_bytes = std::max<std::size_t>(options.max_bytes, 1);
    std::vector<snippet> out;
    if (matches.empty()) {
        out.push_back(detail::window_around(text, 0, 0, max_bytes, false));
        return out;
    }
    std::vector<bool> covered(query.parts(), false);
    std::vector<match_span> taken;
    while (out.size() < std::max<std::size_t>(options.max_fragments, 1)) {
        const auto r = detail::best_run(matches, query.parts(), max_bytes, covered, taken);
        if (r.j == 0 || (r.fresh == 0 && !out.empty())) break;
        std::size_t core_end = matches[r.i].span.begin;
        for (std::size_t k = r.i; k < r.j; ++k) {
            core_end = std::max<std::size_t>(core_end, matches[k].span.end);
            covered[matches[k].part] = true;
        }
        auto s = detail::window_around(text, matches[r.i].span.begin, core_end, max_bytes, true);
        // Neighbouring fragments may not overlap: clip to the free range around the core.
        for (const auto& t : taken) {
            if (t.end <= matches[r.i].span.begin && s.begin < t.end) s.begin = t.end;
            if (t.begin >= core_end && s.end > t.begin) s.end = t.begin;
        }
        detail::fill_matches(s, matches);
        taken.push_back({s.begin, s.end});
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const snippet& a, const snippet& b) { return a.begin < b.begin; });
    return out;
}

/// The single best window of `text` for `query` (the first choice of `make_fragments`).
[[nodiscard]] inline snippet make_snippet(std::string_view text, std::span<const analysis::token> tokens,
                                          const highlight_query& query, const snippet_options& options = {}) {
    auto f = make_fragments(text, tokens, query, {.max_bytes = options.max_bytes, .max_fragments = 1});
    return std::move(f.front());
}

/// Chooses the best window of `text` for single query terms and marks the matches in it; a token
/// matches when its term equals one of `query_terms`.
/// Requires: `text` is valid UTF-8; token offsets lie within it.
/// Complexity: O(t · |query_terms| + m²) for t tokens and m matches.
[[nodiscard]] inline snippet make_snippet(std::string_view text, std::span<const analysis::token> tokens,
                                          std::span<const std::string_view> query_terms,
                                          const snippet_options& options = {}) {
    highlight_query q;
    for (const auto t : query_terms) q.terms.emplace_back(t);
    return make_snippet(text, tokens, q, options);
}

/// Renders a snippet with each match between `open` and `close`, and "…" where the window cuts
/// the passage.
[[nodiscard]] inline std::string render(std::string_view text, const snippet& s, std::string_view open,
                                        std::string_view close) {
    std::string out;
    out.reserve(s.end - s.begin + s.matches.size() * (open.size() + close.size()) + 8);
    if (s.begin > 0) out += "…";
    std::size_t pos = s.begin;
    for (const auto& m : s.matches) {
        out.append(text.substr(pos, m.begin - pos));
        out += open;
        out.append(text.substr(m.begin, m.end - m.begin));
        out += close;
        pos = m.end;
    }
    out.append(text.substr(pos, s.end - pos));
    if (s.end < text.size()) out += "…";
    // Line breaks inside a passage would break a one-line snippet display.
    std::replace(out.begin(), out.end(), '\n', ' ');
    return out;
}

/// Renders fragments in text order joined by " … " (each with its own edge ellipses dropped
/// where fragments meet the join).
[[nodiscard]] inline std::string render_fragments(std::string_view text, std::span<const snippet> fragments,
                                                  std::string_view open, std::string_view close) {
    std::string out;
    for (std::size_t i = 0; i < fragments.size(); ++i) {
        std::string one = render(text, fragments[i], open, close);
        if (i > 0 && one.rfind("…", 0) == 0) one.erase(0, std::string_view("…").size());
        if (i + 1 < fragments.size() && one.size() >= 3 && one.compare(one.size() - 3, 3, "…") == 0) one.resize(one.size() - 3);
        if (i > 0) out += " … ";
        out += one;
    }
    return out;
}

/// Plain text: matches in [brackets].
[[nodiscard]] inline std::string render_plain(std::string_view text, const snippet& s) { return render(text, s, "[", "]"); }

/// ANSI terminal: matches in bold.
[[nodiscard]] inline std::string render_terminal(std::string_view text, const snippet& s) {
    return render(text, s, "\x1b[1m", "\x1b[0m");
}

}  // namespace rapport::highlight
