// SPDX-License-Identifier: MIT
// Solr-format synonym files: equivalences, explicit rules, comments, escapes and the errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/query/synonyms.hpp"

using namespace rapport;
using query::synonym_rule;

TEST_CASE("synonyms: Solr's format parses into equivalences and explicit rules") {
    const auto rules = query::parse_synonyms(
        "\xEF\xBB\xBF# customer-service words\n"
        "couch, sofa ,settee\r\n"
        "\n"
        "tv => television   # explicit\n"
        "lift, elevator => lift\n"
        "a\\,b, c\\=>d\n");
    REQUIRE(rules.size() == 4);
    CHECK(rules[0] == synonym_rule{{"couch", "sofa", "settee"}, {"couch", "sofa", "settee"}});
    CHECK(rules[1] == synonym_rule{{"tv"}, {"television"}});
    CHECK(rules[2] == synonym_rule{{"lift", "elevator"}, {"lift"}});
    CHECK(rules[3] == synonym_rule{{"a,b", "c=>d"}, {"a,b", "c=>d"}});
    CHECK(query::parse_synonyms("").empty());
    CHECK(query::parse_synonyms("# only a comment\n\n").empty());
}

TEST_CASE("synonyms: malformed lines are errors naming the file and line") {
    for (const char* bad : {"a, , b", "=> b", "a =>", "a => b => c", "a,"}) {
        CAPTURE(bad);
        try {
            (void)query::parse_synonyms(std::string("ok, fine\n") + bad, "syn.txt");
            FAIL("accepted");
        } catch (const invalid_argument& e) {
            CHECK(std::string(e.what()).find("syn.txt:2") != std::string::npos);
        }
    }
    CHECK_THROWS_AS((void)query::parse_synonyms("caf\xC3\x28, cafe"), invalid_argument);
    CHECK_THROWS_AS((void)query::read_synonyms("/no/such/synonyms.txt"), io_error);
}
