// SPDX-License-Identifier: MIT
// The golden fixtures: tests/fixtures/v<N> holds a small index written by segment format version
// N (two segments, an update and a delete; the same articles for every N). Every later rapport
// must open each with the same answers, or reject it with a clear "too old" format_version_error
// after a documented format change (see tests/fixtures/README.md). The expected values below were
// recorded when each fixture was made.
//
// To write the fixture of the current version (only together with a format version change, into
// a new folder v<N>, never over an existing one): RAPPORT_WRITE_FIXTURES=1 reliability_test
// -tc='*writes the golden fixture*', which prints the values to record.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/check_index.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/request.hpp"
#include "rapport/search/searcher.hpp"
#include "index/manifest_writer.hpp"
#include "rapport/storage/fs_directory.hpp"
#include "reliability/reliability.hpp"
#include "support/backends.hpp"

// tests/fixtures in the source tree (RAPPORT_TEST_DATA_DIR is tests/data).
#define RAPPORT_FIXTURE_DIR RAPPORT_TEST_DATA_DIR "/../fixtures"

using namespace rapport;

namespace {
// The answers were recorded searching the body alone (the default fields before the title joined
// them): top 10 under BM25.
search::search_options golden_options() {
    search::search_options o{.k = 10};
    o.fields = {{index::field::body, 1.0}};
    return o;
}
}  // namespace

namespace {

std::filesystem::path fixture(std::uint32_t number) {
    return std::filesystem::path(RAPPORT_FIXTURE_DIR) / ("v" + std::to_string(number));
}

// The fixture this build writes: v1 to v4 are numbered by their segment format version, v5 on
// by the on-disk change that introduced them (see tests/fixtures/README.md).
constexpr std::uint32_t current_fixture = 7;

// The versions of the files in fixture v<number>.
struct fixture_versions {
    std::uint32_t segment;
    std::uint32_t manifest;
};

fixture_versions versions_of(std::uint32_t number) {
    if (number <= 3) return {number, 1};
    if (number == 4) return {4, 3};
    if (number == 5) return {4, 4};  // v5: the manifest seals every segment file
    if (number == 6) return {5, 5};  // v6: field values (FVAL) and the schema in the manifest
    return {6, 5};                   // v7: stored passages relative to their block's article_base
}

ingest::article article(const char* id, const char* title, const char* body) { return {{id}, title, body}; }

// The first commit (segment 1).
std::vector<ingest::article> first_articles() {
    return {
        article("lighthouse", "The lighthouse",
                "The lighthouse keeper climbed the spiral stairs at dusk. Its lamp warned ships away from the "
                "rocky coast."),
        article("orchard", "The orchard",
                "Apple trees in the orchard blossomed early this spring. Bees carried pollen between the rows of "
                "trees."),
        article("volcano", "The volcano",
                "The volcano erupted after centuries of silence. Ash covered the villages on its slopes."),
        article("glacier", "The glacier",
                "The glacier retreated a kilometre in ten years. Meltwater carved new channels through the valley."),
        article("atlas", "The atlas",
                "The atlas opens with charts of the northern coast, drawn by sailors who measured every bay and "
                "headland by hand. Each chart names the lighthouse that marks the harbour mouth and the depth of "
                "water at low tide.\n"
                "Its second half describes the inland valley: rivers fed by the glacier, villages built on old "
                "terraces, and the roads that cross the mountains in summer. Travellers used it for more than a "
                "century before the railway came."),
    };
}

// From fixture 6 on the articles carry field values (FORMAT.md §10): a keyword, a date, a float.
const char* const fixture_schema =
    R"({"fields": [{"name": "place", "type": "keyword"}, {"name": "seen", "type": "date"},)"
    R"( {"name": "depth", "type": "float"}]})";

ingest::article with_fields(ingest::article a) {
    const auto& id = a.id.value;
    const bool coast = id == "lighthouse" || id == "atlas" || id == "harbour";
    a.fields.push_back({"place", coast ? R"(["coast", "sea"])" : R"("inland")"});
    a.fields.push_back({"seen", "\"" + std::string(id.size() % 2 == 0 ? "2020-06-" : "2021-03-") +
                                    std::to_string(10 + id.size()) + "\""});
    if (id != "observatory") a.fields.push_back({"depth", std::to_string(static_cast<double>(id.size()) * 1.5)});
    return a;
}

// The search recorded for fixture 6: a filter, two facets and a sort by depth.
search::search_response fields_answer(const search::searcher& s) {
    search::search_request request;
    request.options.k = 20;
    request.filter = "place:coast OR depth:>=9";
    request.facets = {{.field = "place"}, {.field = "seen", .top = 0, .interval = "year"}};
    request.sort = search::sort_spec{"depth", true};
    return search::run(s, s.parse("lighthouse orchard glacier harbour observatory coast valley"), request);
}

// The second commit (segment 2, plus deletions in segment 1): one update, one delete, two adds;
// `fields` gives the articles their values (fixture 6 on).
void second_commit(index::index_writer& w, bool fields = false) {
    const auto article = [fields](const char* id, const char* title, const char* body) {
        auto a = ::article(id, title, body);
        return fields ? with_fields(std::move(a)) : a;
    };
    w.update(article("orchard", "The orchard replanted",
                     "The orchard was replanted with pear trees after the frost. Bees returned in the spring."));
    w.remove({"volcano"});
    w.add(article("harbour", "The harbour",
                  "Fishing boats returned to the harbour before the storm. The lighthouse guided them past the "
                  "rocks."));
    w.add(article("observatory", "The observatory",
                  "Astronomers at the observatory mapped distant galaxies. Clear winter nights gave the best views."));
}

const char* const queries[] = {"lighthouse coast", "bees spring", "valley glacier", "harbour", "volcano ash", "apple"};

struct expected_hit {
    const char* article;
    std::uint32_t ordinal;
    double score;
};

}  // namespace

TEST_CASE("reliability: writes the golden fixture" * doctest::skip(std::getenv("RAPPORT_WRITE_FIXTURES") == nullptr)) {
    static_assert(index::segment_format_version == 6, "a new segment format needs a new fixture number");
    const auto folder = fixture(current_fixture);
    REQUIRE_MESSAGE(!std::filesystem::exists(folder), folder.string() << " exists: fixtures are never rewritten");
    {
        auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::create_or_open(folder));
        index::index_writer_options o;
        o.merges.merge_factor = 0;
        o.index.schema = index::parse_schema(fixture_schema);
        index::index_writer w(dir, o);
        for (auto& a : first_articles()) w.add(with_fields(std::move(a)));
        w.commit();
        second_commit(w, true);
        w.commit();
        REQUIRE(w.segment_count() == 2);
    }
    std::filesystem::remove(folder / "write.lock");

    auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::open_existing(folder));
    const auto r = index::index_reader::open(dir);
    REQUIRE(index::check_index(dir).ok());
    std::printf("generation %llu, segments %zu, passages %llu, live %llu, articles %llu\n",
                static_cast<unsigned long long>(r.generation()), r.segments().size(),
                static_cast<unsigned long long>(r.passage_count()),
                static_cast<unsigned long long>(r.live_passage_count()),
                static_cast<unsigned long long>(r.article_count()));
    search::searcher s(r);
    const auto answer = fields_answer(s);
    std::printf("filtered sorted hits:");
    for (const auto& h : answer.hits) std::printf(" %s#%u", h.hit.article.value.c_str(), h.hit.ordinal);
    std::printf("\n");
    for (const auto& f : answer.facets) {
        std::printf("facet %s:", f.field.c_str());
        for (const auto& c : f.counts) std::printf(" %s=%llu", c.value.c_str(), static_cast<unsigned long long>(c.count));
        std::printf(" missing=%llu\n", static_cast<unsigned long long>(f.missing));
    }
    for (const char* q : queries) {
        std::printf("    {\"%s\", {", q);
        for (const auto& h : s.search(q, golden_options()))
            std::printf("{\"%s\", %u, %.17g}, ", h.article.value.c_str(), h.ordinal, h.score);
        std::printf("}},\n");
    }
}

namespace {
struct query_answer {
    const char* query;
    std::vector<expected_hit> hits;
};

// Opens a copy of fixture v<version> and checks its counts, file versions (segment files at
// `version`, the manifest at 1) and the recorded answers; then a writer of this build adds to it.
// Returns the reader of the fixture as written.
index::index_reader check_fixture(const test::scratch_dir& scratch, std::uint32_t number,
                                  const std::vector<query_answer>& answers) {
    const auto source = fixture(number);
    const auto version = versions_of(number).segment;
    const auto manifest_at = versions_of(number).manifest;
    REQUIRE_MESSAGE(std::filesystem::is_directory(source), "missing fixture " << source.string());
    // A copy: a writer would take the lock and collect garbage in the source tree.
    const auto copy = scratch.path() / source.filename();
    reliability::copy_index_folder(source, copy);
    auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::open_existing(copy));

    const auto report = index::check_index(dir);
    CHECK(report.ok());
    const auto r = index::index_reader::open(dir);
    CHECK(r.generation() == 3);
    CHECK(r.segments().size() == 2);
    CHECK(r.passage_count() == 9);       // 6 in segment 1 ("atlas" has two), 3 in segment 2
    CHECK(r.live_passage_count() == 7);  // the old "orchard" and "volcano" are deleted
    CHECK(r.article_count() == 8);       // per segment, deleted articles included
    // The manifest and segment files at the fixture's versions; from segment version 4 on each
    // segment also has its surface-word file.
    const auto files = dir->list();
    CHECK(files.size() == (version >= 5 ? 16u : version >= 4 ? 14u : 12u));
    for (const auto& f : files) {
        CAPTURE(f);
        CHECK(dir->verify(f).version == (f.starts_with("manifest_") ? manifest_at : version));
    }

    // Article ids read in place (version 3) or once from the stored fields (1 and 2) agree with them.
    for (const auto& seg : r.segments())
        for (std::uint32_t a = 0; a < seg->article_count(); ++a) CHECK(seg->article_id(a) == seg->article(a).id.value);

    search::searcher s(r);
    for (const auto& [query, hits] : answers) {
        const auto& shown = query;  // CAPTURE's lambda cannot capture a binding (clang 14)
        CAPTURE(shown);
        const auto found = s.search(query, golden_options());
        REQUIRE(found.size() == hits.size());
        for (std::size_t i = 0; i < hits.size(); ++i) {
            CAPTURE(i);
            CHECK(found[i].article.value == hits[i].article);
            CHECK(found[i].ordinal == hits[i].ordinal);
            CHECK(std::abs(found[i].score - hits[i].score) <= 1e-9);
        }
    }

    // A writer of this build continues the old index.
    {
        index::index_writer w(dir);
        w.add(article("mill", "The mill", "The mill ground grain from the valley farms."));
        w.commit();
    }
    const auto after = index::index_reader::open(dir);
    CHECK(after.generation() == 4);
    CHECK(after.live_passage_count() == 8);
    CHECK(index::check_index(dir).ok());
    // The new segment is of this build's version, and its title is searchable beside the old ones.
    CHECK(dir->verify(after.segments().back()->name() + ".lens").version == index::segment_format_version);
    // Its manifest is this build's version, carrying the old analysis: no accent folding, no elision removal,
    // and for fixtures before version 4 ICU's dictionary words for CJK (the index was built
    // without them, whatever today's English default is).
    CHECK(dir->verify("manifest_0000000000000004").version == index::unsorted_manifest_version);
    CHECK(after.options().analyzer.fold_accents == (version >= 4));
    CHECK(after.options().analyzer.elision == false);  // English has no elisions
    CHECK(after.options().analyzer.cjk_bigrams == (version >= 4));
    CHECK(after.segments().back()->has_words());
    for (const auto& seg : r.segments()) CHECK(seg->has_words() == (version >= 4));
    search::searcher qs(after);
    const auto mill = qs.top_k(qs.parse("title:mill"), {});
    REQUIRE(mill.size() == 1);
    CHECK(after.locate(mill[0].docid).first == after.segments().back().get());

    // Merging the old segments with the new gives one segment of this build's format whose
    // surface words count the old passages too (recounted from their stored text before version 4).
    {
        index::index_writer w(dir);
        w.merge_all();
        w.commit();
    }
    const auto merged = index::index_reader::open(dir);
    REQUIRE(merged.segments().size() == 1);
    const auto& seg = *merged.segments()[0];
    REQUIRE(seg.has_words());
    const auto lighthouse = seg.words().find("lighthouse");
    REQUIRE(lighthouse.has_value());
    CHECK(lighthouse->df == 3);  // "lighthouse", "atlas" passage 0, "harbour" (live passages)
    CHECK(seg.words().find("mill").has_value());
    CHECK(index::check_index(dir).ok());
    search::searcher ms(merged);
    CHECK(ms.search("lighthous~1", golden_options()).size() == 3);
    return r;
}

// The body answers every fixture must give: the index of §"first_articles" + "second_commit".
const std::vector<query_answer> body_answers = {
    {"lighthouse coast",
     {{"lighthouse", 0, 2.4527137970270214}, {"atlas", 0, 2.1267049070381985}, {"harbour", 0, 1.1079257493221513}}},
    {"bees spring", {{"orchard", 0, 2.9738250004668623}}},  // the updated text; "apple" is gone
    {"valley glacier", {{"glacier", 0, 2.8797680598039119}, {"atlas", 1, 2.4530470650782696}}},
    {"harbour", {{"harbour", 0, 1.4630204326835583}, {"atlas", 0, 1.210220873179819}}},
    {"volcano ash", {}},  // deleted
    {"apple", {}},        // only in the replaced version of "orchard"
};
}  // namespace

TEST_CASE("reliability: the version 1 golden fixture opens with the recorded answers") {
    test::scratch_dir scratch;
    const auto r = check_fixture(scratch, 1, body_answers);
    // Version 1 has no title field: every title length reads as 0 and no title term exists.
    for (const auto& seg : r.segments())
        for (const auto l : seg->lengths(index::field::title)) CHECK(l == 0);
    CHECK(r.total_length(index::field::title) == 0);
    search::searcher qs(r);
    CHECK(qs.top_k(qs.parse("title:lighthouse"), {}).empty());
}

TEST_CASE("reliability: the version 2 golden fixture opens with the recorded answers and titles") {
    test::scratch_dir scratch;
    const auto r = check_fixture(scratch, 2, body_answers);
    // Titles: "The lighthouse" is 1 token (the stopword leaves a gap), "The orchard replanted" 2.
    const auto& seg1 = *r.segments()[1];
    CHECK(seg1.lengths(index::field::title)[0] == 2);  // the updated orchard
    CHECK(r.total_length(index::field::title) == 10);  // 1 per title, 2 for "replanted" orchard, atlas twice
    search::searcher qs(r);
    const auto hits = qs.top_k(qs.parse("title:replanted"), {});
    REQUIRE(hits.size() == 1);
    // BM25 over the title field: N 9, df 1, tf 1, dl 2, avgdl 10/9, k1 0.9, b 0.4:
    // ln(1 + 8.5/1.5) · 1.9 / (1 + 0.9 · (0.6 + 0.4 · 2 · 9/10)), by hand (python3).
    CHECK(std::abs(hits[0].score - 1.647407665120281) <= 1e-9);
    CHECK(search::searcher(r).fetch(hits[0]).article.value == "orchard");
}

TEST_CASE("reliability: the version 3 golden fixture opens with the recorded answers, titles and frontiers") {
    test::scratch_dir scratch;
    const auto r = check_fixture(scratch, 3, body_answers);
    CHECK(r.total_length(index::field::title) == 10);
    search::searcher qs(r);
    const auto hits = qs.top_k(qs.parse("title:replanted"), {});
    REQUIRE(hits.size() == 1);
    CHECK(std::abs(hits[0].score - 1.647407665120281) <= 1e-9);  // as in version 2
    // "the lighthouse" of segment 1 occurs in "lighthouse" (tf 1, 13 tokens) and "atlas" passage 0
    // (tf 1, longer): one undominated pair, stored as zero bytes, so the frontier is (1, 13).
    const auto& seg0 = *r.segments()[0];
    const auto info = seg0.find("lighthous");
    REQUIRE(info.has_value());
    auto c = seg0.cursor(*info);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    c.for_each_term_impact([&](std::uint32_t tf, std::uint32_t l) noexcept { pairs.emplace_back(tf, l); });
    REQUIRE(pairs.size() == 1);
    CHECK(pairs[0].first == 1);
    CHECK(pairs[0].second == seg0.lengths()[0]);
}

TEST_CASE("reliability: the version 4 golden fixture opens with the recorded answers and surface words") {
    test::scratch_dir scratch;
    const auto r = check_fixture(scratch, 4, body_answers);
    CHECK(r.total_length(index::field::title) == 10);
    search::searcher qs(r);
    const auto hits = qs.top_k(qs.parse("title:replanted"), {});
    REQUIRE(hits.size() == 1);
    CHECK(std::abs(hits[0].score - 1.647407665120281) <= 1e-9);  // as in version 2
    // The words as written (case-folded), with passage and occurrence counts per segment: in
    // segment 2 "replanted" is in the title and the body of the one updated "orchard" passage.
    const auto& seg1 = *r.segments()[1];
    const auto replanted = seg1.words().find("replanted");
    REQUIRE(replanted.has_value());
    CHECK(replanted->df == 1);
    CHECK(replanted->total_tf == 2);
    CHECK_FALSE(seg1.words().find("Bees").has_value());  // folded
    CHECK(seg1.words().find("bees").has_value());
    // Fuzzy matching runs over these words: "replantd~1" finds the stem "replant".
    CHECK(qs.top_k(qs.parse("title:replantd~1"), {}).size() == 1);
}

TEST_CASE("reliability: the version 5 golden fixture opens with the recorded answers and seals its files") {
    test::scratch_dir scratch;
    const auto r = check_fixture(scratch, 5, body_answers);
    CHECK(r.total_length(index::field::title) == 10);
    // The manifest seals every file of both segments and the deletions file: a sound file of the
    // other segment put in place of one of them is refused by name, though its envelope is valid.
    for (const char* kind : {".word", ".post", ".lens"}) {
        CAPTURE(kind);
        const std::string victim = std::string("seg_0") + kind;
        const auto copy = scratch.path() / (std::string("swapped") + kind);
        reliability::copy_index_folder(fixture(5), copy);
        std::filesystem::copy_file(copy / (std::string("seg_1") + kind), copy / victim,
                                   std::filesystem::copy_options::overwrite_existing);
        auto dir = std::shared_ptr<storage::directory>(storage::fs_directory::open_existing(copy));
        CHECK_THROWS_WITH_AS((void)index::index_reader::open(dir),
                             doctest::Contains(victim.c_str()), corruption_error);
        CHECK_FALSE(index::check_index(dir).ok());
    }
}

namespace {
// Fixtures 6 on: the recorded answers and the field values of `fields_answer`.
void check_fields_fixture(std::uint32_t number) {
    test::scratch_dir scratch;
    const auto r = check_fixture(scratch, number, body_answers);
    CHECK(r.options().schema == index::parse_schema(fixture_schema));
    search::searcher s(r);
    // Recorded when the fixture was written, and checked by hand: depth = 1.5 × the id's length,
    // "place" coast for the three coastal articles; the observatory has no depth.
    const auto answer = fields_answer(s);
    std::vector<std::string> hits;
    for (const auto& h : answer.hits) hits.push_back(h.hit.article.value + "#" + std::to_string(h.hit.ordinal));
    CHECK(hits == std::vector<std::string>{"lighthouse#0", "glacier#0", "harbour#0", "orchard#0", "atlas#0", "atlas#1"});
    REQUIRE(answer.facets.size() == 2);
    CHECK(answer.facets[0].counts ==
          std::vector<search::facet_count>{{"coast", 4}, {"sea", 4}, {"inland", 2}});
    CHECK(answer.facets[1].counts == std::vector<search::facet_count>{{"2020", 1}, {"2021", 5}});
    // The values themselves, read back from the columns.
    const auto lighthouse = answer.hits[0].values;
    REQUIRE(lighthouse.size() == r.options().schema.fields.size());
    const auto place = *r.options().schema.index_of("place");
    CHECK(lighthouse[place].keywords == std::vector<std::string>{"coast", "sea"});
    CHECK(index::format_date(*lighthouse[*r.options().schema.index_of("seen")].number) == "2020-06-20");
    CHECK(index::float_of_key(*lighthouse[*r.options().schema.index_of("depth")].number) == 15.0);
}
}  // namespace

TEST_CASE("reliability: the version 6 golden fixture opens with the recorded answers and field values") {
    check_fields_fixture(6);
}

TEST_CASE("reliability: the version 7 golden fixture (block-relative stored articles) opens with the same answers") {
    check_fields_fixture(7);
}
