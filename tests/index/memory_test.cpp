// SPDX-License-Identifier: MIT
// segment_writer::memory_usage, which the index writer's RAM budget is checked against, follows
// the heap the writer really holds (glibc's own count, mallinfo2), within a quarter either way, on
// passages with many distinct terms and on passages with few.
#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "index/segment_writer.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define RAPPORT_TEST_OWN_ALLOCATOR 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RAPPORT_TEST_OWN_ALLOCATOR 1
#endif

using namespace rapport;

namespace {
#if defined(__GLIBC__) && !defined(RAPPORT_TEST_OWN_ALLOCATOR)
// Bytes in use from glibc's heap: small chunks and mmapped large ones.
std::size_t heap_in_use() {
    const auto m = ::mallinfo2();
    return m.uordblks + m.hblkhd;
}

// Fills a writer with `passages` passages of `words` tokens drawn from a vocabulary of
// `vocabulary` terms, then compares its estimate with the heap it took.
void check_estimate(std::size_t passages, std::size_t words, std::size_t vocabulary) {
    const std::size_t before = heap_in_use();
    index::segment_writer w;
    std::vector<analysis::token> tokens;
    std::string text;
    std::uint64_t x = 12345;
    for (std::size_t p = 0; p < passages; ++p) {
        if (p % 4 == 0) (void)w.add_article(article_id{"article-" + std::to_string(p)}, "a title of some length");
        tokens.clear();
        text.clear();
        for (std::size_t i = 0; i < words; ++i) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            std::string term = "t" + std::to_string((x >> 33) % vocabulary);
            const auto begin = static_cast<std::uint32_t>(text.size());
            text += term;
            text += ' ';
            tokens.push_back({std::move(term), static_cast<std::uint32_t>(i), begin,
                              static_cast<std::uint32_t>(text.size() - 1)});
        }
        (void)w.add_passage({static_cast<std::uint32_t>(w.article_count() - 1), 0, 0,
                             static_cast<std::uint32_t>(text.size()), text},
                            tokens);
    }
    tokens = {};
    text = {};
    const double real = static_cast<double>(heap_in_use() - before);
    const double estimate = static_cast<double>(w.memory_usage());
    CAPTURE(real);
    CAPTURE(estimate);
    CHECK(estimate >= 0.75 * real);
    CHECK(estimate <= 1.25 * real);
}
#endif
}  // namespace

TEST_CASE("index: segment_writer::memory_usage follows the heap it holds") {
#if defined(__GLIBC__) && !defined(RAPPORT_TEST_OWN_ALLOCATOR)
    SUBCASE("many distinct terms (most postings lists short)") { check_estimate(4000, 60, 200000); }
    SUBCASE("few distinct terms (long postings lists)") { check_estimate(4000, 60, 500); }
#else
    MESSAGE("skipped: the heap is not glibc's (a sanitizer's allocator, or another libc)");
#endif
}
