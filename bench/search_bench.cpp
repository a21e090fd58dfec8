// SPDX-License-Identifier: MIT
// Query latency over the 10,000 Million Query track queries against an on-disk (mapped) index of
// the Wikipedia passages. Every benchmark runs the whole log once untimed (warm-up: page faults and
// cold caches are paid there), then once timed, one query at a time, and reports per-query wall time
// in microseconds as p50/p99/mean counters (Google benchmark's own time is that of the whole pass):
//   - or_* / and_*: the flat `searcher` (analysis + retrieval of the top-k ids, no stored fields), for
//     each evaluation algorithm (exhaustive, MaxScore, block-max WAND, automatic) at top-10 and
//     top-1000, OR and AND; retrieval alone (retrieval_*) and postings scored per query;
//   - article_log/articles_top<k>: top-k articles (MaxP) against top-k passages in one pass;
//   - count_*: count-only evaluation (no scoring) of the analysed queries;
//   - phrase_top10: every query of at least two words searched as one quoted phrase ("w1 w2 ...")
//     through `searcher` (query-language parse + analysis + positional evaluation, top-10);
//     how many queries stay phrases after analysis, passages where the phrase occurs, passages
//     holding all its terms (candidates whose positions are read) and postings in its terms' lists;
//   - tree_or_top10: the same log through `searcher` (parse + analysis + top-10), timed next
//     to the flat searcher on each query: plain disjunctions take the flat searcher's path, so this
//     shows the query tree's overhead on them; tree_or_top10_walk wraps each tree in a one-clause
//     boolean, which forces the tree walk (the virtual-scorer evaluation non-flat queries get);
//   - shape_log/<shape>_top<k>: each query of the log (its analysed terms) turned into one query shape
//     (phrase, +first rest, +all, title^2 + body summed, BM25F over title and body, first term as a
//     prefix), evaluated pruned (algorithm automatic) and exhaustively in the same pass, alternating
//     which runs first; reports both latencies, pruned_over_exhaustive_p50 / _mean, and the
//     passages each scored (pruned_scored, exhaustive_scored: search_info::matches);
//   - fixed_cost: the part of a top-10 OR query that pruning cannot remove, per query of the log:
//     analysis alone; analysis + the same number of dictionary lookups that all miss (the query
//     matches nothing); analysis + lookups that each hit a term of one posting (cursor setup, top-k
//     queue, one posting per term); and the real query, interleaved in the same pass; fixed_micro/*
//     are analysis alone and the no-match pipeline for one query repeated (time per iteration).
//   - throughput/*/threads:N: the log split over N threads sharing ONE searcher (flat_or_top10:
//     analyze + top_k, OR, top-10, algorithm automatic) or ONE searcher (tree_or_top10: parse
//     + top_k), each thread taking the next 16 queries of the log as it finishes its last ones;
//     reports queries_per_s (best of 5 timed passes; median_queries_per_s too), cpu_per_wall (CPU
//     seconds per wall second of the passes: about N when the threads really ran in parallel),
//     load_avg_1min and, with N > 1, speedup over one thread on the same searcher in the same run
//     (one-thread and N-thread passes alternate, so both see the same machine load). N comes from
//     `--threads N[,M...]` (default 1,2).
//   search_bench --corpus DIR [--index INDEX] [--threads 1,2] [--benchmark_format=json] [--benchmark_filter=or_top10]
// The index is built from the corpus as `rapport index` builds it (articles split into passages,
// default writer options, so the segments `rapport index` leaves), or `--index INDEX` names one.
// The latency benchmarks are single-threaded; every figure is wall time, so run on an otherwise idle
// machine (and note the load average: other processes steal cores from the threaded runs first).
#include <benchmark/benchmark.h>

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "corpus.hpp"
#include "rapport/index/fields.hpp"
#include "rapport/index/index_reader.hpp"
#include "rapport/index/index_writer.hpp"
#include "rapport/query/query.hpp"
#include "rapport/search/searcher.hpp"
#include "rapport/storage/fs_directory.hpp"

namespace {

namespace q = rapport::query;
using clock_type = std::chrono::steady_clock;

// `--index DIR`: search that index (e.g. the one `rapport index` built) instead of building one.
std::optional<std::string> g_index_dir;

// The index searched: the one `--index DIR` names, or the corpus's articles committed as
// `rapport index` commits them (split into passages, the default writer options: the RAM budget
// and merge policy decide the segments, 5 for the Wikipedia passages) to a temporary folder, then
// opened (mapped) for search, so that the figures are those of the index users search.
const rapport::index::index_reader* shared_index() {
    static const std::unique_ptr<rapport::index::index_reader> index = []() -> std::unique_ptr<rapport::index::index_reader> {
        if (g_index_dir)
            return std::make_unique<rapport::index::index_reader>(rapport::index::index_reader::open(
                std::shared_ptr<rapport::storage::directory>(rapport::storage::fs_directory::open_existing(*g_index_dir))));
        const auto* c = rapport::bench::shared_corpus();
        if (c == nullptr) return nullptr;
        const auto folder = std::filesystem::temp_directory_path() / ("rapport-search-bench-" + std::to_string(::getpid()));
        std::filesystem::remove_all(folder);
        std::shared_ptr<rapport::storage::directory> dir(rapport::storage::fs_directory::create_or_open(folder));
        {
            rapport::index::index_writer writer(dir);
            for (const auto& d : c->docs) writer.add(d);
            writer.commit();
        }
        auto reader = std::make_unique<rapport::index::index_reader>(rapport::index::index_reader::open(dir));
        std::filesystem::remove_all(folder);  // the mapping keeps the files readable
        return reader;
    }();
    return index.get();
}

double micros(clock_type::time_point a, clock_type::time_point b) {
    return std::chrono::duration<double, std::micro>(b - a).count();
}

// Per-query latencies in microseconds, reported as <prefix>p50_us, <prefix>p99_us, <prefix>mean_us.
struct latencies {
    std::vector<double> us;

    void clear() { us.clear(); }
    void add(double v) { us.push_back(v); }
    double mean() const {
        double sum = 0;
        for (double v : us) sum += v;
        return us.empty() ? 0 : sum / static_cast<double>(us.size());
    }
    double p50() {
        auto copy = us;
        return rapport::bench::percentile(copy, 50);
    }
    void report(benchmark::State& state, const std::string& prefix) {
        state.counters[prefix + "mean_us"] = mean();
        state.counters[prefix + "p50_us"] = rapport::bench::percentile(us, 50);
        state.counters[prefix + "p99_us"] = rapport::bench::percentile(us, 99);
    }
};

bool skip_without_index(benchmark::State& state) {
    if (shared_index() != nullptr) return false;
    state.SkipWithError("corpus not found (--corpus DIR or RAPPORT_CORPUS)");
    return true;
}

std::uint64_t global_df(const rapport::index::index_reader& index, const std::string& term) {
    std::uint64_t df = 0;
    for (const auto& seg : index.segments())
        if (const auto info = seg->find(term)) df += info->df;
    return df;
}

// Runs the query log with one evaluation algorithm. Reports, in microseconds per query, p50/p99/mean
// of the whole query (analysis + retrieval: p50_us, p99_us, mean_us) and of retrieval alone
// (retrieval_p50_us, retrieval_p99_us, retrieval_mean_us), and the postings scored per query.
void query_log(benchmark::State& state, rapport::search::match_mode mode, std::size_t k, rapport::search::algorithm algo) {
    if (skip_without_index(state)) return;
    const auto& queries = rapport::bench::shared_corpus()->queries;
    rapport::search::searcher searcher(*shared_index());
    const auto options = rapport::bench::body_only({.k = k, .mode = mode, .algorithm = algo});
    latencies total, retrieval;
    std::size_t hits = 0;
    std::uint64_t scored = 0;
    for (const auto& [qid, text] : queries) hits += searcher.top_k(searcher.analyze(text), options).size();
    for (auto _ : state) {
        total.clear();
        retrieval.clear();
        scored = 0;
        for (const auto& [qid, text] : queries) {
            const auto t0 = clock_type::now();
            const auto query = searcher.analyze(text);
            const auto t1 = clock_type::now();
            const auto result = searcher.top_k(query, options);
            const auto t2 = clock_type::now();
            hits += result.size();
            scored += searcher.last_stats().postings_scored;
            total.add(micros(t0, t2));
            retrieval.add(micros(t1, t2));
        }
    }
    state.counters["queries"] = static_cast<double>(total.us.size());
    state.counters["scored_per_query"] = static_cast<double>(scored) / static_cast<double>(total.us.size());
    total.report(state, "");
    retrieval.report(state, "retrieval_");
    benchmark::DoNotOptimize(hits);
}

// Top-k articles (MaxP, `top_k_articles`) against top-k passages (`top_k`) over the log, OR,
// algorithm automatic, in one pass (which of the two runs first alternates per query); reports
// both latencies and articles_over_passages_p50 / _mean.
void article_log(benchmark::State& state, std::size_t k) {
    if (skip_without_index(state)) return;
    const auto& queries = rapport::bench::shared_corpus()->queries;
    rapport::search::searcher searcher(*shared_index());
    const auto options = rapport::bench::body_only({.k = k});
    std::vector<rapport::search::analysed_query> analysed;
    for (const auto& [qid, text] : queries) analysed.push_back(searcher.analyze(text));
    std::size_t hits = 0;
    for (const auto& a : analysed) hits += searcher.top_k_articles(a, options).size();
    latencies passages, articles;
    for (auto _ : state) {
        passages.clear();
        articles.clear();
        bool articles_first = false;
        for (const auto& a : analysed) {
            articles_first = !articles_first;
            for (int pass = 0; pass < 2; ++pass) {
                const bool by_article = (pass == 0) == articles_first;
                const auto t0 = clock_type::now();
                hits += (by_article ? searcher.top_k_articles(a, options) : searcher.top_k(a, options)).size();
                (by_article ? articles : passages).add(micros(t0, clock_type::now()));
            }
        }
    }
    state.counters["queries"] = static_cast<double>(analysed.size());
    state.counters["articles_over_passages_p50"] = articles.p50() / passages.p50();
    state.counters["articles_over_passages_mean"] = articles.mean() / passages.mean();
    passages.report(state, "passages_");
    articles.report(state, "articles_");
    benchmark::DoNotOptimize(hits);
}

// Counting matches (no scoring) over the same log.
void count_log(benchmark::State& state, rapport::search::match_mode mode) {
    if (skip_without_index(state)) return;
    const auto& queries = rapport::bench::shared_corpus()->queries;
    rapport::search::searcher searcher(*shared_index());
    std::vector<rapport::search::analysed_query> analysed;
    for (const auto& [qid, text] : queries) analysed.push_back(searcher.analyze(text));
    latencies retrieval;
    std::uint64_t total = 0;
    for (const auto& a : analysed) total += searcher.count(a, {.mode = mode});  // warm-up, as query_log
    for (auto _ : state) {
        retrieval.clear();
        for (const auto& a : analysed) {
            const auto t0 = clock_type::now();
            total += searcher.count(a, {.mode = mode});
            retrieval.add(micros(t0, clock_type::now()));
        }
    }
    retrieval.report(state, "retrieval_");
    benchmark::DoNotOptimize(total);
}

// Every query of at least two words as one quoted phrase, top-10, through searcher. Timed: the
// whole query (parse + analysis + evaluation: p50_us...) and evaluation alone (retrieval_*). Counted in
// the untimed warm-up pass: phrases (queries still a phrase of >= 2 terms after analysis; the others,
// single_terms and empty, became one term or nothing), queries_matched (queries with a hit), and per
// phrase (single terms left out): matches_per_phrase (passages where the phrase occurs: each one is
// scored), candidates_per_phrase (passages holding all its terms, whose positions are read) and
// list_postings_per_phrase (postings in its terms' lists: what a conjunction could at most decode).
void phrase_log(benchmark::State& state) {
    if (skip_without_index(state)) return;
    const auto& index = *shared_index();
    std::vector<std::string> phrases;
    for (const auto& [qid, text] : rapport::bench::shared_corpus()->queries)
        if (auto p = rapport::bench::phrase_query_text(text)) phrases.push_back(std::move(*p));
    rapport::search::searcher trees(index);
    rapport::search::searcher flat(index);
    const auto options = rapport::bench::body_only({.k = 10});
    std::size_t as_phrase = 0, as_term = 0, as_nothing = 0, matched = 0, hits = 0;
    std::uint64_t matches = 0, candidates = 0, list_postings = 0;
    for (const auto& text : phrases) {
        const auto tree = trees.parse(text);
        if (const auto* p = tree.get_if<q::phrase_node>()) {
            ++as_phrase;
            rapport::search::analysed_query all;
            for (const auto& t : p->terms) {
                list_postings += global_df(index, t);
                all.terms.push_back({t, 1});
            }
            candidates += flat.count(all, {.mode = rapport::search::match_mode::all});
        } else if (tree.empty()) {
            ++as_nothing;
        } else {
            ++as_term;
        }
        rapport::search::search_info info;
        hits += trees.top_k(tree, options, &info).size();
        if (tree.get_if<q::phrase_node>() != nullptr) matches += info.matches;
        matched += info.matches != 0 ? 1 : 0;
    }
    latencies total, retrieval;
    for (auto _ : state) {
        total.clear();
        retrieval.clear();
        for (const auto& text : phrases) {
            const auto t0 = clock_type::now();
            const auto tree = trees.parse(text);
            const auto t1 = clock_type::now();
            const auto result = trees.top_k(tree, options);
            const auto t2 = clock_type::now();
            hits += result.size();
            total.add(micros(t0, t2));
            retrieval.add(micros(t1, t2));
        }
    }
    const auto n = static_cast<double>(phrases.size());
    state.counters["queries"] = n;
    state.counters["phrases"] = static_cast<double>(as_phrase);
    state.counters["single_terms"] = static_cast<double>(as_term);
    state.counters["empty"] = static_cast<double>(as_nothing);
    state.counters["queries_matched"] = static_cast<double>(matched);
    const auto per_phrase = [&](std::uint64_t v) {
        return as_phrase == 0 ? 0.0 : static_cast<double>(v) / static_cast<double>(as_phrase);
    };
    state.counters["matches_per_phrase"] = per_phrase(matches);
    state.counters["candidates_per_phrase"] = per_phrase(candidates);
    state.counters["list_postings_per_phrase"] = per_phrase(list_postings);
    total.report(state, "");
    retrieval.report(state, "retrieval_");
    benchmark::DoNotOptimize(hits);
}

// Whether searcher hands `tree` to the flat searcher: a term, or a boolean of distinct,
// unboosted `should` terms without a field other than body (searcher.cpp, as_flat_disjunction).
bool flat_shaped(const q::query& tree) {
    const auto plain = [](const q::query& n) { return n.boost() == 1.0 && (n.field().empty() || n.field() == "body"); };
    if (!plain(tree)) return false;
    if (tree.get_if<q::term_node>() != nullptr) return true;
    const auto* b = tree.get_if<q::boolean_node>();
    if (b == nullptr || b->minimum_should_match > 1) return false;
    std::vector<const std::string*> seen;
    for (const auto& c : b->clauses) {
        const auto* t = c.query.get_if<q::term_node>();
        if (c.occur != q::occur::should || t == nullptr || !plain(c.query)) return false;
        for (const auto* s : seen)
            if (*s == t->text) return false;
        seen.push_back(&t->text);
    }
    return true;
}

// The log through searcher as typed (query-language parse, default OR), top-10. `walk`: wrap each
// tree in a one-clause boolean (the same scores), which makes every query take the tree walk. Each query also runs through the
// flat searcher (analyze + top_k, algorithm automatic) in the same pass, so that flat_p50_us... and
// tree_over_flat_p50 / _mean compare the two under the same machine load; which of the two runs
// first alternates from query to query, since the second finds the query's postings in the CPU
// caches (both figures are therefore lower than those of separate passes).
// Counted untimed: flat_shaped (queries the fast path takes without `walk`) and differ_from_flat
// (queries whose top-10 ids or scores differ from the flat searcher's on the raw text: the query
// language reads some characters as syntax).
void tree_or_log(benchmark::State& state, bool walk) {
    if (skip_without_index(state)) return;
    const auto& queries = rapport::bench::shared_corpus()->queries;
    rapport::search::searcher trees(*shared_index());
    rapport::search::searcher flat(*shared_index());
    const auto options = rapport::bench::body_only({.k = 10});
    const auto parse = [&](const std::string& text) {
        auto tree = trees.parse(text);
        return walk ? q::boolean({q::should(std::move(tree))}) : tree;
    };
    std::size_t shaped = 0, differ = 0, hits = 0;
    for (const auto& [qid, text] : queries) {
        const auto tree = parse(text);
        shaped += flat_shaped(tree) ? 1 : 0;
        const auto a = trees.top_k(tree, options);
        const auto b = flat.top_k(flat.analyze(text), {.k = 10});
        bool same = a.size() == b.size();
        for (std::size_t i = 0; same && i < a.size(); ++i) same = a[i].docid == b[i].docid && a[i].score == b[i].score;
        differ += same ? 0 : 1;
    }
    latencies total, retrieval, flat_total;
    for (auto _ : state) {
        total.clear();
        retrieval.clear();
        flat_total.clear();
        bool flat_first = false;
        for (const auto& [qid, text] : queries) {
            flat_first = !flat_first;
            const auto run_flat = [&, &text = text] {
                const auto f0 = clock_type::now();
                hits += flat.top_k(flat.analyze(text), {.k = 10}).size();
                flat_total.add(micros(f0, clock_type::now()));
            };
            if (flat_first) run_flat();
            const auto t0 = clock_type::now();
            const auto tree = parse(text);
            const auto t1 = clock_type::now();
            const auto result = trees.top_k(tree, options);
            const auto t2 = clock_type::now();
            hits += result.size();
            total.add(micros(t0, t2));
            retrieval.add(micros(t1, t2));
            if (!flat_first) run_flat();
        }
    }
    state.counters["queries"] = static_cast<double>(queries.size());
    state.counters["flat_shaped"] = static_cast<double>(shaped);
    state.counters["differ_from_flat"] = static_cast<double>(differ);
    state.counters["tree_over_flat_mean"] = total.mean() / flat_total.mean();
    state.counters["tree_over_flat_p50"] = total.p50() / flat_total.p50();
    total.report(state, "");
    retrieval.report(state, "retrieval_");
    flat_total.report(state, "flat_");
    benchmark::DoNotOptimize(hits);
}

// Terms of one posting (global df 1), spread over the first segment's dictionary.
std::vector<std::string> single_posting_terms(const rapport::index::index_reader& index, std::size_t wanted) {
    std::vector<std::string> all;
    if (index.segments().empty()) return all;
    for (auto c = index.segments()[0]->dictionary().begin(); c.valid(); c.next())
        if (c.info().df == 1) all.emplace_back(c.term());
    std::vector<std::string> out;
    const std::size_t step = std::max<std::size_t>(1, all.size() / wanted);
    for (std::size_t i = 0; i < all.size() && out.size() < wanted; i += step)
        if (global_df(index, all[i]) == 1) out.push_back(all[i]);
    return out;
}

// Query shapes the tree walk prunes (see the file comment): `shape` turns a query's distinct
// analysed terms into a tree and search options, or nothing when the query has too few terms.
enum class query_shape { phrase, must_first, must_all, title_summed, bm25f, prefix_first };

std::optional<std::pair<q::query, rapport::search::search_options>> shaped_query(
    query_shape shape, const rapport::search::analysed_query& bag, std::size_t k) {
    std::vector<std::string> terms;
    for (const auto& t : bag.terms) terms.push_back(t.text);
    auto o = rapport::bench::body_only({.k = k});
    const auto rest = [&](std::size_t from, rapport::query::occur occur) {
        std::vector<q::clause> out;
        for (std::size_t i = from; i < terms.size(); ++i) out.push_back({occur, q::term(terms[i])});
        return out;
    };
    switch (shape) {
        case query_shape::phrase:
            if (terms.size() < 2) return std::nullopt;
            return std::pair{q::phrase(terms), o};
        case query_shape::must_first: {
            if (terms.size() < 2) return std::nullopt;
            auto clauses = rest(1, q::occur::should);
            clauses.insert(clauses.begin(), q::must(q::term(terms[0])));
            return std::pair{q::boolean(std::move(clauses)), o};
        }
        case query_shape::must_all:
            if (terms.size() < 2) return std::nullopt;
            return std::pair{q::boolean(rest(0, q::occur::must)), o};
        case query_shape::title_summed:
        case query_shape::bm25f:
            if (terms.empty()) return std::nullopt;
            o.fields = {{rapport::index::field::title, 2.0}, {rapport::index::field::body, 1.0}};
            o.bm25f = shape == query_shape::bm25f;
            return std::pair{q::boolean(rest(0, q::occur::should)), o};
        case query_shape::prefix_first: {
            if (terms.size() < 2 || terms[0].size() < 4) return std::nullopt;
            auto clauses = rest(1, q::occur::should);
            clauses.insert(clauses.begin(), q::should(q::prefix(terms[0].substr(0, 4))));
            return std::pair{q::boolean(std::move(clauses)), o};
        }
    }
    return std::nullopt;
}

void shape_log(benchmark::State& state, query_shape shape, std::size_t k) {
    if (skip_without_index(state)) return;
    rapport::search::searcher s(*shared_index());
    std::vector<std::pair<q::query, rapport::search::search_options>> work;
    for (const auto& [qid, text] : rapport::bench::shared_corpus()->queries)
        if (auto w = shaped_query(shape, s.analyze(text), k)) work.push_back(std::move(*w));
    // Untimed: both evaluations agree (the pruning tests' property, on the real log) and what each scored.
    std::uint64_t pruned_scored = 0, exhaustive_scored = 0, differ = 0;
    for (auto& [tree, o] : work) {
        rapport::search::search_info a, b;
        o.algorithm = rapport::search::algorithm::automatic;
        const auto pruned = s.top_k(tree, o, &a);
        o.algorithm = rapport::search::algorithm::exhaustive;
        differ += pruned == s.top_k(tree, o, &b) ? 0 : 1;
        pruned_scored += a.matches;
        exhaustive_scored += b.matches;
    }
    latencies pruned, exhaustive;
    std::size_t hits = 0;
    for (auto _ : state) {
        pruned.clear();
        exhaustive.clear();
        bool pruned_first = false;
        for (auto& [tree, o] : work) {
            pruned_first = !pruned_first;
            for (int pass = 0; pass < 2; ++pass) {
                const bool prune = (pass == 0) == pruned_first;
                o.algorithm = prune ? rapport::search::algorithm::automatic : rapport::search::algorithm::exhaustive;
                const auto t0 = clock_type::now();
                hits += s.top_k(tree, o).size();
                (prune ? pruned : exhaustive).add(micros(t0, clock_type::now()));
            }
        }
    }
    const auto n = static_cast<double>(work.size());
    state.counters["queries"] = n;
    state.counters["differ"] = static_cast<double>(differ);
    state.counters["pruned_scored"] = static_cast<double>(pruned_scored) / n;
    state.counters["exhaustive_scored"] = static_cast<double>(exhaustive_scored) / n;
    state.counters["pruned_over_exhaustive_p50"] = pruned.p50() / exhaustive.p50();
    state.counters["pruned_over_exhaustive_mean"] = pruned.mean() / exhaustive.mean();
    pruned.report(state, "pruned_");
    exhaustive.report(state, "exhaustive_");
    benchmark::DoNotOptimize(hits);
}

// The fixed per-query cost of a top-10 OR query (algorithm automatic), per query of the log, all four
// measured one after the other for each query in the same pass:
//   analysis_*: searcher::analyze alone;
//   nomatch_*: analysis + top_k of the same terms with a byte 0x01 appended, so every dictionary lookup
//     lands in the block of the real term and misses: the query matches nothing and no cursor opens;
//   single_posting_*: analysis + top_k with each term replaced by a distinct term of one posting:
//     lookups that hit, the plan, a cursor per term (one block decoded), the top-k queue, one
//     posting scored per term;
//   p50_us, p99_us, mean_us: analysis + top_k of the real query.
// fixed_share_p50 / fixed_share_mean = nomatch / real query; single_posting_share_* likewise;
// terms_per_query: distinct analysed terms (dictionary lookups) per query. The no-match lookups run
// first, on dictionary blocks not yet in the CPU caches, and warm the blocks the real query then
// reads: the shares are, if anything, overestimates.
void fixed_cost(benchmark::State& state) {
    if (skip_without_index(state)) return;
    const auto& queries = rapport::bench::shared_corpus()->queries;
    rapport::search::searcher searcher(*shared_index());
    const auto options = rapport::bench::body_only({.k = 10});
    const auto singles = single_posting_terms(*shared_index(), 512);
    if (singles.size() < 64) {
        state.SkipWithError("too few terms of one posting in the index");
        return;
    }
    std::size_t hits = 0;
    for (const auto& [qid, text] : queries) hits += searcher.top_k(searcher.analyze(text), options).size();
    latencies analysis, nomatch, single, real;
    std::size_t terms = 0;
    for (auto _ : state) {
        terms = 0;
        analysis.clear();
        nomatch.clear();
        single.clear();
        real.clear();
        std::size_t next_single = 0;
        for (const auto& [qid, text] : queries) {
            const auto t0 = clock_type::now();
            const auto query = searcher.analyze(text);
            const auto t1 = clock_type::now();
            terms += query.terms.size();
            auto missing = query;
            auto one_posting = query;
            for (std::size_t i = 0; i < query.terms.size(); ++i) {
                missing.terms[i].text.push_back(rapport::index::article_key_prefix);  // no analysed term has it
                one_posting.terms[i].text = singles[next_single++ % singles.size()];
            }
            const auto t2 = clock_type::now();
            hits += searcher.top_k(missing, options).size();
            const auto t3 = clock_type::now();
            hits += searcher.top_k(one_posting, options).size();
            const auto t4 = clock_type::now();
            hits += searcher.top_k(query, options).size();
            const auto t5 = clock_type::now();
            const double a = micros(t0, t1);
            analysis.add(a);
            nomatch.add(a + micros(t2, t3));
            single.add(a + micros(t3, t4));
            real.add(a + micros(t4, t5));
        }
    }
    state.counters["queries"] = static_cast<double>(real.us.size());
    state.counters["terms_per_query"] = static_cast<double>(terms) / static_cast<double>(real.us.size());
    state.counters["fixed_share_mean"] = nomatch.mean() / real.mean();
    state.counters["fixed_share_p50"] = nomatch.p50() / real.p50();
    state.counters["single_posting_share_mean"] = single.mean() / real.mean();
    state.counters["single_posting_share_p50"] = single.p50() / real.p50();
    analysis.report(state, "analysis_");
    nomatch.report(state, "nomatch_");
    single.report(state, "single_posting_");
    real.report(state, "");
    benchmark::DoNotOptimize(hits);
}

// One query repeated: analysis alone (`analysis_only`) or analysis + top-10 OR of words that are not
// in the index (the whole no-match pipeline). Google benchmark's time per iteration is the figure.
void fixed_micro(benchmark::State& state, const char* text, bool search) {
    if (skip_without_index(state)) return;
    rapport::search::searcher searcher(*shared_index());
    const auto options = rapport::bench::body_only({.k = 10});
    if (search && searcher.count(text) != 0) {
        state.SkipWithError("the no-match query matches something");
        return;
    }
    for (auto _ : state) {
        auto query = searcher.analyze(text);
        if (search) {
            auto result = searcher.top_k(query, options);
            benchmark::DoNotOptimize(result);
        }
        benchmark::DoNotOptimize(query);
    }
}

// CPU time of the whole process, every thread, in seconds.
double process_cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Throughput of one searcher shared by `threads` threads (see the file comment): an untimed pass on
// one thread (page faults, the snapshot's norm tables), then 5 timed passes of the whole log over
// `threads` threads, each pass timed from the moment every thread is ready until the last finishes.
// `run(i)` runs query i and returns its hit count; the hit total of every pass must equal the one
// thread's (the threads share the searcher, never their answers).
template <class Run>
void throughput(benchmark::State& state, std::size_t threads, std::size_t queries, const Run& run) {
    constexpr std::size_t chunk = 16;
    constexpr int passes = 5;
    std::size_t expected_hits = 0;
    for (std::size_t i = 0; i < queries; ++i) expected_hits += run(i);
    std::vector<double> cpu_per_wall;  // of the last pass: the cores the pass kept busy
    // One pass of the log over `threads` threads; returns (seconds, hits).
    const auto pass = [&](std::size_t n) {
        std::atomic<std::size_t> next{0};
        std::atomic<std::size_t> hits{0};
        std::latch ready(static_cast<std::ptrdiff_t>(n) + 1);
        std::vector<std::thread> pool;
        for (std::size_t t = 0; t < n; ++t)
            pool.emplace_back([&] {
                ready.arrive_and_wait();
                std::size_t mine = 0;
                for (std::size_t begin; (begin = next.fetch_add(chunk, std::memory_order_relaxed)) < queries;)
                    for (std::size_t i = begin; i < std::min(queries, begin + chunk); ++i) mine += run(i);
                hits += mine;
            });
        ready.arrive_and_wait();
        const auto t0 = clock_type::now();
        const double cpu0 = process_cpu_seconds();
        for (auto& th : pool) th.join();
        const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
        cpu_per_wall.push_back((process_cpu_seconds() - cpu0) / seconds);
        return std::pair{seconds, hits.load()};
    };
    std::vector<double> rates, single_rates, threaded_cpu;
    bool same_hits = true;
    for (auto _ : state) {
        for (int p = 0; p < passes; ++p) {
            if (threads > 1) {
                // One thread on the same searcher, interleaved with the threaded passes so that both
                // see the same machine load.
                const auto [seconds, hits] = pass(1);
                single_rates.push_back(static_cast<double>(queries) / seconds);
                same_hits = same_hits && hits == expected_hits;
            }
            const auto [seconds, hits] = pass(threads);
            rates.push_back(static_cast<double>(queries) / seconds);
            threaded_cpu.push_back(cpu_per_wall.back());
            same_hits = same_hits && hits == expected_hits;
        }
    }
    if (!same_hits) state.SkipWithError("threads found other hits than one thread");
    const auto best = [](std::vector<double> v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); };
    state.counters["threads"] = static_cast<double>(threads);
    state.counters["queries"] = static_cast<double>(queries);
    state.counters["queries_per_s"] = best(rates);
    state.counters["median_queries_per_s"] = rapport::bench::percentile(rates, 50);
    // CPU seconds per wall second of the threaded passes (median): about N when the N threads ran
    // in parallel, lower when they waited (for each other or for cores other processes held).
    state.counters["cpu_per_wall"] = rapport::bench::percentile(threaded_cpu, 50);
    if (threads > 1) {
        state.counters["one_thread_queries_per_s"] = best(single_rates);
        state.counters["speedup"] = best(rates) / best(single_rates);
    }
    state.counters["load_avg_1min"] = [] {
        double load[1] = {0};
        return ::getloadavg(load, 1) == 1 ? load[0] : -1.0;
    }();
}

void throughput_flat(benchmark::State& state, std::size_t threads) {
    if (skip_without_index(state)) return;
    const auto& queries = rapport::bench::shared_corpus()->queries;
    const rapport::search::searcher searcher(*shared_index());  // one searcher, every thread
    const auto options = rapport::bench::body_only({.k = 10});
    throughput(state, threads, queries.size(),
               [&](std::size_t i) { return searcher.top_k(searcher.analyze(queries[i].second), options).size(); });
}

void throughput_tree(benchmark::State& state, std::size_t threads) {
    if (skip_without_index(state)) return;
    const auto& queries = rapport::bench::shared_corpus()->queries;
    const rapport::search::searcher trees(*shared_index());  // one searcher, every thread
    const auto options = rapport::bench::body_only({.k = 10});
    throughput(state, threads, queries.size(),
               [&](std::size_t i) { return trees.top_k(trees.parse(queries[i].second), options).size(); });
}

// Removes `--threads N[,M...]` from argv and returns the thread counts (default 1 and 2).
std::vector<std::size_t> thread_counts(int& argc, char** argv) {
    std::vector<std::size_t> out;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--threads") != 0) continue;
        for (const char* p = argv[i + 1]; *p != '\0';) {
            char* end = nullptr;
            const unsigned long n = std::strtoul(p, &end, 10);
            if (end == p) break;
            if (n > 0) out.push_back(n);
            p = *end == ',' ? end + 1 : end;
        }
        for (int j = i; j + 2 <= argc; ++j) argv[j] = argv[j + 2];
        argc -= 2;
        break;
    }
    if (out.empty()) out = {1, 2};
    return out;
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
BENCHMARK_CAPTURE(article_log, articles_top10, 10)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(article_log, articles_top1000, 1000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(count_log, count_or, match_mode::any)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(count_log, count_and, match_mode::all)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(phrase_log)->Name("phrase_top10")->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(tree_or_log, tree_or_top10, false)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(tree_or_log, tree_or_top10_walk, true)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, phrase_top10, query_shape::phrase, 10)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, phrase_top100, query_shape::phrase, 100)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, must_first_top10, query_shape::must_first, 10)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, must_first_top100, query_shape::must_first, 100)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, must_all_top10, query_shape::must_all, 10)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, must_all_top100, query_shape::must_all, 100)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, title_summed_top10, query_shape::title_summed, 10)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, title_summed_top100, query_shape::title_summed, 100)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, bm25f_top10, query_shape::bm25f, 10)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, bm25f_top100, query_shape::bm25f, 100)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, prefix_first_top10, query_shape::prefix_first, 10)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(shape_log, prefix_first_top100, query_shape::prefix_first, 100)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(fixed_cost)->Unit(benchmark::kMillisecond)->Iterations(1);
// A four-word query of the log, and three words absent from the index (checked: no match).
BENCHMARK_CAPTURE(fixed_micro, analysis_only, "after school program evaluation", false)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(fixed_micro, nomatch_or_top10, "zqxwvj plorktq vexxuom", true)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--index") == 0) {
            g_index_dir = argv[i + 1];
            for (int j = i; j + 2 <= argc; ++j) argv[j] = argv[j + 2];
            argc -= 2;
            break;
        }
    for (const std::size_t n : thread_counts(argc, argv)) {
        const auto suffix = "/threads:" + std::to_string(n);
        benchmark::RegisterBenchmark(("throughput/flat_or_top10" + suffix).c_str(), throughput_flat, n)
            ->Unit(benchmark::kMillisecond)
            ->Iterations(1);
        benchmark::RegisterBenchmark(("throughput/tree_or_top10" + suffix).c_str(), throughput_tree, n)
            ->Unit(benchmark::kMillisecond)
            ->Iterations(1);
    }
    return rapport::bench::run_benchmarks(argc, argv);
}
