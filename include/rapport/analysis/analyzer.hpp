// SPDX-License-Identifier: MIT
// The analysis pipeline that turns passage and query text into index terms:
// tokenizer -> CJK bigrams -> case fold -> stopwords -> stemmer, or any custom chain of token
// filters. Indexing and querying must use identically configured analyzers, the query side in
// query mode (`set_query_mode`), which only changes how CJK text is split.
// Thread safety: an analyzer is not thread-safe (ICU iterator state, filter caches); copies are
// independent and cheap enough to make one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
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
    /// Whether CJK text is indexed as overlapping bigrams plus unigrams (Lucene's CJKBigramFilter
    /// with outputUnigrams), so that single characters and words inside compounds are found:
    /// see `analyzer::set_cjk_bigrams`. false: ICU's dictionary words, one token each (what
    /// indexes built before this option hold).
    bool cjk_bigrams = true;
};

/// Whether `options` fold accents: `fold_accents`, or the language's practice when unset.
[[nodiscard]] RAPPORT_API bool folds_accents(const analyzer_options& options);
/// Whether `options` remove elisions: `elision`, or the language's practice when unset (a language
/// without elision never removes any).
[[nodiscard]] RAPPORT_API bool removes_elisions(const analyzer_options& options);

/// A tokenizer followed by a chain of token filters.
class RAPPORT_API analyzer {
public:
    /// Creates an analyzer with the tokenizer only: no filters, invalid UTF-8 rejected, CJK
    /// bigrams on (as `analyzer_options`), index mode.
    analyzer();
    /// Creates the standard pipeline: tokenizer -> case fold -> elision -> stopwords -> stemmer,
    /// with accent folding before the stopwords (English, Porter, no stemmer) or after the stemmer
    /// (other languages), each step present when `options` asks for it; CJK bigrams as
    /// `options.cjk_bigrams` says; index mode.
    /// Throws: `invalid_argument` if `options.language` is not a libstemmer language.
    explicit analyzer(const analyzer_options& options);
    /// Returns the default English analyzer (`analyzer(analyzer_options{})`).
    [[nodiscard]] static analyzer english();

    /// Copies the pipeline and its settings (including the query mode); filters are cloned, so the
    /// copy shares no state.
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

    /// Turns CJK bigrams on or off (see `analyze`) and returns `*this`. Changes the index terms:
    /// an index must be read with the setting it was built with.
    analyzer& set_cjk_bigrams(bool enabled) noexcept;
    /// Whether CJK text is split into characters and bigrams.
    [[nodiscard]] bool cjk_bigrams() const noexcept { return cjk_bigrams_; }

    /// Switches between index mode (false, the default) and query mode (true) and returns
    /// `*this`. The modes differ only for a CJK run under `cjk_bigrams` (see `analyze`): in query
    /// mode a run of two or more characters gives only its bigrams, so that the query layer ORs
    /// them for a bare word and makes a phrase of them at their positions for a quoted one.
    /// Stacking filters stack in both modes.
    analyzer& set_query_mode(bool enabled) noexcept;
    /// Whether the analyzer is in query mode.
    [[nodiscard]] bool query_mode() const noexcept { return query_mode_; }

    /// Bounds the cache of analysed words (a chain of pure filters remembers the term each word
    /// gave, and a word met again skips the filters) to `words` entries, about 130 bytes each, and
    /// returns `*this`; 0 turns the cache off. The default, `default_word_cache_words`, takes a few
    /// MiB per analyzer, which an index writer under a small RAM budget shrinks (index_writer).
    /// Changes no token. Complexity: O(1); a smaller bound takes effect when the cache next fills.
    analyzer& set_word_cache_words(std::size_t words) noexcept;
    /// The bound `set_word_cache_words` set.
    [[nodiscard]] std::size_t word_cache_words() const noexcept { return cache_words_; }
    /// The default bound of the word cache: 32,768 words.
    static constexpr std::size_t default_word_cache_words = 32768;

    /// Number of positions the last `analyze` call counted (words and, under `cjk_bigrams`, CJK
    /// characters, dropped ones included): where a word following the analysed text would stand.
    /// It can exceed the tokenizer's word count, as a CJK word takes one position per character.
    /// 0 before any call.
    [[nodiscard]] std::uint32_t position_count() const noexcept { return position_count_; }

    /// Clears `out` and fills it with the analysed tokens of `text`, in text order. Positions are
    /// counted before filtering, so dropped tokens (filters, terms that became empty or longer
    /// than `max_term_bytes`) leave gaps.
    ///
    /// Each tokenizer word takes one position, except CJK text under `cjk_bigrams`: a maximal run
    /// of CJK characters (Han incl. extensions and compatibility ideographs, Hiragana, Katakana
    /// incl. halfwidth, Hangul syllables and jamo, and the marks ー U+30FC, ｰ U+FF70, 々 U+3005,
    /// 〆 U+3006, ゛゜ U+309B/C, 〱-〵 U+3031-5; combining marks, variation selectors and Hangul
    /// vowel/final jamo stay with the character before them) gives each character a position.
    /// A run may span several tokenizer words (ICU's dictionary splits 東京|タワー) when nothing
    /// lies between them; any other byte ends it, and so does a non-CJK character inside a word
    /// (whose non-CJK rest becomes a word of its own when it holds a letter or digit). In index
    /// mode position i holds the unigram of character i (its bytes) and, when a character i+1
    /// follows in the run, right after it the bigram of i and i+1 (from the first's begin to the
    /// second's end). In query mode a run of two or more characters gives only its bigrams, bigram
    /// i at position i (the last character's position stays empty), and a one-character run its
    /// unigram. So 東京タワー indexes as 東(0) 東京(0) 京(1) 京タ(1) タ(2) タワ(2) ワ(3) ワー(3)
    /// ー(4) and queries as 東京(0) 京タ(1) タワ(2) ワー(3). Every CJK token then goes through
    /// the whole filter chain.
    ///
    /// Tokens at one position: a CJK bigram and the terms that stacking filters add (see
    /// `token_filter`) follow the token they stand beside, share its position (and, for stacked
    /// terms, its byte range), and a term appears at most once per position. Positions never
    /// decrease along `out`.
    ///
    /// Under `replace`, invalid UTF-8 is first repaired
    /// (each maximal invalid subsequence becomes U+FFFD, 3 bytes) and offsets refer to the
    /// repaired text. Reuses the strings already in `out`, so passing the same vector again
    /// avoids allocations.
    /// Throws: `invalid_argument` carrying the byte offset of the first invalid sequence when
    /// `text` is invalid UTF-8 under `reject`; `invalid_argument` when the (repaired) text is
    /// 4 GiB or larger; whatever a custom filter throws.
    /// Complexity: linear in `text.size()` plus the filters' cost per token (per stacked token
    /// too, plus a scan of the tokens already at the position). Text without a byte >= 0xE1 (no
    /// CJK) and chains without a stacking filter take a path that pays nothing for either.
    void analyze(std::string_view text, std::vector<token>& out);

    /// Returns the analysed tokens of `text`; see the other overload.
    [[nodiscard]] std::vector<token> analyze(std::string_view text);

private:
    struct run;  // the general path of `analyze` (CJK runs, stacking), in analyzer.cpp
    struct word_cache;  // each word's term, when every filter is pure (analyzer.cpp)
    std::unique_ptr<word_cache> cache_;  // not copied: a copy starts empty
    std::size_t cache_words_ = default_word_cache_words;
    tokenizer tokenizer_;
    std::vector<std::unique_ptr<token_filter>> filters_;
    invalid_utf8_policy invalid_utf8_ = invalid_utf8_policy::reject;
    bool cjk_bigrams_ = true;
    bool query_mode_ = false;
    std::uint32_t position_count_ = 0;
    std::string repaired_;
    std::vector<std::string> stacked_;        // scratch: terms stacked and not yet emitted
    std::vector<std::size_t> stacked_from_;   // scratch: the filter each of them continues at
};

/// Registers `prototype` under `name` (1–255 bytes), replacing any analyzer registered under it:
/// a schema's text field names it (`index::text_analysis::custom`), and the writers and searchers
/// of that index analyse the field with copies of it. Code cannot be stored in an index, so every
/// process that opens such an index registers the same pipeline first.
/// Thread safety: the registry is locked; registering while an index is open changes only the
/// writers and searchers made afterwards.
/// Throws: `invalid_argument` for an empty or over-long name.
RAPPORT_API void register_analyzer(std::string name, const analyzer& prototype);
/// A copy of the analyzer registered under `name`; nothing when none is.
[[nodiscard]] RAPPORT_API std::optional<analyzer> registered_analyzer(std::string_view name);

}  // namespace rapport::analysis
