// SPDX-License-Identifier: MIT
// Test support for the query module: a generator of random query trees in the canonical form
// that to_string/parse round-trip (see to_string's contract), and a random-text generator for
// fuzzing the parser.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "rapport/query/query.hpp"

namespace rapport::test {

/// Random query trees: words mixing plain letters, non-ASCII, keywords and every special
/// character; phrases with gaps; booleans up to a depth, with boosts, fields and minimum counts.
class tree_generator {
public:
    explicit tree_generator(std::mt19937_64& rng) : rng_(rng) {}

    /// A random word (never empty).
    std::string word() {
        static const std::vector<std::string> pieces = {
            "a", "b", "trust", "AND", "OR", "NOT", "?", "*", "\\", "\"", "(", ")", ":", "^", "~", "+", "-", " ",
            "\t", "\u00e9", "\u65e5\u672c", "\u00a0", "1", "0.5", "title", "x", "\u3000", "'", "!", "e",
        };
        std::string out;
        const int n = 1 + pick(3);
        for (int i = 0; i < n; ++i) out += pieces[pick(static_cast<int>(pieces.size()))];
        return out;
    }

    /// A random tree at most `depth` booleans deep.
    query::query tree(int depth) {
        query::query q = depth == 0 || pick(3) == 0 ? leaf() : boolean(depth);
        decorate(q);
        canonical(q);
        return q;
    }

private:
    int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }

    query::query leaf() {
        switch (pick(4)) {
            case 0: return query::term(word());
            case 1: return query::prefix(word());
            case 2: return query::fuzzy(word(), 1 + static_cast<std::uint32_t>(pick(2)));
            default: {
                std::vector<std::string> terms;
                std::vector<std::uint32_t> positions;
                std::uint32_t pos = static_cast<std::uint32_t>(pick(3));
                const int n = pick(5);
                for (int i = 0; i < n; ++i) {
                    terms.push_back(word());
                    positions.push_back(pos);
                    pos += 1 + static_cast<std::uint32_t>(pick(2) == 0 ? pick(3) : 0);
                }
                return query::phrase(std::move(terms), std::move(positions),
                                     pick(2) == 0 ? 0 : static_cast<std::uint32_t>(pick(6)));
            }
        }
    }

    query::query boolean(int depth) {
        std::vector<query::clause> clauses;
        const int n = pick(5);
        for (int i = 0; i < n; ++i) {
            const auto how = static_cast<query::occur>(pick(3));
            clauses.push_back({how, tree(depth - 1)});
        }
        const auto msm = pick(3) == 0 ? static_cast<std::uint32_t>(pick(4)) : 0u;
        return query::boolean(std::move(clauses), msm);
    }

    void decorate(query::query& q) {
        static const std::vector<double> boosts = {0, 0.5, 2, 1.5, 3.25, 1e-7, 123456.789, 1e20, 0.1};
        if (pick(4) == 0) q.boost(boosts[pick(static_cast<int>(boosts.size()))]);
        static const std::vector<std::string> fields = {"title", "body"};
        if (pick(4) == 0) q.field(fields[pick(2)]);
    }

    // A boolean whose only clause is a should clause and whose minimum count is 0 prints as its
    // clause; make it a must clause so the tree is canonical.
    static void canonical(query::query& q) {
        auto* b = q.get_if<query::boolean_node>();
        if (b != nullptr && b->clauses.size() == 1 && b->clauses[0].occur == query::occur::should &&
            b->minimum_should_match == 0)
            b->clauses[0].occur = query::occur::must;
    }

    std::mt19937_64& rng_;
};

/// Random text for parser fuzzing: syntax characters, keywords, words and arbitrary bytes.
inline std::string random_query_text(std::mt19937_64& rng, std::size_t max_pieces) {
    static const std::vector<std::string> pieces = {
        "a", "b", "trust", " ", " ", " ", "AND", "OR", "NOT", "(", ")", "\"", "+", "-", "*", "~", "~2", "^", "^2",
        "^1.5", ":", "title:", "body:", "foo:", "\\", "?", "\u00e9", "\xff", "\xc3", "\xe2\x82", "\t", "\u00a0",
        "((", "))", "e", "1", ".", "0",
    };
    std::string out;
    const std::size_t n = rng() % (max_pieces + 1);
    for (std::size_t i = 0; i < n; ++i) {
        if (rng() % 16 == 0) {
            out += static_cast<char>(rng() % 256);
        } else {
            out += pieces[rng() % pieces.size()];
        }
    }
    return out;
}

}  // namespace rapport::test
