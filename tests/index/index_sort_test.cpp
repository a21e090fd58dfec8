// SPDX-License-Identifier: MIT
// Index sorting (schema "sort"): the declaration parses, prints back and is refused where it cannot
// apply; it is fixed once an index exists; and an index sorted by a field answers every query as
// the same articles indexed without a sort do — the same matches with bit-identical scores, phrase
// positions, stored text and values — through flushes, merges, updates and deletions, and passes
// check_index. (tests/search/request_test.cpp checks filters, facets, sorting and paging against
// brute force on sorted indexes.)
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/check_index.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/manifest.hpp"
#include "rapport/index/schema.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/memory_directory.hpp"
#include "index/manifest_writer.hpp"
#include "support/random_texts.hpp"
#include "support/seed.hpp"

using namespace rapport;
namespace ix = rapport::index;

namespace {

std::string refusal(const std::string& json) {
    try {
        (void)ix::parse_schema(json);
    } catch (const invalid_argument& e) {
        return e.what();
    }
    return "";
}

const char* const fields_json = R"("fields": [{"name": "tag", "type": "keyword"}, {"name": "n", "type": "integer"},)"
                                R"( {"name": "x", "type": "float"}, {"name": "day", "type": "date"},)"
                                R"( {"name": "note", "type": "stored"}, {"name": "summary", "type": "text"}])";

ix::schema schema_sorted(const std::string& sort) {
    return ix::parse_schema("{" + std::string(fields_json) + (sort.empty() ? "" : R"(, "sort": ")" + sort + "\"") + "}");
}

ix::index_writer_options options_of(const ix::schema& s) {
    ix::index_writer_options o;
    o.index.schema = s;
    o.index.passages.min_bytes = 1;
    o.merges.merge_factor = 3;  // merges happen along the way
    return o;
}

// Every live passage of `reader`: (article id, ordinal) → its text and values.
std::map<std::pair<std::string, std::uint32_t>, std::pair<std::string, ix::field_values>> contents(const ix::index_reader& r) {
    std::map<std::pair<std::string, std::uint32_t>, std::pair<std::string, ix::field_values>> out;
    for (const auto& seg : r.segments())
        for (docid_t d = 0; d < seg->size(); ++d) {
            if (seg->is_deleted(d)) continue;
            const auto p = seg->passage(d);
            out[{std::string(seg->article_id(p.article)), p.ordinal}] = {p.text,
                                                                       seg->values().values(r.options().schema, p.article)};
        }
    return out;
}

}  // namespace

TEST_CASE("index: index sort parses, prints back, and is refused where it cannot apply") {
    const auto s = schema_sorted("-day");
    REQUIRE(s.sort.has_value());
    CHECK(s.sort->field == "day");
    CHECK(s.sort->descending);
    CHECK(ix::parse_schema(ix::to_json(s)) == s);
    CHECK(schema_sorted("tag").sort == ix::index_sort{"tag", false});
    CHECK(schema_sorted("+tag").sort == ix::index_sort{"tag", false});
    CHECK_FALSE(schema_sorted("").sort.has_value());
    CHECK(refusal("{" + std::string(fields_json) + R"(, "sort": "nope"})").find("sort: no field 'nope'") != std::string::npos);
    for (const char* f : {"note", "summary", "title", "body"}) {
        CAPTURE(f);
        CHECK(refusal("{" + std::string(fields_json) + R"(, "sort": ")" + f + "\"}").find("sort by a keyword, integer") !=
              std::string::npos);
    }
    for (const char* v : {R"(5)", R"("")", R"("-")", R"("+")", R"(["day"])", R"({"field": "day"})", "null"}) {
        CAPTURE(v);
        CHECK(refusal("{" + std::string(fields_json) + R"(, "sort": )" + v + "}").find("sort: expected") != std::string::npos);
    }
    CHECK(refusal(R"({"fields": [], "sort": "title"})").find("sort by a keyword") != std::string::npos);

    // Fixed once the index exists: a change in either direction, or of field or order, is refused.
    const auto plain = schema_sorted("");
    for (const auto& [before, after] : std::vector<std::pair<ix::schema, ix::schema>>{
             {plain, s}, {s, plain}, {s, schema_sorted("day")}, {s, schema_sorted("n")}}) {
        const auto problem = ix::schema_change_problem(before, after);
        REQUIRE(problem.has_value());
        CHECK(problem->find("index sort would change") != std::string::npos);
    }
    CHECK_FALSE(ix::schema_change_problem(s, s).has_value());
    auto appended = s;
    appended.fields.push_back({"later", ix::field_type::integer});
    CHECK_FALSE(ix::schema_change_problem(s, appended).has_value());

    auto dir = std::make_shared<storage::memory_directory>("sort-fixed");
    {
        ix::index_writer w(dir, options_of(s));
        w.add({{"a"}, "t", "body text", {}, {{"day", "\"2024-01-02\""}}});
        w.commit();
    }
    // A sorted index's manifests are version 6 (builds before index sorting refuse them as too new);
    // every other index keeps writing version 5.
    CHECK(dir->verify(ix::manifest_file_name(ix::index_reader::open(dir).generation())).version == 6);
    {
        auto unsorted = std::make_shared<storage::memory_directory>("unsorted");
        ix::index_writer w(unsorted, options_of(plain));
        w.add({{"a"}, "t", "body text", {}, {{"day", "\"2024-01-02\""}}});
        w.commit();
        CHECK(unsorted->verify(ix::manifest_file_name(ix::index_reader::open(unsorted).generation())).version == 5);
    }
    // A version 5 manifest cannot declare a sort: decoding one is corruption.
    {
        ix::manifest m;
        m.options.schema = s;
        CHECK_THROWS_AS((void)ix::decode_manifest(ix::encode_manifest(m, 5), "m5", 5), corruption_error);
        CHECK(ix::decode_manifest(ix::encode_manifest(m, 6), "m6", 6).options.schema == s);
    }
    CHECK_THROWS_AS(ix::index_writer(dir, options_of(schema_sorted("n"))), invalid_argument);
    CHECK_THROWS_AS(ix::index_writer(dir, options_of(plain)), invalid_argument);
    ix::index_writer again(dir, options_of(s));  // the same sort, or the index's own schema, reopens
    CHECK(ix::index_reader::open(dir).options().schema.sort == s.sort);
}

TEST_CASE("index: an index sorted by a field answers as the unsorted index, through flushes, merges, updates and deletes") {
    for (const std::string sort : {"tag", "-tag", "n", "-x", "day", "-day"}) {
        CAPTURE(sort);
        std::mt19937_64 rng(test::seed(20261207));
        auto sorted_dir = std::make_shared<storage::memory_directory>("sorted");
        auto plain_dir = std::make_shared<storage::memory_directory>("plain");
        {
            ix::index_writer sorted(sorted_dir, options_of(schema_sorted(sort)));
            ix::index_writer plain(plain_dir, options_of(schema_sorted("")));
            std::vector<std::string> ids;
            for (int round = 0; round < 6; ++round) {
                for (int i = 0; i < 40; ++i) {
                    std::vector<ix::raw_field> f;
                    if (rng() % 5 != 0) {
                        std::string tags = "[";
                        for (auto k = 1 + rng() % 3; k > 0; --k)
                            tags += (tags.size() > 1 ? ",\"" : "\"") + test::letter_word(rng() % 6) + "\"";
                        f.push_back({"tag", tags + "]"});
                    }
                    if (rng() % 4 != 0) f.push_back({"n", std::to_string(static_cast<int>(rng() % 9) - 4)});
                    if (rng() % 4 != 0) f.push_back({"x", std::to_string(static_cast<double>(rng() % 7) / 2.0 - 1.0)});
                    if (rng() % 4 != 0) f.push_back({"day", "\"20" + std::to_string(10 + rng() % 3) + "-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10) + "\""});
                    if (rng() % 3 == 0) f.push_back({"note", "{\"k\": " + std::to_string(i) + "}"});
                    if (rng() % 3 == 0) f.push_back({"summary", "\"" + test::letter_word(rng() % 12) + " summary\""});
                    std::string body;
                    for (auto p = 1 + rng() % 4; p > 0; --p) {
                        for (auto w = 1 + rng() % 9; w > 0; --w) body += test::letter_word(std::min(rng() % 30, rng() % 30)) + " ";
                        body += "\n\n";
                    }
                    const bool update = !ids.empty() && rng() % 6 == 0;
                    const std::string id = update ? ids[rng() % ids.size()] : "a" + std::to_string(ids.size());
                    if (!update) ids.push_back(id);
                    ingest::article a{{id}, test::letter_word(rng() % 20) + " title", body, {}, f};
                    if (update) {
                        sorted.update(a);
                        plain.update(std::move(a));
                    } else {
                        sorted.add(a);
                        plain.add(std::move(a));
                    }
                }
                for (int d = 0; d < 3; ++d) {
                    const auto id = ids[rng() % ids.size()];
                    sorted.remove({id});
                    plain.remove({id});
                }
                sorted.commit();
                plain.commit();
            }
            if (sort.size() % 2 == 0) {  // some end merged into one segment (deletions dropped)
                sorted.merge_all();
                sorted.commit();
                plain.merge_all();
                plain.commit();
            }
        }
        const auto sorted = ix::index_reader::open(sorted_dir);
        const auto plain = ix::index_reader::open(plain_dir);
        CHECK(ix::check_index(sorted_dir).ok());
        REQUIRE(sorted.live_passage_count() == plain.live_passage_count());
        CHECK(contents(sorted) == contents(plain));

        // Every match of every query, keyed by article id and ordinal, with its score.
        const search::searcher ss(sorted);
        const search::searcher ps(plain);
        const auto matches = [](const search::searcher& s, const ix::index_reader& r, const std::string& q) {
            search::search_options o;
            o.k = r.passage_count();
            std::set<std::tuple<std::string, std::uint32_t, double>> out;
            for (const auto& h : s.top_k(s.parse(q), o)) {
                const auto [seg, local] = r.locate(h.docid);
                const auto p = seg->passage(local);
                out.insert({std::string(seg->article_id(p.article)), p.ordinal, h.score});
            }
            return out;
        };
        std::size_t nonempty = 0;
        for (int qi = 0; qi < 30; ++qi) {
            const auto a = test::letter_word(std::min(rng() % 30, rng() % 30));
            const auto b = test::letter_word(std::min(rng() % 30, rng() % 30));
            const std::string queries[] = {a, a + " " + b, "\"" + a + " " + b + "\"", "+" + a + " +" + b, a + "*",
                                           "title:" + a, "summary:" + a};
            for (const auto& q : queries) {
                CAPTURE(q);
                const auto got = matches(ss, sorted, q);
                CHECK(got == matches(ps, plain, q));
                nonempty += !got.empty();
            }
        }
        CHECK(nonempty > 100);
    }
}
