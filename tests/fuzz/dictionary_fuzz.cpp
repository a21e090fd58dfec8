// SPDX-License-Identifier: MIT
// The term dictionary decoder (FORMAT.md §4, also the surface-word payload of §9) on arbitrary
// payload bytes: opening, walking every term, seeking and looking terms up either succeed or throw
// `corruption_error`, never read outside the payload (AddressSanitizer), and a walk yields the
// trailer's term count. Term order is not the decoder's to check (FORMAT.md §4 "Damage": damage
// inside term bytes is the CRC's, and `check_index` verifies the order).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz.hpp"
#include "rapport/codec/term_dictionary.hpp"
#include "rapport/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    try {
        const rapport::codec::term_dictionary dict(payload, "fuzz.dict");
        std::uint64_t n = 0;
        for (auto c = dict.begin(); c.valid(); c.next()) {
            const std::string term(c.term());
            (void)c.info();
            if (n < 16) (void)dict.find(term);
            ++n;
        }
        RAPPORT_FUZZ_CHECK(n == dict.size());
        (void)dict.find("trust");
        (void)dict.find("");
        for (auto c = dict.seek("m"); c.valid() && n > 0; c.next()) --n;
    } catch (const rapport::corruption_error&) {
    }
    return 0;
}
