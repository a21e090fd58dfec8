// SPDX-License-Identifier: MIT
// The stored fields reader (`stored_fields_reader`, FORMAT.md §7) on arbitrary payload bytes,
// copied to a heap buffer of their exact size so that AddressSanitizer sees one byte too far.
// Opening either succeeds or throws `corruption_error`; so does reading each passage and article
// (the first 64 of each and the last), and every error names the payload. What reads succeed:
//   - a passage names an article below the article count;
//   - the per-thread cache of decompressed blocks never changes an answer: a fresh reader of the
//     same bytes, reading one record cold, returns the same record or fails the same way.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz.hpp"
#include "index/stored_fields.hpp"
#include "rapport/core/error.hpp"

namespace ix = rapport::index;

namespace {

constexpr const char* name = "fuzz.stor";

// The records read: the first `n` and the last of `count`.
std::vector<std::uint32_t> ids_to_read(std::size_t count, std::size_t n) {
    std::vector<std::uint32_t> ids;
    for (std::size_t i = 0; i < std::min(count, n); ++i) ids.push_back(static_cast<std::uint32_t>(i));
    if (count > n) ids.push_back(static_cast<std::uint32_t>(count - 1));
    return ids;
}

// A record as read, or nothing when reading it threw `corruption_error` (naming the payload).
template <class Read>
auto read_or_corrupt(Read read) -> std::optional<decltype(read())> {
    try {
        return read();
    } catch (const rapport::corruption_error& e) {
        RAPPORT_FUZZ_CHECK(std::string(e.what()).find(name) != std::string::npos);
        return std::nullopt;
    }
}

bool same(const ix::passage_record& a, const ix::passage_record& b) {
    return a.article == b.article && a.ordinal == b.ordinal && a.begin == b.begin && a.end == b.end && a.text == b.text;
}

bool same(const ix::article_record& a, const ix::article_record& b) {
    return a.id.value == b.id.value && a.title == b.title;
}

template <class Record>
bool same(const std::optional<Record>& a, const std::optional<Record>& b) {
    return a.has_value() == b.has_value() && (!a || same(*a, *b));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::unique_ptr<char[]> bytes(new char[std::max<std::size_t>(size, 1)]);
    std::copy(data, data + size, bytes.get());
    const std::string_view payload(bytes.get(), size);
    std::optional<ix::stored_fields_reader> reader;
    try {
        reader.emplace(payload, name);
    } catch (const rapport::corruption_error& e) {
        RAPPORT_FUZZ_CHECK(std::string(e.what()).find(name) != std::string::npos);
        return 0;
    }
    const auto passages = ids_to_read(reader->passage_count(), 64);
    const auto articles = ids_to_read(reader->article_count(), 64);
    std::vector<std::optional<ix::passage_record>> passage_records;
    std::vector<std::optional<ix::article_record>> article_records;
    for (const auto d : passages) {
        passage_records.push_back(read_or_corrupt([&] { return reader->passage(d); }));
        if (passage_records.back()) RAPPORT_FUZZ_CHECK(passage_records.back()->article < reader->article_count());
    }
    for (const auto a : articles) article_records.push_back(read_or_corrupt([&] { return reader->article(a); }));
    // Cold reads, each by a reader of its own (a new cache identity), of every eighth record.
    for (std::size_t i = 0; i < passages.size(); i += 8) {
        const ix::stored_fields_reader cold(payload, name);
        RAPPORT_FUZZ_CHECK(same(read_or_corrupt([&] { return cold.passage(passages[i]); }), passage_records[i]));
    }
    for (std::size_t i = 0; i < articles.size(); i += 8) {
        const ix::stored_fields_reader cold(payload, name);
        RAPPORT_FUZZ_CHECK(same(read_or_corrupt([&] { return cold.article(articles[i]); }), article_records[i]));
    }
    return 0;
}
