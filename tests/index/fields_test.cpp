// SPDX-License-Identifier: MIT
// The title field on the index side: what segment_writer and index_writer store for titles (terms
// behind the title mark, positions within the title, exact title lengths), that merging with
// deletions keeps them exactly as a fresh index of the survivors has them, that block bounds are
// taken over title lengths (check_index recomputes them), and that prefix and fuzzy expansion stay
// within one field.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "rapport/index/check_index.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "index/segment_writer.hpp"
#include "rapport/query/expand.hpp"
#include "support/backends.hpp"
#include "support/seed.hpp"

using namespace rapport;
using index::field;

namespace {
std::vector<analysis::token> tokens(std::initializer_list<std::pair<const char*, std::uint32_t>> list) {
    std::vector<analysis::token> out;
    for (const auto& [term, position] : list) {
        analysis::token t;
        t.term = term;
        t.position = position;
        out.push_back(t);
    }
    return out;
}

// Per passage (article id, ordinal): its title length, and per title term: the passages holding it
// with their frequencies, read back from every segment of `r` (deleted passages skipped).
struct title_view {
    std::map<std::pair<std::string, std::uint32_t>, std::uint32_t> lengths;
    std::map<std::string, std::map<std::pair<std::string, std::uint32_t>, std::uint32_t>> postings;
};

title_view read_titles(const index::index_reader& r) {
    title_view v;
    for (const auto& seg : r.segments()) {
        std::vector<std::pair<std::string, std::uint32_t>> names(seg->size());
        for (docid_t d = 0; d < seg->size(); ++d) {
            const auto p = seg->passage(d);
            names[d] = {seg->article(p.article).id.value, p.ordinal};
            if (!seg->is_deleted(d)) v.lengths[names[d]] = seg->lengths(field::title)[d];
        }
        for (auto t = seg->dictionary().begin(); t.valid(); t.next()) {
            const std::string key(t.term());
            if (index::field_of_key(key) != field::title) continue;
            for (auto c = seg->cursor(t.info()); c.docid() != end_docid; c.next())
                if (!seg->is_deleted(c.docid())) v.postings[key.substr(1)][names[c.docid()]] = c.freq();
        }
    }
    return v;
}

std::string random_title(std::mt19937& rng) {
    static const char* words[] = {"trust", "customer", "service", "loyalty", "the", "team", "a", "answer", "quick"};
    std::string t;
    const auto n = rng() % 5;  // empty titles too
    for (std::uint32_t i = 0; i < n; ++i) t += std::string(words[rng() % 9]) + " ";
    return t;
}
}  // namespace

TEST_CASE("index: segment_writer stores title terms behind the mark, with title positions and lengths") {
    index::segment_writer w;
    const auto a = w.add_article({"a"}, "Building trust");
    const auto title = tokens({{"build", 0}, {"trust", 1}});
    const auto d0 = w.add_passage({a, 0, 0, 5, "trust"}, tokens({{"trust", 0}}), title);
    const auto d1 = w.add_passage({a, 1, 6, 20, "keep promises"}, tokens({{"keep", 0}, {"promis", 1}}), title);
    const auto b = w.add_article({"b"}, "");
    const auto d2 = w.add_passage({b, 0, 0, 5, "build"}, tokens({{"build", 0}}), {});
    const auto seg = w.finish();

    CHECK(seg.lengths(field::body)[d0] == 1);
    CHECK(seg.lengths(field::body)[d1] == 2);
    CHECK(seg.lengths(field::title)[d0] == 2);
    CHECK(seg.lengths(field::title)[d1] == 2);
    CHECK(seg.lengths(field::title)[d2] == 0);

    // Body "trust" is in d0 only; title "trust" is in both passages of article a, at title position 1.
    CHECK(seg.df("trust") == 1);
    auto c = seg.cursor(index::field_term(field::title, "trust"));
    REQUIRE(c.size() == 2);
    CHECK(c.docid() == d0);
    CHECK(c.positions().size() == 1);
    CHECK(c.positions()[0] == 1);
    c.next();
    CHECK(c.docid() == d1);
    CHECK(seg.df(index::field_term(field::title, "build")) == 2);
    CHECK(seg.df("build") == 1);  // the body of b
    // Title keys sort before every body term.
    CHECK(seg.terms().front().front() == index::title_term_prefix);
}

TEST_CASE("index: field names and keys") {
    CHECK(index::field_named("title") == field::title);
    CHECK(index::field_named("body") == field::body);
    CHECK_FALSE(index::field_named("Title").has_value());
    CHECK(index::field_term(field::body, "x") == "x");
    CHECK(index::field_term(field::title, "x") == "\x02x");
    CHECK(index::field_of_key("\x02x") == field::title);
    CHECK(index::field_of_key(index::article_key("id")) == field::body);
    CHECK(index::field_of_key("") == field::body);
    CHECK(index::field_name(field::title) == "title");
}

TEST_CASE_TEMPLATE("index: titles survive commits, deletions and merges exactly", B, test::fs_backend,
                   test::memory_backend) {
    B backend;
    auto dir = backend.make();
    std::mt19937 rng(rapport::test::seed(7));
    std::map<std::string, std::string> live;  // article id → title, as the survivors stand
    {
        index::index_writer_options o;
        o.merges.merge_factor = 0;
        index::index_writer w(dir, o);
        for (int round = 0; round < 4; ++round) {
            for (int i = 0; i < 30; ++i) {
                const std::string id = "a" + std::to_string(rng() % 60);
                std::string title = random_title(rng);
                std::string body = "body words trust " + std::to_string(i) + "\n\nsecond paragraph customer";
                w.update({{id}, title, body});
                live[id] = title;
            }
            for (int i = 0; i < 5; ++i) {
                const std::string id = "a" + std::to_string(rng() % 60);
                w.remove({id});
                live.erase(id);
            }
            w.commit();
        }
    }
    const auto before = index::index_reader::open(dir);
    REQUIRE(before.segments().size() == 4);
    CHECK(index::check_index(dir).ok());
    const auto split = read_titles(before);

    {
        index::index_writer w(dir);
        w.merge_all();
    }
    const auto merged = index::index_reader::open(dir);
    REQUIRE(merged.segments().size() == 1);
    CHECK(index::check_index(dir).ok());  // recomputes every title term's bounds over title lengths
    const auto after = read_titles(merged);
    CHECK(after.lengths == split.lengths);
    CHECK(after.postings == split.postings);

    // A fresh index of the survivors holds the same titles.
    test::memory_backend fresh_backend;
    auto fresh_dir = fresh_backend.make();
    {
        index::index_writer w(fresh_dir);
        for (const auto& [id, title] : live)
            w.add({{id}, title, "body words trust 0\n\nsecond paragraph customer"});
        w.commit();
    }
    const auto fresh = read_titles(index::index_reader::open(fresh_dir));
    CHECK(fresh.lengths == after.lengths);
    CHECK(fresh.postings == after.postings);
    std::uint64_t total = 0;
    for (const auto& [key, length] : after.lengths) total += length;
    CHECK(merged.total_length(field::title) == total);
    CHECK(total > 0);
}

TEST_CASE("index: prefix and fuzzy expansion stay within their field") {
    test::memory_backend backend;
    auto dir = backend.make();
    {
        index::index_writer w(dir);
        w.add({{"a"}, "Teams", "trusting teamwork"});
        w.add({{"b"}, "Trusted customers", "customer"});
        w.commit();
    }
    // Body terms: custom, teamwork, trust. Title terms: custom, team, trust.
    const auto r = index::index_reader::open(dir);
    auto terms = [](const query::expansion& e) {
        std::vector<std::string> out;
        for (const auto& t : e.terms) out.push_back(t.term);
        return out;
    };
    using list = std::vector<std::string>;
    query::expansion_options title;
    title.field = field::title;
    CHECK(terms(query::expand(r, query::prefix("team"))) == list{"teamwork"});
    CHECK(terms(query::expand(r, query::prefix("team"), title)) == list{"team"});
    // The node's own field wins over the options.
    CHECK(terms(query::expand(r, query::prefix("team").field("title"))) == list{"team"});
    CHECK(terms(query::expand(r, query::prefix("team").field("body"), title)) == list{"teamwork"});
    // An empty prefix lists one field's terms, never article keys or the other field's terms.
    CHECK(terms(query::expand(r, query::prefix(""), title)) == list{"custom", "team", "trust"});
    CHECK(terms(query::expand(r, query::prefix(""))) == list{"custom", "teamwork", "trust"});
    CHECK(terms(query::expand(r, query::fuzzy("trusts", 1))) == list{"trust"});
    CHECK(terms(query::expand(r, query::fuzzy("tean", 1), title)) == list{"team"});
    CHECK(terms(query::expand(r, query::fuzzy("tean", 1))).empty());
    CHECK(terms(query::expand(r, query::fuzzy("tean", 1).field("title"))) == list{"team"});
}
