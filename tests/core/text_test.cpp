// SPDX-License-Identifier: MIT
// The shared text primitives: the one UTF-8 decoder (ICU's U8_NEXT), continuation bytes, ASCII
// whitespace and White_Space (checked against ICU for every code point), and White_Space trimming.
#include <doctest/doctest.h>

#include <unicode/uchar.h>

#include <cctype>
#include <clocale>
#include <string>
#include <string_view>

#include "core/text.hpp"
#include "rapport/core/utf8.hpp"

using namespace rapport::detail;

TEST_CASE("core: decode_utf8 decodes 1 to 4 byte sequences and reports maximal invalid subparts") {
    SUBCASE("valid") {
        const std::string_view s = "a\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80";  // a é 日 😀
        const char32_t expected[] = {U'a', 0xE9, 0x65E5, 0x1F600};
        std::size_t i = 0;
        for (const char32_t cp : expected) {
            const auto d = decode_utf8(s, i);
            CHECK(d.valid);
            CHECK(d.code_point == cp);
            i += d.length;
        }
        CHECK(i == s.size());
    }
    SUBCASE("invalid: overlong, surrogate, beyond U+10FFFF, truncated, stray continuation") {
        struct bad {
            std::string_view bytes;
            std::size_t length;  // the maximal subpart U8_NEXT consumes
        };
        for (const bad b : {bad{"\xC0\xAF", 1}, bad{"\xED\xA0\x80", 1}, bad{"\xF4\x90\x80\x80", 1},
                            bad{"\xE6\x97", 2}, bad{"\xF0\x9F\x98", 3}, bad{"\x80", 1}, bad{"\xFF", 1}}) {
            CAPTURE(b.bytes);
            const auto d = decode_utf8(b.bytes, 0);
            CHECK_FALSE(d.valid);
            CHECK(d.code_point == 0xFFFD);
            CHECK(d.length == b.length);
        }
    }
    SUBCASE("decoding agrees with find_invalid_utf8 on every 2-byte string") {
        for (int a = 0; a < 256; ++a)
            for (int b = 0; b < 256; ++b) {
                const char bytes[2] = {static_cast<char>(a), static_cast<char>(b)};
                const std::string_view s(bytes, 2);
                bool valid = true;
                for (std::size_t i = 0; i < s.size();) {
                    const auto d = decode_utf8(s, i);
                    valid = valid && d.valid;
                    REQUIRE(d.length >= 1);
                    i += d.length;
                }
                CHECK(valid == !rapport::find_invalid_utf8(s).has_value());
            }
    }
}

TEST_CASE("core: is_white_space is ICU's White_Space; is_ascii_space is C's isspace") {
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        if (is_white_space(cp) != (u_isUWhiteSpace(static_cast<UChar32>(cp)) != 0)) {
            CAPTURE(static_cast<unsigned>(cp));
            FAIL("White_Space differs from ICU");
        }
    }
    std::setlocale(LC_CTYPE, "C");
    for (int c = 0; c < 256; ++c) {
        CAPTURE(c);
        CHECK(is_ascii_space(static_cast<char>(c)) == (c < 0x80 && std::isspace(c) != 0));
        CHECK(is_utf8_continuation(static_cast<char>(c)) == (c >= 0x80 && c <= 0xBF));
    }
}

TEST_CASE("core: trim_white_space removes Unicode White_Space at both ends only") {
    CHECK(trim_white_space(" \t\xE3\x80\x80 a b\xC2\xA0\r\n") == "a b");  // U+3000, NBSP
    CHECK(trim_white_space("") == "");
    CHECK(trim_white_space(" \xE2\x80\xA8 ") == "");  // U+2028 only
    CHECK(trim_white_space("x\xE3\x80") == "x\xE3\x80");  // a truncated sequence is not space
    const std::string_view s = "  ab  ";
    const auto [b, e] = trim_white_space(s, 1, 5);
    CHECK(b == 2);
    CHECK(e == 4);
}
