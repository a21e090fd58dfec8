// SPDX-License-Identifier: MIT
// The one test of "may this passage be returned": not deleted in its segment, and allowed by the
// caller's bitset over global passage ids (search_options::filter). Compile-only (not installed);
// shared by every evaluation in lib/search.
// Thread safety: plain values over immutable bits.
#pragma once

#include <cstdint>
#include <span>

#include "rapport/core/bitset.hpp"
#include "rapport/core/types.hpp"
#include "rapport/index/disk_segment.hpp"
#include "rapport/search/ranked_or.hpp"

namespace rapport::search::detail {

/// Admits the passages of one segment that are not deleted and that the caller's filter allows.
struct segment_filter {
    std::span<const std::uint64_t> deleted;  ///< segment-local bits; empty: nothing deleted
    std::span<const std::uint64_t> allowed;  ///< global bits; empty: no filter
    docid_t base;                            ///< global id of the segment's passage 0
    bool operator()(docid_t d) const noexcept {
        if (test_bit(deleted, d)) return false;
        return allowed.empty() || test_bit(allowed, std::uint64_t{base} + d);
    }
};

/// Runs `f(accept)` with the cheapest filter that admits exactly the live, allowed passages of one
/// segment: `accept_all` when nothing is deleted or filtered out.
template <class F>
void with_filter(const index::disk_segment& seg, docid_t base, std::span<const std::uint64_t> allowed, F&& f) {
    if (seg.deleted_count() == 0 && allowed.empty())
        f(accept_all{});
    else
        f(segment_filter{seg.deleted_count() == 0 ? std::span<const std::uint64_t>{} : seg.deletion_bits(), allowed, base});
}

}  // namespace rapport::search::detail
