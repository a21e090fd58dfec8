// SPDX-License-Identifier: MIT
// The wording of explanations (search/explain.hpp), shared by the tree scorers and the plain-term
// fast path, so that a term reads the same whichever path scored it. Compile-only (not installed).
#pragma once

#include <concepts>
#include <cstdint>
#include <cstdio>
#include <string>

#include "rapport/index/disk_segment.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/search/bm25.hpp"
#include "rapport/search/similarity.hpp"

namespace rapport::search::detail {

/// printf into a std::string (explanation lines are short: longer output is cut at 511 bytes).
inline std::string format(const char* fmt, auto... args) {
    char buf[512];
    std::snprintf(buf, sizeof buf, fmt, args...);
    return buf;
}

/// The frequency part of a term's or phrase's explanation, in the notation of the model's formula;
/// `tf` names the frequency ("tf 3", "phrase freq 1.500000") and `short_name` stands for it.
template <Similarity Model>
std::string saturation_text(const Model& m, const std::string& tf, const char* short_name, double norm) {
    if constexpr (std::same_as<Model, bm25_plus_model>)
        return format(" x (%s x (k1+1) / (%s + K(dl) %.6f) + delta %g)", tf.c_str(), short_name, norm, m.delta);
    else if constexpr (std::same_as<Model, bm25l_model>)
        return format(" x (k1+1)(c + delta %g) / (k1 + c + delta), c = %s / L(dl) %.6f", m.delta, tf.c_str(), norm);
    else
        return format(" x %s x (k1+1) / (%s + K(dl) %.6f)", tf.c_str(), short_name, norm);
}

/// One term's line: weight = boost · idf, its df, and its saturation at frequency `tf`.
template <Similarity Model>
std::string term_text(const Model& m, const std::string& term, double weight, double boost, std::uint64_t df,
                      std::uint32_t tf, double norm) {
    return format("term %s: weight %.6f (boost %g x idf %.6f, df %llu)", term.c_str(), weight, boost,
                  boost == 0 ? 0.0 : weight / boost, static_cast<unsigned long long>(df)) +
           saturation_text(m, format("tf %u", tf), "tf", norm);
}

/// What the root of an explanation adds about the passage and the model: " (passage 7, dl 40,
/// title dl 3, N 1000, k1 0.9, b 0.4)" (N of the collection scored), with the model's name and δ unless it is BM25.
template <Similarity Model>
std::string passage_text(const Model& m, std::uint64_t passages, docid_t passage, const index::disk_segment& seg,
                         docid_t local) {
    auto out = format(" (passage %u, dl %u, title dl %u, N %llu, ", passage, seg.lengths()[local],
                      seg.lengths(index::field::title)[local], static_cast<unsigned long long>(passages));
    if constexpr (std::same_as<Model, bm25_model>)
        out += format("k1 %g, b %g)", m.k1, m.b);
    else
        out += format("%s, k1 %g, b %g, delta %g)",
                      std::same_as<Model, bm25_plus_model> ? "bm25+" : "bm25l", m.k1, m.b, m.delta);
    return out;
}

}  // namespace rapport::search::detail
