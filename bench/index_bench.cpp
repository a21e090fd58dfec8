// SPDX-License-Identifier: MIT
// Indexing throughput: passages/s and MB/s building an in-memory index of the Wikipedia passages
// (each passage indexed as given, no re-splitting, English analyzer).
//   index_bench --corpus DIR [--benchmark_format=json]
#include <benchmark/benchmark.h>

#include "corpus.hpp"
#include "rapport/index/index_builder.hpp"

namespace {
void build_index(benchmark::State& state) {
    const auto* c = rapport::bench::shared_corpus();
    if (c == nullptr) {
        state.SkipWithError("corpus not found (--corpus DIR or RAPPORT_CORPUS)");
        return;
    }
    std::size_t passages = 0, terms = 0;
    for (auto _ : state) {
        rapport::index::index_builder builder;
        for (const auto& d : c->docs) builder.add_passage(d.id, d.title, d.body);
        const auto index = builder.finish();
        passages += index.passage_count();
        terms = 0;
        for (const auto& seg : index.segments()) terms += seg->dictionary().size();
        benchmark::DoNotOptimize(terms);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(c->text_bytes * state.iterations()));
    state.counters["passages/s"] = benchmark::Counter(static_cast<double>(passages), benchmark::Counter::kIsRate);
    state.counters["terms"] = static_cast<double>(terms);
}
BENCHMARK(build_index)->Unit(benchmark::kSecond)->Iterations(1);
}  // namespace

int main(int argc, char** argv) { return rapport::bench::run_benchmarks(argc, argv); }
