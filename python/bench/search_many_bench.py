# SPDX-License-Identifier: MIT
"""Batch search throughput through Python (``Index.search_many``) beside the C++ figures of the same
queries on the same index, in one run (README "Python", "Benchmarks").

    PYTHONPATH=build/py/python /usr/bin/python3 python/bench/search_many_bench.py \\
        ../shared/corpora/wikipedia-2021-passages --cli build/py/tools/rapport/rapport \\
        [--search-bench build/py/bench/search_bench] [--index DIR] [--threads 1,2] [--passes 5]

The index is DIR (built there with ``rapport index`` when DIR holds none) or a temporary one built
with ``rapport index`` from CORPUS/docs.jsonl.zst. Queries are CORPUS/queries.tsv (10,000 for the
Wikipedia passages), top-10 OR over the body (``--fields body``: what search_bench's
``throughput/tree_or_top10`` measures: parse + top_k, one searcher shared by the threads).

Reports:
- ``search_many`` queries/s on 1 and 2 (``--threads``) C++ threads, best and median of the passes over
  the whole log (``--passes`` per round, thread counts alternating so that every count sees the same
  load); it checks that every thread count returns the same ids and scores;
- ``Index.search`` one query at a time from Python (hits fetched, snippets in str indices), queries/s;
- the C++ figures of the same queries: ``search_bench --benchmark_filter=throughput/tree_or_top10``
  (queries/s for the same thread counts, best of its passes) when ``--search-bench`` is given, and
  ``rapport search --queries --timings`` (p50 and mean latency, one thread) when ``--cli`` is given,
  each run once per round (``--rounds``) right after Python's passes, the best round kept;
- the Python overhead per query: 1/(search_many q/s) - 1/(search_bench q/s), one thread, in
  microseconds (the CLI's latency is measured per query, not as a throughput, so it is shown, not
  subtracted).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import rapport
import rapport.eval


def build_index(cli, corpus, folder):
    docs = os.path.join(corpus, "docs.jsonl.zst")
    if not os.path.exists(docs):
        docs = os.path.join(corpus, "docs.jsonl")
    t0 = time.perf_counter()
    subprocess.run([cli, "index", "--progress", "none", "--index", folder, docs], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def cli_mean_us(cli, index, queries_file, k, fields):
    """`rapport search --queries --timings`: the mean in-process latency of each query (parse +
    top_k, no output), one thread, after one warm-up pass."""
    with tempfile.TemporaryDirectory() as tmp:
        timings = os.path.join(tmp, "t.tsv")
        p = subprocess.run([cli, "search", "--index", index, "--queries", queries_file, "--format", "json", "-k", str(k),
                            "--fields", fields, "--timings", timings, "--warmup", "1"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = re.search(r"p50 ([0-9.]+) us .*mean ([0-9.]+) us", p.stderr)
    if not m:
        raise RuntimeError(f"no timing line in rapport search's stderr: {p.stderr!r}")
    return float(m.group(1)), float(m.group(2))


def search_bench_qps(binary, corpus, index, threads):
    """search_bench's throughput/tree_or_top10 (body only, top 10, parse + top_k): queries/s per
    thread count (best of its 5 passes)."""
    p = subprocess.run([binary, "--corpus", corpus, "--index", index, "--threads", ",".join(map(str, threads)),
                        "--benchmark_filter=throughput/tree_or_top10", "--benchmark_format=json"],
                       check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = {}
    for b in json.loads(p.stdout)["benchmarks"]:
        if "error_message" in b:
            raise RuntimeError(f"search_bench: {b['name']}: {b['error_message']}")
        out[int(b["threads"])] = b["queries_per_s"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="folder with docs.jsonl.zst (or docs.jsonl) and queries.tsv")
    ap.add_argument("--index", help="index folder (built there with --cli when it holds none; default: a temporary one)")
    ap.add_argument("--cli", help="the rapport tool: builds the index, and gives the C++ per-query latency")
    ap.add_argument("--search-bench", help="bench/search_bench: the C++ queries/s for the same thread counts")
    ap.add_argument("--threads", default="1,2", help="thread counts of search_many (default 1,2)")
    ap.add_argument("--passes", type=int, default=5, help="timed passes over the log per thread count and round")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of (Python passes, search_bench, rapport search)")
    ap.add_argument("-k", type=int, default=10)
    ap.add_argument("--fields", default="body", help="fields as rapport search --fields takes them (default body)")
    ap.add_argument("--single", type=int, default=2000, help="queries for the one-at-a-time Index.search figure (0: skip)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",") if t]
    fields = {name: float(weight or 1) for name, _, weight in (f.partition("^") for f in args.fields.split(","))}

    queries_file = os.path.join(args.corpus, "queries.tsv")
    queries = [text for _, text in rapport.eval.read_queries(queries_file)]
    tmp = None
    index_dir = args.index
    if index_dir is None:
        tmp = tempfile.mkdtemp(prefix="rapport-py-bench-")
        index_dir = os.path.join(tmp, "index")
    figures = {"queries": len(queries), "k": args.k, "fields": args.fields, "cpus": os.cpu_count(),
               "load_avg_1min_start": os.getloadavg()[0]}
    try:
        try:
            index = rapport.Index.open(index_dir)
        except rapport.IOError:  # no index there yet
            if not args.cli:
                sys.exit(f"no index in {index_dir}, and no --cli to build one")
            figures["index_build_s"] = build_index(args.cli, args.corpus, index_dir)
            index = rapport.Index.open(index_dir)
        figures["passages"] = index.passage_count

        # Warm-up (page cache, the snapshot's length-normaliser tables), and the answers every
        # thread count must reproduce.
        ref_ids, ref_scores = index.search_many(queries, k=args.k, threads=1, fields=fields)
        # Rounds: Python's passes, then the C++ programs, so that every figure is taken under the
        # same (shared-machine) load; each figure is the best over the rounds.
        rates = {n: [] for n in threads}
        cpp_rates = {n: [] for n in threads}
        cli = []
        for _ in range(args.rounds):
            for _ in range(args.passes):
                for n in threads:
                    t0 = time.perf_counter()
                    ids, scores = index.search_many(queries, k=args.k, threads=n, fields=fields)
                    rates[n].append(len(queries) / (time.perf_counter() - t0))
                    if not (np.array_equal(ids, ref_ids) and np.array_equal(scores, ref_scores, equal_nan=True)):
                        sys.exit(f"search_many on {n} threads returned other hits than on 1")
            if args.search_bench:
                for n, qps in search_bench_qps(args.search_bench, args.corpus, index_dir, threads).items():
                    cpp_rates[n].append(qps)
            if args.cli:
                cli.append(cli_mean_us(args.cli, index_dir, queries_file, args.k, args.fields))
        figures["search_many_qps"] = {n: max(r) for n, r in rates.items()}
        figures["search_many_median_qps"] = {n: statistics.median(r) for n, r in rates.items()}
        figures["queries_with_hits"] = int(np.count_nonzero(ref_ids[:, 0] >= 0)) if args.k > 0 else 0
        if args.search_bench:
            figures["cpp_search_bench_qps"] = {n: max(r) for n, r in cpp_rates.items() if r}
        if cli:
            figures["cpp_cli_p50_us"] = min(p50 for p50, _ in cli)
            figures["cpp_cli_mean_us"] = min(mean for _, mean in cli)

        if args.single > 0:
            subset = queries[: args.single]
            for q in subset[:100]:
                index.search(q, k=args.k, fields=fields)
            t0 = time.perf_counter()
            for q in subset:
                index.search(q, k=args.k, fields=fields)
            figures["search_qps"] = len(subset) / (time.perf_counter() - t0)
            t0 = time.perf_counter()
            for q in subset:
                index.search_many([q], k=args.k, threads=1, fields=fields)
            figures["search_many_one_query_qps"] = len(subset) / (time.perf_counter() - t0)
        figures["load_avg_1min_end"] = os.getloadavg()[0]
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"{figures['queries']} queries, top {args.k}, fields {args.fields}, {figures['passages']:,} passages, "
          f"{figures['cpus']} CPUs, load {figures['load_avg_1min_start']:.2f} -> {figures['load_avg_1min_end']:.2f}")
    if "index_build_s" in figures:
        print(f"index built by rapport index in {figures['index_build_s']:.1f} s")
    cpp = figures.get("cpp_search_bench_qps", {})
    print(f"{'threads':>7}  {'search_many q/s (best, median)':>30}  {'C++ search_bench q/s':>20}  {'ratio':>5}")
    for n in threads:
        best, med = figures["search_many_qps"][n], figures["search_many_median_qps"][n]
        c = cpp.get(n)
        print(f"{n:>7}  {best:>17,.0f} ({med:>10,.0f})  {c if c is None else format(c, ',.0f'):>20}  "
              f"{'' if c is None else format(best / c, '.2f'):>5}")
    if "search_qps" in figures:
        print(f"Index.search one query at a time (hits fetched, snippets): {figures['search_qps']:,.0f} q/s "
              f"({1e6 / figures['search_qps']:.1f} us/query); search_many([q]): "
              f"{1e6 / figures['search_many_one_query_qps']:.1f} us/query")
    if "cpp_cli_mean_us" in figures:
        print(f"C++ rapport search --timings (1 thread): p50 {figures['cpp_cli_p50_us']:.1f} us, "
              f"mean {figures['cpp_cli_mean_us']:.1f} us")
    one = threads[0] if threads else None
    if one == 1:
        py_us = 1e6 / figures["search_many_qps"][1]
        if 1 in cpp:
            figures["overhead_us_vs_search_bench"] = py_us - 1e6 / cpp[1]
            print(f"Python overhead per query, search_many on 1 thread against search_bench: "
                  f"{figures['overhead_us_vs_search_bench']:+.2f} us ({py_us:.2f} against {1e6 / cpp[1]:.2f} us)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
