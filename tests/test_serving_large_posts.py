"""Serving never depends on the size of a post (issue 21, item 1): gunicorn started with the README's
own options over an index of 200 posts ten times the length the indexer lets in (100,000-character
summaries and implications, written with the core's ``write_index``). Every worker's first search and
every later one answers 200 well within the worker timeout, ``/healthz`` says "ready", and no worker
is killed or restarted."""
from __future__ import annotations

import json
import random
import re
import threading
from urllib.parse import urlencode

import pytest

from bench import synth
from bench.load import Gunicorn, get, readme_gunicorn_options
from indexer.post_limits import MAX_CHARS
from search.store import write_index

POSTS = 200
TEXT_CHARS = 100_000
QUERIES = ["burnout", "alliance rupture repair", "how do I keep clients from dropping out of therapy?",
           "author:Smith", "depression year:2015-2020", "", "therapists supervision well-being"]
CLIENTS = 8


def _long(text: str, chars: int, rng: random.Random) -> str:
    """A text of at least ``chars`` characters from the sentences of ``text``, in random order."""
    sentences = [sentence for sentence in text.split(". ") if sentence]
    pieces, length = [], 0
    while length < chars:
        pieces.append(rng.choice(sentences))
        length += len(pieces[-1]) + 2
    return ". ".join(pieces) + "."


@pytest.fixture(scope="module")
def large_index(tmp_path_factory):
    assert TEXT_CHARS >= 5 * MAX_CHARS["summary"]  # larger than any post the indexer writes
    rng = random.Random(21)
    posts = [post.replace(summary=_long(post.summary, TEXT_CHARS, rng), implications=_long(post.implications, TEXT_CHARS, rng))
             for post in synth.generate_posts(POSTS)]
    root = tmp_path_factory.mktemp("large-posts")
    write_index(posts, root)
    return root


def test_readme_gunicorn_serves_an_index_of_large_posts(large_index, tmp_path):
    options = readme_gunicorn_options()
    workers, timeout = int(options["--workers"]), int(options["--timeout"])
    args = tuple(item for name, value in options.items() if name not in ("--bind", "--workers")
                 for item in (name, value))
    log_path = tmp_path / "gunicorn.log"
    answers: list[tuple[str, int, bytes]] = []

    def client(number: int) -> None:
        for query in QUERIES[number % len(QUERIES):] + QUERIES[:number % len(QUERIES)]:
            path = ("/search?" if number % 2 else "/api/search?") + urlencode({"q": query})
            status, body = get(server.port, path, timeout=timeout + 10)
            answers.append((path, status, body))

    with Gunicorn(large_index, workers=workers, log_path=log_path, timeout=timeout, extra_args=args) as server:
        status, body = get(server.port, "/healthz")
        assert status == 200 and b'"ready"' in body
        threads = [threading.Thread(target=client, args=(number,)) for number in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=4 * timeout)
    assert len(answers) == CLIENTS * len(QUERIES)
    assert [(path, status) for path, status, _ in answers if status != 200] == []
    log = log_path.read_text(errors="replace")
    assert not re.search(r"WORKER TIMEOUT|SIGKILL|was sent|Worker exiting", log), log[-2000:]
    burnout = [json.loads(body) for path, _, body in answers if path == "/api/search?q=burnout"]
    assert burnout and all(answer["total"] > 0 and answer["hits"][0]["highlights"] for answer in burnout)
