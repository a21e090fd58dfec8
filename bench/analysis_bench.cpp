// SPDX-License-Identifier: MIT
// Tokenizer and analyzer throughput (MB/s) over the Wikipedia passages.
//   analysis_bench --corpus DIR [--benchmark_format=json]
#include <benchmark/benchmark.h>

#include "corpus.hpp"
#include "rapport/analysis/analyzer.hpp"
#include "rapport/analysis/tokenizer.hpp"

namespace {
// A slice big enough to swamp per-call overhead, small enough to repeat: the first 20,000 passages.
constexpr std::size_t slice = 20000;

template <class Fn>
void over_corpus(benchmark::State& state, Fn&& fn) {
    const auto* c = rapport::bench::shared_corpus();
    if (c == nullptr) {
        state.SkipWithError("corpus not found (--corpus DIR or RAPPORT_CORPUS)");
        return;
    }
    const std::size_t n = std::min(slice, c->docs.size());
    std::size_t bytes = 0, tokens = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < n; ++i) {
            tokens += fn(c->docs[i].body);
            bytes += c->docs[i].body.size();
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}

void tokenizer(benchmark::State& state) {
    rapport::analysis::tokenizer t;
    std::vector<rapport::analysis::token> out;
    over_corpus(state, [&](const std::string& text) {
        out.clear();
        t.tokenize(text, out);
        return out.size();
    });
}
BENCHMARK(tokenizer)->Unit(benchmark::kMillisecond);

void analyzer_english(benchmark::State& state) {
    auto a = rapport::analysis::analyzer::english();
    std::vector<rapport::analysis::token> out;
    over_corpus(state, [&](const std::string& text) {
        a.analyze(text, out);
        return out.size();
    });
}
BENCHMARK(analyzer_english)->Unit(benchmark::kMillisecond);
}  // namespace

int main(int argc, char** argv) { return rapport::bench::run_benchmarks(argc, argv); }
