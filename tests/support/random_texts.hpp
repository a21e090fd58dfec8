// SPDX-License-Identifier: MIT
// Test support: random texts over a skewed vocabulary "w0" … "w<vocabulary-1>" (each word the
// smaller of two uniform draws, so low numbers are frequent), for differential tests.
#pragma once

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace rapport::test {

/// Word `i` of a random vocabulary: "q" and `i` in base 26, letters only (one ICU word), so that
/// neighbouring words share prefixes ("qa", "qab", …) for prefix and fuzzy clauses.
inline std::string letter_word(std::size_t i) {
    std::string w = "q";
    do {
        w += static_cast<char>('a' + i % 26);
        i /= 26;
    } while (i != 0);
    return w;
}

/// `count` texts of `min_words` to `min_words + spread - 1` words each.
inline std::vector<std::string> skewed_texts(std::mt19937& rng, int count, int min_words, int spread, unsigned vocabulary) {
    std::vector<std::string> texts;
    for (int i = 0; i < count; ++i) {
        std::string t;
        const int n = min_words + static_cast<int>(rng() % static_cast<unsigned>(spread));
        for (int j = 0; j < n; ++j) {
            const auto a = rng() % vocabulary;
            const auto b = rng() % vocabulary;
            t += "w" + std::to_string(std::min(a, b)) + " ";
        }
        texts.push_back(t);
    }
    return texts;
}

}  // namespace rapport::test
