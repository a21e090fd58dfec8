// SPDX-License-Identifier: MIT
// Token filters: the steps after the tokenizer in an analysis pipeline (case folding, stopword
// removal, stemming), and the interface for writing custom ones, including filters that emit
// several terms at one position (synonyms).
// Thread safety: a filter may keep scratch state and caches, so it is not thread-safe; `clone()`
// gives an independent copy for another thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/analysis/stopwords.hpp"  // english_stopwords(), for make_stopword_filter
#include "rapport/core/export.hpp"

namespace rapport::analysis {

/// One step of an analysis pipeline: rewrites a term or drops it, and may add further terms at
/// the same position (synonyms, alternative forms).
///
/// Stacking: a filter whose `stacks()` is true has `stack(term, out)` called for every term its
/// `apply` kept (with the rewritten term); each term it appends becomes an extra token at the
/// same position, with the same byte range, emitted after the original in the order stacked.
/// A stacked term goes through the filters after this one (not through this one again), so a
/// later stemmer stems it and a later stopword filter may drop it; a later stacking filter may
/// stack onto it in turn. At one position a term is emitted once: a stacked term equal to a term
/// already emitted there is dropped. Dropping the original does not drop the terms stacked onto
/// it. When no filter of a chain stacks, the analyzer runs its one-term-per-word path.
class RAPPORT_API token_filter {
public:
    /// Destroys the filter.
    virtual ~token_filter();

    /// Rewrites `term` in place; returns false to drop the token (its position becomes a gap).
    /// Requires: `term` is valid UTF-8 and not empty.
    virtual bool apply(std::string& term) = 0;

    /// Whether this filter stacks terms: when false (the default), `stack` is never called.
    /// The answer must not change during an `analyze` call.
    [[nodiscard]] virtual bool stacks() const noexcept { return false; }

    /// Appends to `out` the terms to index at the same position as `term`, which `apply` has just
    /// kept and rewritten; appends nothing when there are none. Called only when `stacks()` is
    /// true. The default appends nothing.
    /// Requires: `term` is valid UTF-8 and not empty; appended terms should be valid UTF-8 (an
    /// empty one, or one longer than `max_term_bytes` after the later filters, is dropped).
    /// Throws: whatever the filter throws (the analyzer passes it on).
    virtual void stack(std::string_view term, std::vector<std::string>& out);

    /// Returns an independent copy of this filter (same configuration, fresh caches).
    [[nodiscard]] virtual std::unique_ptr<token_filter> clone() const = 0;

    /// Whether `apply` is a function of the term alone: the same term always gives the same
    /// result, whatever came before. When every filter of a chain is pure and none stacks, the
    /// analyzer caches each word's result (`analyzer::analyze`). The default is false; the
    /// built-in filters are pure.
    [[nodiscard]] virtual bool pure() const noexcept { return false; }

protected:
    /// Creates the filter base.
    token_filter() = default;
    /// Copies the filter base (for `clone()` implementations).
    token_filter(const token_filter&) = default;
    /// Assigns the filter base.
    token_filter& operator=(const token_filter&) = default;
};

/// Returns a filter that applies ICU's NFKC_Casefold (Normalizer2 "nfkc_cf"): full case folding
/// plus compatibility normalisation ("Straße" -> "strasse", "ﬁ" -> "fi", "e" + U+0301 -> "é",
/// "Σ" -> "σ"), removing default-ignorable code points. A term that folds to nothing is dropped.
/// Throws: `rapport::error` if ICU's normalisation data cannot be loaded.
/// Complexity: per term, linear; ASCII terms are lowercased without calling ICU.
[[nodiscard]] RAPPORT_API std::unique_ptr<token_filter> make_case_fold_filter();

/// Returns a filter that drops the terms in `words` (e.g. `english_stopwords()` or a list from
/// `read_stopwords`, rapport/analysis/stopwords.hpp). Both the list and each term are compared
/// after NFKC_Casefold, so "The" in text matches "the" in the list even without a case-fold step.
/// Complexity: per term, one hash lookup (plus folding when the term is not already folded).
[[nodiscard]] RAPPORT_API std::unique_ptr<token_filter> make_stopword_filter(std::vector<std::string> words);

/// Returns a Snowball stemmer (libstemmer, UTF-8) for `language`: a name from
/// `stemmer_languages()` or an ISO 639 code libstemmer knows ("en", "de"), ASCII case ignored.
/// Stems are cached per filter in a hash map bounded to 16384 entries (cleared when full).
/// Terms longer than 4096 bytes are left unstemmed.
/// Snowball expects lowercase input: place it after the case-fold filter.
/// Throws: `invalid_argument` naming `language` and listing the available languages when
/// libstemmer does not know it.
[[nodiscard]] RAPPORT_API std::unique_ptr<token_filter> make_stemmer_filter(std::string_view language);

/// Returns a filter that folds Latin letters to ASCII with ICU's Latin-ASCII transliteration
/// ("café" -> "cafe", "Ærø" -> "AEro", "łódź" -> "lodz"), as Lucene's ASCIIFoldingFilter does for
/// Latin script. Place it before an English stemmer (which reads ASCII) and after the stemmers of
/// languages with accents, which expect them.
/// Throws: `rapport::error` if ICU's transliteration data cannot be loaded.
/// Complexity: ASCII terms, and terms of kana, CJK ideographs and Hangul syllables only, pass
/// unchanged in one scan; others are transliterated (linear).
[[nodiscard]] RAPPORT_API std::unique_ptr<token_filter> make_accent_fold_filter();

/// Returns a filter that removes a leading elision ("l'élève" -> "élève", "dell'arte" -> "arte",
/// "qu'il" -> "il") for French, Italian, Catalan or Irish (names or ISO 639 codes, ASCII case
/// ignored), or null for a language without elision. The apostrophe may be ' or ’ (U+2019).
/// Place it before the stopword filter and the stemmer.
[[nodiscard]] RAPPORT_API std::unique_ptr<token_filter> make_elision_filter(std::string_view language);

/// Returns the canonical name of every language libstemmer has ("arabic", ..., "english", ...).
[[nodiscard]] RAPPORT_API std::vector<std::string> stemmer_languages();

}  // namespace rapport::analysis
