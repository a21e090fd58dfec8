// SPDX-License-Identifier: MIT
// The stored fields reader (`stored_fields_reader`, FORMAT.md §7) on arbitrary payload bytes,
// copied to a heap buffer of their exact size so that AddressSanitizer sees one byte too far. The
// bytes are read twice: as a payload of the current layout (version 6 on) and as one of version 5
// (16-byte passage index entries, absolute article numbers, no index CRC).
// Opening either succeeds or throws `corruption_error`; so does reading each passage and article
// (the first 64 of each and the last), and every error names the payload. What reads succeed:
//   - a passage names an article below the article count;
//   - the per-thread cache of decompressed blocks never changes an answer: a fresh reader of the
//     same bytes, reading one record cold, returns the same record or fails the same way.
// A payload of version 5 cannot be appended (`invalid_argument`). One of version 6 that opens is
// appended (`stored_fields_writer::append`, its blocks taken as they are copied) to a writer that
// holds one article and one passage of its own: the append either throws `corruption_error` (a
// damaged index entry, the writer keeping only its own records) or succeeds, and then the result
// opens, holds the writer's own records first, and every record that read from the source reads
// the same from the copy, one docid and one article number further; a record that failed may fail
// or not (its article, out of range in the source, may fall in range once shifted).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
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
constexpr const char* copy_name = "fuzz-copy.stor";

// The records read: the first `n` and the last of `count`.
std::vector<std::uint32_t> ids_to_read(std::size_t count, std::size_t n) {
    std::vector<std::uint32_t> ids;
    for (std::size_t i = 0; i < std::min(count, n); ++i) ids.push_back(static_cast<std::uint32_t>(i));
    if (count > n) ids.push_back(static_cast<std::uint32_t>(count - 1));
    return ids;
}

// A record as read, or nothing when reading it threw `corruption_error` (naming `payload_name`).
template <class Read>
auto read_or_corrupt(const char* payload_name, Read read) -> std::optional<decltype(read())> {
    try {
        return read();
    } catch (const rapport::corruption_error& e) {
        RAPPORT_FUZZ_CHECK(std::string(e.what()).find(payload_name) != std::string::npos);
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

// What one reader gave for the records it was asked for.
struct records_read {
    std::vector<std::uint32_t> passages;
    std::vector<std::uint32_t> articles;
    std::vector<std::optional<ix::passage_record>> passage_records;
    std::vector<std::optional<ix::article_record>> article_records;
};

// Reads the chosen records of `reader` (of `payload`, opened at `version`) and checks them as above.
records_read read_checked(const ix::stored_fields_reader& reader, std::string_view payload, std::uint32_t version) {
    records_read out;
    out.passages = ids_to_read(reader.passage_count(), 64);
    out.articles = ids_to_read(reader.article_count(), 64);
    for (const auto d : out.passages) {
        out.passage_records.push_back(read_or_corrupt(name, [&] { return reader.passage(d); }));
        if (out.passage_records.back()) RAPPORT_FUZZ_CHECK(out.passage_records.back()->article < reader.article_count());
    }
    for (const auto a : out.articles) {
        out.article_records.push_back(read_or_corrupt(name, [&] { return reader.article(a); }));
    }
    // Cold reads, each by a reader of its own (a new cache identity), of every eighth record.
    for (std::size_t i = 0; i < out.passages.size(); i += 8) {
        const ix::stored_fields_reader cold(payload, name, 0, version);
        RAPPORT_FUZZ_CHECK(same(read_or_corrupt(name, [&] { return cold.passage(out.passages[i]); }),
                                out.passage_records[i]));
    }
    for (std::size_t i = 0; i < out.articles.size(); i += 8) {
        const ix::stored_fields_reader cold(payload, name, 0, version);
        RAPPORT_FUZZ_CHECK(same(read_or_corrupt(name, [&] { return cold.article(out.articles[i]); }),
                                out.article_records[i]));
    }
    return out;
}

// `source` (of version 6 on) appended after one record of each kind, the result reopened and
// compared with what `source` gave.
void check_append(const ix::stored_fields_reader& source, const records_read& read) {
    const ix::article_record own_article{{"own"}, "Own"};
    const ix::passage_record own_passage{0, 7, 1, 4, "own"};
    ix::stored_fields_writer writer;
    writer.add_article(own_article);
    writer.add_passage(own_passage);
    std::string out;
    try {
        // Taking the passage blocks as they are copied (as a merge streams them) must not change
        // the payload that results.
        writer.append(source, [&] { writer.take_passage_blocks(out); });
    } catch (const rapport::corruption_error& e) {
        // An index entry between the first and the last, which open does not check.
        RAPPORT_FUZZ_CHECK(std::string(e.what()).find(name) != std::string::npos);
        RAPPORT_FUZZ_CHECK(writer.passage_count() == 1 && writer.article_count() == 1);
        return;
    } catch (const rapport::invalid_argument&) {
        // A trailer that claims 2^32 - 1 records in a few blocks leaves no room for one more.
        constexpr std::size_t max32 = std::numeric_limits<std::uint32_t>::max();
        RAPPORT_FUZZ_CHECK(source.passage_count() == max32 || source.article_count() == max32);
        return;
    }
    RAPPORT_FUZZ_CHECK(writer.passage_count() == 1 + source.passage_count());
    RAPPORT_FUZZ_CHECK(writer.article_count() == 1 + source.article_count());
    writer.finish(out);
    // A payload the writer wrote opens; an exception escaping here is a failure.
    const ix::stored_fields_reader copy(out, copy_name);
    RAPPORT_FUZZ_CHECK(copy.relative_articles());
    RAPPORT_FUZZ_CHECK(copy.passage_count() == 1 + source.passage_count());
    RAPPORT_FUZZ_CHECK(copy.article_count() == 1 + source.article_count());
    RAPPORT_FUZZ_CHECK(same(copy.passage(0), own_passage));
    RAPPORT_FUZZ_CHECK(same(copy.article(0), own_article));
    for (std::size_t i = 0; i < read.passages.size(); ++i) {
        const auto got = read_or_corrupt(copy_name, [&] { return copy.passage(read.passages[i] + 1); });
        if (!read.passage_records[i]) continue;  // failed in the source: may fail or not, never crash
        RAPPORT_FUZZ_CHECK(got.has_value());
        auto want = *read.passage_records[i];
        ++want.article;
        RAPPORT_FUZZ_CHECK(same(*got, want));
    }
    for (std::size_t i = 0; i < read.articles.size(); ++i) {
        const auto got = read_or_corrupt(copy_name, [&] { return copy.article(read.articles[i] + 1); });
        if (!read.article_records[i]) continue;
        RAPPORT_FUZZ_CHECK(got.has_value());
        RAPPORT_FUZZ_CHECK(same(*got, *read.article_records[i]));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::unique_ptr<char[]> bytes(new char[std::max<std::size_t>(size, 1)]);
    std::copy(data, data + size, bytes.get());
    const std::string_view payload(bytes.get(), size);
    for (const std::uint32_t version : {ix::stored_relative_articles_version, std::uint32_t{5}}) {
        std::optional<ix::stored_fields_reader> reader;
        try {
            reader.emplace(payload, name, 0, version);
        } catch (const rapport::corruption_error& e) {
            RAPPORT_FUZZ_CHECK(std::string(e.what()).find(name) != std::string::npos);
            continue;
        }
        RAPPORT_FUZZ_CHECK(reader->relative_articles() == (version >= ix::stored_relative_articles_version));
        const records_read read = read_checked(*reader, payload, version);
        if (reader->relative_articles()) {
            check_append(*reader, read);
        } else {
            ix::stored_fields_writer writer;
            bool refused = false;
            try {
                writer.append(*reader);
            } catch (const rapport::invalid_argument&) {
                refused = true;
            }
            RAPPORT_FUZZ_CHECK(refused && writer.passage_count() == 0 && writer.article_count() == 0);
        }
    }
    return 0;
}
