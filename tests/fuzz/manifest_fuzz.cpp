// SPDX-License-Identifier: MIT
// The manifest decoder (FORMAT.md §3) on arbitrary payload bytes at each readable version: it
// decodes or throws `corruption_error`; what it decodes encodes (at the current version) to a
// payload that decodes to the same segments (file seals included) and generation.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz.hpp"
#include "index/manifest_writer.hpp"
#include "rapport/core/error.hpp"

namespace ix = rapport::index;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto version = ix::oldest_manifest_version + data[0] % (ix::manifest_version - ix::oldest_manifest_version + 1);
    const std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        const auto m = ix::decode_manifest(payload, "fuzz_manifest", version);
        const auto again = ix::decode_manifest(ix::encode_manifest(m), "fuzz_manifest", ix::manifest_version);
        RAPPORT_FUZZ_CHECK(again.generation == m.generation);
        RAPPORT_FUZZ_CHECK(again.segments == m.segments);  // seals included
        RAPPORT_FUZZ_CHECK(again.options.schema == m.options.schema);
    } catch (const rapport::corruption_error&) {
    } catch (const rapport::invalid_argument&) {  // options that encode cannot write (too long)
    }
    return 0;
}
