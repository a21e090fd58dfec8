// SPDX-License-Identifier: MIT
// The JSONL reader on arbitrary bytes, under both UTF-8 policies: every failure is a
// `rapport::error` naming the line; every article read has a non-empty, valid UTF-8 id.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz.hpp"
#include "rapport/core/error.hpp"
#include "rapport/core/utf8.hpp"
#include "rapport/ingest/readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    for (const auto policy : {rapport::invalid_utf8_policy::reject, rapport::invalid_utf8_policy::replace}) {
        std::istringstream in(bytes);
        rapport::ingest::jsonl_reader reader(in, "fuzz.jsonl", {.invalid_utf8 = policy});
        for (int n = 0; n < 10000; ++n) {
            try {
                const auto a = reader.next();
                if (!a) break;
                RAPPORT_FUZZ_CHECK(!a->id.value.empty());
                RAPPORT_FUZZ_CHECK(!rapport::find_invalid_utf8(a->id.value).has_value());
                RAPPORT_FUZZ_CHECK(!rapport::find_invalid_utf8(a->body).has_value());
            } catch (const rapport::error& e) {
                RAPPORT_FUZZ_CHECK(std::string(e.what()).find("fuzz.jsonl") != std::string::npos);
                break;
            }
        }
    }
    return 0;
}
