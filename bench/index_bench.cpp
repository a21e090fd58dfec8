// SPDX-License-Identifier: MIT
// Indexing into an on-disk index (fs_directory in a temporary folder) with 1 and 2 threads:
// passages/s, MB/s, peak RSS above the loaded corpus, index size against the raw text, and the
// time to open the committed index. Each passage is indexed as given (no re-splitting).
//   index_bench --corpus DIR [--benchmark_format=json]   (RAPPORT_BENCH_RAM_MB sets the RAM budget)
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "corpus.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/storage/fs_directory.hpp"

namespace {
namespace fs = std::filesystem;

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

fs::path bench_folder(const char* name) {
    auto p = fs::temp_directory_path() / ("rapport-bench-" + std::to_string(::getpid())) / name;
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

void build_index(benchmark::State& state) {
    const auto* c = rapport::bench::shared_corpus();
    if (c == nullptr) {
        state.SkipWithError("corpus not found (--corpus DIR or RAPPORT_CORPUS)");
        return;
    }
    const auto threads = static_cast<unsigned>(state.range(0));
    const char* ram = std::getenv("RAPPORT_BENCH_RAM_MB");
    const std::size_t budget = ram != nullptr ? std::strtoul(ram, nullptr, 10) : 256;
    const double rss_before = peak_rss_mb();
    std::uint64_t bytes = 0, stored = 0;
    fs::path folder;
    for (auto _ : state) {
        folder = bench_folder(threads == 1 ? "t1" : "t2");
        std::shared_ptr<rapport::storage::directory> dir(rapport::storage::fs_directory::create_or_open(folder));
        rapport::index::index_writer writer(dir, {.index = {}, .ram_budget_mb = budget, .merges = {}});
        std::atomic<std::size_t> next{0};
        auto work = [&] {
            for (std::size_t i = next++; i < c->docs.size(); i = next++) {
                const auto& d = c->docs[i];
                writer.add_passage(d.id, d.title, d.body);
            }
        };
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
        work();
        for (auto& t : pool) t.join();
        writer.commit();
    }
    for (const auto& e : fs::directory_iterator(folder)) {
        bytes += e.file_size();
        if (e.path().extension() == ".stor") stored += e.file_size();
    }
    const auto t0 = std::chrono::steady_clock::now();
    const auto reader = rapport::index::index_reader::open(
        std::shared_ptr<rapport::storage::directory>(rapport::storage::fs_directory::open_existing(folder)));
    const auto t1 = std::chrono::steady_clock::now();
    const double text = static_cast<double>(c->text_bytes);
    state.SetBytesProcessed(static_cast<std::int64_t>(c->text_bytes * state.iterations()));
    state.counters["passages/s"] =
        benchmark::Counter(static_cast<double>(c->docs.size() * state.iterations()), benchmark::Counter::kIsRate);
    state.counters["segments"] = static_cast<double>(reader.segments().size());
    state.counters["index_MB"] = static_cast<double>(bytes) / 1e6;
    state.counters["no_stored_MB"] = static_cast<double>(bytes - stored) / 1e6;
    state.counters["no_stored/text"] = static_cast<double>(bytes - stored) / text;
    state.counters["peak_RSS_over_corpus_MB"] = peak_rss_mb() - rss_before;
    state.counters["open_ms"] = std::chrono::duration<double, std::milli>(t1 - t0).count();
    fs::remove_all(folder.parent_path());
}
BENCHMARK(build_index)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
}  // namespace

int main(int argc, char** argv) { return rapport::bench::run_benchmarks(argc, argv); }
