// SPDX-License-Identifier: MIT
// guidance: indexes a folder of articles (by default the bundled customer-service articles) and
// prints, for each query, the best passages with rank, score, article title and a highlighted snippet.
//
//   guidance [--articles DIR] [-k N] QUERY...
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "rapport/highlight/snippet.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/ingest/readers.hpp"
#include "rapport/search/searcher.hpp"

int main(int argc, char** argv) {
    std::string dir = RAPPORT_EXAMPLE_ARTICLES;
    std::size_t k = 3;
    std::vector<std::string> queries;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "--articles" || arg == "-k") && i + 1 < argc) {
            if (arg == "-k")
                k = std::strtoul(argv[++i], nullptr, 10);
            else
                dir = argv[++i];
        } else if (arg == "--help" || arg == "-h") {
            std::cout << "usage: guidance [--articles DIR] [-k N] QUERY...\n";
            return 0;
        } else {
            queries.push_back(arg);
        }
    }
    if (queries.empty()) queries = {"building trust"};

    try {
        rapport::index::index_builder builder;
        for (auto& article : rapport::ingest::read_text_directory(dir)) builder.add(std::move(article));
        const auto index = builder.finish();
        rapport::search::searcher searcher(index);
        const bool tty = isatty(STDOUT_FILENO) != 0;

        std::cout << "Indexed " << index.article_count() << " articles as " << index.passage_count()
                  << " passages from " << dir << "\n";
        for (const auto& q : queries) {
            const auto query = searcher.analyze(q);
            const auto hits = searcher.search(query, {.k = k});
            std::cout << "\n" << (tty ? "\x1b[1m" : "") << "guidance \"" << q << "\"" << (tty ? "\x1b[0m" : "") << "\n";
            if (hits.empty()) std::cout << "  (no passage matches)\n";
            int rank = 0;
            for (const auto& h : hits) {
                const auto snip = searcher.snippet(h, query);
                std::printf("  %d. [%.3f] %s\n", ++rank, h.score, h.title.c_str());
                const auto text = tty ? rapport::highlight::render_terminal(h.text, snip)
                                      : rapport::highlight::render_plain(h.text, snip);
                std::cout << "     " << text << "\n";
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "guidance: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
