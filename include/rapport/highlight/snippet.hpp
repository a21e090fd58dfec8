// SPDX-License-Identifier: MIT
// Snippets: the best window of a passage for a query, with matched terms as byte ranges, and two
// renderers (terminal bold, plain [brackets]). Byte offsets only; no HTML.
// Window choice: among windows of at most `max_bytes` that start at a match, the one covering the
// most distinct query terms wins, then the one with most matches, then the earliest; the window is
// then widened evenly to `max_bytes` and its edges snapped to whitespace (or, in text without
// spaces such as CJK, to a UTF-8 character boundary), so no UTF-8 sequence is ever split.
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/analysis/token.hpp"

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
    std::vector<match_span> matches;  ///< ascending, non-overlapping, inside [begin, end)
};

/// Snippet settings.
struct snippet_options {
    std::size_t max_bytes = 240;  ///< the longest window, in bytes
};

namespace detail {
inline bool is_space(char c) noexcept { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
inline bool is_continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Moves `pos` forward to the start of the next word (just after whitespace), but not past
// `limit`; failing that, to the next UTF-8 character boundary.
inline std::size_t snap_forward(std::string_view text, std::size_t pos, std::size_t limit) noexcept {
    if (pos == 0 || pos >= text.size() || is_space(text[pos - 1])) return pos;
    for (std::size_t p = pos; p < limit; ++p)
        if (is_space(text[p - 1]) && !is_space(text[p])) return p;
    while (pos < text.size() && is_continuation(text[pos])) ++pos;
    return pos;
}

// Moves `pos` back to the end of the previous word (just before whitespace), but not before
// `limit`; failing that, to the previous UTF-8 character boundary.
inline std::size_t snap_backward(std::string_view text, std::size_t pos, std::size_t limit) noexcept {
    if (pos >= text.size() || is_space(text[pos])) return std::min(pos, text.size());
    for (std::size_t p = pos; p > limit; --p)
        if (is_space(text[p]) && !is_space(text[p - 1])) return p;
    while (pos > 0 && is_continuation(text[pos])) --pos;
    return pos;
}
}  // namespace detail

/// Chooses the best window of `text` for the query terms and marks the matches in it.
/// `tokens` are the analysed tokens of `text` (their offsets index `text`); a token matches when
/// its term equals one of `query_terms`.
/// Requires: `text` is valid UTF-8; token offsets lie within it.
/// Complexity: O(t + m · |query_terms|) for t tokens and m matches.
[[nodiscard]] inline snippet make_snippet(std::string_view text, std::span<const analysis::token> tokens,
                                          std::span<const std::string_view> query_terms,
                                          const snippet_options& options = {}) {
    struct found {
        match_span span;
        std::size_t term;
    };
    std::vector<found> matches;
    for (const auto& t : tokens) {
        const auto q = std::find(query_terms.begin(), query_terms.end(), std::string_view(t.term));
        if (q != query_terms.end())
            matches.push_back({{t.begin, t.end}, static_cast<std::size_t>(q - query_terms.begin())});
    }
    const std::size_t max_bytes = std::max<std::size_t>(options.max_bytes, 1);

    // Best run of matches [best_i, best_j) fitting in max_bytes.
    std::size_t best_i = 0, best_j = 0, best_distinct = 0;
    for (std::size_t i = 0; i < matches.size(); ++i) {
        std::vector<bool> seen(query_terms.size(), false);
        std::size_t distinct = 0, j = i;
        for (; j < matches.size() && matches[j].span.end - matches[i].span.begin <= max_bytes; ++j)
            if (!seen[matches[j].term]) {
                seen[matches[j].term] = true;
                ++distinct;
            }
        if (j == i) j = i + 1;  // a single match longer than the window still shows
        if (distinct > best_distinct || (distinct == best_distinct && j - i > best_j - best_i)) {
            best_i = i;
            best_j = j;
            best_distinct = distinct;
        }
    }

    std::size_t core_begin = 0, core_end = 0;
    if (!matches.empty()) {
        core_begin = matches[best_i].span.begin;
        core_end = std::max<std::size_t>(matches[best_j - 1].span.end, core_begin);
    }
    // Widen evenly around the core, then shift into the text.
    const std::size_t core = core_end - core_begin;
    std::size_t begin = 0, end = text.size();
    if (text.size() > max_bytes) {
        const std::size_t slack = core < max_bytes ? max_bytes - core : 0;
        begin = core_begin > slack / 2 ? core_begin - slack / 2 : 0;
        end = std::min(text.size(), begin + std::max(max_bytes, core));
        if (end - begin < max_bytes) begin = end > max_bytes ? end - max_bytes : 0;
        begin = detail::snap_forward(text, begin, matches.empty() ? end : core_begin);
        end = detail::snap_backward(text, end, matches.empty() ? begin : core_end);
    }

    snippet out{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end), {}};
    for (const auto& m : matches)
        if (m.span.begin >= begin && m.span.end <= end && (out.matches.empty() || m.span.begin >= out.matches.back().end))
            out.matches.push_back(m.span);
    return out;
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

/// Plain text: matches in [brackets].
[[nodiscard]] inline std::string render_plain(std::string_view text, const snippet& s) { return render(text, s, "[", "]"); }

/// ANSI terminal: matches in bold.
[[nodiscard]] inline std::string render_terminal(std::string_view text, const snippet& s) {
    return render(text, s, "\x1b[1m", "\x1b[0m");
}

}  // namespace rapport::highlight
