# SPDX-License-Identifier: MIT
# rapport.distributed on a Dask LocalCluster (2 worker processes): a sharded index of 4 shards
# answers exactly as one index over the same articles (hits, scores, totals, facets, sorting,
# article collapse, paging; Cranfield's run and MAP; a slice of the dev Wikipedia passages when the
# shared corpora are present); a failed shard build leaves nothing; a worker killed mid-service is
# survived with replicas, and without them fails clearly or answers flagged partial.
import os
import pathlib
import shutil
import signal

import pytest

import rapport
import rapport.eval as ev
from rapport import distributed

from conftest import DATA, SCHEMA, read_jsonl, synthetic_articles

dd = pytest.importorskip("dask.distributed")

QUERIES = ["trust", "refund order", "customer service loyalty", "\"customer service\"", "caf*", "pasword~1",
           "+trust -refund", "title:trust team", "zzzz"]


@pytest.fixture(scope="module")
def client():
    cluster = dd.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = dd.Client(cluster)
    yield c
    c.close()
    cluster.close()


def same(one: rapport.SearchResult, many: rapport.SearchResult, sharded):
    assert [(h.article, h.score) for h in one.hits] == [(h.article, h.score) for h in many.hits]
    assert [h.passage for h in one.hits] == [sharded.bases[h.index] + h.passage for h in many.hits]
    assert [h.cursor for h in one.hits] == [h.cursor for h in many.hits]
    assert [h.text for h in one.hits] == [h.text for h in many.hits]
    assert [h.fields for h in one.hits] == [h.fields for h in many.hits]
    assert one.total == many.total
    assert one.facets == many.facets
    assert not many.partial


def test_sharded_answers_equal_one_index(client, tmp_path):
    docs = synthetic_articles(400, seed=11)
    one = rapport.Index.create(tmp_path / "one", schema=SCHEMA)
    with one.writer() as w:
        w.add_many(docs)
    sharded = distributed.build(client, docs, tmp_path / "sharded", shards=4, schema=SCHEMA)
    assert len(sharded) == 4 and sharded.passage_count == one.passage_count
    assert (tmp_path / "sharded" / distributed.SHARDS_FILE).exists()
    # Each shard really is a part: none holds everything.
    assert max(sharded.shard_passages) < one.passage_count
    answered = 0
    for q in QUERIES:
        for kwargs in ({"k": 10}, {"k": 25, "articles": True}, {"k": 10, "count_total": True},
                       {"k": 8, "filter": "views:<3000", "facets": ["topic", "tags", "updated:year", "views:every=1000",
                                                                     {"field": "price", "ranges": [("", "50"), ("50", "")]}]},
                       {"k": 6, "sort": "-views", "facets": ["topic:2"], "facet_articles": True},
                       {"k": 6, "sort": "updated", "articles": True},
                       {"k": 5, "offset": 4}):
            a = one.search(q, **kwargs)
            b = sharded.search(q, **kwargs)
            same(a, b, sharded)
            answered += bool(a.hits)
            if a.hits:  # the next page by cursor
                c = dict(kwargs, search_after=a.hits[-1].cursor)
                c.pop("offset", None)
                same(one.search(q, **c), sharded.search(q, **c), sharded)
    assert answered > 40
    # A batch in two rounds of calls: the same answers as one query at a time.
    for kwargs in ({"k": 10}, {"k": 5, "facets": ["topic"], "articles": True, "count_total": True}):
        for q, b in zip(QUERIES, sharded.search_many(QUERIES, **kwargs)):
            same(one.search(q, **kwargs), b, sharded)
    # A filter alone (no words): every allowed passage, score 0.
    same(one.search("", k=30, filter="topic:refund", count_total=True),
         sharded.search("", k=30, filter="topic:refund", count_total=True), sharded)
    # Reopened from its folder by another client call: the same shards and answers.
    again = distributed.open(client, tmp_path / "sharded")
    same(one.search("trust", k=10), again.search("trust", k=10), again)
    # Statistics of the whole equal the one index's.
    import json
    m, o = json.loads(sharded.statistics("trust caf*")), json.loads(one.statistics("trust caf*"))
    assert m["passages"] == o["passages"] and m["total_lengths"] == o["total_lengths"] and m["doc_freqs"] == o["doc_freqs"]


def test_cranfield_sharded_run_and_map_equal_one_index(client, tmp_path):
    data = DATA / "cranfield"
    docs = [d for d in read_jsonl(data / "docs.jsonl") if (d.get("title") or "").strip() or (d.get("text") or "").strip()]
    one = rapport.Index.create(tmp_path / "one")
    with one.writer() as w:
        w.add_many(docs)
    sharded = distributed.build(client, docs, tmp_path / "sharded", shards=4)
    queries = ev.read_queries(data / "queries.tsv")
    qrels = ev.read_qrels(data / "qrels.txt")
    run_one = ev.run_of(one, queries, k=100)
    run_many = ev.run_of(sharded, queries, k=100)
    assert run_one == run_many
    assert ev.evaluate(run_one, qrels)["mean"] == ev.evaluate(run_many, qrels)["mean"]


def wikipedia_slice(n):
    corpus = os.environ.get("RAPPORT_SHARED_CORPORA", str(pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "corpora"))
    path = pathlib.Path(corpus) / "wikipedia-2021-passages" / "docs.jsonl.zst"
    if not path.exists() or shutil.which("zstd") is None:
        return None
    return ev.read_docs(path, limit=n)


def test_wikipedia_slice_sharded_equals_one_index(client, tmp_path):
    docs = wikipedia_slice(3000)
    if docs is None:
        pytest.skip("the dev Wikipedia passages are not on this machine")
    one = rapport.Index.create(tmp_path / "one")
    with one.writer() as w:
        w.add_many(docs)
    sharded = distributed.build(client, docs, tmp_path / "sharded", shards=4)
    for q in ["what is the capital of france", "world war", "river in europe", "album released*", "footbal~1 club"]:
        for kwargs in ({"k": 10}, {"k": 20, "articles": True, "count_total": True}):
            same(one.search(q, **kwargs), sharded.search(q, **kwargs), sharded)


def test_a_failed_shard_build_leaves_nothing(client, tmp_path):
    docs = synthetic_articles(80, seed=3)
    docs[65]["views"] = "many"  # a wrong type in the last partition
    with pytest.raises(rapport.InvalidArgumentError, match="views"):
        distributed.build(client, docs, tmp_path / "bad", shards=4, schema=SCHEMA)
    left = sorted(p.name for p in (tmp_path / "bad").iterdir())
    assert left == []  # no shard, no temporary folder, no shards.json


def test_a_killed_worker_is_survived_with_replicas_and_reported_without(tmp_path):
    cluster = dd.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = dd.Client(cluster)
    try:
        docs = synthetic_articles(200, seed=5)
        one = rapport.Index.create(tmp_path / "one", schema=SCHEMA)
        with one.writer() as w:
            w.add_many(docs)
        replicated = distributed.build(c, docs, tmp_path / "sharded", shards=4, schema=SCHEMA, replicas=2)
        single = distributed.open(c, tmp_path / "sharded", replicas=1)
        same(one.search("trust", k=10), replicated.search("trust", k=10), replicated)
        victim = sorted(c.scheduler_info()["workers"])[1]
        pid = c.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        # Replicas: every shard still answers, the same answer.
        same(one.search("trust", k=10, facets=["topic"]), replicated.search("trust", k=10, facets=["topic"]), replicated)
        # No replica: a clear error naming the shard, never a silently partial answer...
        with pytest.raises(distributed.ShardUnavailableError, match="shard"):
            single.search("trust", k=10)
        # ...unless asked for, and then flagged.
        partial = single.search("trust", k=10, allow_partial=True)
        assert partial.partial and partial.missing_shards
        assert all(h.index not in partial.missing_shards for h in partial.hits)
    finally:
        c.close()
        cluster.close()


def test_build_from_a_bag_and_from_partitioned_jsonl(client, tmp_path):
    import json

    import dask.bag as db

    docs = synthetic_articles(150, seed=9)
    one = rapport.Index.create(tmp_path / "one", schema=SCHEMA)
    with one.writer() as w:
        w.add_many(docs)
    files = []
    for n, (begin, end) in enumerate(((0, 50), (50, 110), (110, 150))):
        files.append(tmp_path / f"part-{n}.jsonl")
        files[-1].write_text("".join(json.dumps(d) + "\n" for d in docs[begin:end]), encoding="utf-8")
    from_files = distributed.build(client, [str(f) for f in files], tmp_path / "files", schema=SCHEMA)
    from_bag = distributed.build(client, db.from_sequence(docs, npartitions=3), tmp_path / "bag", schema=SCHEMA)
    assert len(from_files) == 3 and len(from_bag) == 3
    for q in ["trust", "refund order", "caf*"]:
        for kwargs in ({"k": 10}, {"k": 5, "facets": ["topic"], "articles": True}):
            same(one.search(q, **kwargs), from_files.search(q, **kwargs), from_files)
            same(one.search(q, **kwargs), from_bag.search(q, **kwargs), from_bag)


def test_prefix_and_fuzzy_terms_count_every_shard_under_stemming(client, tmp_path):
    # Shard 0 spells "connection" and "café", shard 1 only "connected" and "cafe": the same terms
    # under English stemming and accent folding, reached by "connecti*" and "café*" from shard 0's
    # words only. The second statistics round counts shard 1's passages too.
    texts = ["the connection failed at the café", "a connection to the cafe menu", "connections and cafés",
             "we connected the router", "the cafe was connected late", "connected twice", "nothing here"]
    docs = [{"id": f"e{i}", "title": "", "text": t} for i, t in enumerate(texts)]
    one = rapport.Index.create(tmp_path / "one", fold_accents=True)
    with one.writer() as w:
        w.add_many(docs)
    sharded = distributed.build(client, docs, tmp_path / "sharded", shards=2, fold_accents=True)
    for q in ["connecti*", "café*", "conection~1", "caf~1 connect*"]:
        a = one.search(q, k=10, count_total=True)
        assert a.hits
        same(a, sharded.search(q, k=10, count_total=True), sharded)
