"""Proof that the scorer (search.scoring, over the postings file) ranks exactly as Whoosh's own ``searcher.search``.

    python bench/scoring_equality.py --posts 10000 [--queries 1200]

Builds ``--posts`` synthetic posts through the production path, then for ``--queries`` generated
queries of every form (words, clinician questions, quoted phrases, ``author:``, ``journal:``,
``year:`` values and ranges, ``title:``/``implications:``/``topic:``/``type:``, AND/OR/NOT,
``-word``, ``+word``, thesaurus words, wildcards, boosts, DOIs) compares ``Scorer.evaluate`` on the
clauses that score (restrictions are resolved by the engine, not by Whoosh) with
``searcher.search(query, limit=None)`` under the same weighting model on the same query, wildcards
given as the words they expand to: the same documents, Whoosh's order (score, then document number)
kept by our scores, and every score equal to 1e-6. tests/test_search_scoring.py runs the same check at 500 posts; at 10,000 posts it
takes several minutes (Whoosh walks every match of every query), so it is run here.

The reference is Whoosh with one bug fixed (``whoosh_and_not_fixed``): Whoosh 2.7.5's AndNotMatcher
returns its first candidate even when the excluded matcher holds it further on (``mindfulness
-outcome`` at 500 posts returned a post containing "outcome"); the vector scorer excludes it.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: python bench/scoring_equality.py
    sys.path.insert(0, str(REPO))

from whoosh.matching.binary import AndNotMatcher  # noqa: E402

from bench import synth  # noqa: E402
from bench.workload import _phrase, _question  # noqa: E402
from search.query import parse_query  # noqa: E402
from search.thesaurus import SYNONYM_GROUPS  # noqa: E402

_WORDS = ("alliance", "rupture", "repair", "burnout", "supervision", "therapists", "outcome", "depression",
          "anxiety", "trauma", "mindfulness", "feedback", "dropout", "empathy", "adolescents", "couples",
          "veterans", "insomnia", "training", "homework", "termination", "culture", "grief", "shame")
_BOOLEAN = ("{a} AND {b}", "{a} OR {b}", "{a} NOT {b}", "{a} -{b}", "-{a} {b}", "({a} OR {b}) AND {c}",
            "{a} AND NOT {b}", "NOT {a}", "{a} {b} {c}", "+{a} {b}")


def generated_queries(size: int, count: int) -> list[str]:
    """``count`` queries of every form, drawn with a fixed seed from the corpus's own posts."""
    rng = random.Random(f"scoring-equality:{size}")
    thesaurus = [word for group in SYNONYM_GROUPS for word in group]
    forms: list[str] = []
    while len(forms) < count:
        post = synth.post_at(rng.randrange(size), synth.DEFAULT_SEED)
        a, b, c = rng.sample(_WORDS, 3)
        surname = rng.choice(post.authors).split(",")[0] if post.authors else "Smith"
        low = rng.randint(2013, 2024)
        forms += [
            " ".join(rng.sample(_WORDS, rng.randint(1, 3))),
            _question(rng),
            _phrase(rng, post),
            rng.choice(_BOOLEAN).format(a=a, b=b, c=c),
            rng.choice(thesaurus) + (f" {a}" if rng.random() < 0.5 else ""),
            f'author:"{surname}"' if " " in surname else f"author:{surname} {a}",
            f'journal:"{post.journal}"' if post.journal else f"journal:{a}",
            f"year:{post.year or low}",
            f"{a} year:[{low} TO {low + rng.randint(0, 5)}]",
            f"title:{a} OR implications:{b}",
            f"topic:{rng.choice(post.topics).split()[0].lower() if post.topics else a}",
            f"type:{rng.choice(('survey', 'qualitative', 'meta-analysis', 'trial'))} {b}",
            f"{a[:4]}* {b}",
            f"{post.doi}" if rng.random() < 0.5 else f"{a} {b}^2",
        ]
    return forms[:count]


@contextmanager
def whoosh_and_not_fixed() -> Iterator[None]:
    """Whoosh's AndNotMatcher with its first-candidate check made as its ``_find_next`` makes it."""
    original = AndNotMatcher._find_first

    def find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()

    AndNotMatcher._find_first = find_first
    try:
        yield
    finally:
        AndNotMatcher._find_first = original


def scored_query(text: str, postings):
    """The clauses of a query that score, as one query Whoosh can run (prefixes and wildcards as the
    words they expand to); None when there are none or they hold a restriction."""
    from whoosh.query import NullQuery, Or, Prefix, Term, Wildcard

    from search.query import Restriction

    clauses = parse_query(text).clauses
    query = NullQuery if not clauses else clauses[0] if len(clauses) == 1 else Or(list(clauses))

    def expanded(node):
        if isinstance(node, Restriction):
            raise LookupError
        if isinstance(node, (Prefix, Wildcard)):
            pattern = node.text + "*" if isinstance(node, Prefix) else node.text
            return Or([Term(node.fieldname, term, boost=node.boost) for term in postings.expand(node.fieldname, pattern)])
        return node.apply(expanded) if not node.is_leaf() else node

    try:
        return None if query is NullQuery else expanded(query)
    except LookupError:
        return None


def mismatches(searcher, scorer, texts: list[str]) -> list[str]:
    """Where the scorer and ``searcher.search`` disagree (empty when they agree on every query)."""
    found = []
    with whoosh_and_not_fixed(), scorer.postings.reading() as reader:
        for text in texts:
            query = scored_query(text, scorer.postings)
            if query is None:
                continue
            expected = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=None)]
            match = scorer.evaluate(reader, query, restrict=None)
            scores = match.scores
            documents = {docnum for docnum, _ in expected}
            if set(match.mask.nonzero()[0].tolist()) != documents:
                found.append(f"{text!r}: other documents")
                continue
            if any(abs(scores[docnum] - score) > 1e-6 * max(1.0, abs(score)) for docnum, score in expected):
                found.append(f"{text!r}: other scores")
            # Whoosh's order (score, then document number) holds for our scores; ties only within 1e-9.
            if any(scores[first] < scores[second] - 1e-9 for (first, _), (second, _) in zip(expected, expected[1:])):
                found.append(f"{text!r}: another order")
    return found


def main(argv: list[str] | None = None) -> int:
    from search.postings import Postings
    from search.schema import PLAIN_WORD_FIELDS
    from search.scoring import PostWeighting, Scorer
    from search.store import open_current, write_index

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pprnet-equality-") as root:
        began = time.perf_counter()
        write_index(synth.generate_posts(args.posts, synth.DEFAULT_SEED), root)
        built = time.perf_counter()
        build, ix = open_current(root)
        with ix.searcher(weighting=PostWeighting()) as searcher:
            texts = generated_queries(args.posts, args.queries)
            found = mismatches(searcher, Scorer(Postings(build), searcher, PLAIN_WORD_FIELDS), texts)
        ix.close()
    print(f"{args.posts} posts (built in {built - began:.0f} s), {len(texts)} queries compared in "
          f"{time.perf_counter() - built:.0f} s: {len(found)} differ from searcher.search")
    for line in found[:20]:
        print("  " + line)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
