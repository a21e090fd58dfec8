// SPDX-License-Identifier: MIT
// durable_index: builds an on-disk index in a folder, commits, updates one article, deletes
// another, and searches the latest commit. Run it twice: the second run reopens the same index.
//
//   durable_index [FOLDER]      (default: ./rapport-example-index)
#include <exception>
#include <iostream>
#include <memory>

#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/fs_directory.hpp"

int main(int argc, char** argv) try {
    std::shared_ptr<rapport::storage::directory> dir =
        rapport::storage::fs_directory::create_or_open(argc > 1 ? argv[1] : "rapport-example-index");
    {
        rapport::index::index_writer writer(dir);  // takes the folder's write lock
        writer.update({{"trust"}, "Trust", "Business is the consistent building of trust."});
        writer.update({{"teams"}, "Teams", "Good co-workers share information and build loyalty."});
        writer.update({{"old"}, "Old news", "This article will be deleted."});
        writer.commit();                            // durable and visible, atomically
        writer.remove({"old"});
        writer.update({{"teams"}, "Teams", "Co-workers who trust each other build loyal customers."});
        writer.commit();
    }
    const auto reader = rapport::index::index_reader::open(dir);  // maps files, reads no postings
    rapport::search::searcher searcher(reader);
    std::cout << "commit " << reader.generation() << ": " << reader.live_passage_count() << " passages\n";
    for (const auto& hit : searcher.search("trust", {.k = 5}))
        std::cout << hit.score << "  " << hit.article.value << ": " << hit.text << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "durable_index: " << e.what() << "\n";
    return 1;
}
