# SPDX-License-Identifier: MIT
"""Sharded rapport indexes on Dask: one shard per partition, searched as one index.

A sharded index is a folder holding one rapport index per shard (``shard-0000``, ``shard-0001``, ...)
and ``shards.json``, which lists them in order with their passage counts. ``build`` writes it. Each
partition of the input becomes one shard, which a Dask worker writes into a temporary folder beside
its final place and renames only once it is committed, so a failed build leaves no half-written
shard. ``shards.json`` is written last, atomically, only when every shard is built.

``open`` places each shard (``replicas`` copies of it, on different workers where the cluster has
enough) on the workers and starts one actor per worker, which keeps the shards placed there open
between queries; a phase of a query is one call per worker. ``ShardedIndex.search`` runs
query-then-fetch over global statistics:

1. Every shard exports the collection statistics of the query (N, field lengths, the dfs and
   expansions of its terms: ``Index.statistics``), and the client sums them. When the query has
   prefix or fuzzy terms, a second round asks every shard for its dfs of every merged expansion
   term (a shard's own words may not reach a term it holds: stemming, accent folding).
2. Every shard scores with the summed statistics and numbers its passages from its base (the
   passage counts of the shards before it). It returns its best ``offset + k`` hits and its facet
   counts over every value, and the client merges them.

The answer is the one a single index would give if it held every shard's passages in shard order:
the same hits with the same scores, totals and facet counts (README "Scaling out").

When every actor of a shard is lost, the query raises ``ShardUnavailableError``, which names the
shard. With ``allow_partial=True`` it instead returns the other shards' answer, flagged ``partial``
and scored with their statistics only. A query that fails on an actor is retried on the shard's
next replica.
"""

from __future__ import annotations

import builtins
import json
import os
import shutil
import uuid
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

import rapport as _rapport
from rapport import _rapport as _core

__all__ = ["build", "open", "ShardedIndex", "ShardUnavailableError", "SHARDS_FILE"]

SHARDS_FILE = "shards.json"


class ShardUnavailableError(_rapport.Error):
    """No replica of a shard could answer (their workers were lost) and partial answers were not
    allowed."""


# ---------------------------------------------------------------------------- building


def _shard_name(i: int) -> str:
    return f"shard-{i:04d}"


def _build_shard(records: Iterable[Mapping[str, Any]], path: str, create: Dict[str, Any]) -> Dict[str, Any]:
    """Runs on a worker: writes ``records`` as one index at ``path``, atomically (a temporary
    folder renamed once committed; removed if anything fails)."""
    final = os.path.abspath(path)
    if os.path.exists(final):
        raise FileExistsError(f"{final}: a shard already exists there")
    temporary = f"{final}.tmp-{uuid.uuid4().hex}"
    try:
        index = _rapport.Index.create(temporary, **create)
        with index.writer() as w:
            w.add_many(records)
        counts = {"passages": index.passage_count, "articles": index.article_count}
        del index
        os.rename(temporary, final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return counts


def _delayed_partitions(docs_or_bag: Any, shards: Optional[int]):
    import dask.bag as db

    if isinstance(docs_or_bag, db.Bag):
        bag = docs_or_bag
    elif isinstance(docs_or_bag, (str, os.PathLike)) or (
        isinstance(docs_or_bag, (list, tuple)) and docs_or_bag and isinstance(docs_or_bag[0], (str, os.PathLike))
    ):
        # Partitioned JSONL: a path, a glob or a list of them (one partition per file).
        paths = [os.fspath(docs_or_bag)] if isinstance(docs_or_bag, (str, os.PathLike)) else [os.fspath(p) for p in docs_or_bag]
        bag = db.read_text(paths).filter(lambda line: line.strip() != "").map(json.loads)
    else:
        docs = list(docs_or_bag)
        n = max(1, shards or 1)
        if not docs:
            raise _rapport.InvalidArgumentError("build: no articles given")
        # Contiguous runs in input order, one per shard.
        size = -(-len(docs) // n)
        bag = db.from_sequence(docs, partition_size=size)
    if shards is not None and bag.npartitions != shards:
        bag = bag.repartition(npartitions=shards)
    return bag.to_delayed()


def build(client, docs_or_bag, path, shards: Optional[int] = None, schema=None, replicas: int = 1, **create) -> "ShardedIndex":
    """Builds a sharded index at ``path`` and opens it (``open``).

    ``docs_or_bag`` is a ``dask.bag`` of article dicts, a sequence of article dicts (cut into
    ``shards`` contiguous runs) or partitioned JSONL (paths or a glob, one partition per file).
    Each partition becomes one shard (``shards`` repartitions) and is written by a worker, so
    ``path`` must be reachable by every worker (a shared file system on real machines).
    ``schema`` and ``create`` go to ``rapport.Index.create``.

    When a shard fails, this raises its error after removing every shard of this build; no
    ``shards.json`` is written."""
    import dask

    root = os.path.abspath(os.fspath(path))
    if os.path.exists(os.path.join(root, SHARDS_FILE)):
        raise _rapport.IOError(f"{root}: a sharded index already exists there")
    os.makedirs(root, exist_ok=True)
    create = dict(create, schema=schema)
    parts = _delayed_partitions(docs_or_bag, shards)
    tasks = [dask.delayed(_build_shard, pure=False)(part, os.path.join(root, _shard_name(i)), create) for i, part in enumerate(parts)]
    try:
        built = client.gather(client.compute(tasks))
    except BaseException:
        for i in range(len(parts)):
            shutil.rmtree(os.path.join(root, _shard_name(i)), ignore_errors=True)
        raise
    manifest = {"format": 1, "shards": [dict(path=_shard_name(i), **b) for i, b in enumerate(built)]}
    temporary = os.path.join(root, f".{SHARDS_FILE}.tmp-{uuid.uuid4().hex}")
    with builtins.open(temporary, "w", encoding="utf-8") as f:
        json.dump(manifest, f)
        f.flush()
        os.fsync(f.fileno())
    os.rename(temporary, os.path.join(root, SHARDS_FILE))
    return open(client, root, replicas=replicas)


# ---------------------------------------------------------------------------- searching


class _Shard:
    """One shard kept open."""

    def __init__(self, path: str):
        self.index = _rapport.Index.open(path)

    def info(self) -> Dict[str, Any]:
        return {"passages": self.index.passage_count, "schema": self.index.schema}

    def statistics(self, queries: List[str], options: Dict[str, Any], expansions: Optional[List[Optional[str]]] = None) -> List[str]:
        rounds = expansions or [None] * len(queries)
        return [self.index._h.statistics(q, statistics=e, **options) for q, e in zip(queries, rounds)]

    def search(self, queries: List[str], options: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [self.index._h.search(q, **o) for q, o in zip(queries, options)]


class _Host:
    """The actor of one worker: the shards (or replicas) placed there, so that a phase of a query
    costs one call per worker rather than one per shard."""

    def __init__(self, paths: Dict[int, str]):
        self.shards = {i: _Shard(p) for i, p in paths.items()}

    def run(self, method: str, calls: List[Any]) -> Dict[int, Any]:
        return {i: getattr(self.shards[i], method)(*args) for i, args in calls}


def _paths_of(path_or_paths) -> List[str]:
    if isinstance(path_or_paths, (str, os.PathLike)):
        root = os.path.abspath(os.fspath(path_or_paths))
        listing = os.path.join(root, SHARDS_FILE)
        if os.path.exists(listing):
            with builtins.open(listing, encoding="utf-8") as f:
                return [os.path.join(root, s["path"]) for s in json.load(f)["shards"]]
        return [root]  # one plain index
    return [os.path.abspath(os.fspath(p)) for p in path_or_paths]


def open(client, path_or_paths, replicas: int = 1, timeout: float = 60.0) -> "ShardedIndex":
    """Opens a sharded index on the cluster of ``client``: a folder ``build`` wrote, or a list of
    index folders (the shards, in order). Places ``replicas`` copies of each shard on distinct
    workers (while there are enough) and starts one actor per worker to hold them open."""
    if replicas < 1:
        raise _rapport.InvalidArgumentError("open: replicas must be at least 1")
    paths = _paths_of(path_or_paths)
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        raise _rapport.IOError("open: the cluster has no worker")
    # Replica r of shard i lives on worker (i + r) mod |workers|: replicas of a shard on distinct
    # workers while there are enough. One actor per worker hosts all it holds.
    placed: Dict[str, Dict[int, str]] = {}
    where: List[List[str]] = []
    for i, p in enumerate(paths):
        where.append([])
        for r in range(replicas):
            w = workers[(i + r) % len(workers)]
            if i in placed.get(w, {}):
                continue  # fewer workers than replicas: one copy per worker
            placed.setdefault(w, {})[i] = p
            where[i].append(w)
    futures = {w: client.submit(_Host, held, actor=True, workers=[w], allow_other_workers=False, pure=False)
               for w, held in placed.items()}
    hosts = {w: f.result(timeout=timeout) for w, f in futures.items()}
    actors = [[(w, hosts[w]) for w in ws] for ws in where]
    return ShardedIndex(client, paths, actors, timeout)


def _cursor_key(cursor: str, numeric: bool, descending: bool):
    """The order of an entry (search/request.cpp `order`) from its cursor
    ``p|m:value:hexscore:globalid``: missing values last, the value, the score descending, the id."""
    present, value, score, docid = cursor.split(":")
    rest = (-float.fromhex(score), int(docid))
    if present == "m":
        return (1, 0) + rest
    if numeric:
        v = int(value)
        return (0, -v if descending else v) + rest
    raw = bytes.fromhex(value)
    return (0, _Descending(raw) if descending else raw) + rest


class _Descending:
    __slots__ = ("b",)

    def __init__(self, b: bytes):
        self.b = b

    def __lt__(self, other: "_Descending") -> bool:
        return self.b > other.b

    def __eq__(self, other) -> bool:
        return self.b == other.b


class ShardedIndex:
    """Shards on a Dask cluster searched as one index (see the module comment)."""

    def __init__(self, client, paths: Sequence[str], actors: List[List[Any]], timeout: float):
        self.client = client
        self.paths = list(paths)
        self._actors = actors
        self._timeout = timeout
        found, _ = self._each(range(len(paths)), "info", lambda i: (), False)
        infos = [found[i] for i in range(len(paths))]
        self.schema = infos[0]["schema"]
        self._types = {f["name"]: f["type"] for f in self.schema["fields"]}
        self.shard_passages = [info["passages"] for info in infos]
        self.bases = [sum(self.shard_passages[:i]) for i in range(len(paths))]

    @property
    def passage_count(self) -> int:
        return sum(self.shard_passages)

    def __len__(self) -> int:
        return len(self.paths)

    def _each(self, shards: Sequence[int], method: str, make_args, allow_partial: bool):
        """Calls ``method`` on every shard of ``shards`` at once, one call per worker, each shard on
        its first replica; a worker that fails (it died: OSError, CommClosedError, a timeout) has
        its shards retried on their next replicas. Returns {shard: answer} and the shards that no
        replica could answer; raises ShardUnavailableError for those unless ``allow_partial``.
        Errors of rapport itself (a bad query) are raised as they are."""
        attempt = {i: 0 for i in shards}
        answers: Dict[int, Any] = {}
        lost: List[int] = []
        while attempt:
            by_host: Dict[str, Any] = {}
            for i, r in list(attempt.items()):
                if r >= len(self._actors[i]):
                    del attempt[i]
                    lost.append(i)
                    continue
                name, host = self._actors[i][r]
                by_host.setdefault(name, (host, []))[1].append(i)
            started = {}
            for name, (host, held) in by_host.items():
                try:
                    started[name] = host.run(method, [(i, make_args(i)) for i in held])
                except Exception as e:  # the worker is already known lost
                    started[name] = e
            for name, (host, held) in by_host.items():
                try:
                    future = started[name]
                    if isinstance(future, Exception):
                        raise future
                    answers.update(future.result(timeout=self._timeout))
                    for i in held:
                        del attempt[i]
                except _rapport.Error:
                    raise  # the shard answered: a bad query, not a lost worker
                except Exception:
                    for i in held:
                        attempt[i] += 1
        if lost and not allow_partial:
            lost.sort()
            raise ShardUnavailableError(
                "shard " + ", ".join(f"{i} ({self.paths[i]})" for i in lost) + ": no replica answered (its workers were lost)")
        return answers, sorted(lost)

    def _statistics(self, queries: List[str], scoring: Dict[str, Any], allow_partial: bool):
        """Phase 1: every query's statistics merged over the shards, in a second round for the
        queries whose prefix or fuzzy terms expand (a shard whose words do not reach a term still
        counts its passages with it: ``Index.statistics``). Returns them and the shards lost."""
        stats, lost = self._each(range(len(self.paths)), "statistics", lambda i: (queries, scoring), allow_partial)
        live = sorted(stats)
        merged = [_rapport.merge_statistics([stats[i][n] for i in live]) for n in range(len(queries))]
        again = [m if json.loads(m)["expansions"] else None for m in merged]
        if any(again) and len(live) > 1:
            second, more = self._each(live, "statistics", lambda i: (queries, scoring, again), allow_partial)
            lost = sorted(set(lost) | set(more))
            for n, m in enumerate(again):
                if m is not None:
                    merged[n] = _rapport.merge_statistics([second[i][n] for i in sorted(second)])
        return merged, lost

    def statistics(self, q: str, fields=None, mode: str = "any", bm25f: bool = False) -> str:
        """The merged collection statistics of every shard for ``q``."""
        merged, _ = self._statistics([q], {"fields": fields, "mode": mode, "bm25f": bm25f}, False)
        return merged[0]

    def search(self, q: str, k: int = 10, **kwargs) -> _rapport.SearchResult:
        """As ``rapport.Index.search`` over the union of the shards (query-then-fetch; the same
        keyword arguments, plus ``allow_partial``); each hit's ``index`` is its shard. Raises
        ShardUnavailableError when a shard has no live replica, unless ``allow_partial`` (then the
        result is flagged ``partial`` and scored over the live shards only)."""
        return self.search_many([q], k=k, **kwargs)[0]

    def search_many(
        self,
        queries: Sequence[str],
        k: int = 10,
        filter: Optional[str] = None,
        facets: Optional[Sequence[Any]] = None,
        sort: Optional[str] = None,
        fields=None,
        articles: bool = False,
        offset: int = 0,
        search_after: Optional[str] = None,
        count_total: bool = False,
        facet_articles: bool = False,
        mode: str = "any",
        bm25f: bool = False,
        snippet_bytes: int = 240,
        allow_partial: bool = False,
    ) -> List[_rapport.SearchResult]:
        """``search`` for a batch of queries in two rounds of one actor call per shard (the
        statistics of every query, then every query's page), so that the calls' overhead is paid
        once per batch rather than per query."""
        if k < 0 or offset < 0:
            raise _rapport.InvalidArgumentError("search: k and offset must be >= 0")
        queries = list(queries)
        if not queries:
            return []
        shards = range(len(self.paths))
        scoring = {"fields": fields, "mode": mode, "bm25f": bm25f}
        merged, lost = self._statistics(queries, scoring, allow_partial)
        live = [i for i in shards if i not in lost]
        requests = [self._facet_request(f) for f in (facets or [])]
        base = dict(scoring, k=k + offset, filter=filter, facets=[r["shard"] for r in requests], sort=sort, articles=articles,
                    search_after=search_after, count_total=count_total, facet_articles=facet_articles,
                    snippet_bytes=snippet_bytes)
        answers, more = self._each(
            live, "search", lambda i: (queries, [dict(base, statistics=m, passage_base=self.bases[i]) for m in merged]),
            allow_partial)
        lost = sorted(set(lost) | set(more))
        out = []
        for n in range(len(queries)):
            per_shard = {i: a[n] for i, a in answers.items()}
            with_total = count_total or any(a["total"] is not None for a in per_shard.values())
            out.append(_rapport._result(self._merge(per_shard, requests, k, offset, sort, with_total), bool(lost), lost))
        return out

    # -- merging the shards' answers

    def _facet_request(self, spec) -> Dict[str, Any]:
        """The facet as asked, and as each shard answers it: every keyword value, every bucket."""
        asked = _core.parse_facet(spec) if isinstance(spec, str) else dict(
            {"top": 10, "values": [], "interval": "", "ranges": []}, **spec)
        kind = self._types.get(asked["field"])
        shard = dict(asked)
        if kind == "keyword":
            shard["top"] = 2**62
        elif not asked["ranges"]:
            shard["top"] = 0
        return {"asked": asked, "shard": shard, "type": kind}

    def _merge(self, answers: Dict[int, Dict[str, Any]], requests, k: int, offset: int, sort: Optional[str], with_total: bool):
        numeric = False
        descending = False
        if sort:
            descending = sort.startswith("-")
            numeric = self._types.get(sort.lstrip("+-")) in ("integer", "float", "date")
        hits = []
        for i, a in answers.items():
            for h in a["hits"]:
                hits.append(dict(h, index=i))
        hits.sort(key=lambda h: _cursor_key(h["cursor"], numeric, descending))
        page = hits[offset:offset + k]
        facets = [self._merge_facet(r, [a["facets"][n] for a in answers.values()]) for n, r in enumerate(requests)]
        totals = [a["total"] for a in answers.values()]
        total = sum(totals) if with_total and totals and all(t is not None for t in totals) else None
        return {"hits": page, "facets": facets, "total": total}

    def _merge_facet(self, request, parts: List[Dict[str, Any]]) -> Dict[str, Any]:
        asked, kind = request["asked"], request["type"]
        missing = sum(p["missing"] for p in parts)
        counts: Dict[str, int] = {}
        for p in parts:
            for value, n in p["counts"]:
                counts[value] = counts.get(value, 0) + n
        if asked["ranges"]:
            labels = [lo + ".." + hi for lo, hi in asked["ranges"]]
            return {"field": asked["field"], "counts": [(l, counts.get(l, 0)) for l in labels],
                    "other": sum(p["other"] for p in parts), "missing": missing}
        if kind == "keyword":
            ranked = sorted(counts.items(), key=lambda e: (-e[1], e[0].encode()))
            listed = ranked[: asked["top"]]
            names = {v for v, _ in listed}
            listed += [(v, counts.get(v, 0)) for v in asked["values"] if v not in names]
            return {"field": asked["field"], "counts": listed,
                    "other": sum(counts.values()) - sum(n for v, n in listed if v in counts), "missing": missing}
        # Numeric buckets in bucket order: numbers by value, dates (ISO text) as text.
        order = (lambda label: float(label)) if kind in ("integer", "float") else (lambda label: label)
        buckets = sorted(counts.items(), key=lambda e: order(e[0]))
        top = asked["top"]
        shown = buckets if top == 0 else buckets[:top]
        return {"field": asked["field"], "counts": shown, "other": sum(n for _, n in buckets[len(shown):]), "missing": missing}

    def close(self) -> None:
        """Lets the actors go (their shards close when the workers drop them)."""
        self._actors = [[] for _ in self.paths]
