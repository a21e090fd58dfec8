# SPDX-License-Identifier: MIT
# Threads: search_many releases the GIL while its C++ threads search (other Python threads run
# meanwhile), gives per-query rows equal to Index.search's for any thread count and any options it
# takes, reports a failing query as its Python exception, and searches stay consistent while a
# writer commits and the index moves to the new snapshot.
import math
import threading
import time

import numpy as np
import pytest

import rapport

from conftest import WORDS


def test_search_many_releases_the_gil(index):
    queries = [f"{a} {b}" for a in WORDS for b in WORDS] * 40
    done = threading.Event()
    took = []

    def batch():
        t0 = time.perf_counter()
        index.search_many(queries, k=10, threads=2)
        took.append(time.perf_counter() - t0)
        done.set()

    worker = threading.Thread(target=batch)
    ticks = [time.perf_counter()]
    worker.start()
    while not done.is_set():
        time.sleep(0.001)
        ticks.append(time.perf_counter())
    worker.join()
    ticks.append(time.perf_counter())
    assert took and took[0] > 0.05, f"the batch was too short to tell ({took})"
    # Holding the GIL for the whole batch would leave one gap of the batch's length between ticks
    # (checked against a C call that holds it: one gap of the call's length, two ticks).
    gaps = np.diff(ticks)
    assert len(ticks) > 5 and gaps.max() < 0.5 * took[0], (len(ticks), gaps.max(), took[0])


def test_search_many_rows_equal_search_with_options(index):
    queries = ["trust", "refund order", "customer service loyalty", "café", "zzzz", "billing invoice delay"]
    options = [dict(), dict(filter="topic:billing"), dict(articles=True), dict(fields=["title"]),
               dict(fields={"body": 1.0, "title": 3.0}), dict(mode="all"), dict(k=1), dict(k=25)]
    for o in options:
        k = o.get("k", 10)
        search = {key: value for key, value in o.items() if key != "k"}
        for threads in (1, 2, 7):
            ids, scores = index.search_many(queries, threads=threads, k=k, **search)
            assert ids.shape == scores.shape == (len(queries), k)
            for q, row_ids, row_scores in zip(queries, ids, scores):
                hits = index.search(q, k=k, **search).hits
                assert row_ids[: len(hits)].tolist() == [h.passage for h in hits], (o, q)
                assert row_scores[: len(hits)].tolist() == [h.score for h in hits], (o, q)
                assert (row_ids[len(hits):] == -1).all() and all(math.isnan(s) for s in row_scores[len(hits):])


def test_search_many_filter_holds_in_every_row(index, articles):
    by_id = {a["id"]: a for a in articles}
    ids, _ = index.search_many(["trust", "refund order", "login password"], k=50, filter="topic:refund", threads=2)
    assert (ids >= 0).sum() > 10
    for passage in ids[ids >= 0]:
        assert by_id[index.article_of(int(passage))]["topic"] == "refund"


def test_search_many_errors_and_edges(index):
    with pytest.raises(rapport.QuerySyntaxError):
        index.search_many(["trust", "refund"], filter="topic:(billing", threads=2)
    with pytest.raises(rapport.QuerySyntaxError, match="nosuchfield"):
        index.search_many(["trust"], filter="nosuchfield:x")
    with pytest.raises(ValueError):
        index.search_many(["trust"], k=-3)
    with pytest.raises(TypeError):
        index.search_many(["trust"], facets=["topic"])
    ids, scores = index.search_many([], k=4, threads=2)
    assert ids.shape == scores.shape == (0, 4)
    ids, scores = index.search_many(["trust"] * 3, k=0)
    assert ids.shape == (3, 0)
    # More threads than queries, and a generator of queries.
    ids, _ = index.search_many((q for q in ["trust", "login"]), k=3, threads=16)
    assert ids.shape == (2, 3) and (ids[:, 0] >= 0).all()


def test_searches_while_a_writer_commits(tmp_path):
    idx = rapport.Index.create(tmp_path / "live")
    with idx.writer() as w:
        w.add_many({"id": f"d{i}", "title": "", "text": f"common words number {i} trust"} for i in range(200))
    stop = threading.Event()
    failures = []
    counts = [[] for _ in range(3)]  # per thread: hits of "newword", as each search saw the index

    def searcher(mine):
        try:
            while not stop.is_set():
                ids, _ = idx.search_many(["common trust", "newword"], k=5, threads=2)
                mine.append(int((ids[1] >= 0).sum()))
                assert (ids[0] >= 0).all()
        except Exception as e:  # reported below: an assertion in a thread would be lost
            failures.append(e)

    pool = [threading.Thread(target=searcher, args=(mine,)) for mine in counts]
    for t in pool:
        t.start()
    for round_ in range(5):
        with idx.writer() as w:
            w.add({"id": f"new{round_}", "title": "", "text": "newword appears here"})
        time.sleep(0.02)
    stop.set()
    for t in pool:
        t.join()
    assert not failures, failures
    for mine in counts:
        # A thread sees commits in order, never one undone; each commit adds one article.
        assert mine and mine == sorted(mine) and set(mine) <= set(range(6))
    assert len(idx.search("newword", k=10).hits) == 5
