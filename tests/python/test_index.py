# SPDX-License-Identifier: MIT
# The Python package: creating, writing (context manager commits or discards), searching with
# filters, facets, sorting and paging, snippets in str indices, stored values, errors mapped to
# Python exceptions, reopening, and threads (search_many and concurrent Index.search).
import concurrent.futures
import json
import math

import numpy as np
import pytest

import rapport

from conftest import SCHEMA


def test_index_counts_and_schema(index, articles):
    assert index.article_count == len(articles)
    assert index.passage_count >= len(articles)
    names = [f["name"] for f in index.schema["fields"]]
    assert {"title", "body", "topic", "views", "updated"} <= set(names)
    assert "kb" in repr(index)


def test_search_returns_scored_hits_with_text_and_values(index, articles):
    by_id = {a["id"]: a for a in articles}
    result = index.search("refund order", k=10)
    assert 0 < len(result) <= 10
    scores = [h.score for h in result]
    assert scores == sorted(scores, reverse=True)
    for h in result:
        a = by_id[h.article]
        assert h.text in a["text"]
        assert h.title == a["title"]
        assert h.fields["topic"] == [a["topic"]]
        assert h.fields["views"] == a["views"]
        assert h.fields["updated"].startswith(a["updated"])
        assert ("meta" in h.fields) == ("meta" in a)
        if "meta" in a:
            assert h.fields["meta"] == a["meta"]
        # Snippets: str indices, so slicing gives the matched words, accents included.
        assert h.text[h.snippet_start:h.snippet_start + len(h.snippet)] == h.snippet
        assert h.matches
        for start, end in h.matches:
            assert h.snippet[start:end].lower() in ("refund", "order", "refunds", "orders")
        assert h.snippet_marked().count("[") == len(h.matches)


def test_snippet_offsets_are_str_indices_with_accents(tmp_path):
    idx = rapport.Index.create(tmp_path / "acc")
    with idx.writer() as w:
        w.add({"id": "x", "title": "t", "text": "Le café est très naïve et le résumé est café."})
    h = idx.search("café")[0]
    assert [h.snippet[s:e] for s, e in h.matches] == ["café", "café"]


def test_filters_facets_sort_and_paging(index, articles):
    r = index.search("trust", k=500, filter="topic:billing", count_total=True)
    assert r.hits and all(h.fields["topic"] == ["billing"] for h in r.hits)
    assert r.total == len(r.hits)
    # The filter as a clause of the query is the same filter.
    r2 = index.search("trust topic:billing", k=500)
    assert [(h.passage, h.score) for h in r2.hits] == [(h.passage, h.score) for h in r.hits]
    # Facets over every match.
    f = index.search("trust", k=1, facets=["topic", "updated:year", {"field": "views", "ranges": [("", "1000"), ("1000", "")]}],
                     count_total=True)
    topic = f.facet("topic")
    assert sum(c for _, c in topic.counts) + topic.other + topic.missing == f.total
    years = f.facet("updated").counts
    assert [y for y, _ in years] == sorted(y for y, _ in years)
    views = f.facet("views")
    assert sum(c for _, c in views.counts) + views.other + views.missing == f.total
    # Sorting by a field, descending, ties by score.
    s = index.search("trust", k=50, sort="-views")
    values = [h.fields["views"] for h in s.hits]
    assert values == sorted(values, reverse=True)
    # Paging with search_after covers the hits of one long page, in order, once.
    whole = index.search("customer", k=60)
    seen, after = [], None
    while True:
        page = index.search("customer", k=7, search_after=after)
        if not page.hits or len(seen) >= 60:
            break
        seen += [h.passage for h in page.hits]
        after = page.hits[-1].cursor
    assert seen[:60] == [h.passage for h in whole.hits]
    # offset
    assert [h.passage for h in index.search("customer", k=5, offset=5).hits] == [h.passage for h in whole.hits[5:10]]


def test_articles_collapse(index):
    r = index.search("customer service", k=20, articles=True)
    ids = [h.article for h in r.hits]
    assert len(ids) == len(set(ids)) == 20


def test_fields_modes_and_explain(index):
    body = index.search("trust", k=5, fields=["body"])
    both = index.search("trust", k=5, fields={"body": 1.0, "title": 2.0})
    assert body.hits and both.hits
    assert [h.score for h in body.hits] != [h.score for h in both.hits]
    every = index.search("trust loyalty", k=50, mode="all")
    for h in every.hits:
        assert "trust" in h.text.lower() + h.title.lower() and "loyalty" in h.text.lower() + h.title.lower()
    e = index.search("trust", k=1, explain=True)[0]
    assert e.explanation and "trust" in e.explanation


def test_writer_context_manager_commits_or_discards(tmp_path):
    idx = rapport.Index.create(tmp_path / "w")
    with idx.writer() as w:
        w.add({"id": "1", "title": "a", "text": "alpha beta"})
    assert idx.article_count == 1
    with pytest.raises(RuntimeError):
        with idx.writer() as w:
            w.add({"id": "2", "title": "b", "text": "gamma delta"})
            raise RuntimeError("boom")
    assert idx.article_count == 1
    assert len(idx.search("gamma")) == 0
    # add replaces by id; delete removes.
    with idx.writer() as w:
        w.add({"id": "1", "title": "a", "text": "epsilon"})
    assert len(idx.search("alpha")) == 0 and len(idx.search("epsilon")) == 1
    with idx.writer() as w:
        w.delete("1")
    assert len(idx.search("epsilon")) == 0
    # Reopened from disk: the same commit.
    again = rapport.Index.open(tmp_path / "w")
    assert again.live_passage_count == 0


def test_errors_are_python_exceptions(tmp_path, index):
    with pytest.raises(rapport.IOError):
        rapport.Index.open(tmp_path / "missing")
    assert issubclass(rapport.IOError, OSError) and issubclass(rapport.IOError, rapport.Error)
    with pytest.raises(rapport.QuerySyntaxError):
        index.search("trust", filter="topic:(billing")
    with pytest.raises(rapport.InvalidArgumentError):
        index.search("trust", facets=["nosuchfield"])
    with pytest.raises(ValueError):
        index.search("trust", k=-1)
    with pytest.raises(rapport.InvalidArgumentError):
        index.search("trust", sort="title")
    idx = rapport.Index.create(tmp_path / "e", schema=SCHEMA)
    with pytest.raises(rapport.InvalidArgumentError, match="views"):
        with idx.writer() as w:
            w.add({"id": "1", "text": "x", "views": "many"})
    with pytest.raises(rapport.InvalidArgumentError):
        with idx.writer() as w:
            w.add({"id": "1", "text": "x", "unknown": 1})
    assert idx.article_count == 0  # nothing of a failed writer landed
    with pytest.raises(rapport.IOError):
        rapport.Index.create(index.path)  # an existing index is not overwritten
    # A damaged file: CorruptionError, never a crash.
    import pathlib
    victim = rapport.Index.create(tmp_path / "c")
    with victim.writer() as w:
        w.add({"id": "1", "title": "a", "text": "alpha beta gamma " * 50})
    files = [p for p in pathlib.Path(victim.path).iterdir() if p.is_file() and p.suffix not in ("", ".lock")]
    assert files
    for p in files:
        data = bytearray(p.read_bytes())
        if len(data) > 40:
            data[len(data) // 2] ^= 0xFF
            p.write_bytes(bytes(data))
    with pytest.raises((rapport.CorruptionError, rapport.FormatVersionError)):
        rapport.Index.open(victim.path).search("alpha")
    with pytest.raises(rapport.InvalidArgumentError):
        rapport.merge_statistics([])


def test_search_many_matches_search_and_uses_threads(index):
    queries = ["trust", "refund order", "customer service loyalty", "zzzz", "café"]
    for threads in (1, 2):
        ids, scores = index.search_many(queries, k=8, threads=threads)
        assert ids.shape == (5, 8) and scores.shape == (5, 8)
        assert ids.dtype == np.int64 and scores.dtype == np.float64
        for q, row_ids, row_scores in zip(queries, ids, scores):
            hits = index.search(q, k=8).hits
            assert list(row_ids[: len(hits)]) == [h.passage for h in hits]
            assert list(row_scores[: len(hits)]) == [h.score for h in hits]
            assert all(i == -1 for i in row_ids[len(hits):]) and all(math.isnan(s) for s in row_scores[len(hits):])
    assert index.article_of(int(ids[0][0])) == index.search("trust", k=1)[0].article
    # Python threads searching one index at once get the same answers.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda q: [h.passage for h in index.search(q, k=10)], queries * 8))
    assert results == [[h.passage for h in index.search(q, k=10)] for q in queries * 8]


def test_statistics_round_trip(index):
    s = index.statistics("trust customer*")
    d = json.loads(s)
    assert d["passages"] == index.passage_count
    assert any(k == "trust" for k, _ in d["doc_freqs"])
    merged = rapport.merge_statistics([s, s])
    assert json.loads(merged)["passages"] == 2 * index.passage_count
    own = index.search("trust customer*", k=5, statistics=s)
    assert [h.score for h in own.hits] == [h.score for h in index.search("trust customer*", k=5).hits]
    doubled = index.search("trust customer*", k=5, statistics=merged)
    assert [h.score for h in doubled.hits] != [h.score for h in own.hits]
    with pytest.raises(rapport.InvalidArgumentError, match="lack"):
        index.search("loyalty", statistics=s)


def test_index_sorted_by_a_field_answers_as_the_unsorted_one(tmp_path, articles):
    # schema "sort": each segment holds its articles newest first; hits and scores do not change.
    plain = rapport.Index.create(tmp_path / "plain", schema=SCHEMA)
    ordered = rapport.Index.create(tmp_path / "sorted", schema=dict(SCHEMA, sort="-updated"))
    for idx in (plain, ordered):
        with idx.writer() as w:
            for a in articles:
                w.add(a)
    assert ordered.schema["sort"] == "-updated"
    assert "sort" not in plain.schema
    for q, f in [("trust", None), ("refund order", "topic:billing"), ("customer service", "views:>=100"), ("café", None)]:
        want = {(h.article, h.ordinal, h.score) for h in plain.search(q, k=1000, filter=f)}
        got = {(h.article, h.ordinal, h.score) for h in ordered.search(q, k=1000, filter=f)}
        assert got == want and want
    with pytest.raises(rapport.InvalidArgumentError, match="sort by a keyword"):
        rapport.Index.create(tmp_path / "bad", schema=dict(SCHEMA, sort="meta"))
