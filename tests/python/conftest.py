# SPDX-License-Identifier: MIT
# Shared fixtures of the pytest suite of the Python package (run by ctest as python.pytest, with
# PYTHONPATH at the build tree's python/ folder, RAPPORT_TEST_DATA at tests/data and RAPPORT_CLI at
# the rapport tool).
import json
import os
import pathlib
import random

import pytest

import rapport

DATA = pathlib.Path(os.environ.get("RAPPORT_TEST_DATA", pathlib.Path(__file__).resolve().parents[1] / "data"))

SCHEMA = {
    "fields": [
        {"name": "topic", "type": "keyword"},
        {"name": "tags", "type": "keyword"},
        {"name": "views", "type": "integer"},
        {"name": "price", "type": "float"},
        {"name": "updated", "type": "date"},
        {"name": "meta", "type": "stored"},
    ]
}

TOPICS = ["billing", "refund", "login", "shipping"]
WORDS = ["trust", "customer", "service", "refund", "order", "shipping", "login", "password", "billing",
         "invoice", "delay", "café", "naïve", "résumé", "building", "loyalty", "team", "answer"]


def synthetic_articles(n=300, seed=7):
    """Articles with text over a small vocabulary (some accented) and every kind of value."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        paragraphs = []
        for _ in range(rng.randint(1, 3)):
            paragraphs.append(" ".join(rng.choice(WORDS[: rng.randint(4, len(WORDS))]) for _ in range(rng.randint(4, 30))) + ".")
        doc = {"id": f"a{i}", "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 4))),
               "text": "\n\n".join(paragraphs), "topic": rng.choice(TOPICS),
               "tags": rng.sample(["new", "old", "hot", "faq"], rng.randint(0, 2)), "views": rng.randint(0, 5000),
               "updated": f"20{rng.randint(10, 24):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}
        if rng.random() < 0.8:
            doc["price"] = round(rng.uniform(0, 100), 2)
        if rng.random() < 0.3:
            doc["meta"] = {"n": i, "tags": ["x"]}
        out.append(doc)
    return out


@pytest.fixture(scope="session")
def articles():
    return synthetic_articles()


@pytest.fixture(scope="session")
def index(tmp_path_factory, articles):
    path = tmp_path_factory.mktemp("idx") / "kb"
    idx = rapport.Index.create(path, schema=SCHEMA)
    with idx.writer() as w:
        w.add_many(articles)
    return idx


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
