// SPDX-License-Identifier: MIT
// The ASCII fast path must produce exactly ICU's tokens. This checks it over every passage of the
// Wikipedia corpus in ../shared/corpora (present beside the repository in CI); when the corpus is
// absent the case says so and checks nothing.
#include <doctest/doctest.h>

#include <filesystem>

#include "rapport/analysis/tokenizer.hpp"
#include "rapport/ingest/readers.hpp"

using namespace rapport;

TEST_CASE("analysis: ASCII fast path equals ICU on every Wikipedia passage") {
    const std::filesystem::path corpus = RAPPORT_SHARED_CORPORA "/wikipedia-2021-passages/docs.jsonl.zst";
    if (!std::filesystem::exists(corpus)) {
        MESSAGE("skipped: " << corpus.string() << " not found");
        return;
    }
    analysis::tokenizer fast, icu;
    fast.set_ascii_fast_path(true);
    icu.set_ascii_fast_path(false);
    std::vector<analysis::token> a, b;
    ingest::jsonl_reader reader(corpus);
    std::size_t passages = 0, tokens = 0, mismatches = 0;
    while (auto doc = reader.next()) {
        a.clear();
        b.clear();
        fast.tokenize(doc->body, a);
        icu.tokenize(doc->body, b);
        ++passages;
        tokens += b.size();
        if (a != b && ++mismatches <= 5) CHECK_MESSAGE(a == b, "passage " << doc->id.value);
    }
    MESSAGE(passages << " passages, " << tokens << " tokens, " << mismatches << " mismatches");
    CHECK(passages == 145582);
    CHECK(mismatches == 0);
}
