// SPDX-License-Identifier: MIT
// Query latency over the 10,000 Million Query track queries against an on-disk (mapped) index of
// the Wikipedia passages: per-query wall time (analysis + retrieval, no stored-field output) after one
// untimed warm-up pass over the log, reported as p50/p99/mean in microseconds, with retrieval alone and postings scored per query, for each
// evaluation algorithm (exhaustive, MaxScore, block-max WAND, automatic) at top-10 and top-1000, OR
// and AND; and count-only evaluation.
//   search_bench --corpus DIR [--benchmark_format=json] [--benchmark_filter=or_top10]
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>

#include "corpus.hpp"
#include <unistd.h>

#include <filesystem>

#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/storage/fs_directory.hpp"
#include "rapport/search/searcher.hpp"

namespace {
// The passages committed to an on-disk index in a temporary folder, then opened (mapped) for search.
const rapport::index::index_reader* shared_index() {
    static const std::unique_ptr<rapport::index::index_reader> index = []() -> std::unique_ptr<rapport::index::index_reader> {
        const auto* c = rapport::bench::shared_corpus();
        if (c == nullptr) return nullptr;
        const auto folder = std::filesystem::temp_directory_path() / ("rapport-search-bench-" + std::to_string(::getpid()));
        std::filesystem::remove_all(folder);
        std::shared_ptr<rapport::storage::directory> dir(rapport::storage::fs_directory::create_or_open(folder));
        {
            rapport::index::index_writer writer(dir, {.index = {}, .ram_budget_mb = 512, .merges = {}});
            for (const auto& d : c->docs) writer.add_passage(d.id, d.title, d.body);
            writer.commit();
        }
        auto reader = std::make_unique<rapport::index::index_reader>(rapport::index::index_reader::open(dir));
        std::filesystem::remove_all(folder);  // the mapping keeps the files readable
        return reader;
    }();
    return index.get();
}

// Runs the query log with one evaluation algorithm. Reports, in microseconds per query, p50/p99/mean
// of the whole query (analysis + retrieval: p50_us, p99_us, mean_us) and of retrieval alone
// (retrieval_p50_us, retrieval_p99_us, retrieval_mean_us), and the postings scored per query.
void query_log(benchmark::State& state, rapport::search::match_mode mode, std::size_t k, rapport::search::algorithm algo) {
    const auto* index = shared_index();
    if (index == nullptr) {
        state.SkipWithError("corpus not found (--corpus DIR or RAPPORT_CORPUS)");
        return;
    }
    const auto& queries = rapport::bench::shared_corpus()->queries;
    rapport::search::searcher searcher(*index);
    const rapport::search::search_options options{.k = k, .mode = mode, .algorithm = algo};
    std::vector<double> micros, retrieval;
    std::size_t hits = 0;
    std::uint64_t scored = 0;
    // One untimed pass first: every benchmark then measures a warm index (the mapping's page faults
    // and cold caches are paid here, not by whichever benchmark happens to run first).
    for (const auto& [qid, text] : queries) hits += searcher.top_k(searcher.analyze(text), options).size();
    for (auto _ : state) {
        micros.clear();
        retrieval.clear();
        scored = 0;
        for (const auto& [qid, text] : queries) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto query = searcher.analyze(text);
            const auto t1 = std::chrono::steady_clock::now();
            const auto result = searcher.top_k(query, options);
            const auto t2 = std::chrono::steady_clock::now();
            hits += result.size();
            scored += searcher.last_stats().postings_scored;
            micros.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count());
            retrieval.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
        }
    }
    const auto mean = [](const std::vector<double>& v) {
        double sum = 0;
        for (double m : v) sum += m;
        return sum / static_cast<double>(v.size());
    };
    state.counters["queries"] = static_cast<double>(micros.size());
    state.counters["mean_us"] = mean(micros);
    state.counters["p50_us"] = rapport::bench::percentile(micros, 50);
    state.counters["p99_us"] = rapport::bench::percentile(micros, 99);
    state.counters["retrieval_mean_us"] = mean(retrieval);
    state.counters["retrieval_p50_us"] = rapport::bench::percentile(retrieval, 50);
    state.counters["retrieval_p99_us"] = rapport::bench::percentile(retrieval, 99);
    state.counters["scored_per_query"] = static_cast<double>(scored) / static_cast<double>(micros.size());
    benchmark::DoNotOptimize(hits);
}

// Counting matches (no scoring) over the same log.
void count_log(benchmark::State& state, rapport::search::match_mode mode) {
    const auto* index = shared_index();
    if (index == nullptr) {
        state.SkipWithError("corpus not found (--corpus DIR or RAPPORT_CORPUS)");
        return;
    }
    const auto& queries = rapport::bench::shared_corpus()->queries;
    rapport::search::searcher searcher(*index);
    std::vector<rapport::search::analysed_query> analysed;
    for (const auto& [qid, text] : queries) analysed.push_back(searcher.analyze(text));
    std::vector<double> micros;
    std::uint64_t total = 0;
    for (const auto& q : analysed) total += searcher.count(q, {.mode = mode});  // warm-up, as query_log
    for (auto _ : state) {
        micros.clear();
        for (const auto& q : analysed) {
            const auto t0 = std::chrono::steady_clock::now();
            total += searcher.count(q, {.mode = mode});
            const auto t1 = std::chrono::steady_clock::now();
            micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        }
    }
    double sum = 0;
    for (double m : micros) sum += m;
    state.counters["retrieval_mean_us"] = sum / static_cast<double>(micros.size());
    state.counters["retrieval_p50_us"] = rapport::bench::percentile(micros, 50);
    state.counters["retrieval_p99_us"] = rapport::bench::percentile(micros, 99);
    benchmark::DoNotOptimize(total);
}

using rapport::search::algorithm;
using rapport::search::match_mode;
BENCHMARK_CAPTURE(query_log, or_top10, match_mode::any, 10, algorithm::exhaustive)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, or_top10_maxscore, match_mode::any, 10, algorithm::maxscore)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, or_top10_bmw, match_mode::any, 10, algorithm::block_max_wand)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, or_top10_auto, match_mode::any, 10, algorithm::automatic)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, or_top1000, match_mode::any, 1000, algorithm::exhaustive)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, or_top1000_maxscore, match_mode::any, 1000, algorithm::maxscore)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, or_top1000_bmw, match_mode::any, 1000, algorithm::block_max_wand)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, or_top1000_auto, match_mode::any, 1000, algorithm::automatic)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, and_top10, match_mode::all, 10, algorithm::exhaustive)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, and_top10_blockmax, match_mode::all, 10, algorithm::automatic)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, and_top1000, match_mode::all, 1000, algorithm::exhaustive)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, and_top1000_blockmax, match_mode::all, 1000, algorithm::automatic)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(count_log, count_or, match_mode::any)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(count_log, count_and, match_mode::all)->Unit(benchmark::kMillisecond)->Iterations(1);
}  // namespace

int main(int argc, char** argv) { return rapport::bench::run_benchmarks(argc, argv); }
