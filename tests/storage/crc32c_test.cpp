// SPDX-License-Identifier: MIT
// CRC32C: published test vectors, extension, and agreement of the SSE4.2 and portable paths.
#include <doctest/doctest.h>

#include <string>

#include "rapport/core/crc32c.hpp"
#include "storage/backends.hpp"

using rapport::crc32c;
namespace detail = rapport::detail;

TEST_CASE("storage: crc32c matches published vectors") {
    // RFC 3720 (iSCSI) appendix B.4 and the customary check value.
    SUBCASE("check value") { CHECK(crc32c("123456789") == 0xE3069283u); }
    SUBCASE("empty") { CHECK(crc32c("") == 0u); }
    SUBCASE("32 zero bytes") { CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu); }
    SUBCASE("32 0xFF bytes") { CHECK(crc32c(std::string(32, '\xFF')) == 0x62A8AB43u); }
    SUBCASE("32 ascending bytes") {
        std::string s;
        for (int i = 0; i < 32; ++i) s.push_back(static_cast<char>(i));
        CHECK(crc32c(s) == 0x46DD794Eu);
    }
    SUBCASE("sentence") { CHECK(crc32c("The quick brown fox jumps over the lazy dog") == 0x22620404u); }
    SUBCASE("both paths") {
        CHECK(detail::crc32c_portable("123456789") == 0xE3069283u);
        CHECK(detail::crc32c_hardware("123456789") == 0xE3069283u);
    }
}

TEST_CASE("storage: crc32c hardware and portable paths agree") {
    INFO("hardware available: " << detail::crc32c_hardware_available());
#if defined(__x86_64__)
    CHECK(detail::crc32c_hardware_available());  // every x86-64 CPU since 2008 has SSE4.2
#endif
    // Lengths cover the byte loop, the 8-byte loop, the short (3 × 256) and long (3 × 8192)
    // interleaved blocks and their boundaries; offsets cover every alignment.
    const auto data = rapport::storage::test::random_bytes(3 * 3 * 8192 + 3 * 256 + 64, 42);
    std::vector<std::size_t> lengths;
    for (std::size_t n = 0; n <= 2000; ++n) lengths.push_back(n);
    for (const std::size_t n :
         {3 * 8192 - 1, 3 * 8192, 3 * 8192 + 1, 3 * 8192 + 3 * 256 + 7, 2 * 3 * 8192 + 9, 3 * 3 * 8192 + 3 * 256 + 50})
        lengths.push_back(n);
    for (const auto n : lengths) {
        for (std::size_t offset = 0; offset < 8; ++offset) {
            const std::string_view s = std::string_view(data).substr(offset, n);
            const auto portable = detail::crc32c_portable(s);
            if (detail::crc32c_hardware(s) != portable || crc32c(s) != portable) {
                FAIL("paths disagree at length " << n << ", offset " << offset);
            }
        }
    }
}

TEST_CASE("storage: crc32c extends across splits") {
    const auto data = rapport::storage::test::random_bytes(100'000, 7);
    const auto whole = detail::crc32c_portable(data);
    for (const std::size_t split : {0, 1, 7, 8, 255, 767, 768, 4096, 24576, 24577, 99'999, 100'000}) {
        const std::string_view a = std::string_view(data).substr(0, split);
        const std::string_view b = std::string_view(data).substr(split);
        CAPTURE(split);
        CHECK(crc32c(b, crc32c(a)) == whole);
        CHECK(detail::crc32c_hardware(b, detail::crc32c_hardware(a)) == whole);
        CHECK(detail::crc32c_portable(b, detail::crc32c_portable(a)) == whole);
    }
}
