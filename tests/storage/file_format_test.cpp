// SPDX-License-Identifier: MIT
// The file envelope byte for byte (golden files computed independently), and its validation.
#include <doctest/doctest.h>

#include <string>

#include "rapport/core/error.hpp"
#include "rapport/storage/file_format.hpp"

using namespace rapport::storage;

namespace {

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

}  // namespace

TEST_CASE("storage: the envelope is laid out as FORMAT.md §2 says") {
    static_assert(header_size == 12 && footer_size == 16 && envelope_size == 28);
    // Computed with a bit-at-a-time CRC32C in Python, independently of rapport.
    SUBCASE("payload \"abc\", kind POST, version 1") {
        CHECK(encode_file(kinds::postings, 1, "abc") ==
              from_hex("52505254504f5354010000006162630300000000000000545250528f0e0148"));
    }
    SUBCASE("empty payload, kind MANI, version 7") {
        CHECK(encode_file(kinds::manifest, 7, "") ==
              from_hex("525052544d414e490700000000000000000000005452505298f49183"));
    }
    SUBCASE("check_envelope reads it back") {
        const auto file = encode_file(kinds::stored, 3, "hello");
        const auto info = check_envelope(file, "x");
        CHECK(info.kind == kinds::stored);
        CHECK(info.version == 3);
        CHECK(info.payload_size == 5);
        CHECK(info.file_size == file.size());
        CHECK_NOTHROW(check_kind_and_version(info, "x", kinds::stored, 3, 3));
    }
}

TEST_CASE("storage: file kinds") {
    CHECK(kinds::dictionary.bytes() == "DICT");
    constexpr file_kind literal = "POST";  // a literal converts implicitly, checked at compile time
    CHECK(literal == kinds::postings);
    CHECK(kinds::postings != kinds::positions);
    CHECK(file_kind::from_bytes("LENS") == kinds::lengths);
    CHECK(file_kind::from_bytes("A\x01\\\xFF").to_string() == "A\\x01\\x5C\\xFF");
    for (const auto k : {kinds::dictionary, kinds::postings, kinds::positions, kinds::lengths, kinds::stored,
                         kinds::deletes, kinds::manifest})
        CHECK(k.to_string().size() == 4);
}

TEST_CASE("storage: version checks give three distinct failures") {
    const auto file = encode_file(kinds::dictionary, 5, "payload");
    const auto info = check_envelope(file, "seg.dict");
    CHECK_NOTHROW(check_kind_and_version(info, "seg.dict", kinds::dictionary, 5, 5));
    CHECK_NOTHROW(check_kind_and_version(info, "seg.dict", kinds::dictionary, 1, 9));
    CHECK_THROWS_WITH_AS(check_kind_and_version(info, "seg.dict", kinds::postings, 1, 9),
                         "seg.dict: corrupt at byte 4: expected kind POST, found DICT", rapport::corruption_error);
    CHECK_THROWS_WITH_AS(check_kind_and_version(info, "seg.dict", kinds::dictionary, 6, 8),
                         doctest::Contains("too old (version 5, this build reads 6..8): re-create the index"),
                         rapport::format_version_error);
    CHECK_THROWS_WITH_AS(check_kind_and_version(info, "seg.dict", kinds::dictionary, 1, 4),
                         doctest::Contains("too new (version 5, this build reads 1..4): upgrade rapport"),
                         rapport::format_version_error);
}

TEST_CASE("storage: check_envelope without the checksum reads only header and footer") {
    auto file = encode_file(kinds::postings, 1, "0123456789");
    file[header_size + 3] ^= 0x40;
    CHECK_NOTHROW((void)check_envelope(file, "p", {.verify_checksum = false, .expected_size = std::nullopt}));
    CHECK_THROWS_WITH_AS((void)check_envelope(file, "p"), doctest::Contains("checksum mismatch"),
                         rapport::corruption_error);
}

TEST_CASE("storage: expected_size reports truncation with both sizes") {
    const auto file = encode_file(kinds::postings, 1, std::string(100, 'x'));
    const std::string_view cut = std::string_view(file).substr(0, 60);
    CHECK_THROWS_WITH_AS((void)check_envelope(cut, "p", {.verify_checksum = true, .expected_size = file.size()}),
                         "p: corrupt: truncated: expected 128 bytes, found 60", rapport::corruption_error);
    CHECK_THROWS_WITH_AS((void)check_envelope(cut, "p"), doctest::Contains("truncated or was never finished"),
                         rapport::corruption_error);
}
