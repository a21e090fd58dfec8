// SPDX-License-Identifier: MIT
// The surface-word dictionary (FORMAT.md §9): fuzzy and prefix terms matched against the words as
// written and mapped to index terms by the analyzer, their ranking, highlighting, and spelling
// suggestions ("did you mean") built on it.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "rapport/index/index_builder.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/memory_directory.hpp"

using namespace rapport;

namespace {

// English analysis (stopwords, Snowball stemming): stems differ from the words as written.
index::index_reader english_index(const std::vector<std::string>& texts, index::index_options o = {}) {
    index::index_builder b(o);
    for (std::size_t i = 0; i < texts.size(); ++i) b.add_passage(article_id{"a" + std::to_string(i)}, "", texts[i]);
    return b.finish();
}

std::vector<docid_t> ids(const std::vector<search::scored_doc>& v) {
    std::vector<docid_t> out;
    for (const auto& d : v) out.push_back(d.docid);
    std::sort(out.begin(), out.end());
    return out;
}

const std::vector<std::string> service_texts = {
    "Our customers value friendly customer service.",  // 0
    "Costumes for the party are in the hall.",         // 1
    "She was running late for the meeting.",           // 2
    "He runs every morning before work.",              // 3
    "Customer loyalty grows with trust.",              // 4
};

}  // namespace

TEST_CASE("surface words: each segment counts the words as written, case-folded, per passage") {
    const auto r = english_index(service_texts);
    REQUIRE(r.segments().size() == 1);
    const auto& seg = *r.segments()[0];
    REQUIRE(seg.has_words());
    const auto customer = seg.words().find("customer");
    REQUIRE(customer.has_value());
    CHECK(customer->df == 2);        // passages 0 and 4 ("Customer" folded)
    CHECK(customer->total_tf == 2);
    const auto customers = seg.words().find("customers");
    REQUIRE(customers.has_value());
    CHECK(customers->df == 1);
    CHECK_FALSE(seg.words().find("Customer").has_value());  // folded
    CHECK_FALSE(seg.words().find("the").has_value());       // a stopword is no indexed token
    CHECK(seg.words().find("running").has_value());         // as written, not the stem "run"
}

TEST_CASE("surface words: fuzzy terms match words as written, then the analyzer maps them to stems") {
    const auto r = english_index(service_texts);
    const search::searcher s(r);
    // "custmer" is one edit from "customer" but two from its stem "custom": matched against stems,
    // as before the surface words, it found nothing.
    const auto fuzzy = s.top_k(s.parse("custmer~1"));
    CHECK(ids(fuzzy) == std::vector<docid_t>{0, 4});
    search::search_info info;
    (void)s.top_k(s.parse("custmer~1"), {}, &info);
    CHECK(info.expanded_terms >= 1);
    // Prefixes of the words as written: "runn*" reaches "running" and so the stem "run", which
    // also matches "runs".
    CHECK(ids(s.top_k(s.parse("runn*"))) == std::vector<docid_t>{2, 3});
    CHECK(ids(s.top_k(s.parse("costum*"))) == std::vector<docid_t>{1});
    // The highlighter marks the index terms the expansion reached.
    const auto marks = s.highlight_terms(s.parse("custmer~1"));
    CHECK(std::find(marks.terms.begin(), marks.terms.end(), "custom") != marks.terms.end());
}

TEST_CASE("surface words: a close common word outranks a farther rare one") {
    std::vector<std::string> texts;
    for (int i = 0; i < 6; ++i) texts.push_back("The kangaroo hops across the plain number " + std::to_string(i) + ".");
    texts.push_back("Kengarlo is a small village.");  // two edits from "kangaro", and rare
    const auto r = english_index(texts);
    const search::searcher s(r);
    const auto hits = s.top_k(s.parse("kangaro~2"), {.k = 10});
    REQUIRE(hits.size() == 7);
    CHECK(hits.back().docid == 6);  // the rare word last: one shared idf, and a boost that falls with distance
    CHECK(hits.front().score > hits.back().score);
}

TEST_CASE("surface words: an index that keeps case keeps the words as written") {
    index::index_options o;
    o.analyzer.case_fold = false;
    const auto r = english_index({"Customer Care is here.", "customer care is there."}, o);
    const auto& seg = *r.segments()[0];
    CHECK(seg.words().find("Customer").has_value());
    CHECK(seg.words().find("customer").has_value());
    const search::searcher s(r);
    CHECK(ids(s.top_k(s.parse("Cust*"))) == std::vector<docid_t>{0});
    CHECK(ids(s.top_k(s.parse("Custmer~1"))) == std::vector<docid_t>{0});
}

TEST_CASE("surface words: merged segments sum their words") {
    auto dir = std::make_shared<storage::memory_directory>();
    {
        index::index_writer w(dir);
        w.add_passage(article_id{"a"}, "", "Customer service matters.");
        w.commit();
        w.add_passage(article_id{"b"}, "", "Every customer counts.");
        w.commit();
        w.merge_all();
    }
    const auto r = index::index_reader::open(dir);
    REQUIRE(r.segments().size() == 1);
    const auto customer = r.segments()[0]->words().find("customer");
    REQUIRE(customer.has_value());
    CHECK(customer->df == 2);
    CHECK(customer->total_tf == 2);
}

TEST_CASE("suggest: words with no hits are re-spelled from the index's words, the rest kept as typed") {
    const auto r = english_index(service_texts);
    const search::searcher s(r);
    CHECK(s.suggest("custmer servise") == std::optional<std::string>("customer service"));
    // Punctuation, spacing and words that have hits stay as typed; the stopword "the" too.
    CHECK(s.suggest("the  custmer, loyalty") == std::optional<std::string>("the  customer, loyalty"));
    CHECK_FALSE(s.suggest("customer loyalty").has_value());
    CHECK_FALSE(s.suggest("zzzzqqq").has_value());  // nothing close
    CHECK_FALSE(s.suggest("").has_value());
    // Short words are left alone: "hw" is two code points.
    CHECK_FALSE(s.suggest("hw").has_value());
    // A rare word next to a much more common one at one edit is corrected too (ratio rule).
    std::vector<std::string> texts(60, "trust builds loyalty");
    texts.push_back("a trist in the woods");
    const auto many = english_index(texts);
    const search::searcher m(many);
    CHECK(m.suggest("trist") == std::optional<std::string>("trust"));
    CHECK_FALSE(m.suggest("trist", {.rare_df = 0}).has_value());
}
