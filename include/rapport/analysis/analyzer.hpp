// SPDX-License-Identifier: MIT
// The analysis pipeline that turns passage and query text into index terms:
// tokenizer -> case fold -> stopwords -> stemmer, or any custom chain of token filters.
// Indexing and querying must use identically configured analyzers.
// Thread safety: an analyzer is not thread-safe (ICU iterator state, filter caches); copies are
// independent and cheap enough to make one per thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/analysis/token.hpp"
#include "rapport/analysis/token_filter.hpp"
#include "rapport/analysis/tokenizer.hpp"
#include "rapport/core/export.hpp"
#include "rapport/core/utf8.hpp"

namespace rapport::analysis {

/// Terms longer than this many bytes after analysis are dropped (their position becomes a gap):
/// such "words" are base64 blobs, hashes or runaway URLs, and capping them bounds term storage.
inline constexpr std::size_t max_term_bytes = 255;

/// Configuration of the standard pipeline.
struct analyzer_options {
    /// Snowball language (see `stemmer_languages()`), or "" / "none" for no stemming.
    std::string language = "english";
    /// Stopwords: nullopt means the language's Snowball list (`stopwords_for`: English and 14
    /// other languages; none for the rest); an empty vector means no stopwords.
    std::optional<std::vector<std::string>> stopwords;
    /// Whether to apply NFKC_Casefold.
    bool case_fold = true;
    /// Whether to fold Latin letters to ASCII ("café" and "cafe" match; ICU's Latin-ASCII, as
    /// Lucene's ASCIIFoldingFilter): before stemming for English, Porter and no stemmer, after the
    /// stemmer for the other languages, whose stemmers read accents. nullopt: the language's practice, on for English
    /// (whose words carry accents only as loans, typed without them) and off for the others, whose
    /// stemmers read accents (the German, Spanish and Portuguese stemmers fold the accents that
    /// do not tell words apart themselves). See `folds_accents`.
    std::optional<bool> fold_accents{};
    /// Whether to remove elisions before stopwords and stemming ("l'élève" -> "élève").
    /// nullopt: on for French, Italian, Catalan and Irish, the languages that elide. See
    /// `removes_elisions`.
    std::optional<bool> elision{};
    /// What `analyze` does with invalid UTF-8.
    invalid_utf8_policy invalid_utf8 = invalid_utf8_policy::reject;
};

/// Whether `options` fold accents: `fold_accents`, or the language's practice when unset.
[[nodiscard]] RAPPORT_API bool folds_accents(const analyzer_options& options);
/// Whether `options` remove elisions: `elision`, or the language's practice when unset (a language
/// without elision never removes any).
[[nodiscard]] RAPPORT_API bool removes_elisions(const analyzer_options& options);

/// A tokenizer followed by a chain of token filters.
class RAPPORT_API analyzer {
public:
    /// Creates an analyzer with the tokenizer only: no filters, invalid UTF-8 rejected.
    analyzer();
    /// Creates the standard pipeline: tokenizer -> case fold -> elision -> stopwords -> stemmer,
    /// with accent folding before the stopwords (English, Porter, no stemmer) or after the stemmer
    /// (other languages), each step present when `options` asks for it.
    /// Throws: `invalid_argument` if `options.language` is not a libstemmer language.
    explicit analyzer(const analyzer_options& options);
    /// Returns the default English analyzer (`analyzer(analyzer_options{})`).
    [[nodiscard]] static analyzer english();

    /// Copies the pipeline; filters are cloned, so the copy shares no state.
    analyzer(const analyzer& other);
    /// Replaces this pipeline with a copy of `other`'s.
    analyzer& operator=(const analyzer& other);
    /// Moves the pipeline.
    analyzer(analyzer&&) noexcept;
    /// Moves the pipeline.
    analyzer& operator=(analyzer&&) noexcept;
    /// Destroys the pipeline.
    ~analyzer();

    /// Appends a step to the pipeline and returns `*this`.
    /// Requires: `f` is not null.
    analyzer& add_filter(std::unique_ptr<token_filter> f);

    /// Sets what `analyze` does with invalid UTF-8 and returns `*this`.
    analyzer& set_invalid_utf8_policy(invalid_utf8_policy policy) noexcept;
    /// The invalid UTF-8 policy.
    [[nodiscard]] invalid_utf8_policy invalid_utf8() const noexcept { return invalid_utf8_; }
    /// Number of filters in the pipeline.
    [[nodiscard]] std::size_t filter_count() const noexcept { return filters_.size(); }

    /// Clears `out` and fills it with the analysed tokens of `text`, in text order. Positions are
    /// counted before filtering, so dropped tokens (filters, terms that became empty or longer
    /// than `max_term_bytes`) leave gaps. Under `replace`, invalid UTF-8 is first repaired
    /// (each maximal invalid subsequence becomes U+FFFD, 3 bytes) and offsets refer to the
    /// repaired text. Reuses the strings already in `out`, so passing the same vector again
    /// avoids allocations.
    /// Throws: `invalid_argument` carrying the byte offset of the first invalid sequence when
    /// `text` is invalid UTF-8 under `reject`; `invalid_argument` when the (repaired) text is
    /// 4 GiB or larger; whatever a custom filter throws.
    /// Complexity: linear in `text.size()` plus the filters' cost per token.
    void analyze(std::string_view text, std::vector<token>& out);

    /// Returns the analysed tokens of `text`; see the other overload.
    [[nodiscard]] std::vector<token> analyze(std::string_view text);

private:
    tokenizer tokenizer_;
    std::vector<std::unique_ptr<token_filter>> filters_;
    invalid_utf8_policy invalid_utf8_ = invalid_utf8_policy::reject;
    std::string repaired_;
};

}  // namespace rapport::analysis
