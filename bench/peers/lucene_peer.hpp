// SPDX-License-Identifier: MIT
// The Lucene 4.10 side of `peers_bench`, and the subprocess plumbing it shares with the rapport CLI
// rows. Lucene runs in its own JVM: the passages and queries are written to line files
// (`id<TAB>text`, `qid<TAB>text`; tabs and line breaks in text become spaces), `java LucenePeer`
// (bench/peers/lucene/LucenePeer.java, compiled by CMake when a JDK and Debian's Lucene 4.10 jars
// are found, RAPPORT_HAVE_LUCENE) builds and queries the index, and its figures are read back from
// its output. Latencies are the JVM's own, measured inside it around analysis and search.
// Thread safety: plain functions; each call runs and waits for its own child process.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "peer.hpp"

namespace rapport::bench::peers {

/// What one finished child process cost.
struct process_figures {
    double seconds = 0;      ///< wall time from spawn to exit
    double cpu_seconds = 0;  ///< user + system CPU time of the child (all its threads)
};

/// Runs `argv` (argv[0] a path, or a name looked up in PATH) with stdout redirected to the file
/// `stdout_path` (created or truncated; "" keeps the parent's), stderr inherited, and waits for it.
/// Throws: `std::runtime_error` naming the command when it cannot be started, is killed by a
/// signal or exits with a non-zero status.
process_figures run_program(const std::vector<std::string>& argv, const std::string& stdout_path);

/// Passage id → 0-based passage number in corpus order (the ids of a `ranking`).
using passage_numbers = std::unordered_map<std::string, std::uint32_t>;
[[nodiscard]] passage_numbers number_passages(const corpus& c);

/// Writes `queries` as `qid<TAB>text` lines (what LucenePeer and `rapport search --queries` read).
/// Throws: `std::runtime_error` when the file cannot be written.
void write_query_file(const std::string& path, std::span<const query> queries);

/// How the JVM is started.
struct lucene_setup {
    std::string java;       ///< the java launcher
    std::string classpath;  ///< LucenePeer's class directory and the Lucene jars, ':'-separated
    std::string heap = "4g";
    /// Untimed passes over the queries before the timed one. One, as every system gets; the JIT
    /// keeps compiling after it (AND queries ran about twice as fast after five passes).
    std::size_t warm_passes = 1;
};

/// One-line description of the settings used, for the report.
[[nodiscard]] std::string lucene_config(const lucene_setup& setup);

/// What `lucene_build` measured.
struct lucene_build_run {
    /// `seconds` and `finish_seconds` (forceMerge + commit) are timed inside the JVM, after the
    /// passages file is read; `cpu_seconds` is the JVM's process CPU time over the same interval
    /// (its JIT and GC threads included).
    build_figures f;
    double thread_cpu_seconds = 0;  ///< CPU time of the indexing thread (adds, merges, commit)
    double merge_seconds = 0;       ///< the forceMerge(1) part of `finish_seconds`
};

/// Writes the passages' text to `work_dir`/lucene-passages.tsv and runs `LucenePeer index` into the
/// new directory `index_dir`: EnglishAnalyzer, BM25Similarity(0.9, 0.4), one thread, 64 MB RAM
/// buffer, forceMerge(1), one commit.
/// Throws: `std::runtime_error` when a file cannot be written or java fails.
[[nodiscard]] lucene_build_run lucene_build(const lucene_setup& setup, const corpus& c, const std::string& work_dir,
                                            const std::string& index_dir);

/// What `lucene_query` measured.
struct lucene_run {
    query_figures f;
    double open_ms = 0;  ///< median DirectoryReader.open over MMapDirectory
};

/// Runs `LucenePeer search` on `index_dir` with the queries (written to `work_dir`): untimed warm
/// passes (`setup.warm_passes`), then the timed pass, top-`k` TopDocs per query as BooleanQuery SHOULD (any) / MUST
/// (all) term queries or a PhraseQuery (phrase) of the EnglishAnalyzer's terms and positions.
/// `top` holds the first 10 ids of each query's hits (mapped through `numbers`); for all and phrase,
/// `matches` holds TopDocs.totalHits (exact in Lucene 4.10). Thread CPU time is the JVM's
/// (ThreadMXBean), read outside the wall interval as time_queries does.
/// Throws: `std::runtime_error` when java fails or its output cannot be read or names an unknown id.
[[nodiscard]] lucene_run lucene_query(const lucene_setup& setup, const std::string& index_dir,
                                      const std::string& work_dir, std::span<const query> queries, query_type type,
                                      std::size_t k, const passage_numbers& numbers);

}  // namespace rapport::bench::peers
