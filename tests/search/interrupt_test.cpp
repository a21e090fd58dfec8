// SPDX-License-Identifier: MIT
// Stopping a search early (core/interrupt.hpp, search_options::deadline and cancel): a passed
// deadline or a requested cancel token makes every search path throw `search_interrupted` naming
// the reason, never return a partial top k; a postings cursor polls between blocks, so a cancel
// requested mid-walk ends it at the next block; a deadline that does not pass changes nothing;
// and the interrupt of one search never reaches the next on the same thread.
#include <doctest/doctest.h>

#include <chrono>
#include <stop_token>
#include <string>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/core/interrupt.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/memory_directory.hpp"

using namespace rapport;
using clock_type = std::chrono::steady_clock;

namespace {
// 2 segments of 600 one-passage articles each, every one holding "trust" (5 blocks of postings per
// segment), with "customer" in every third and "service" in every fifth.
index::index_reader trust_index() {
    auto dir = std::make_shared<storage::memory_directory>();
    index::index_writer_options o;
    o.merges.merge_factor = 0;
    index::index_writer w(dir, o);
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 600; ++i) {
            std::string body = "trust";
            if (i % 3 == 0) body += " customer";
            if (i % 5 == 0) body += " service";
            body += " number" + std::to_string(i % 37) + ".";
            w.add({{"a" + std::to_string(round * 600 + i)}, "title " + std::to_string(i % 7), body});
        }
        w.commit();
    }
    return index::index_reader::open(dir);
}

// Every way a query reaches evaluation: plain text (flat disjunction and conjunction), trees,
// phrases, fuzzy and prefix terms, articles, counts and RM3.
void every_path_throws(const search::searcher& s, const search::search_options& o, interrupt_reason reason) {
    const auto expect = [&](auto&& call, const char* what) {
        CAPTURE(what);
        try {
            call();
            FAIL_CHECK("the search returned");
        } catch (const search_interrupted& e) {
            CHECK(e.reason() == reason);
            CHECK(std::string(e.what()).find(reason == interrupt_reason::cancelled ? "cancelled" : "deadline") !=
                  std::string::npos);
        }
    };
    auto all = o;
    all.mode = search::match_mode::all;
    expect([&] { (void)s.search("trust customer", o); }, "flat disjunction");
    expect([&] { (void)s.search("trust customer", all); }, "flat conjunction");
    expect([&] { (void)s.top_k(s.parse("+trust -service title:3"), o); }, "tree");
    expect([&] { (void)s.top_k(s.parse("\"trust customer\""), o); }, "phrase");
    expect([&] { (void)s.top_k(s.parse("trst~1 numb*"), o); }, "fuzzy and prefix");
    expect([&] { (void)s.top_k_articles(s.parse("trust service"), o); }, "articles");
    expect([&] { (void)s.count(s.parse("trust OR customer"), o); }, "count");
    expect([&] { (void)s.count(s.parse("+trust +customer"), o); }, "count of a tree");
    expect([&] { (void)s.rm3(s.parse("customer"), o); }, "rm3");
}
}  // namespace

TEST_CASE("interrupt: a passed deadline stops every search path with search_interrupted") {
    const auto r = trust_index();
    search::searcher s(r);
    search::search_options o;
    o.deadline = clock_type::now() - std::chrono::milliseconds(1);
    every_path_throws(s, o, interrupt_reason::deadline);
    // The interrupt ends with its search: the next one on this thread, without a deadline, answers.
    CHECK(s.search("trust customer", {.k = 5}).size() == 5);
    CHECK(s.count(s.parse("trust")) == 1200);
}

TEST_CASE("interrupt: a requested cancel token stops every search path with search_interrupted") {
    const auto r = trust_index();
    search::searcher s(r);
    std::stop_source source;
    search::search_options o;
    o.cancel = source.get_token();
    // Not yet requested: the token changes nothing.
    const auto before = s.top_k(s.parse("trust customer service"), o);
    CHECK(before == s.top_k(s.parse("trust customer service")));
    CHECK(s.count(s.parse("customer"), o) == 400);
    source.request_stop();
    every_path_throws(s, o, interrupt_reason::cancelled);
}

TEST_CASE("interrupt: a deadline that does not pass changes no answer") {
    const auto r = trust_index();
    search::searcher s(r);
    search::search_options o;
    o.k = 1000;
    o.deadline = clock_type::now() + std::chrono::hours(1);
    for (const char* q : {"trust customer", "+trust +service", "\"trust customer\"", "numbr3~1 service", "title:3 trust"}) {
        CAPTURE(q);
        auto plain = o;
        plain.deadline.reset();
        CHECK(s.top_k(s.parse(q), o) == s.top_k(s.parse(q), plain));
        CHECK(s.count(s.parse(q), o) == s.count(s.parse(q), plain));
    }
}

TEST_CASE("interrupt: a postings cursor stops at the next block once cancelled, without reporting corruption") {
    const auto r = trust_index();
    const auto& seg = *r.segments()[0];
    const auto info = seg.find("trust");
    REQUIRE(info.has_value());
    REQUIRE(info->df == 600);
    std::stop_source source;
    interrupt stop(std::nullopt, source.get_token());
    {
        const interrupt_scope scope(&stop);
        auto c = seg.cursor(*info);
        for (int walked = 0; walked < 200; ++walked) c.next();  // into the second block of 128
        source.request_stop();
        std::uint32_t after = 0;
        for (; c.docid() != end_docid; c.next()) ++after;
        // The rest of the second block (56 postings), then the cursor ends: no third block is decoded.
        CHECK(after == 2 * 128 - 200);
        CHECK_FALSE(c.corrupt());
        CHECK(stop.reason() == interrupt_reason::cancelled);
        CHECK_THROWS_AS(stop.throw_if_fired("walk"), search_interrupted);
    }
    // Outside the scope a cursor walks its whole list, though the token stays requested.
    auto c = seg.cursor(*info);
    std::uint32_t n = 0;
    for (; c.docid() != end_docid; c.next()) ++n;
    CHECK(n == 600);
}

TEST_CASE("interrupt: scopes nest and restore the interrupt they replaced") {
    CHECK(rapport::detail::current_interrupt == nullptr);
    interrupt outer(clock_type::now() + std::chrono::hours(1), {});
    {
        const interrupt_scope a(&outer);
        CHECK(rapport::detail::current_interrupt == &outer);
        interrupt inner(clock_type::now() - std::chrono::seconds(1), {});
        {
            const interrupt_scope b(&inner);
            CHECK(rapport::detail::interrupted());  // the passed deadline
            CHECK(inner.reason() == interrupt_reason::deadline);
        }
        CHECK(rapport::detail::current_interrupt == &outer);
        CHECK_FALSE(rapport::detail::interrupted());
        CHECK(outer.reason() == interrupt_reason::none);
    }
    CHECK(rapport::detail::current_interrupt == nullptr);
    CHECK_FALSE(rapport::detail::interrupted());
}
