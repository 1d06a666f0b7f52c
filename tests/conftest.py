"""Shared fixtures: the seed corpus indexed once per session, the web app over it, a test client, and
the browser (Debian's Chromium through Playwright) that the browser tests drive."""
from __future__ import annotations

import json
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

# The checks of hostile input live in bench/ (bench/fuzz_long.py runs them too): let pytest explain
# their failed asserts as it does a test's own.
pytest.register_assert_rewrite("bench.hostile_inputs")

from indexer.build import build_index  # noqa: E402
from webui import create_app  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_DIR / "corpus"
SEED_POSTS = Path(__file__).resolve().parent / "fixtures" / "seed_posts.json"


@pytest.fixture(scope="session", autouse=True)
def loopback_only():
    """Tests never touch the internet: a host name other than a loopback one fails as an unknown host
    would (the crawler's Crossref step has a real address by default)."""
    resolve = socket.getaddrinfo

    def loopback_getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("localhost", "::1") and not name.startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, f"tests reach loopback hosts only, not {name}")
        return resolve(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", loopback_getaddrinfo)
        yield


@pytest.fixture(scope="session")
def index_root(tmp_path_factory) -> Path:
    """An index of the seed corpus (six posts), built once per test session."""
    path = tmp_path_factory.mktemp("seed-index")
    build_index(CORPUS, path)
    return path


@pytest.fixture
def index_copy(index_root, tmp_path) -> Path:
    """A copy of the seed index that a test may damage."""
    root = tmp_path / "index"
    shutil.copytree(index_root, root, symlinks=True)
    return root


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


def _posts_of_years(years: list[int]) -> list:
    """Posts on the therapeutic alliance, 1 to 3 of them (in turn) for each article year given."""
    from search.post import Post

    posts = []
    for n, year in enumerate(years):
        for k in range(1 + n % 3):
            posts.append(Post(
                id=f"{year}-{k}-therapist-alliance-study", url=None, issue_date=f"{min(year + 1, 2022)}-0{k + 1}",
                title=f"Therapist alliance study {year} number {k}",
                citation=f"Author, A. ({year}). Alliance study. Psychotherapy Research, {n}(1), 1-9.",
                authors=("Author, A.",), year=year, journal="Psychotherapy Research",
                summary=f"In this study from {year}, the therapeutic alliance predicted outcome for therapists.",
                implications="Therapists should attend to the alliance with each client.",
                topics=("Alliance",), topics_source="site", research_types=("survey",),
            ))
    return posts


def _index_of(tmp_path_factory, name: str, posts: list) -> Path:
    from search.store import write_index

    root = tmp_path_factory.mktemp(name)
    write_index(posts, root)
    return root


@pytest.fixture(scope="session")
def years_index(tmp_path_factory) -> Path:
    """An index whose posts' article years span 2008-2021 with 2011 and 2016 empty: a chart of 14
    years, more than its box holds. Each year has a different number of posts (1 to 3)."""
    return _index_of(tmp_path_factory, "years-index", _posts_of_years([y for y in range(2008, 2022) if y not in (2011, 2016)]))


@pytest.fixture(scope="session")
def one_year_index(tmp_path_factory) -> Path:
    """An index whose posts (one) all summarise articles of 2019."""
    return _index_of(tmp_path_factory, "one-year-index", _posts_of_years([2019]))


@pytest.fixture(scope="session")
def forty_years_index(tmp_path_factory) -> Path:
    """An index whose posts' article years span 1982-2021 (40 years) with 1990, 2003 and 2004 empty."""
    return _index_of(tmp_path_factory, "forty-years-index",
                     _posts_of_years([y for y in range(1982, 2022) if y not in (1990, 2003, 2004)]))


@pytest.fixture(scope="session")
def synth_index(tmp_path_factory) -> Path:
    """600 generated posts (bench.synth): about 2,000 authors, 40 journals, 36 topics, years 2013-2026."""
    from bench import synth

    return _index_of(tmp_path_factory, "synth-index", [synth.post_at(number) for number in range(600)])


@dataclass(frozen=True)
class Tiers:
    root: Path       # the index
    question: str    # three content words: a post must match two of them (search.query.minimum_should_match)


@pytest.fixture(scope="session")
def tiers(tmp_path_factory) -> Tiers:
    """An index where a question has two tiers: twelve posts with all three of its words and six with
    two (the 18 results), five with one (the "more" that follow), each group over the article years
    2018 and 2019 and the topics Training (every third post) and Alliance, and one post with none."""
    from search.post import Post
    from search.store import write_index

    posts = [Post(id="none", url=None, issue_date="2021-01", title="Untitled note", summary="Alliance ruptures and repair.")]
    for group, (size, text) in enumerate([(12, "Homework compliance predicts outcome in therapy."),
                                          (6, "Homework compliance was recorded."),
                                          (5, "Homework was assigned weekly.")]):
        posts += [Post(id=f"g{group}-{number:02d}", url=None, issue_date=f"{2018 + number % 2}-0{1 + number % 9}",
                       title="Untitled note", summary=text, year=2018 + number % 2,
                       topics=("Training",) if number % 3 == 0 else ("Alliance",))
                  for number in range(size)]
    root = tmp_path_factory.mktemp("tiers-index")
    write_index(posts, root)
    return Tiers(root, "homework compliance in therapy")


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium for a module's browser tests (tests/live.py has its flags). Module scope:
    Playwright's sync API runs one driver at a time, and other modules start their own."""
    from playwright.sync_api import sync_playwright

    from tests.live import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
