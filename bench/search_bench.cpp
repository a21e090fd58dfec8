// SPDX-License-Identifier: MIT
// Query latency over the 10,000 Million Query track queries against an on-disk (mapped) index of
// the Wikipedia passages: per-query wall time (analysis + retrieval, no stored-field output), reported
// as p50/p99/mean in microseconds.
//   search_bench --corpus DIR [--benchmark_format=json]
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

void query_log(benchmark::State& state, rapport::search::match_mode mode, std::size_t k) {
    const auto* index = shared_index();
    if (index == nullptr) {
        state.SkipWithError("corpus not found (--corpus DIR or RAPPORT_CORPUS)");
        return;
    }
    const auto& queries = rapport::bench::shared_corpus()->queries;
    rapport::search::searcher searcher(*index);
    std::vector<double> micros;
    std::size_t hits = 0;
    for (auto _ : state) {
        micros.clear();
        for (const auto& [qid, text] : queries) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto result = searcher.top_k(searcher.analyze(text), {.k = k, .mode = mode});
            const auto t1 = std::chrono::steady_clock::now();
            hits += result.size();
            micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        }
    }
    double sum = 0;
    for (double m : micros) sum += m;
    state.counters["queries"] = static_cast<double>(micros.size());
    state.counters["mean_us"] = sum / static_cast<double>(micros.size());
    state.counters["p50_us"] = rapport::bench::percentile(micros, 50);
    state.counters["p99_us"] = rapport::bench::percentile(micros, 99);
    benchmark::DoNotOptimize(hits);
}
BENCHMARK_CAPTURE(query_log, or_top10, rapport::search::match_mode::any, 10)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, and_top10, rapport::search::match_mode::all, 10)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(query_log, or_top1000, rapport::search::match_mode::any, 1000)->Unit(benchmark::kMillisecond)->Iterations(1);
}  // namespace

int main(int argc, char** argv) { return rapport::bench::run_benchmarks(argc, argv); }
