// SPDX-License-Identifier: MIT
// The field values decoder (FORMAT.md §10) on arbitrary payload bytes: the first two bytes give the
// segment's article and passage counts (0–255 each), the rest is the payload. It decodes or throws
// `corruption_error`; what it decodes encodes to a payload that decodes to the same values.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz.hpp"
#include "rapport/core/error.hpp"
#include "rapport/index/value_columns.hpp"

namespace ix = rapport::index;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint32_t articles = data[0];
    const std::uint32_t passages = data[1];
    const std::string_view payload(reinterpret_cast<const char*>(data) + 2, size - 2);
    try {
        const auto columns = ix::value_columns::decode(payload, articles, passages, "fuzz.fval");
        RAPPORT_FUZZ_CHECK(columns.articles() == articles);
        const auto again = ix::value_columns::decode(columns.encode(articles, passages), articles, passages, "again.fval");
        RAPPORT_FUZZ_CHECK(again.columns().size() == columns.columns().size());
        for (std::size_t c = 0; c < columns.columns().size(); ++c) {
            const auto& a = columns.columns()[c];
            const auto& b = again.columns()[c];
            RAPPORT_FUZZ_CHECK(a.field == b.field);
            for (std::uint32_t i = 0; i < articles; ++i) {
                RAPPORT_FUZZ_CHECK(a.has(i) == b.has(i));
                RAPPORT_FUZZ_CHECK(a.value(i) == b.value(i));
            }
        }
    } catch (const rapport::corruption_error&) {
    }
    return 0;
}
