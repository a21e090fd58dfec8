// SPDX-License-Identifier: MIT
// Accent folding and elision end to end: an index stores them with its analysis options (manifest
// version 2), reopened readers analyse queries the same way, and the searcher finds accented text
// from plain queries (English) and elided words from bare ones (French).
#include <doctest/doctest.h>

#include <string>

#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "support/backends.hpp"

using namespace rapport;

namespace {
// The articles `query` (the query language) finds, best first.
std::vector<std::string> found(const search::searcher& s, const std::string& query) {
    std::vector<std::string> ids;
    for (const auto& h : s.search(s.parse(query), {.k = 10})) ids.push_back(h.article.value);
    return ids;
}
}  // namespace

TEST_CASE("e2e: English folds accents at index and query time, and the setting is stored") {
    test::memory_backend backend;
    auto dir = backend.make();
    {
        index::index_writer w(dir);
        w.add({{"menu"}, "Our menu", "The café serves crème brûlée and a naïve little soufflé."});
        w.add({{"other"}, "Other", "Nothing sweet is served here."});
        w.commit();
    }
    const auto reader = index::index_reader::open(dir);
    CHECK(reader.options().analyzer.fold_accents == true);  // resolved and stored
    search::searcher s(reader);
    CHECK(found(s, "cafe") == std::vector<std::string>{"menu"});
    CHECK(found(s, "café") == std::vector<std::string>{"menu"});
    CHECK(found(s, "creme brulee") == std::vector<std::string>{"menu"});
    CHECK(found(s, "\"naive little souffle\"") == std::vector<std::string>{"menu"});
}

TEST_CASE("e2e: an index built without accent folding keeps it off for every later reader and writer") {
    test::memory_backend backend;
    auto dir = backend.make();
    {
        index::index_writer_options o;
        o.index.analyzer.fold_accents = false;
        index::index_writer w(dir, o);
        w.add({{"menu"}, "Menu", "The café is open."});
        w.commit();
    }
    {
        index::index_writer w(dir);  // default options: the index keeps its own
        w.add({{"later"}, "Later", "Another café opened."});
        w.commit();
    }
    const auto reader = index::index_reader::open(dir);
    CHECK(reader.options().analyzer.fold_accents == false);
    search::searcher s(reader);
    CHECK(found(s, "cafe").empty());
    CHECK(found(s, "café").size() == 2);
}

TEST_CASE("e2e: French elisions are removed before stemming, in text and queries") {
    test::memory_backend backend;
    auto dir = backend.make();
    {
        index::index_writer_options o;
        o.index.analyzer.language = "french";
        index::index_writer w(dir, o);
        w.add({{"ecole"}, "L'école", "L'élève arrive à l'école avant qu'il pleuve, d'accord avec l'horaire."});
        w.add({{"autre"}, "Autre", "Les élèves partent en vacances."});
        w.commit();
    }
    const auto reader = index::index_reader::open(dir);
    CHECK(reader.options().analyzer.elision == true);
    CHECK(reader.options().analyzer.fold_accents == false);
    search::searcher s(reader);
    CHECK(found(s, "accord") == std::vector<std::string>{"ecole"});
    CHECK(found(s, "horaire") == std::vector<std::string>{"ecole"});
    CHECK(found(s, "l'accord") == std::vector<std::string>{"ecole"});
    // "élève" and "élèves" stem alike; the elided "L'élève" is found as the bare word.
    CHECK(found(s, "élève").size() == 2);
    CHECK(found(s, "\"élève arrive\"") == std::vector<std::string>{"ecole"});
}
