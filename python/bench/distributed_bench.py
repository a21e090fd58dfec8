# SPDX-License-Identifier: MIT
"""Sharded search on Dask against one local index, side by side in one run (README "Scaling out").

    PYTHONPATH=build/test/python /usr/bin/python3 python/bench/distributed_bench.py \\
        ../shared/corpora/wikipedia-2021-passages [--passages 145582] [--queries 200] [--shards 4]

Reports:
- build time of the sharded index with 1 and 2 Dask workers, from a list of dicts (shipped to the
  workers) and from partitioned JSONL files (read by the workers), beside one `rapport.Index` built
  in this process;
- per-query latency (p50, mean) of `ShardedIndex.search` against `Index.search` for the same queries,
  k = 10, the overhead being the two rounds of actor calls;
- batch throughput: queries/s of `ShardedIndex.search_many` (two rounds of calls per batch) and of
  single queries issued from several client threads, beside `Index.search_many` on one index.
Checks on the way that the sharded answers equal the one index's (ids and scores).
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import rapport
import rapport.eval
from rapport import distributed


def read_passages(corpus, n):
    return rapport.eval.read_docs(os.path.join(corpus, "docs.jsonl.zst"), limit=n)


def read_queries(corpus, n):
    out = []
    with open(os.path.join(corpus, "queries.tsv"), encoding="utf-8") as f:
        for line in f:
            qid, _, text = line.rstrip("\n").partition("\t")
            if text.strip():
                out.append(text)
            if len(out) == n:
                break
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="folder with docs.jsonl.zst and queries.tsv")
    ap.add_argument("--passages", type=int, default=145582)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--client-threads", type=int, default=4)
    ap.add_argument("--batch", type=int, default=100, help="queries per ShardedIndex.search_many call")
    args = ap.parse_args()
    from dask.distributed import Client, LocalCluster

    docs = read_passages(args.corpus, args.passages)
    queries = read_queries(args.corpus, args.queries)
    work = tempfile.mkdtemp(prefix="rapport-dist-bench-")
    try:
        t = time.perf_counter()
        one = rapport.Index.create(os.path.join(work, "one"))
        with one.writer() as w:
            w.add_many(docs)
        one_build = time.perf_counter() - t
        print(f"{len(docs)} passages, {len(queries)} queries, {args.shards} shards, {os.cpu_count()} cores", flush=True)
        parts = []
        for i in range(args.shards):
            parts.append(os.path.join(work, f"part-{i}.jsonl"))
            with open(parts[-1], "w", encoding="utf-8") as f:
                for d in docs[len(docs) * i // args.shards:len(docs) * (i + 1) // args.shards]:
                    f.write(json.dumps(d, ensure_ascii=False) + "\n")
        print(f"build  one index in this process            {one_build:8.2f} s")
        sharded = None
        for workers in (1, 2):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
            path = os.path.join(work, f"sharded-{workers}")
            t = time.perf_counter()
            s = distributed.build(client, docs, path, shards=args.shards)
            took = time.perf_counter() - t
            print(f"build  {args.shards} shards on {workers} worker{'s' if workers > 1 else ' '}, from a list      {took:8.2f} s"
                  f"   ({one_build / took:.2f}x one index)")
            # The way a large collection arrives: partitioned JSONL that each worker reads itself.
            t = time.perf_counter()
            s.close()
            s = distributed.build(client, parts, path + "-files")
            took = time.perf_counter() - t
            print(f"build  {args.shards} shards on {workers} worker{'s' if workers > 1 else ' '}, from JSONL files {took:8.2f} s"
                  f"   ({one_build / took:.2f}x one index)")
            if workers == 2:
                sharded, keep = s, (client, cluster)
            else:
                client.close()
                cluster.close()
        # Equal answers on the way.
        for q in queries[:50]:
            a = [(h.article, h.score) for h in one.search(q, k=10).hits]
            b = [(h.article, h.score) for h in sharded.search(q, k=10).hits]
            assert a == b, q
        for q in queries[:20]:  # warm both
            one.search(q, k=10)
            sharded.search(q, k=10)

        def latencies(f):
            out = []
            for q in queries:
                t0 = time.perf_counter()
                f(q)
                out.append((time.perf_counter() - t0) * 1e6)
            return out

        local = latencies(lambda q: one.search(q, k=10))
        remote = latencies(lambda q: sharded.search(q, k=10))
        print(f"latency one index    p50 {statistics.median(local):9.0f} us   mean {statistics.mean(local):9.0f} us")
        print(f"latency sharded      p50 {statistics.median(remote):9.0f} us   mean {statistics.mean(remote):9.0f} us"
              f"   (overhead p50 {statistics.median(remote) - statistics.median(local):.0f} us)")
        t = time.perf_counter()
        one.search_many(queries, k=10, threads=2)
        batch_local = len(queries) / (time.perf_counter() - t)
        t = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.client_threads) as pool:
            list(pool.map(lambda q: sharded.search(q, k=10), queries))
        batch_remote = len(queries) / (time.perf_counter() - t)
        t = time.perf_counter()
        for at in range(0, len(queries), args.batch):
            sharded.search_many(queries[at:at + args.batch], k=10)
        batch_sharded = len(queries) / (time.perf_counter() - t)
        print(f"batch  one index search_many, 2 threads    {batch_local:9.0f} queries/s")
        print(f"batch  sharded search_many, batches of {args.batch:<4} {batch_sharded:9.0f} queries/s"
              f"   ({batch_sharded / batch_local:.3f}x)")
        print(f"batch  sharded, {args.client_threads} client threads           {batch_remote:9.0f} queries/s"
              f"   ({batch_remote / batch_local:.3f}x)")
        keep[0].close()
        keep[1].close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
