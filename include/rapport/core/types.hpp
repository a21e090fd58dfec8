// SPDX-License-Identifier: MIT
// Vocabulary types shared by every module: ids, scores, sentinels.
// Thread safety: plain values; safe to share.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace rapport {

/// A dense passage identifier: segment-local inside a segment (0, 1, 2, ... in insertion order), and
/// global in a reader's results (the segment's base plus the local id; `index_reader::locate` maps back).
using docid_t = std::uint32_t;

/// A segment-local term identifier, dense in the order terms were first seen.
using termid_t = std::uint32_t;

/// A relevance score. Double precision so that BM25 sums are exact to 1e-9 for any
/// realistic query, which the differential pruning tests rely on.
using score_t = double;

/// Reported by an exhausted cursor; greater than every valid docid.
inline constexpr docid_t end_docid = std::numeric_limits<docid_t>::max();

/// The caller's identifier of an article (a file name, a database key, a URL).
/// A strong type so that it cannot be confused with a passage's `docid_t`.
struct article_id {
    std::string value;

    friend auto operator<=>(const article_id&, const article_id&) = default;
    friend bool operator==(const article_id&, const article_id&) = default;
};

}  // namespace rapport
