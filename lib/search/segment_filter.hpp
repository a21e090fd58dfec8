// SPDX-License-Identifier: MIT
// The one test of "may this passage be returned": not deleted in its segment, and allowed by the
// caller's bitset over global passage ids (search_options::filter). Compile-only (not installed);
// shared by every evaluation in lib/search.
// Thread safety: plain values over immutable bits.
#pragma once

#include <bit>
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
    docid_t limit;                           ///< the segment's passage count
    bool operator()(docid_t d) const noexcept {
        if (test_bit(deleted, d)) return false;
        return allowed.empty() || test_bit(allowed, std::uint64_t{base} + d);
    }
    /// The first admitted passage ≥ d, or `limit` when none: a word of the bitset at a time.
    [[nodiscard]] docid_t next_allowed(docid_t d) const noexcept {
        const auto low_bits = [](std::uint64_t w, unsigned n) { return n >= 64 ? w : w & ((std::uint64_t{1} << n) - 1); };
        while (d < limit) {
            if (allowed.empty()) {
                // Deletions only: the first bit not set.
                const unsigned valid = 64 - d % 64;
                const std::uint64_t live = d / 64 < deleted.size() ? low_bits(~(deleted[d / 64] >> (d % 64)), valid)
                                                                   : ~std::uint64_t{0};
                if (live != 0) return std::min<docid_t>(limit, d + static_cast<docid_t>(std::countr_zero(live)));
                d += valid;
                continue;
            }
            const std::uint64_t g = std::uint64_t{base} + d;
            if (g / 64 >= allowed.size()) return limit;
            const unsigned valid = 64 - static_cast<unsigned>(g % 64);
            const std::uint64_t w = low_bits(allowed[g / 64] >> (g % 64), valid);
            if (w == 0) {
                d += valid;
                continue;
            }
            const docid_t candidate = d + static_cast<docid_t>(std::countr_zero(w));
            if (candidate >= limit) return limit;
            if (!test_bit(deleted, candidate)) return candidate;
            d = candidate + 1;
        }
        return limit;
    }
};

/// Runs `f(accept)` with the cheapest filter that admits exactly the live, allowed passages of one
/// segment: `accept_all` when nothing is deleted or filtered out.
template <class F>
void with_filter(const index::disk_segment& seg, docid_t base, std::span<const std::uint64_t> allowed, F&& f) {
    if (seg.deleted_count() == 0 && allowed.empty())
        f(accept_all{});
    else
        f(segment_filter{seg.deleted_count() == 0 ? std::span<const std::uint64_t>{} : seg.deletion_bits(), allowed, base,
                         seg.size()});
}

}  // namespace rapport::search::detail
