// SPDX-License-Identifier: MIT
// Packaging test (find_package and pkg-config consumers): builds an in-memory and an on-disk
// index of three passages through the installed headers and library, searches both and fails
// unless the expected passage ranks first, or unless an error thrown by the library is caught by
// its type (which needs exported type information when rapport is a shared library).
//
//   consumer [FOLDER]      (the on-disk index; default ./rapport-package-index, removed at exit)
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "rapport/core/error.hpp"
#include "rapport/highlight/snippet.hpp"
#include "rapport/index/index_builder.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/fs_directory.hpp"
#include "rapport/version.hpp"

namespace {

const rapport::ingest::article articles[] = {
    {{"trust"}, "Trust", "Business is the consistent building of trust."},
    {{"teams"}, "Teams", "Good co-workers share information and build loyalty."},
    {{"attitude"}, "Attitude", "A positive attitude at work is contagious."},
};

// Prints the top hit for "building trust"; true when it is the passage about trust.
bool top_hit_is_trust(const char* kind, const rapport::index::index_reader& reader) {
    rapport::search::searcher searcher(reader);
    const auto query = searcher.analyze("building trust");
    const auto hits = searcher.search(query, {.k = 3});
    if (hits.empty()) {
        std::cerr << kind << ": no hit\n";
        return false;
    }
    const auto& top = hits.front();
    std::cout << kind << ": " << top.article.value << " " << top.score << "  "
              << rapport::highlight::render_plain(top.text, searcher.snippet(top, query)) << "\n";
    return top.article.value == "trust";
}

}  // namespace

int main(int argc, char** argv) try {
    std::cout << "rapport " << rapport::version << "\n";
#ifdef RAPPORT_EXPECTED_VERSION
    if (rapport::version != RAPPORT_EXPECTED_VERSION) {
        std::cerr << "headers say " << rapport::version << ", package says " << RAPPORT_EXPECTED_VERSION << "\n";
        return 1;
    }
#endif

    rapport::index::index_builder builder;
    for (const auto& a : articles) builder.add(a);
    try {
        builder.add({{""}, "No id", "An article without an id is rejected."});
        std::cerr << "an article without an id was accepted\n";
        return 1;
    } catch (const rapport::invalid_argument&) {
    }
    const bool in_memory_ok = top_hit_is_trust("in memory", builder.finish());

    const std::filesystem::path folder = argc > 1 ? argv[1] : "rapport-package-index";
    std::filesystem::remove_all(folder);
    bool on_disk_ok = false;
    {
        std::shared_ptr<rapport::storage::directory> dir = rapport::storage::fs_directory::create_or_open(folder);
        {
            rapport::index::index_writer writer(dir);
            for (const auto& a : articles) writer.update(a);
            writer.commit();
        }
        on_disk_ok = top_hit_is_trust("on disk", rapport::index::index_reader::open(dir));
    }
    std::filesystem::remove_all(folder);
    return in_memory_ok && on_disk_ok ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 1;
}
