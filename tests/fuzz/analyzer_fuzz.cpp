// SPDX-License-Identifier: MIT
// The analyzer on arbitrary bytes (invalid UTF-8 repaired), in index and query mode, with and
// without CJK bigrams: every token has a non-empty term of at most max_term_bytes, a byte range
// inside the (repaired) text, and positions never decrease and stay below position_count().
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "rapport/analysis/analyzer.hpp"
#include "rapport/core/utf8.hpp"

namespace a = rapport::analysis;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string repaired = rapport::find_invalid_utf8(text) ? rapport::replace_invalid_utf8(text) : text;
    static std::vector<a::analyzer> analyzers = [] {
        std::vector<a::analyzer> v;
        for (const bool bigrams : {true, false})
            for (const bool query : {false, true}) {
                a::analyzer_options o;
                o.invalid_utf8 = rapport::invalid_utf8_policy::replace;
                o.cjk_bigrams = bigrams;
                a::analyzer made(o);
                made.set_query_mode(query);
                v.push_back(std::move(made));
            }
        return v;
    }();
    std::vector<a::token> tokens;
    for (auto& an : analyzers) {
        an.analyze(text, tokens);
        std::uint32_t last = 0;
        for (const auto& t : tokens) {
            RAPPORT_FUZZ_CHECK(!t.term.empty());
            RAPPORT_FUZZ_CHECK(t.term.size() <= a::max_term_bytes);
            RAPPORT_FUZZ_CHECK(t.begin <= t.end);
            RAPPORT_FUZZ_CHECK(t.end <= repaired.size());
            RAPPORT_FUZZ_CHECK(t.position >= last);
            RAPPORT_FUZZ_CHECK(t.position < an.position_count());
            last = t.position;
        }
    }
    return 0;
}
