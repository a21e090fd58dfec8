// SPDX-License-Identifier: MIT
// Packaging test (add_subdirectory consumer): builds an in-memory index of three passages with
// rapport compiled as part of this project, searches it and fails unless the expected passage
// ranks first.
#include <exception>
#include <iostream>

#include "rapport/highlight/snippet.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/version.hpp"

int main() try {
    std::cout << "rapport " << rapport::version << " (" << RAPPORT_VERSION_STRING << ")\n";

    rapport::index::index_builder builder;
    builder.add({{"trust"}, "Trust", "Business is the consistent building of trust."});
    builder.add({{"teams"}, "Teams", "Good co-workers share information and build loyalty."});
    builder.add({{"attitude"}, "Attitude", "A positive attitude at work is contagious."});
    const auto index = builder.finish();

    rapport::search::searcher searcher(index);
    const auto query = searcher.analyze("building trust");
    const auto hits = searcher.search(query, {.k = 3});
    if (hits.empty()) {
        std::cerr << "no hit\n";
        return 1;
    }
    const auto& top = hits.front();
    std::cout << top.article.value << " " << top.score << "  "
              << rapport::highlight::render_plain(top.text, searcher.snippet(top, query)) << "\n";
    return top.article.value == "trust" ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 1;
}
