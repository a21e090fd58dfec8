// SPDX-License-Identifier: MIT
// What a help centre or an archive asks of a search besides ranked passages: filters on the
// schema's value fields (`category:billing`, `tag:(refund OR return)`, `updated:[2020-01-01 TO
// 2021-06-30]`, `views:>=100`), facet counts per keyword value or per numeric/date bucket, sorting
// by a field, and paging (`offset`, or a `search_after` cursor that pages through one snapshot
// without duplicates or gaps), over passages or over articles (collapsed, MaxP). `run` answers a
// `search_request` with one walk of the matches when facets, a sort or a cursor need every match,
// and with the pruned top-k otherwise: a filter becomes the searcher's bitset, which every
// evaluation leaps through (a selective filter makes a query faster).
// Thread safety: `filter` is an immutable value; `run` is as thread-safe as the searcher.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rapport/core/export.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/search/searcher.hpp"

namespace rapport::search {

/// A parsed filter over the value fields of a schema (QUERY.md "Filters"): clauses `field:value`
/// (keyword: exact; numeric: equal), `field:(a OR b ...)`, ranges `field:[lo TO hi]` (brackets
/// inclusive, braces exclusive, `*` open) and comparisons `field:>=v`, `>`, `<=`, `<`; combined
/// by AND (or juxtaposition), OR, NOT / a leading `-`, and parentheses. Values with spaces or
/// brackets are quoted ("..."). Dates are ISO 8601; floats decimal.
class RAPPORT_API filter {
public:
    /// Matches everything.
    filter();
    ~filter();
    filter(const filter&);
    filter& operator=(const filter&);
    filter(filter&&) noexcept;
    filter& operator=(filter&&) noexcept;

    /// Parses `text` against `s`. Throws: `query_syntax_error` (with the byte position) for
    /// malformed text, a field the schema lacks, a text or stored field, or a value of the wrong
    /// type (a date that is no ISO 8601 date, a number that does not parse).
    [[nodiscard]] static filter parse(std::string_view text, const index::schema& s);
    /// Whether it restricts nothing (parsed from blank text).
    [[nodiscard]] bool empty() const noexcept;
    /// The passages of `reader`'s snapshot it allows, as a bitset for `search_options::filter`
    /// (deleted passages may be set: the searcher drops them). Keyword clauses read their
    /// dictionary keys' postings, numeric ones the value columns.
    /// Complexity: O(passages / 64) per boolean node, O(df) per keyword value, O(passages) per range.
    [[nodiscard]] std::vector<std::uint64_t> evaluate(const index::index_reader& reader) const;
    /// The filter in canonical syntax (parses back to an equal filter).
    [[nodiscard]] std::string to_string() const;

    struct node;

private:
    std::shared_ptr<const node> root_;
};

/// A query's text with its top-level clauses on value fields moved into a filter: `refund
/// category:billing -tag:spam updated:>2024-01-01` gives the query `refund` and the filter
/// `category:billing -tag:spam updated:>2024-01-01`, all of which must hold (Lucene's FILTER
/// clauses). A clause on a value field inside a group of the query stays there (and matches
/// nothing there: QUERY.md). Quotes and parentheses are respected.
struct split_query {
    std::string text;    ///< what is left for the query parser
    std::string filter;  ///< the clauses taken out, for `filter::parse`
};
[[nodiscard]] RAPPORT_API split_query split_filter_clauses(std::string_view text, const index::schema& s);

/// Counts asked for one field.
struct facet_request {
    std::string field;
    /// Keyword fields: the `top` most frequent values (ties by value), plus every one of `values`
    /// (counted even when 0). Numeric fields: at most `top` buckets in bucket order (0: all).
    std::size_t top = 10;
    std::vector<std::string> values{};
    /// Numeric fields: buckets of this width ("100", "0.5"), or for a date "year", "month" or "day";
    /// empty: `ranges` if given, else one bucket per distinct value.
    std::string interval{};
    /// Numeric fields: half-open ranges [lo, hi), either side empty for open, as written ("2020-01-01").
    std::vector<std::pair<std::string, std::string>> ranges{};
};

/// A facet request written as `rapport search --facet` takes it: `FIELD[:OPTION]`, OPTION being a
/// count (the top values), `year` / `month` / `day` (a date's buckets), `every=WIDTH` (numeric
/// buckets), `values=A,B` (keyword values always counted) or ranges `LO..HI,LO..HI` (half-open,
/// either side empty for open). Throws: `invalid_argument` ("facet ...") for anything else.
[[nodiscard]] RAPPORT_API facet_request parse_facet(std::string_view spec);

/// One value's or bucket's count.
struct facet_count {
    std::string value;  ///< keyword value, or bucket label ("2024", "100", "lo..hi")
    std::uint64_t count = 0;
    friend bool operator==(const facet_count&, const facet_count&) = default;
};

/// The counts of one facet.
struct facet_result {
    std::string field;
    std::vector<facet_count> counts;
    std::uint64_t missing = 0;  ///< matches (passages or articles) without a value
    std::uint64_t other = 0;    ///< matches counted under values or buckets not listed
};

/// The order of the hits: by a value field (ties by score, then passage id), or relevance.
struct sort_spec {
    std::string field;  ///< a keyword (its smallest value ascending, largest descending) or numeric field
    bool descending = false;
};

/// A sort written as `rapport search --sort` takes it: `FIELD` or `+FIELD` ascending, `-FIELD`
/// descending. Throws: `invalid_argument` for an empty field name.
[[nodiscard]] RAPPORT_API sort_spec parse_sort(std::string_view spec);

/// A search as an application asks for it.
struct search_request {
    search_options options{};   ///< k, scoring, fields, limits, a bitset filter of your own
    std::string filter{};       ///< a `filter` expression (ANDed with `options.filter`)
    std::vector<facet_request> facets{};
    bool facet_articles = false;  ///< facets count matching articles (each once) rather than passages
    std::optional<sort_spec> sort{};  ///< none: by score
    bool articles = false;      ///< collapse: one hit per article (its best passage), ranked as `top_k_articles`
    std::size_t offset = 0;     ///< hits to skip (≤ 100,000)
    /// The `cursor` of the last hit of the previous page (same query, sort and snapshot): the page
    /// starts right after it. Throws `invalid_argument` when malformed.
    std::string search_after{};
    bool count_total = false;   ///< compute `search_response::total` (matches, or articles)
    /// Fetch each hit's stored passage, title and id (`searcher::fetch`); false: only `passage`
    /// and `score` of `request_hit::hit` are set (values and cursors are still given), which is
    /// what a caller that shows ids, or fetches later, needs.
    bool fetch = true;
    /// When this index is one shard of several searched as one in other processes (query-then-
    /// fetch, python/rapport/distributed.py): the id of its first passage in the numbering of the
    /// whole (the passage counts of the shards before it, summed). Ties between equal scores and
    /// sort values, `request_hit::cursor` and `search_after` then use those global ids, so the
    /// shards' pages merge into the page one index would give. `request_hit::hit.passage` stays
    /// the id in this index. 0 (the default): one index on its own. `multi_searcher` sets it itself.
    docid_t passage_base = 0;
};

/// One hit with its values.
struct request_hit {
    search::hit hit;
    /// The article's values in schema order (`index::convert_fields` shape; empty: none).
    index::field_values values;
    std::string cursor;  ///< the `search_after` of the page that follows this hit
    /// Which index of a `multi_searcher` holds the hit (its position in the list); 0 for `run`.
    /// `hit.passage` is the passage's id in that index.
    std::size_t index = 0;
};

/// The answer to a `search_request`.
struct search_response {
    std::vector<request_hit> hits;
    std::vector<facet_result> facets;    ///< in request order
    std::optional<std::uint64_t> total;  ///< with `count_total`, or when every match was walked
};

/// Answers `request` for the analysed query `analysed` (`searcher::parse` of the text left by
/// `split_filter_clauses`). Facets count every match of the query and filter (exact); a sort by a
/// field scores only the matches whose value could enter the page. Without facets, sort or
/// cursor, the pruned `top_k` / `top_k_articles` runs with k = offset + k.
/// Throws: `invalid_argument` for a facet or sort on a field the schema lacks (or a text or
/// stored field), a bad interval or range, a malformed cursor or an offset above 100,000;
/// `query_syntax_error` for a bad filter; as `searcher::top_k` otherwise.
[[nodiscard]] RAPPORT_API search_response run(const searcher& s, const query::query& analysed,
                                              const search_request& request);

}  // namespace rapport::search
