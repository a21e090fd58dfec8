# SPDX-License-Identifier: MIT
"""rapport: full-text passage search (ICU analysis, Snowball stemming, BM25 with safe pruning).

    import rapport
    index = rapport.Index.create("kb", schema={"fields": [{"name": "topic", "type": "keyword"}]})
    with index.writer() as w:
        w.add({"id": "a1", "title": "Trust", "text": "Business is the building of trust.", "topic": "sales"})
    for hit in index.search("building trust", k=5, facets=["topic"]).hits:
        print(hit.score, hit.article, hit.snippet_marked())

Articles are dicts as ``rapport index`` reads JSONL lines: ``id``, ``title``, ``text``, ``lang`` and
the schema's fields. Queries use rapport's query language (QUERY.md): clauses on value fields
(``topic:sales``, ``views:>=100``) filter without scoring. Errors are ``rapport.Error`` subclasses
mapped from the C++ hierarchy. Several indexes on several machines: ``rapport.distributed``.
"""

from __future__ import annotations

import json as _json
import os as _os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _rapport
from ._rapport import (
    CorruptionError,
    Error,
    FormatVersionError,
    InvalidArgumentError,
    IOError,
    QuerySyntaxError,
    SearchInterrupted,
)

__all__ = [
    "Index",
    "Writer",
    "Hit",
    "Facet",
    "SearchResult",
    "merge_statistics",
    "Error",
    "IOError",
    "CorruptionError",
    "FormatVersionError",
    "InvalidArgumentError",
    "QuerySyntaxError",
    "SearchInterrupted",
]

__version__ = "0.1.0"


@dataclass(frozen=True)
class Hit:
    """One ranked passage.

    ``snippet`` is the best window of ``text`` (starting at str index ``snippet_start`` of
    ``text``) and ``matches`` the (start, end) str indices of the matched words within ``snippet``.
    ``fields`` holds the article's values (keywords as lists, numbers, dates as ISO text, stored
    and extra text fields as written). ``index`` names the shard of a sharded search (0 otherwise);
    ``cursor`` is the ``search_after`` of the page that follows this hit."""

    score: float
    article: str
    title: str
    passage: int
    ordinal: int
    text: str
    snippet: str
    snippet_start: int
    matches: Tuple[Tuple[int, int], ...]
    fields: Dict[str, Any]
    cursor: str
    index: int = 0
    explanation: Optional[str] = None

    def snippet_marked(self, before: str = "[", after: str = "]") -> str:
        """The snippet with every match wrapped in ``before`` … ``after``."""
        out, at = [], 0
        for start, end in self.matches:
            out.append(self.snippet[at:start])
            out.append(before + self.snippet[start:end] + after)
            at = end
        out.append(self.snippet[at:])
        return "".join(out)


@dataclass(frozen=True)
class Facet:
    """The counts of one facet: ``counts`` as (value or bucket label, count), best first or in
    bucket order; ``other`` counts matches under values not listed, ``missing`` those without a value."""

    field: str
    counts: Tuple[Tuple[str, int], ...]
    other: int = 0
    missing: int = 0

    def as_dict(self) -> Dict[str, int]:
        return dict(self.counts)


@dataclass(frozen=True)
class SearchResult:
    """What a search returns: the hits of the page, the facets asked for (in request order), the
    total when asked for (``count_total``) or known, and ``partial`` (a sharded search that lost a
    shard under ``allow_partial=True``; ``missing_shards`` names them)."""

    hits: List[Hit]
    facets: List[Facet] = field(default_factory=list)
    total: Optional[int] = None
    partial: bool = False
    missing_shards: Tuple[int, ...] = ()

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, i):
        return self.hits[i]

    def facet(self, name: str) -> Facet:
        """The facet of field ``name``."""
        for f in self.facets:
            if f.field == name:
                return f
        raise KeyError(name)


def _hit(d: Mapping[str, Any]) -> Hit:
    values = dict(d["fields"])
    for name, text in d.get("json_fields", {}).items():
        values[name] = _json.loads(text)
    return Hit(
        score=d["score"],
        article=d.get("article", ""),
        title=d.get("title", ""),
        passage=d["passage"],
        ordinal=d.get("ordinal", 0),
        text=d.get("text", ""),
        snippet=d.get("snippet", ""),
        snippet_start=d.get("snippet_start", 0),
        matches=tuple(tuple(m) for m in d.get("matches", ())),
        fields=values,
        cursor=d["cursor"],
        index=d.get("index", 0),
        explanation=d.get("explanation"),
    )


def _result(d: Mapping[str, Any], partial: bool = False, missing: Sequence[int] = ()) -> SearchResult:
    return SearchResult(
        hits=[_hit(h) for h in d["hits"]],
        facets=[Facet(f["field"], tuple((v, c) for v, c in f["counts"]), f["other"], f["missing"]) for f in d["facets"]],
        total=d["total"],
        partial=partial,
        missing_shards=tuple(missing),
    )


def _line(doc: Mapping[str, Any]) -> str:
    if not isinstance(doc, Mapping):
        raise InvalidArgumentError(f"add: an article is a dict with 'id', 'title', 'text' and the schema's fields, not {type(doc).__name__}")
    return _json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class Writer:
    """A writer on an index: ``add`` / ``delete`` / ``commit``. As a context manager it commits on a
    normal exit and discards everything since the last commit on an exception; either way it releases
    the folder's lock. Not thread-safe: one writer per index at a time (a second raises IOError)."""

    def __init__(self, index: "Index", ram_mb: int = 0):
        self._index = index
        self._w = _rapport.Writer(index.path, ram_mb)

    def add(self, article: Mapping[str, Any]) -> int:
        """Adds an article (a dict as a JSONL line of ``rapport index``), replacing any article with
        the same id. Returns the number of passages it was split into. Raises InvalidArgumentError
        for a missing id, a field the schema lacks or a value of the wrong type (nothing is added)."""
        return self._w.add([_line(article)], True)

    def add_many(self, articles: Iterable[Mapping[str, Any]]) -> int:
        """``add`` for many articles in one call (faster: one crossing into C++)."""
        return self._w.add([_line(a) for a in articles], True)

    def delete(self, article_id: str) -> None:
        """Deletes the article with this id (visible after ``commit``)."""
        self._w.remove(str(article_id))

    def commit(self) -> None:
        """Makes everything added and deleted so far durable and visible atomically; the index
        object this writer came from moves to the new commit."""
        self._w.commit()
        self._index.reload()

    def close(self) -> None:
        """Releases the lock, discarding what was not committed."""
        self._w.close()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                self.commit()
        finally:
            self.close()


_FacetSpec = Union[str, Mapping[str, Any]]


class Index:
    """An index folder: search it, write to it (``writer``). ``Index.search`` and ``search_many``
    may run from many threads at once; the snapshot searched moves to a new commit on ``reload``
    (a writer of this object reloads it when it commits)."""

    def __init__(self, handle: "_rapport.Index"):
        self._h = handle

    @classmethod
    def open(cls, path: Union[str, _os.PathLike]) -> "Index":
        """Opens the index at ``path``. Raises IOError when it is not an index, CorruptionError when
        it is damaged, FormatVersionError when a newer rapport wrote it."""
        return cls(_rapport.Index(_os.fspath(path)))

    @classmethod
    def create(
        cls,
        path: Union[str, _os.PathLike],
        schema: Optional[Union[Mapping[str, Any], str]] = None,
        language: str = "english",
        stopwords: Union[None, bool, Sequence[str]] = None,
        fold_accents: Optional[bool] = None,
        case_fold: bool = True,
        passage_bytes: int = 0,
    ) -> "Index":
        """Creates an empty index at ``path`` (a new or empty folder). ``schema``: the fields besides
        title and body, as ``rapport index --schema`` reads them (a dict or its JSON text); ``language``:
        a Snowball language or ISO 639 code ("none": no stemming); ``stopwords``: None (the language's
        list), False (none) or a list; ``passage_bytes``: the longest passage (0: 1000 bytes)."""
        schema_json = None if schema is None else (schema if isinstance(schema, str) else _json.dumps(schema))
        return cls(_rapport.Index.create(_os.fspath(path), schema_json, language, stopwords, fold_accents, case_fold, passage_bytes))

    @property
    def path(self) -> str:
        """The index folder."""
        return str(self._h.path)

    @property
    def passage_count(self) -> int:
        """Passages in the snapshot, deleted ones included until a merge drops them (BM25's N)."""
        return self._h.passage_count

    @property
    def live_passage_count(self) -> int:
        """Passages in the snapshot that are not deleted."""
        return self._h.live_passage_count

    @property
    def article_count(self) -> int:
        """Articles in the snapshot."""
        return self._h.article_count

    @property
    def schema(self) -> Dict[str, Any]:
        """The index's fields, as ``rapport index --schema`` reads them (title and body included)."""
        return _json.loads(self._h.schema_json)

    def reload(self) -> None:
        """Moves to the latest commit."""
        self._h.reload()

    def writer(self, ram_mb: int = 0) -> Writer:
        """A writer on this index (``ram_mb``: the in-memory budget before a segment is flushed; 0: 64)."""
        return Writer(self, ram_mb)

    def search(
        self,
        q: str,
        k: int = 10,
        filter: Optional[str] = None,
        facets: Optional[Sequence[_FacetSpec]] = None,
        sort: Optional[str] = None,
        fields: Optional[Union[Sequence[str], Mapping[str, float]]] = None,
        explain: bool = False,
        articles: bool = False,
        offset: int = 0,
        search_after: Optional[str] = None,
        count_total: bool = False,
        facet_articles: bool = False,
        mode: str = "any",
        bm25f: bool = False,
        snippet_bytes: int = 240,
        statistics: Optional[str] = None,
    ) -> SearchResult:
        """The ``k`` best passages for query ``q`` (rapport's query language; clauses on value fields
        filter), or with ``articles=True`` the best passage of each of the ``k`` best articles.

        ``filter``: a filter expression ("topic:billing AND views:>=100"); ``facets``: fields to count
        over every match ("topic", "updated:year", "views:every=100", "price:0..10,10..", or dicts with
        field/top/values/interval/ranges); ``sort``: "field" or "-field" (ties by score); ``fields``:
        the text fields unfielded words search, a list or {name: weight}; ``offset`` / ``search_after``
        (a hit's ``cursor``) page; ``count_total`` counts every match; ``mode="all"`` makes bare words
        required; ``statistics``: collection statistics (JSON of ``Index.statistics``, merged over
        shards with ``merge_statistics``) to score with instead of this index's own.
        Raises QuerySyntaxError for a bad filter, InvalidArgumentError for bad arguments."""
        return _result(
            self._h.search(
                q, k=k, filter=filter, facets=facets, sort=sort, fields=fields, explain=explain, articles=articles,
                offset=offset, search_after=search_after, count_total=count_total, facet_articles=facet_articles,
                mode=mode, bm25f=bm25f, snippet_bytes=snippet_bytes, statistics=statistics,
            )
        )

    def statistics(self, q: str, fields=None, mode: str = "any", bm25f: bool = False,
                   expansions: Optional[str] = None) -> str:
        """The collection statistics of this index that scoring ``q`` reads (N, field lengths, dfs,
        expansions), as JSON for ``merge_statistics`` and ``search(statistics=...)``.

        Prefix and fuzzy terms need a second round over several indexes: when the merge of every
        index's statistics has expansions, ask each index again with ``expansions=`` that merge
        (each then counts its passages of every merged term) and merge again
        (``rapport.distributed`` does this)."""
        return self._h.statistics(q, fields=fields, mode=mode, bm25f=bm25f, statistics=expansions)

    def search_many(
        self,
        queries: Sequence[str],
        k: int = 10,
        threads: Optional[int] = None,
        filter: Optional[str] = None,
        fields=None,
        articles: bool = False,
        mode: str = "any",
    ):
        """Searches a batch of queries on ``threads`` C++ threads (default: the CPUs) with the GIL
        released. Returns ``(passages, scores)``: numpy arrays of shape (len(queries), k), int64
        passage ids (−1 past a query's hits; ``article_of`` names the article) and float64 scores
        (NaN past the hits)."""
        n = threads if threads is not None else (_os.cpu_count() or 1)
        return self._h.search_many(list(queries), n, k=k, filter=filter, fields=fields, articles=articles, mode=mode)

    def article_of(self, passage: int) -> str:
        """The id of the article passage ``passage`` belongs to."""
        return self._h.article_of(int(passage))

    def __repr__(self) -> str:
        return f"rapport.Index({self.path!r}: {self.article_count} articles, {self.passage_count} passages)"


def merge_statistics(parts: Sequence[str]) -> str:
    """The sum of several indexes' ``Index.statistics`` for one query."""
    return _rapport.merge_statistics(list(parts))


from . import eval  # noqa: E402  (the submodule uses the names above)
