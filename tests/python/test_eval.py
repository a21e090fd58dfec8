# SPDX-License-Identifier: MIT
# Cranfield through Python: the run of Index.search equals the CLI's run, and rapport.eval's MAP and
# nDCG@10 of it equal `rapport eval`'s.
import os
import re
import subprocess

import pytest

import rapport
import rapport.eval as ev

from conftest import DATA, read_jsonl


def test_cranfield_map_equals_the_cli(tmp_path):
    cli = os.environ.get("RAPPORT_CLI")
    data = DATA / "cranfield"
    idx = rapport.Index.create(tmp_path / "cran")
    with idx.writer() as w:
        w.add_many(d for d in read_jsonl(data / "docs.jsonl") if (d.get("title") or "").strip() or (d.get("text") or "").strip())
    queries = ev.read_queries(data / "queries.tsv")
    qrels = ev.read_qrels(data / "qrels.txt")
    run = ev.run_of(idx, queries, k=1000)
    python = ev.evaluate(run, qrels)["mean"]
    assert 0.30 < python["map"] < 0.40  # the C++ relevance test's bounds (tests/relevance)
    ev.write_run(tmp_path / "py.run", run)
    again = ev.evaluate(ev.read_run(tmp_path / "py.run"), qrels)["mean"]
    assert again["map"] == python["map"]
    if not cli:
        pytest.skip("RAPPORT_CLI is not set (ctest sets it to the rapport tool): no comparison with the CLI")
    subprocess.run([cli, "index", "--progress", "none", "--index", str(tmp_path / "cli"), str(data / "docs.jsonl")],
                   check=True, capture_output=True)
    trec = subprocess.run([cli, "search", "--index", str(tmp_path / "cli"), "--queries", str(data / "queries.tsv"),
                           "--format", "trec", "-k", "1000"], check=True, capture_output=True, text=True).stdout
    (tmp_path / "cli.run").write_text(trec)
    cli_run = ev.read_run(tmp_path / "cli.run")
    assert {q: [d for d, _ in v] for q, v in cli_run.items()} == {q: [d for d, _ in v] for q, v in run.items()}
    for q in run:
        assert [s for _, s in cli_run[q]] == [round(s, 6) for _, s in run[q]] or \
            all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(cli_run[q], run[q]))
    report = subprocess.run([cli, "eval", "--qrels", str(data / "qrels.txt"), str(tmp_path / "cli.run")],
                            check=True, capture_output=True, text=True).stdout
    # "all  MAP  nDCG@10 ...": four decimals.
    fields = re.search(r"^all\s+([0-9.]+)\s+([0-9.]+)", report, re.M)
    assert fields, report
    assert abs(float(fields.group(1)) - python["map"]) <= 5e-5
    assert abs(float(fields.group(2)) - python["ndcg@10"]) <= 5e-5
