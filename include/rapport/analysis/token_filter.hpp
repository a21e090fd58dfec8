// SPDX-License-Identifier: MIT
// Token filters: the steps after the tokenizer in an analysis pipeline (case folding, stopword
// removal, stemming), and the interface for writing custom ones.
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

/// One step of an analysis pipeline: rewrites a term or drops it.
class RAPPORT_API token_filter {
public:
    /// Destroys the filter.
    virtual ~token_filter();

    /// Rewrites `term` in place; returns false to drop the token (its position becomes a gap).
    /// Requires: `term` is valid UTF-8 and not empty.
    virtual bool apply(std::string& term) = 0;

    /// Returns an independent copy of this filter (same configuration, fresh caches).
    [[nodiscard]] virtual std::unique_ptr<token_filter> clone() const = 0;

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
/// Complexity: ASCII terms pass unchanged in one scan; others are transliterated (linear).
[[nodiscard]] RAPPORT_API std::unique_ptr<token_filter> make_accent_fold_filter();

/// Returns a filter that removes a leading elision ("l'élève" -> "élève", "dell'arte" -> "arte",
/// "qu'il" -> "il") for French, Italian, Catalan or Irish (names or ISO 639 codes, ASCII case
/// ignored), or null for a language without elision. The apostrophe may be ' or ’ (U+2019).
/// Place it before the stopword filter and the stemmer.
[[nodiscard]] RAPPORT_API std::unique_ptr<token_filter> make_elision_filter(std::string_view language);

/// Returns the canonical name of every language libstemmer has ("arabic", ..., "english", ...).
[[nodiscard]] RAPPORT_API std::vector<std::string> stemmer_languages();

}  // namespace rapport::analysis
