// SPDX-License-Identifier: MIT
// Test support: builds segments from hand-written token lists, bypassing analysis, so that
// index and search tests control every term, position and length.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "rapport/analysis/token.hpp"
#include "index/segment_writer.hpp"

namespace rapport::test {

/// Splits "a b a" into tokens with positions 0,1,2 and byte offsets into the string.
inline std::vector<analysis::token> hand_tokens(const std::string& text) {
    std::vector<analysis::token> out;
    std::uint32_t pos = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') ++i;
        const auto b = i;
        while (i < text.size() && text[i] != ' ') ++i;
        if (i > b)
            out.push_back({text.substr(b, i - b), pos++, static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(i)});
    }
    return out;
}

/// A segment with one article per passage text; passage d has docid d.
inline index::segment hand_segment(const std::vector<std::string>& passages) {
    index::segment_writer w;
    for (std::size_t i = 0; i < passages.size(); ++i) {
        const auto a = w.add_article({"doc" + std::to_string(i)}, "title " + std::to_string(i));
        const auto toks = hand_tokens(passages[i]);
        (void)w.add_passage({a, 0, 0, static_cast<std::uint32_t>(passages[i].size()), passages[i]}, toks);
    }
    return w.finish();
}

}  // namespace rapport::test
