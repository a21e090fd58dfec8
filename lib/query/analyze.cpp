// SPDX-License-Identifier: MIT
// Query analysis: raw tree -> index terms (rules in rapport/query/analyze.hpp and QUERY.md).
// Thread safety: uses the caller's analyzer; see the header.
#include "rapport/query/analyze.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/case_folder.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"

namespace rapport::query {

namespace {

// Gives `to` the boost and field of `from`.
query decorated(query to, const query& from) {
    to.boost(from.boost());
    to.field(from.field());
    return to;
}

class analysis_run {
public:
    analysis_run(analysis::analyzer& a, const analyze_options& options,
                 const std::function<analysis::analyzer*(std::string_view)>* for_field)
        : default_(a), options_(options), for_field_(for_field) {}

    std::optional<query> visit(const query& q, std::string_view inherited = {}) {
        const std::string_view field = q.field().empty() ? inherited : std::string_view(q.field());
        analysis::analyzer* chosen = for_field_ != nullptr && *for_field_ ? (*for_field_)(field) : nullptr;
        analyzer_ = chosen != nullptr ? chosen : &default_;
        switch (q.kind()) {
            case node_kind::term: return visit_term(q, q.get_if<term_node>()->text);
            case node_kind::phrase: return visit_phrase(q, *q.get_if<phrase_node>());
            case node_kind::prefix: {
                auto text = fold(q.get_if<prefix_node>()->text, "prefix");
                if (text.empty()) return std::nullopt;
                return decorated(query(prefix_node{std::move(text)}), q);
            }
            case node_kind::fuzzy: {
                const auto& f = *q.get_if<fuzzy_node>();
                auto text = fold(f.text, "fuzzy");
                if (text.empty()) return std::nullopt;
                return decorated(query(fuzzy_node{std::move(text), f.max_edits, f.prefix_length}), q);
            }
            case node_kind::boolean: return visit_boolean(q, *q.get_if<boolean_node>(), field);
        }
        return std::nullopt;
    }

private:
    std::optional<query> visit_term(const query& q, const std::string& text) {
        analyzer_->analyze(text, tokens_);
        if (tokens_.empty()) return std::nullopt;
        if (tokens_.size() == 1) return decorated(query(term_node{std::move(tokens_.front().term)}), q);
        // Several tokens from one unquoted word ("wi-fi"): any of them, as Lucene does with
        // autoGeneratePhraseQueries=false. Quoting the word asks for the phrase.
        boolean_node b;
        b.clauses.reserve(tokens_.size());
        for (auto& t : tokens_) b.clauses.push_back(clause{occur::should, query(term_node{std::move(t.term)})});
        return decorated(query(std::move(b)), q);
    }

    std::optional<query> visit_phrase(const query& q, const phrase_node& p) {
        std::vector<std::string> terms;
        std::vector<std::uint32_t> positions;
        // `base` is the analysed position of the current word's first token: each word advances
        // it by the positions the analyzer counted in it (words, and CJK characters under bigrams,
        // dropped ones included), and a raw gap ("?") by one per gap. Of several tokens at one
        // position (terms a filter stacked) the phrase keeps the first, the word's own term.
        std::uint64_t base = 0;
        for (std::size_t i = 0; i < p.terms.size(); ++i) {
            if (i > 0 && p.positions[i] > p.positions[i - 1]) base += p.positions[i] - p.positions[i - 1] - 1;
            analyzer_->analyze(p.terms[i], tokens_);
            for (std::size_t t = 0; t < tokens_.size(); ++t) {
                if (t > 0 && tokens_[t].position == tokens_[t - 1].position) continue;
                terms.push_back(std::move(tokens_[t].term));
                positions.push_back(
                    static_cast<std::uint32_t>(std::min<std::uint64_t>(base + tokens_[t].position, UINT32_MAX)));
            }
            base += analyzer_->position_count();
        }
        if (terms.empty()) return std::nullopt;
        if (terms.size() == 1) return decorated(query(term_node{std::move(terms.front())}), q);
        const std::uint32_t first = positions.front();
        for (auto& pos : positions) pos -= first;
        return decorated(query(phrase_node{std::move(terms), std::move(positions), p.slop}), q);
    }

    std::optional<query> visit_boolean(const query& q, const boolean_node& b, std::string_view field) {
        boolean_node out;
        std::uint32_t shoulds = 0;
        for (const auto& c : b.clauses) {
            auto sub = visit(c.query, field);
            if (!sub) continue;
            if (c.occur == occur::should) ++shoulds;
            out.clauses.push_back(clause{c.occur, std::move(*sub)});
        }
        if (out.clauses.empty()) return std::nullopt;
        out.minimum_should_match = std::min(b.minimum_should_match, shoulds);
        if (out.clauses.size() == 1 && out.clauses.front().occur != occur::must_not && out.minimum_should_match <= 1) {
            // A boolean with one positive clause matches and scores as that clause.
            query only = std::move(out.clauses.front().query);
            only.boost(only.boost() * q.boost());
            if (only.field().empty()) only.field(q.field());
            return only;
        }
        return decorated(query(std::move(out)), q);
    }

    // Prefix and fuzzy texts are only case-folded: stemming "runn" or splitting "wi-f" would
    // change what the user typed as a fragment (Lucene normalises multi-term queries the same way).
    std::string fold(const std::string& text, const char* what) {
        std::string valid = text;
        if (const auto bad = find_invalid_utf8(text)) {
            if (analyzer_->invalid_utf8() == invalid_utf8_policy::reject)
                throw invalid_argument(std::string("query: invalid UTF-8 in a ") + what + " term", *bad);
            valid = replace_invalid_utf8(text);
        }
        if (!options_.fold_multi_term) return valid;
        if (!folder_) folder_.emplace();
        std::string out;
        folder_->fold(valid, out);
        return out;
    }

    analysis::analyzer& default_;
    analysis::analyzer* analyzer_ = &default_;  // the current leaf's
    const analyze_options& options_;
    const std::function<analysis::analyzer*(std::string_view)>* for_field_;
    std::optional<analysis::detail::case_folder> folder_;
    std::vector<analysis::token> tokens_;
};

}  // namespace

query analyze(const query& q, analysis::analyzer& a, const analyze_options& options) {
    return analyze(q, a, options, {});
}

query analyze(const query& q, analysis::analyzer& a, const analyze_options& options,
              const std::function<analysis::analyzer*(std::string_view field)>& for_field) {
    analysis_run run(a, options, &for_field);
    auto out = run.visit(q);
    if (!out) return query();
    return std::move(*out);
}

}  // namespace rapport::query
