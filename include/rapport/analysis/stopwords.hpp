// SPDX-License-Identifier: MIT
// Stopword lists: the built-in English list, and lists read from text (one word per line) for
// `analyzer_options::stopwords` or `make_stopword_filter`.
// Thread safety: free functions without shared mutable state; safe from any number of threads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"

namespace rapport::analysis {

/// Returns the default English stopword list: the stop list published with the Snowball English
/// stemmer (174 words: pronouns, auxiliaries, contractions, articles, conjunctions, prepositions),
/// contractions also spelled with U+2019, folded and sorted.
[[nodiscard]] RAPPORT_API const std::vector<std::string>& english_stopwords();

/// Returns the stop list the Snowball project publishes for `language` (a Snowball name or an
/// ISO 639-1/-2 code, ASCII case ignored): English (`english_stopwords()`), Danish, Dutch, Finnish,
/// French, German, Hungarian, Italian, Nepali, Norwegian, Portuguese, Russian, Spanish, Swedish and
/// Turkish (lib/analysis/stopwords, BSD-3-Clause); nullopt for a language without one (the other
/// stemmer languages, or none). Words are in list order, unfolded.
[[nodiscard]] RAPPORT_API std::optional<std::vector<std::string>> stopwords_for(std::string_view language);

/// Parses a stopword list: one word per line (LF or CRLF), Unicode White_Space around a word
/// trimmed, everything from `#` to the end of the line a comment, blank lines ignored, a leading
/// UTF-8 byte order mark skipped. Words keep their order and case (the stopword filter folds
/// them). `name` (a file name) starts error messages.
/// Throws: `invalid_argument` carrying the byte offset when `text` is invalid UTF-8.
/// Complexity: linear in `text.size()`.
[[nodiscard]] RAPPORT_API std::vector<std::string> parse_stopwords(std::string_view text,
                                                                   std::string_view name = "stopword list");

/// Reads the stopword file at `path` and parses it as `parse_stopwords` does.
/// Throws: `io_error` naming `path` when it cannot be opened or read; `invalid_argument` (message
/// starting with the path) when it is invalid UTF-8.
[[nodiscard]] RAPPORT_API std::vector<std::string> read_stopwords(const std::filesystem::path& path);

}  // namespace rapport::analysis
