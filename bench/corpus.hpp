// SPDX-License-Identifier: MIT
// Benchmark support: finds and loads the Wikipedia passages corpus (docs.jsonl.zst, queries.tsv).
// The corpus directory comes from `--corpus DIR` or the RAPPORT_CORPUS environment variable;
// when neither names a readable directory, benchmarks report that they were skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rapport/ingest/article.hpp"
#include "rapport/search/searcher.hpp"

namespace rapport::bench {

/// `o` searching the body alone: what the benchmarks time, so that the figures compare with the
/// peers (which index the passage text only) and with earlier runs; the default fields (body +
/// title^0.5) are timed where a row says so.
[[nodiscard]] inline rapport::search::search_options body_only(rapport::search::search_options o) {
    o.fields = {{rapport::index::field::body, 1.0}};
    return o;
}


/// A loaded collection: passages and queries (qid, text).
struct corpus {
    std::string dir;
    std::vector<ingest::article> docs;
    std::vector<std::pair<std::string, std::string>> queries;
    std::size_t text_bytes = 0;  ///< bytes of passage text (title excluded)
};

/// Removes `--corpus DIR` from argv and returns DIR, else $RAPPORT_CORPUS, else nothing.
std::optional<std::string> corpus_dir(int& argc, char** argv);

/// Loads docs.jsonl.zst (or docs.jsonl) and queries.tsv from `dir`; `limit` caps the passages.
/// Throws: rapport errors naming the file when something is unreadable.
corpus load_corpus(const std::string& dir, std::size_t limit = 0);

/// The corpus named on the command line, loaded once; nullptr (with a message on stderr) when absent.
const corpus* shared_corpus();
/// Sets the directory `shared_corpus` loads from (call from main before running benchmarks).
void set_corpus_dir(std::optional<std::string> dir);

/// p-th percentile (0..100) of `values` by nearest rank; sorts them.
double percentile(std::vector<double>& values, double p);

/// Number of blank-separated words of a query as typed.
std::size_t word_count(std::string_view text);

/// The query as one quoted phrase of rapport's query language (`"w1 w2 ..."`, its words split on
/// blanks, `"` and `\` escaped, a lone `?` escaped so that it is not a gap), or nothing when it has
/// fewer than two words. The phrase benchmarks of search_bench and peers_bench run exactly the
/// log's queries for which this gives a phrase.
std::optional<std::string> phrase_query_text(std::string_view text);

}  // namespace rapport::bench

namespace rapport::bench {
/// The shared main of every benchmark program: takes `--corpus DIR`, then runs Google benchmark.
int run_benchmarks(int argc, char** argv);
}  // namespace rapport::bench
