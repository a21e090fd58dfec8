// SPDX-License-Identifier: MIT
// Shared vocabulary of the peers benchmark (`peers_bench`): the query types every system runs,
// what one system's build and query runs measured, and the query timing loop every system goes
// through (one untimed warm pass, then one timed pass, wall time per query around parsing and
// top-10 retrieval; optionally an untimed pass counting every query's matches).
// Thread safety: plain values and functions, used from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../corpus.hpp"

namespace rapport::bench::peers {

/// One query of the log: (qid, text).
using query = std::pair<std::string, std::string>;

/// The ids one query returned, best first, as 0-based passage numbers in corpus load order
/// (FTS5 rowid − 1, Xapian docid − 1), so that the systems' answers can be compared.
using ranking = std::vector<std::uint32_t>;

/// The query types of the benchmark; each is ranked by the system's BM25, top-10.
enum class query_type {
    any,     ///< ranked OR of the query's words
    all,     ///< ranked AND: every word left after the system's own query analysis must occur
    phrase,  ///< the whole query as one phrase (run on the queries of at least two words)
};

/// "OR", "AND" or "phrase".
[[nodiscard]] const char* type_name(query_type type) noexcept;

/// What building an index cost and what it weighs.
struct build_figures {
    std::size_t passages = 0;        ///< passages indexed
    double seconds = 0;              ///< whole build: adds, finishing step, commit, close
    double cpu_seconds = 0;          ///< process CPU time of the build (less sensitive to a busy machine)
    double finish_seconds = 0;       ///< part of `seconds` spent finishing (FTS5 optimize, Xapian commit)
    std::uint64_t index_bytes = 0;   ///< bytes of the index as built (files on disk; memory for rapport)
    std::uint64_t live_bytes = 0;    ///< bytes in use, free pages excluded (FTS5); else = index_bytes
};

/// Query latency over the log.
struct query_figures {
    std::size_t queries = 0;
    std::size_t empty = 0;  ///< queries that returned no passage
    double p50_us = 0;
    double p99_us = 0;
    double mean_us = 0;
    double p50_cpu_us = 0;   ///< the same three figures in thread CPU time
    double p99_cpu_us = 0;
    double mean_cpu_us = 0;
    std::vector<ranking> top;  ///< per query, the ids returned (timed pass)
    /// Per query, the number of passages that match (an untimed pass after the timed one);
    /// empty when matches were not counted.
    std::vector<std::uint64_t> matches;
};

/// Everything measured for one system (or one configuration of it).
struct system_figures {
    std::string name;
    std::string config;                  ///< settings, one line
    std::optional<build_figures> build;  ///< absent for query-only variants
    std::optional<double> open_ms;       ///< absent when the index is not opened from disk
    std::optional<std::uint64_t> bytes_with_text;     ///< index that also stores the passage text
    std::optional<std::uint64_t> bytes_without_text;  ///< index only (FTS5 content='', Xapian without data)
    std::optional<std::uint64_t> compacted_bytes;     ///< after an offline compaction (Xapian)
};

/// CPU time consumed so far by the process (`process` true) or the calling thread, in seconds.
[[nodiscard]] double cpu_seconds(bool process = true);

/// Fills the latency figures of `f` (queries, p50, p99, mean; CPU when `cpu_us` is not empty) from
/// per-query times in microseconds.
void summarize_latencies(query_figures& f, std::vector<double> wall_us, std::vector<double> cpu_us);

/// Runs `run_one(text, out)` over `queries` twice: an untimed warm pass, then a timed pass that
/// records the wall time and the thread CPU time of each call (CPU time leaves out waiting for a
/// core, so it stays meaningful on a busy machine). `run_one` must clear `out` and fill it with the
/// top ids.
template <class RunOne>
[[nodiscard]] query_figures time_queries(std::span<const query> queries, RunOne&& run_one) {
    query_figures f;
    ranking scratch;
    for (const auto& q : queries) run_one(std::string_view(q.second), scratch);
    std::vector<double> wall;
    std::vector<double> cpu;
    wall.reserve(queries.size());
    cpu.reserve(queries.size());
    f.top.reserve(queries.size());
    for (const auto& q : queries) {
        ranking out;
        out.reserve(10);
        // The CPU clock is a system call: read it outside the wall-clock interval.
        const double c0 = cpu_seconds(false);
        const auto t0 = std::chrono::steady_clock::now();
        run_one(std::string_view(q.second), out);
        const auto t1 = std::chrono::steady_clock::now();
        const double c1 = cpu_seconds(false);
        wall.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        cpu.push_back((c1 - c0) * 1e6);
        if (out.empty()) ++f.empty;
        f.top.push_back(std::move(out));
    }
    summarize_latencies(f, std::move(wall), std::move(cpu));
    return f;
}

/// Calls `count_one(text)` for every query (untimed) and returns the counts, in query order.
template <class CountOne>
[[nodiscard]] std::vector<std::uint64_t> count_matches(std::span<const query> queries, CountOne&& count_one) {
    std::vector<std::uint64_t> out;
    out.reserve(queries.size());
    for (const auto& q : queries) out.push_back(count_one(std::string_view(q.second)));
    return out;
}

/// Median wall time in milliseconds of `times` calls of `fn`.
template <class Fn>
[[nodiscard]] double median_ms(int times, Fn&& fn) {
    std::vector<double> ms;
    for (int i = 0; i < times; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        const auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    return percentile(ms, 50);
}

/// Total size of the regular files under `path` (a file or a directory).
[[nodiscard]] std::uint64_t disk_bytes(const std::string& path);

}  // namespace rapport::bench::peers
