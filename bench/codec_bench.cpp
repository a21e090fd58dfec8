// SPDX-License-Identifier: MIT
// Micro-benchmarks of the postings codec on synthetic postings (no corpus needed): bit-unpacking
// throughput per width, full-scan decode speed through next() (docids, docids + freqs, positions),
// seek throughput at several skip distances, and encoding speed. Docid gaps are geometric with a
// chosen mean (the classic model of gaps for a term spread uniformly over a collection), frequencies
// 1 + geometric(0.6) (mean ≈ 1.7; most postings of a passage index have tf 1).
//   codec_bench [--benchmark_format=json]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rapport/codec/bitpack.hpp"
#include "rapport/codec/postings_cursor.hpp"
#include "codec/postings_writer.hpp"
#include "rapport/index/segment.hpp"

namespace {

using rapport::docid_t;
using rapport::end_docid;
using rapport::codec::block_postings_cursor;
using rapport::codec::term_info;

/// One synthetic term, encoded.
struct encoded_term {
    rapport::index::postings_list list;
    std::string postings;
    std::string positions;
    term_info info;
};

/// df postings with geometric docid gaps of mean `mean_gap` (≥ 1) and small geometric frequencies;
/// positions spread over passages of about 100 tokens.
encoded_term make_term(std::size_t df, double mean_gap, bool with_positions = true) {
    std::mt19937_64 rng(12345 + df + static_cast<std::uint64_t>(mean_gap));
    std::geometric_distribution<std::uint32_t> gap(1.0 / mean_gap);
    std::geometric_distribution<std::uint32_t> tf(0.6);
    encoded_term t;
    auto& l = t.list;
    std::uint64_t d = gap(rng);
    l.position_offsets.push_back(0);
    for (std::size_t i = 0; i < df && d < end_docid; ++i) {
        l.docids.push_back(static_cast<docid_t>(d));
        const std::uint32_t f = 1 + tf(rng);
        l.freqs.push_back(f);
        if (with_positions) {
            std::uint32_t p = static_cast<std::uint32_t>(rng() % 40);
            for (std::uint32_t k = 0; k < f; ++k) {
                l.positions.push_back(p);
                p += 1 + static_cast<std::uint32_t>(rng() % 30);
            }
        }
        l.position_offsets.push_back(static_cast<std::uint32_t>(l.positions.size()));
        d += 1 + gap(rng);
    }
    t.info = rapport::codec::write_postings(l.docids, l.freqs, l.position_offsets, l.positions, {}, t.postings, t.positions);
    return t;
}

const encoded_term& cached_term(int mean_gap) {
    static std::vector<std::pair<int, std::unique_ptr<encoded_term>>> cache;
    for (auto& [g, t] : cache)
        if (g == mean_gap) return *t;
    cache.emplace_back(mean_gap, std::make_unique<encoded_term>(make_term(1'000'000, mean_gap)));
    return *cache.back().second;
}

void BM_unpack(benchmark::State& state) {
    const auto bits = static_cast<unsigned>(state.range(0));
    constexpr std::size_t blocks = 256;  // 128 KiB at 32 bits: L2-resident, as a decoding cursor is
    std::mt19937_64 rng(1);
    std::string packed;
    std::uint32_t in[rapport::codec::block_size];
    for (std::size_t b = 0; b < blocks; ++b) {
        for (auto& x : in) x = static_cast<std::uint32_t>(bits == 32 ? rng() : rng() & ((1ull << bits) - 1));
        rapport::codec::pack(in, bits, packed);
    }
    alignas(64) std::uint32_t out[rapport::codec::block_size];
    const std::size_t stride = rapport::codec::packed_bytes(bits);
    std::size_t b = 0;
    for (auto _ : state) {
        rapport::codec::unpack(packed.data() + b * stride, bits, out);
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
        b = (b + 1) % blocks;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rapport::codec::block_size));
}
BENCHMARK(BM_unpack)->DenseRange(0, 32, 1);

/// Full scan through next(), reading docids only (freqs stay packed: lazy decoding).
void BM_scan_docids(benchmark::State& state) {
    const auto& t = cached_term(static_cast<int>(state.range(0)));
    std::uint64_t sum = 0;
    for (auto _ : state) {
        block_postings_cursor c(t.postings, t.positions, t.info);
        while (c.docid() != end_docid) {
            sum += c.docid();
            c.next();
        }
    }
    benchmark::DoNotOptimize(sum);
    const auto n = static_cast<double>(t.info.df) * static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(n));
    state.counters["ns_per_posting"] = benchmark::Counter(n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["bits_per_posting"] = static_cast<double>(t.info.postings_length) * 8 / t.info.df;
}
BENCHMARK(BM_scan_docids)->Arg(2)->Arg(8)->Arg(64)->Arg(1024);

/// Full scan through next() reading docid and freq: items are integers (2 per posting).
void BM_scan_docids_freqs(benchmark::State& state) {
    const auto& t = cached_term(static_cast<int>(state.range(0)));
    std::uint64_t sum = 0;
    for (auto _ : state) {
        block_postings_cursor c(t.postings, t.positions, t.info);
        while (c.docid() != end_docid) {
            sum += c.docid() + c.freq();
            c.next();
        }
    }
    benchmark::DoNotOptimize(sum);
    const auto n = static_cast<double>(t.info.df) * static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(2 * n));
    state.counters["ns_per_posting"] = benchmark::Counter(n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_scan_docids_freqs)->Arg(2)->Arg(8)->Arg(64)->Arg(1024);

/// The in-memory `index::postings_cursor` over the same list, as a baseline (no decoding at all).
void BM_scan_in_memory_baseline(benchmark::State& state) {
    const auto& t = cached_term(static_cast<int>(state.range(0)));
    std::uint64_t sum = 0;
    for (auto _ : state) {
        rapport::index::postings_cursor c(t.list);
        while (c.docid() != end_docid) {
            sum += c.docid() + c.freq();
            c.next();
        }
    }
    benchmark::DoNotOptimize(sum);
    const auto n = static_cast<double>(t.info.df) * static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(2 * n));
    state.counters["ns_per_posting"] = benchmark::Counter(n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_scan_in_memory_baseline)->Arg(8);

/// Full scan reading every posting's positions; items are positions.
void BM_scan_positions(benchmark::State& state) {
    const auto& t = cached_term(static_cast<int>(state.range(0)));
    std::uint64_t sum = 0;
    for (auto _ : state) {
        block_postings_cursor c(t.postings, t.positions, t.info);
        while (c.docid() != end_docid) {
            for (auto p : c.positions()) sum += p;
            c.next();
        }
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(t.list.positions.size()) * state.iterations());
    state.counters["bits_per_position"] = static_cast<double>(t.info.positions_length) * 8 / static_cast<double>(t.list.positions.size());
}
BENCHMARK(BM_scan_positions)->Arg(8);

/// Seeks to increasing targets about `skip` postings apart (mean gap 8); items are seeks.
void BM_seek(benchmark::State& state) {
    const auto& t = cached_term(8);
    const auto skip = static_cast<std::size_t>(state.range(0));
    std::mt19937_64 rng(3);
    std::vector<docid_t> targets;
    for (std::size_t i = 1 + rng() % skip; i < t.list.docids.size(); i += 1 + rng() % (2 * skip))
        targets.push_back(t.list.docids[i] - static_cast<docid_t>(rng() % 2));  // on or just before a posting
    std::uint64_t sum = 0;
    for (auto _ : state) {
        block_postings_cursor c(t.postings, t.positions, t.info);
        for (const auto target : targets) {
            c.seek(target);
            sum += c.docid();
        }
    }
    benchmark::DoNotOptimize(sum);
    const auto n = static_cast<double>(targets.size()) * static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(n));
    state.counters["ns_per_seek"] = benchmark::Counter(n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_seek)->Arg(4)->Arg(64)->Arg(1024)->Arg(16384);

/// Encoding speed of `write_postings` (docids, freqs and positions); items are postings.
void BM_encode(benchmark::State& state) {
    const auto& t = cached_term(8);
    std::string post, pos;
    for (auto _ : state) {
        post.clear();
        pos.clear();
        benchmark::DoNotOptimize(rapport::codec::write_postings(t.list.docids, t.list.freqs, t.list.position_offsets, t.list.positions, {}, post, pos));
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(t.list.docids.size()) * state.iterations());
}
BENCHMARK(BM_encode);

}  // namespace

BENCHMARK_MAIN();
