// SPDX-License-Identifier: MIT
#include "word_expansion.hpp"

#include <algorithm>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "analysis/case_folder.hpp"
#include "rapport/analysis/tokenizer.hpp"
#include "rapport/core/detail/text.hpp"
#include "rapport/core/error.hpp"

namespace rapport::search::detail {

namespace q = rapport::query;

namespace {

// Surface words are read beyond the cap on terms: several words share a term (customer,
// customers, Customer's), and some analyse to nothing.
constexpr std::size_t surface_factor = 8;

std::uint64_t field_df(const index::index_reader& reader, index::field f, const std::string& term) {
    return reader.doc_freq(index::field_term(f, term));
}

// The one index term `word` analyses to, or nothing.
std::optional<std::string> term_of(analysis::analyzer& a, std::string_view word, std::vector<analysis::token>& tokens) {
    a.analyze(word, tokens);
    if (tokens.empty()) return std::nullopt;
    for (const auto& t : tokens)
        if (t.position != tokens.front().position || t.term != tokens.front().term) return std::nullopt;
    return tokens.front().term;
}

}  // namespace

q::expansion expand_words(const index::index_reader& reader, const q::query& node, const q::expansion_options& options,
                          analysis::analyzer& a) {
    const auto* fuzzy = node.get_if<q::fuzzy_node>();
    const auto* prefix = node.get_if<q::prefix_node>();
    if (fuzzy == nullptr && prefix == nullptr)
        throw invalid_argument("query: only prefix and fuzzy queries expand, not " + q::to_string(node));
    // Surface words where a segment has them (format 4 on), else its term dictionary. Surface
    // words are the bodies' and titles' only: a schema's other text fields (numbered 2 and up,
    // each perhaps with an analyzer of its own) expand over their terms in the dictionaries.
    const bool surface = static_cast<std::size_t>(options.field) < index::base_fields.size();
    std::vector<const codec::term_dictionary*> words, old;
    for (const auto& seg : reader.segments())
        if (surface && seg->has_words())
            words.push_back(&seg->words());
        else
            old.push_back(&seg->dictionary());

    const std::size_t cap = fuzzy != nullptr ? options.max_fuzzy_terms : options.max_prefix_terms;
    q::expansion found;
    if (!words.empty()) {
        auto wide = options;
        wide.field = index::field::body;  // surface words carry no field mark
        wide.max_fuzzy_terms = options.max_fuzzy_terms * surface_factor;
        wide.max_prefix_terms = options.max_prefix_terms * surface_factor;
        found = fuzzy != nullptr ? q::expand_fuzzy(words, fuzzy->text, fuzzy->max_edits, fuzzy->prefix_length, wide)
                                 : q::expand_prefix(words, prefix->text, wide);
    }

    // term -> (distance, word); the closest word wins, then the more frequent.
    struct best {
        std::uint32_t distance;
        std::uint64_t word_df;
        std::string word;
    };
    boost::unordered_flat_map<std::string, best> terms;
    std::vector<analysis::token> tokens;
    for (auto& w : found.terms) {
        const auto term = term_of(a, w.term, tokens);
        if (!term) continue;
        auto [it, fresh] = terms.try_emplace(*term, best{w.distance, w.df, w.term});
        if (!fresh && (w.distance < it->second.distance || (w.distance == it->second.distance && w.df > it->second.word_df)))
            it->second = best{w.distance, w.df, w.term};
    }
    std::uint64_t examined = found.examined;
    bool truncated = found.truncated;
    if (!old.empty()) {
        auto direct = q::expand(old, q::query(node).field(""), options);
        examined += direct.examined;
        truncated = truncated || direct.truncated;
        for (auto& e : direct.terms) {
            auto [it, fresh] = terms.try_emplace(e.term, best{e.distance, 0, std::string()});
            if (!fresh && e.distance < it->second.distance) it->second = best{e.distance, 0, std::string()};
        }
    }

    std::vector<q::expanded_term> out;
    out.reserve(terms.size());
    for (auto& [term, b] : terms) {
        const auto df = field_df(reader, options.field, term);
        if (df != 0) out.push_back(q::expanded_term{term, b.distance, df, std::move(b.word), b.word_df});
    }
    if (out.size() > cap) {
        truncated = true;
        const auto better = [&](const q::expanded_term& x, const q::expanded_term& y) {
            if (fuzzy != nullptr && x.distance != y.distance) return x.distance < y.distance;
            return x.df != y.df ? x.df > y.df : x.term < y.term;
        };
        std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(cap), out.end(), better);
        out.resize(cap);
    }
    std::sort(out.begin(), out.end(), [](const q::expanded_term& x, const q::expanded_term& y) { return x.term < y.term; });
    q::expansion result;
    result.terms = std::move(out);
    result.truncated = truncated;
    result.examined = examined;
    return result;
}

std::optional<std::string> suggest(const index::index_reader& reader, std::string_view text, analysis::analyzer& a,
                                   bool fold, const suggest_options& options) {
    std::vector<const codec::term_dictionary*> words;
    for (const auto& seg : reader.segments())
        if (seg->has_words()) words.push_back(&seg->words());
    if (words.empty()) return std::nullopt;
    analysis::tokenizer tokenizer;
    std::vector<analysis::token> raw;
    tokenizer.tokenize(text, raw);
    const analysis::detail::case_folder folder;
    std::vector<analysis::token> tokens;
    std::string out;
    std::size_t copied = 0;
    bool changed = false;
    for (const auto& w : raw) {
        std::string word;
        if (fold) {
            folder.fold(w.term, word);
        } else {
            word = w.term;
        }
        const auto code_points = static_cast<std::size_t>(
            std::count_if(word.begin(), word.end(), [](char c) { return !rapport::detail::is_utf8_continuation(c); }));
        if (code_points < 3 || std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        const auto term = term_of(a, word, tokens);
        if (!term) continue;  // a stopword, or a word the analyzer splits
        const auto own = field_df(reader, index::field::body, *term) + field_df(reader, index::field::title, *term);
        const std::uint32_t edits = code_points <= 4 ? 1 : 2;
        q::expansion_options o;
        o.max_fuzzy_terms = 64;
        const auto candidates = q::expand_fuzzy(words, word, edits, std::nullopt, o);
        const q::expanded_term* pick = nullptr;
        for (const auto& c : candidates.terms) {
            if (c.distance == 0) continue;
            if (pick == nullptr || c.distance < pick->distance || (c.distance == pick->distance && c.df > pick->df))
                pick = &c;
        }
        if (pick == nullptr) continue;
        const bool rare = own == 0 || (own <= options.rare_df &&
                                       static_cast<double>(pick->df) >= options.ratio * static_cast<double>(own));
        if (!rare) continue;
        const auto replacement = term_of(a, pick->term, tokens);
        if (!replacement || *replacement == *term) continue;
        out.append(text.substr(copied, w.begin - copied));
        out.append(pick->term);
        copied = w.end;
        changed = true;
    }
    if (!changed) return std::nullopt;
    out.append(text.substr(copied));
    return out;
}

}  // namespace rapport::search::detail
