// SPDX-License-Identifier: MIT
// The article, rapport's unit of input: an external id, a title and a body, and the boundary
// check every article passes before it is split into passages (UTF-8 validation, NFC).
// Thread safety: plain values and a free function without shared state; safe to call from
// any number of threads.
#pragma once

#include <string>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/core/types.hpp"
#include "rapport/core/utf8.hpp"

namespace rapport::ingest {

/// A field of an article beyond id, title, body and language: its name and its JSON value as
/// written (a JSONL line's other keys). The index's schema types it (`index::convert_fields`).
struct article_field {
    std::string name;
    std::string json;
    friend bool operator==(const article_field&, const article_field&) = default;
};

/// One input document: the caller's id, a title and the body text.
/// After `normalize_article` all three are valid UTF-8 and title and body are in NFC.
struct article {
    article_id id;      ///< the caller's key (a file name, a database key, a URL); never empty
    std::string title;  ///< display title, trimmed of whitespace; may be empty
    std::string body;   ///< the text that is split into passages and indexed
    /// The language whose analyzer indexes this article (a Snowball name or ISO 639 code, as
    /// `analyzer_options::language`); empty: the index's language. JSONL field "lang".
    std::string language{};
    /// The article's other fields (metadata: a category, tags, a date...), typed and stored by the
    /// index's schema (index/schema.hpp); a field the schema does not declare is an error.
    std::vector<article_field> fields{};
};

/// How the readers treat their input.
struct read_options {
    /// What to do with invalid UTF-8 in a file or a field.
    invalid_utf8_policy invalid_utf8 = invalid_utf8_policy::reject;
};

/// Returns `a` validated and normalised: the UTF-8 of id, title and body is checked under
/// `policy` (rejected, or each maximal invalid subsequence replaced by U+FFFD); title and body
/// are converted to Unicode Normalization Form C (skipped when they already are, which is the
/// common case); the title is trimmed of Unicode White_Space. The id is validated but not
/// normalised or trimmed, because it is the caller's key.
/// Byte ranges of passages (`split_passages`) refer to the body as returned here.
/// Throws: `invalid_argument` if the id is empty or holds a control character (U+0000–U+001F,
/// U+007F: tabs and newlines would break line-based outputs such as TREC runs), if a field is invalid UTF-8 under
/// `invalid_utf8_policy::reject` (the offset is the first bad byte of that field, the message
/// names the field), or if a field is 2 GiB or longer (ICU works with 32-bit lengths).
/// Complexity: linear in the size of the fields.
[[nodiscard]] RAPPORT_API article normalize_article(article a,
                                                    invalid_utf8_policy policy = invalid_utf8_policy::reject);

/// `text` validated as `normalize_article` validates a body under `policy` and put in NFC (a
/// schema's text field, for one); `what` names it in errors.
/// Throws: `invalid_argument` as `normalize_article`.
[[nodiscard]] RAPPORT_API std::string normalize_text(std::string text, invalid_utf8_policy policy, std::string_view what);

}  // namespace rapport::ingest
