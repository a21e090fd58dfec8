// SPDX-License-Identifier: MIT
// The filter parser (QUERY.md "Filters") and the split of a query's value-field clauses on
// arbitrary text, over a schema with a field of every type: parsing succeeds or throws
// `query_syntax_error`; a parsed filter prints (`to_string`) a canonical text that parses again
// and prints the same; `split_filter_clauses` never throws, and its filter part parses or throws
// only `query_syntax_error`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/search/request.hpp"

namespace ix = rapport::index;
namespace rs = rapport::search;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const ix::schema schema = ix::parse_schema(
        R"({"fields": [{"name": "tag", "type": "keyword"}, {"name": "views", "type": "integer"},)"
        R"( {"name": "price", "type": "float"}, {"name": "updated", "type": "date"}, {"name": "note", "type": "stored"}]})");
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto f = rs::filter::parse(text, schema);
        const auto printed = f.to_string();
        const auto again = rs::filter::parse(printed, schema);
        RAPPORT_FUZZ_CHECK(again.to_string() == printed);
    } catch (const rapport::query_syntax_error&) {
    }
    const auto split = rs::split_filter_clauses(text, schema);
    RAPPORT_FUZZ_CHECK(split.text.size() + split.filter.size() <= text.size() + 1);
    try {
        (void)rs::filter::parse(split.filter, schema);
    } catch (const rapport::query_syntax_error&) {
    }
    return 0;
}
