// SPDX-License-Identifier: MIT
// minimal: index three strings and search them. The README's API section shows this file in full.
#include <iostream>

#include "rapport/highlight/snippet.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/search/searcher.hpp"

int main() {
    rapport::index::index_builder builder;  // English analysis, BM25 k1=0.9 b=0.4
    builder.add({{"a"}, "Trust", "Business is the consistent building of trust."});
    builder.add({{"b"}, "Teams", "Good co-workers share information and build loyalty."});
    builder.add({{"c"}, "Attitude", "A positive attitude at work is contagious."});
    const auto index = builder.finish();

    rapport::search::searcher searcher(index);
    const auto query = searcher.analyze("building trust");
    for (const auto& hit : searcher.search(query, {.k = 2})) {
        const auto snippet = searcher.snippet(hit, query);
        std::cout << hit.score << "  " << hit.title << ": " << rapport::highlight::render_plain(hit.text, snippet)
                  << "\n";
    }
}
