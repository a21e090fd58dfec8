// SPDX-License-Identifier: MIT
#include "index/index_sort.hpp"

#include <algorithm>
#include <numeric>

namespace rapport::index::detail {

sort_key sort_key_of(const schema& s, const field_values& values) {
    sort_key key;
    const auto at = s.index_of(s.sort->field);
    if (!at || *at >= values.size()) return key;
    const auto& v = values[*at];
    if (s.fields[*at].type == field_type::keyword) {
        if (v.keywords.empty()) return key;
        // Keywords are kept sorted: the smallest leads an ascending order, the largest a descending one.
        key.keyword = s.sort->descending ? v.keywords.back() : v.keywords.front();
        key.present = true;
    } else if (v.number) {
        key.number = *v.number;
        key.present = true;
    }
    return key;
}

std::vector<std::uint32_t> sorted_articles(const schema& s, std::span<const sort_key> keys) {
    std::vector<std::uint32_t> order(keys.size());
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    const bool keyword = s.find(s.sort->field)->type == field_type::keyword;
    const bool descending = s.sort->descending;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const auto& x = keys[a];
        const auto& y = keys[b];
        if (x.present != y.present) return x.present;  // articles without a value last
        if (!x.present) return false;
        if (keyword) return descending ? y.keyword < x.keyword : x.keyword < y.keyword;
        return descending ? y.number < x.number : x.number < y.number;
    });
    return order;
}

void sort_postings(postings_list& list) {
    if (std::is_sorted(list.docids.begin(), list.docids.end())) return;
    const std::size_t n = list.docids.size();
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return list.docids[a] < list.docids[b]; });
    postings_list out;
    out.docids.reserve(n);
    out.freqs.reserve(n);
    out.position_offsets.reserve(n + 1);
    out.positions.reserve(list.positions.size());
    out.position_offsets.push_back(0);
    const bool with_positions = list.position_offsets.size() == n + 1;
    for (const auto i : order) {
        out.docids.push_back(list.docids[i]);
        out.freqs.push_back(list.freqs[i]);
        if (with_positions) {
            out.positions.insert(out.positions.end(), list.positions.begin() + list.position_offsets[i],
                                 list.positions.begin() + list.position_offsets[i + 1]);
            out.position_offsets.push_back(static_cast<std::uint32_t>(out.positions.size()));
        }
    }
    if (!with_positions) out.position_offsets = std::move(list.position_offsets);
    list = std::move(out);
}

}  // namespace rapport::index::detail
