// SPDX-License-Identifier: MIT
// indexing_queue: articles fed to an index_writer by worker threads (or inline) index exactly as
// the writer's own add does; invalid articles fail the run or are skipped; a full queue blocks.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "rapport/core/error.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/index/indexing_queue.hpp"
#include "rapport/storage/memory_directory.hpp"

using namespace rapport;
using index::index_reader;
using index::index_writer;
using index::indexing_queue;

namespace {

std::shared_ptr<storage::directory> memory() { return std::make_shared<storage::memory_directory>(); }

ingest::article make_article(int n) {
    std::string body = "Article number " + std::to_string(n) + " talks about trust.";
    if (n % 3 == 0) body += "\nA second paragraph about customers and loyalty, with more words.";
    return {{"a" + std::to_string(n)}, "Title " + std::to_string(n), body};
}

// An article the writer rejects: its body is not UTF-8.
ingest::article invalid_article(int n) { return {{"bad" + std::to_string(n)}, "", "caf\xC3 au lait"}; }

}  // namespace

TEST_CASE("index: indexing_queue with 0, 1 and 4 threads adds every article") {
    for (const unsigned threads : {0u, 1u, 4u}) {
        CAPTURE(threads);
        auto dir = memory();
        std::atomic<std::uint64_t> passages{0}, bytes{0}, calls{0};
        std::uint64_t expected_bytes = 0;
        {
            index_writer w(dir);
            indexing_queue q(w, {.threads = threads,
                                 .capacity = 4,
                                 .skip_invalid = false,
                                 .on_added =
                                     [&](std::size_t p, std::uint64_t b) {
                                         passages += p;
                                         bytes += b;
                                         ++calls;
                                     },
                                 .on_skipped = {}});
            for (int i = 0; i < 200; ++i) {
                auto a = make_article(i);
                expected_bytes += a.title.size() + a.body.size();
                CHECK(q.push(std::move(a), "item " + std::to_string(i)));
            }
            q.finish();
            CHECK_FALSE(q.failed());
            w.commit();
        }
        const auto r = index_reader::open(dir);
        CHECK(r.article_count() == 200);
        CHECK(calls.load() == 200);
        CHECK(passages.load() == r.passage_count());
        CHECK(bytes.load() == expected_bytes);
    }
}

TEST_CASE("index: indexing_queue with two producers on a full queue loses nothing (threads)") {
    // A blocked producer resumes only once the queue has drained to half its capacity; with one
    // slot that is an empty queue, and two producers wait on it together.
    for (const std::size_t capacity : {std::size_t{1}, std::size_t{2}, std::size_t{8}}) {
        CAPTURE(capacity);
        auto dir = memory();
        std::atomic<std::uint64_t> calls{0};
        {
            index_writer w(dir);
            indexing_queue q(w, {.threads = 2,
                                 .capacity = capacity,
                                 .skip_invalid = false,
                                 .on_added = [&](std::size_t, std::uint64_t) { ++calls; },
                                 .on_skipped = {}});
            std::atomic<int> refused{0};
            const auto produce = [&](int first) {
                for (int i = first; i < 600; i += 2)
                    if (!q.push(make_article(i), "item " + std::to_string(i))) ++refused;
            };
            std::thread a(produce, 0), b(produce, 1);
            a.join();
            b.join();
            q.finish();
            CHECK(refused.load() == 0);
            w.commit();
        }
        CHECK(calls.load() == 600);
        CHECK(index_reader::open(dir).article_count() == 600);
    }
}

TEST_CASE("index: indexing_queue fails on an invalid article, naming its origin (threads)") {
    for (const unsigned threads : {0u, 3u}) {
        CAPTURE(threads);
        auto dir = memory();
        index_writer w(dir);
        indexing_queue q(w, {.threads = threads, .capacity = 2, .skip_invalid = false, .on_added = {}, .on_skipped = {}});
        bool refused = false;
        for (int i = 0; i < 100 && !refused; ++i) {
            if (!q.push(i == 10 ? invalid_article(i) : make_article(i), "docs.jsonl:" + std::to_string(i + 1)))
                refused = true;
        }
        CHECK_THROWS_WITH_AS(q.finish(), doctest::Contains("docs.jsonl:11: "), invalid_argument);
        CHECK(q.failed());
        CHECK_FALSE(q.push(make_article(1000)));  // the run has failed
        q.finish();                               // the failure is rethrown once
        if (threads == 0) CHECK(refused);         // inline: the push after the failure is refused
    }
}

TEST_CASE("index: indexing_queue skips invalid articles when asked (threads)") {
    for (const unsigned threads : {0u, 2u}) {
        CAPTURE(threads);
        auto dir = memory();
        std::vector<std::string> skipped;
        {
            index_writer w(dir);
            indexing_queue q(w, {.threads = threads,
                                 .capacity = 8,
                                 .skip_invalid = true,
                                 .on_added = {},
                                 .on_skipped = [&](const std::string& origin, const invalid_argument& e) {
                                     CHECK(std::string(e.what()).find("invalid UTF-8") != std::string::npos);
                                     skipped.push_back(origin);  // calls never overlap
                                 }});
            for (int i = 0; i < 50; ++i) CHECK(q.push(i % 10 == 5 ? invalid_article(i) : make_article(i), std::to_string(i)));
            q.finish();
            w.commit();
        }
        std::sort(skipped.begin(), skipped.end());
        CHECK(skipped == std::vector<std::string>{"15", "25", "35", "45", "5"});
        CHECK(index_reader::open(dir).article_count() == 45);
    }
}

TEST_CASE("index: indexing_queue stops the run when a callback throws; close() drops the failure (threads)") {
    auto dir = memory();
    index_writer w(dir);
    {
        indexing_queue q(w, {.threads = 2,
                             .capacity = 1,
                             .skip_invalid = false,
                             .on_added = [](std::size_t, std::uint64_t) { throw io_error("meter", "full"); },
                             .on_skipped = {}});
        while (q.push(make_article(0))) {
        }
        CHECK(q.failed());
        CHECK_THROWS_AS(q.finish(), io_error);
    }
    {
        indexing_queue q(w, {.threads = 1, .capacity = 1, .skip_invalid = false, .on_added = {}, .on_skipped = {}});
        CHECK(q.push(invalid_article(0)));
        q.close();
        CHECK_FALSE(q.push(make_article(1)));  // closed
    }  // the destructor does not throw the dropped failure
}
