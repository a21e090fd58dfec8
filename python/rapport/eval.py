# SPDX-License-Identifier: MIT
"""Evaluation as trec_eval 9 computes it: qrels, runs, topics and the standard measures.

    qrels = rapport.eval.read_qrels("qrels.txt")
    run = {qid: [(docno, score), ...], ...}
    rapport.eval.evaluate(run, qrels)["mean"]["map"]
"""

from __future__ import annotations

import os
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _rapport

__all__ = ["read_qrels", "read_run", "write_run", "read_queries", "read_docs", "evaluate", "run_of"]

Run = Dict[str, List[Tuple[str, float]]]
Qrels = Dict[str, Dict[str, int]]


def read_qrels(path: Union[str, os.PathLike]) -> Qrels:
    """TREC qrels (``qid iter docno grade``) as {qid: {docno: grade}}."""
    return _rapport.read_qrels(os.fspath(path))


def read_run(path: Union[str, os.PathLike]) -> Run:
    """A TREC run (``qid Q0 docno rank score tag``) as {qid: [(docno, score), ...]}."""
    return _rapport.read_run(os.fspath(path))


def write_run(path: Union[str, os.PathLike], run: Mapping[str, Sequence[Tuple[str, float]]], tag: str = "rapport") -> None:
    """Writes ``run`` as a TREC run file, ranked as trec_eval ranks it."""
    _rapport.write_run(os.fspath(path), {q: list(v) for q, v in run.items()}, tag)


def read_queries(path: Union[str, os.PathLike]) -> List[Tuple[str, str]]:
    """A ``qid<TAB>text`` topics file as [(qid, text), ...]."""
    return _rapport.read_queries(os.fspath(path))


def read_docs(path: Union[str, os.PathLike], limit: Optional[int] = None) -> List[dict]:
    """A collection's ``docs.jsonl`` (or ``docs.jsonl.zst``, decompressed by the ``zstd`` tool) as
    article dicts with ``id``, ``title`` and ``text``, the first ``limit`` of them (None: all)."""
    import json
    import subprocess

    out: List[dict] = []
    path = os.fspath(path)
    if path.endswith(".zst"):
        with subprocess.Popen(["zstd", "-dc", path], stdout=subprocess.PIPE, text=True, encoding="utf-8") as p:
            for line in p.stdout:
                if limit is not None and len(out) == limit:
                    break
                if line.strip():
                    d = json.loads(line)
                    out.append({"id": d["id"], "title": d.get("title", ""), "text": d["text"]})
            p.kill()
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            if limit is not None and len(out) == limit:
                break
            if line.strip():
                d = json.loads(line)
                out.append({"id": d["id"], "title": d.get("title", ""), "text": d["text"]})
    return out


def evaluate(run: Mapping[str, Sequence[Tuple[str, float]]], qrels: Mapping[str, Mapping[str, int]],
             complete: bool = False, relevance_level: int = 1) -> dict:
    """trec_eval's map, ndcg@10, P@10, MRR@10, R@100 and R@1000: {"mean": {...}, "per_query": {qid: {...}}}.
    ``complete`` is trec_eval's -c, ``relevance_level`` its -l."""
    return _rapport.evaluate({q: list(v) for q, v in run.items()}, {q: dict(v) for q, v in qrels.items()}, complete, relevance_level)


def run_of(index, queries: Sequence[Tuple[str, str]], k: int = 1000, **search) -> Run:
    """The run of ``queries`` over ``index`` (an ``Index`` or ``distributed.ShardedIndex``): each
    query's ``k`` best articles with their scores, as ``rapport search --format trec`` writes."""
    return {qid: [(h.article, h.score) for h in index.search(text, k=k, articles=True, **search).hits] for qid, text in queries}
