// SPDX-License-Identifier: MIT
// The per-passage length normalisers every scorer of a snapshot divides by, taken from the
// snapshot's shared cache (`index::index_reader::length_norms`): one table per (snapshot,
// normaliser formula, k1, b, avgdl, fields), computed once however many searchers and threads ask
// for it. BM25 and BM25+ share K(dl) = k1 · (1 − b + b · dl / avgdl), the same expression in both
// models; BM25L has L(dl) = 1 − b + b · dl / avgdl, without k1. Compile-only (not installed).
// Thread safety: as `index_reader::length_norms` (thread-safe).
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "rapport/index/index_reader.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/similarity.hpp"

namespace rapport::search::detail {

/// The normaliser formulas, as `index::length_norm_key::normaliser` numbers them.
enum class normaliser : std::uint32_t {
    bm25_k = 1,   ///< K(dl) of BM25 and BM25+ (parameters k1, b, avgdl)
    bm25l_l = 2,  ///< L(dl) of BM25L (parameters 0, b, avgdl: k1 does not enter it)
};

/// The cache key of `model`'s normalisers of the combined length of `fields` against `avgdl`.
template <Similarity Model>
[[nodiscard]] index::length_norm_key norm_key(const Model& model, double avgdl, std::vector<std::pair<index::field, double>> fields) {
    index::length_norm_key key;
    if constexpr (std::same_as<Model, bm25l_model>) {
        key.normaliser = static_cast<std::uint32_t>(normaliser::bm25l_l);
        key.parameters = {0.0, model.b, avgdl};
    } else {
        // A model sharing this key must compute bm25_length_norm's expression, bit for bit.
        static_assert(std::same_as<Model, bm25_model> || std::same_as<Model, bm25_plus_model>,
                      "a new model needs its own normaliser key");
        key.normaliser = static_cast<std::uint32_t>(normaliser::bm25_k);
        key.parameters = {model.k1, model.b, avgdl};
    }
    key.fields = std::move(fields);
    return key;
}

/// The normalisers of `model` per segment and passage, for the combined length Σ w · dl_f of
/// `fields` (in their order) against `avgdl`, computed once per snapshot and shared.
/// Requires: avgdl > 0; the snapshot's segments have lengths for every field named.
/// Complexity: O(1) when cached (a mutex and a few key comparisons), O(passages · |fields|) otherwise.
template <Similarity Model>
[[nodiscard]] std::shared_ptr<const index::length_norm_table> shared_length_norms(
    const index::index_reader& reader, const Model& model, double avgdl, std::vector<std::pair<index::field, double>> fields) {
    const auto key = norm_key(model, avgdl, std::move(fields));
    return reader.length_norms(key, [&] {
        index::length_norm_table table;
        table.reserve(reader.segments().size());
        for (const auto& seg : reader.segments()) {
            if (key.fields.size() == 1 && key.fields.front().second == 1.0) {
                // One field at weight 1: its lengths as they are (1.0 · dl would give the same bits).
                table.push_back(length_norms(model, seg->lengths(key.fields.front().first), avgdl));
                continue;
            }
            auto& out = table.emplace_back(seg->size());
            for (docid_t d = 0; d < seg->size(); ++d) {
                double length = 0;
                for (const auto& [f, w] : key.fields) length += w * static_cast<double>(seg->lengths(f)[d]);
                out[d] = model.length_norm(length, avgdl);
            }
        }
        return table;
    });
}

/// As above for `p`'s model (`with_similarity`). Requires: `p` valid, avgdl > 0.
[[nodiscard]] inline std::shared_ptr<const index::length_norm_table> shared_length_norms(
    const index::index_reader& reader, const bm25_params& p, double avgdl, std::vector<std::pair<index::field, double>> fields) {
    return with_similarity(p, [&](const auto& model) { return shared_length_norms(reader, model, avgdl, std::move(fields)); });
}

}  // namespace rapport::search::detail
