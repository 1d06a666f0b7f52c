"""Shared fixtures: the seed corpus indexed once per session, the web app over it, a test client."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.build import build_index
from webui import create_app

PROJECT_DIR = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_DIR / "corpus"
SEED_POSTS = Path(__file__).resolve().parent / "fixtures" / "seed_posts.json"


@pytest.fixture(scope="session")
def index_root(tmp_path_factory) -> Path:
    """An index of the seed corpus (six posts), built once per test session."""
    path = tmp_path_factory.mktemp("seed-index")
    build_index(CORPUS, path)
    return path


@pytest.fixture(scope="session")
def seed_posts() -> list[dict]:
    """The six seed posts as the extractor gives them (the golden records)."""
    return json.loads(SEED_POSTS.read_text(encoding="utf-8"))


@pytest.fixture
def app(index_root):
    return create_app({"INDEX_DIR": str(index_root), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()
