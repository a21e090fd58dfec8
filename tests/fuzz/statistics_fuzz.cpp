// SPDX-License-Identifier: MIT
// The JSON form of collection statistics (search/statistics.hpp), which shards in other processes
// send to each other: `from_json` on arbitrary bytes returns statistics or throws
// `invalid_argument`; what it returns prints (`to_json`) a text that parses back to equal
// statistics, and merging them with themselves succeeds or throws `invalid_argument` (overflow),
// keeping every expansion in term order and within its cap.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz.hpp"
#include "rapport/core/error.hpp"
#include "rapport/search/statistics.hpp"

namespace rs = rapport::search;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rs::collection_statistics s;
    try {
        s = rs::collection_statistics::from_json(text);
    } catch (const rapport::invalid_argument&) {
        return 0;
    }
    const auto printed = s.to_json();
    const auto again = rs::collection_statistics::from_json(printed);
    RAPPORT_FUZZ_CHECK(again == s);
    try {
        auto twice = s;
        twice.merge(s);
        RAPPORT_FUZZ_CHECK(twice.passages == 2 * s.passages);
        for (const auto& [key, e] : twice.expansions) {
            for (std::size_t i = 1; i < e.terms.size(); ++i) RAPPORT_FUZZ_CHECK(e.terms[i - 1].term < e.terms[i].term);
            RAPPORT_FUZZ_CHECK(e.terms.size() == s.expansions.at(key).terms.size());
        }
    } catch (const rapport::invalid_argument&) {
    }
    return 0;
}
