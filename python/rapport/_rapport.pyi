# SPDX-License-Identifier: MIT
# Type stubs of the extension module rapport._rapport (python/src: module.cpp, index.cpp, eval.cpp).
# The documented surface is the rapport package (rapport/__init__.py, rapport/eval.py), which wraps
# these: search results come back here as plain dicts and lists, there as Hit / Facet / SearchResult.
import os
import pathlib
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

_Path = Union[str, os.PathLike[str]]

class Error(Exception):
    """Every error rapport raises (C++ rapport::error)."""

class IOError(Error, OSError):  # noqa: A001 (rapport.IOError, also an OSError)
    """A file could not be read or written, or a folder is not an index (rapport::io_error)."""

class CorruptionError(Error):
    """An index file is damaged: checksum, seal or structure (rapport::corruption_error)."""

class FormatVersionError(Error):
    """An index was written by another format version of rapport (rapport::format_version_error)."""

class InvalidArgumentError(Error, ValueError):
    """An argument or input is invalid: options, documents, schemas (rapport::invalid_argument)."""

class QuerySyntaxError(Error, ValueError):
    """A query or filter does not parse (rapport::query_syntax_error)."""

class SearchInterrupted(Error):
    """A search passed its deadline or was cancelled (rapport::search_interrupted)."""

class Index:
    """An index folder opened for searching: one snapshot, moved to the latest commit by reload()."""

    def __init__(self, path: _Path) -> None: ...
    @staticmethod
    def create(
        path: _Path,
        schema_json: Optional[str] = None,
        language: str = "english",
        stopwords: Union[None, bool, Sequence[str]] = None,
        fold_accents: Optional[bool] = None,
        case_fold: bool = True,
        passage_bytes: int = 0,
    ) -> Index: ...
    def reload(self) -> None: ...
    def search(self, query: str, **options: Any) -> Dict[str, Any]:
        """{"hits": [dict], "facets": [dict], "total": int | None}; options as rapport.Index.search."""
    def statistics(self, query: str, **options: Any) -> str: ...
    def search_many(
        self, queries: Sequence[str], threads: int = 1, **options: Any
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """(passage ids, scores), shape (len(queries), k); -1 and NaN past a query's hits."""
    def article_of(self, passage: int) -> str: ...
    @property
    def path(self) -> pathlib.Path: ...
    @property
    def passage_count(self) -> int: ...
    @property
    def live_passage_count(self) -> int: ...
    @property
    def article_count(self) -> int: ...
    @property
    def schema_json(self) -> str: ...

class Writer:
    """A writer on an index folder; holds the folder's write lock until close()."""

    def __init__(self, path: _Path, ram_mb: int = 0) -> None: ...
    def add(self, lines: Sequence[str], replace: bool = True) -> int:
        """Adds the articles of `lines` (one JSON object each, as rapport index reads JSONL); returns
        the passages they were split into."""
    def remove(self, id: str) -> None: ...
    def commit(self) -> None: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...

def parse_facet(spec: str) -> Dict[str, Any]: ...
def merge_statistics(parts: Sequence[str]) -> str: ...

_Run = Dict[str, List[Tuple[str, float]]]
_Qrels = Dict[str, Dict[str, int]]

def read_qrels(path: _Path) -> _Qrels: ...
def read_run(path: _Path) -> _Run: ...
def write_run(path: _Path, run: _Run, tag: str = "rapport") -> None: ...
def read_queries(path: _Path) -> List[Tuple[str, str]]: ...
def evaluate(run: _Run, qrels: _Qrels, complete: bool = False, relevance_level: int = 1) -> Dict[str, Any]: ...
