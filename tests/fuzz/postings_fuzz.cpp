// SPDX-License-Identifier: MIT
// The postings and positions decoder (`block_postings_cursor`, FORMAT.md §5) on arbitrary payload
// bytes, with a `term_info`, a layout and a docid limit taken from the input (postings_input.hpp;
// make_seeds.cpp writes valid ones). Three cursors walk the same term: one by `next()`, one by
// `positions()` at every posting (comparing them with a copy's), one by `seek` and `shallow_seek`
// to targets from the input, visiting block and term impacts as they go. Each reads only inside
// its two payloads (each copied to a heap buffer of its exact size, so AddressSanitizer sees one
// byte too far) and either decodes or reports `corrupt()`. Whatever the bytes:
//   - docids strictly ascend along every walk and stay below the docid limit; a walk yields at most
//     df postings, and exactly df when it ends without `corrupt()`;
//   - `seek(t)` never moves backwards and lands on a docid ≥ t; `shallow_seek(t)` leaves
//     `block_last_docid()` ≥ t; a non-empty list and every block before the end have an impact;
//   - a copy of a cursor decodes the same positions as the cursor (none when they were malformed);
//   - when the `next()` walk is not corrupt, the seek walk is not either and lands exactly where a
//     search over the `next()` walk's docids says, with the same frequencies, and the positions walk
//     visits the same docids.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz.hpp"
#include "postings_input.hpp"
#include "rapport/codec/postings_cursor.hpp"

namespace codec = rapport::codec;
using rapport::docid_t;
using rapport::end_docid;

namespace {

// The impacts a cursor visits for its current block, and for the whole list.
std::size_t block_impacts(const codec::block_postings_cursor& c) {
    std::size_t n = 0;
    c.for_each_block_impact([&](std::uint32_t, std::uint32_t) { ++n; });
    return n;
}

std::size_t term_impacts(const codec::block_postings_cursor& c) {
    std::size_t n = 0;
    c.for_each_term_impact([&](std::uint32_t, std::uint32_t) { ++n; });
    return n;
}

// A heap copy of exactly `bytes.size()` bytes (a std::string would keep a terminator past the end).
struct exact_copy {
    explicit exact_copy(std::string_view bytes) : data(new char[std::max<std::size_t>(bytes.size(), 1)]), size(bytes.size()) {
        std::copy(bytes.begin(), bytes.end(), data.get());
    }
    [[nodiscard]] std::string_view view() const { return {data.get(), size}; }
    std::unique_ptr<char[]> data;
    std::size_t size;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = rapport::fuzz::read_postings_input(data, size);
    if (!in) return 0;
    const exact_copy postings(in->postings);
    const exact_copy positions(in->positions);
    const auto open = [&] {
        return codec::block_postings_cursor(postings.view(), positions.view(), in->info, in->docid_limit, in->layout);
    };

    // Walk 1: next() only, with the block impacts at each block change.
    std::vector<docid_t> docids;
    std::vector<std::uint32_t> freqs;
    auto a = open();
    RAPPORT_FUZZ_CHECK(a.size() == in->info.df);
    RAPPORT_FUZZ_CHECK(in->info.df == 0 || term_impacts(a) >= 1);
    docid_t block_last = end_docid;
    for (; a.docid() != end_docid; a.next()) {
        RAPPORT_FUZZ_CHECK(a.docid() < in->docid_limit);
        RAPPORT_FUZZ_CHECK(docids.empty() || a.docid() > docids.back());
        RAPPORT_FUZZ_CHECK(docids.size() < in->info.df);
        RAPPORT_FUZZ_CHECK(a.block_last_docid() >= a.docid());
        docids.push_back(a.docid());
        freqs.push_back(a.freq());
        if (a.block_last_docid() != block_last) {
            block_last = a.block_last_docid();
            if (block_last != end_docid) RAPPORT_FUZZ_CHECK(block_impacts(a) >= 1);
        }
    }
    RAPPORT_FUZZ_CHECK(a.corrupt() || docids.size() == in->info.df);
    RAPPORT_FUZZ_CHECK(a.block_last_docid() == end_docid && block_impacts(a) == 0);

    // Walk 2: positions at every posting (decoded lazily, so it may fail where walk 1 did not),
    // and at every third posting those of a copy, which decodes them again from the start.
    auto p = open();
    std::size_t seen = 0;
    docid_t last = 0;
    for (; p.docid() != end_docid; p.next()) {
        RAPPORT_FUZZ_CHECK(p.docid() < in->docid_limit);
        RAPPORT_FUZZ_CHECK(seen == 0 || p.docid() > last);
        last = p.docid();
        if (!a.corrupt()) RAPPORT_FUZZ_CHECK(seen < docids.size() && p.docid() == docids[seen]);
        ++seen;
        RAPPORT_FUZZ_CHECK(seen <= in->info.df);
        const auto span = p.positions();
        const std::vector<std::uint32_t> mine(span.begin(), span.end());
        if (seen % 3 == 0) {
            const auto copy = p;  // starts without decoded positions: parses the block's again
            const auto theirs = copy.positions();
            // Malformed positions too: the copy keeps that state and yields none, as the cursor did.
            RAPPORT_FUZZ_CHECK(std::equal(mine.begin(), mine.end(), theirs.begin(), theirs.end()));
            const auto again = p.positions();  // a second call on the same posting
            RAPPORT_FUZZ_CHECK(std::equal(mine.begin(), mine.end(), again.begin(), again.end()));
        }
    }
    if (!a.corrupt() && !p.corrupt()) RAPPORT_FUZZ_CHECK(seen == docids.size());

    // Walk 3: seeks (even steps) and shallow seeks (odd steps) to targets from the input.
    auto s = open();
    docid_t target = 0;
    for (const std::uint32_t step : in->steps) {
        if (s.docid() == end_docid) break;
        target = static_cast<docid_t>(std::min<std::uint64_t>(std::uint64_t{target} + step, end_docid - 1));
        if (step % 2 == 1) {
            const docid_t at = s.docid();
            s.shallow_seek(target);
            RAPPORT_FUZZ_CHECK(s.docid() == at);
            RAPPORT_FUZZ_CHECK(s.block_last_docid() >= target);
            if (s.block_last_docid() != end_docid) RAPPORT_FUZZ_CHECK(block_impacts(s) >= 1);
            continue;
        }
        const docid_t before = s.docid();
        s.seek(target);
        RAPPORT_FUZZ_CHECK(s.docid() >= before);
        RAPPORT_FUZZ_CHECK(s.docid() >= target);
        RAPPORT_FUZZ_CHECK(s.docid() == end_docid || s.docid() < in->docid_limit);
        if (!a.corrupt()) {
            RAPPORT_FUZZ_CHECK(!s.corrupt());
            const auto it = std::lower_bound(docids.begin(), docids.end(), std::max(target, before));
            if (it == docids.end()) {
                RAPPORT_FUZZ_CHECK(s.docid() == end_docid);
            } else {
                RAPPORT_FUZZ_CHECK(s.docid() == *it);
                RAPPORT_FUZZ_CHECK(s.freq() == freqs[static_cast<std::size_t>(it - docids.begin())]);
            }
        }
    }
    return 0;
}
