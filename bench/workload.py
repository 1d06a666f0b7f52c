"""The fixed, seeded query workload: what people type into the search box, in a realistic mix.

Classes and shares (of ``count`` queries, rounded by largest remainder):

- ``words`` 40%: one or two content words, drawn from a post's own text or the field's vocabulary;
- ``question`` 25%: a clinician's question of 5-12 words ("How can I help veterans with insomnia?");
- ``phrase`` 15%: a quoted phrase of 2-4 words taken from a post's text;
- ``fielded`` 10%: ``author:Surname``, ``journal:"Name"`` or ``year:YYYY`` of a post in the corpus;
- ``facets`` 10%: one or two content words of a post with two facet filters of two different facets
  set to that post's own values (so the selection is present in the data).

The values come from posts of the corpus being measured (rebuilt with :func:`bench.synth.post_at`),
so a workload depends on ``(corpus size, corpus seed, workload seed, count)`` only.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from bench import synth
from search.analysis import STOP_AND_QUESTION_WORDS
from search.facets import facet_values

CLASSES: dict[str, float] = {"words": 0.40, "question": 0.25, "phrase": 0.15, "fielded": 0.10, "facets": 0.10}

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
_BORING = STOP_AND_QUESTION_WORDS | {"synthetic", "therapy", "study", "clients", "client", "were", "with"}

_QUESTIONS: tuple[str, ...] = (
    "How can I help {population} with {outcome}?",
    "What works for {outcome} in {population}?",
    "Does {intervention} reduce {outcome} in {setting}?",
    "Is {intervention} better than {intervention2} for {outcome}?",
    "How should therapists handle {construct} with {population}?",
    "When should I end therapy with clients who report {outcome}?",
    "What predicts {outcome} after {intervention}?",
    "Should I {clinician_action} with {population}?",
    "How often should I see clients with {outcome}?",
    "Why do {population} drop out of {intervention}?",
    "Does {construct} matter for {outcome}?",
    "What do {population} want from therapy?",
)


@dataclass(frozen=True)
class Query:
    """One workload query: its class, the text typed and the facet values selected."""

    index: int
    cls: str
    q: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"index": self.index, "class": self.cls, "q": self.q,
                "filters": {facet: list(values) for facet, values in self.filters.items()}}


def class_counts(count: int) -> dict[str, int]:
    """How many queries of each class: the shares of ``CLASSES``, rounded by largest remainder."""
    exact = {name: share * count for name, share in CLASSES.items()}
    counts = {name: int(value) for name, value in exact.items()}
    remainders = sorted(exact, key=lambda name: (exact[name] - counts[name], -list(CLASSES).index(name)), reverse=True)
    for name in remainders[: count - sum(counts.values())]:
        counts[name] += 1
    return counts


def _content_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text) if len(word) >= 4 and word.lower() not in _BORING]


def _vocabulary_words() -> list[str]:
    words = []
    for name in ("outcome", "construct", "intervention", "population", "setting"):
        for phrase in synth.VOCABULARY[name]:
            words += _content_words(phrase)
    return sorted(set(word.lower() for word in words))


def _post(rng: random.Random, corpus_size: int, corpus_seed: int):
    return synth.post_at(rng.randrange(corpus_size), corpus_seed)


def _words(rng: random.Random, post, vocabulary: list[str]) -> str:
    picked: list[str] = []
    for _ in range(rng.choice((1, 1, 2))):
        if rng.random() < 0.7:
            candidates = _content_words(" ".join((post.title, post.summary, post.implications)))
            word = rng.choice(candidates).lower()
        else:
            word = rng.choice(vocabulary)
        if word not in picked:
            picked.append(word)
    return " ".join(picked)


def _question(rng: random.Random) -> str:
    for _ in range(50):
        cast = {name: synth.VOCABULARY[name] for name in synth.VOCABULARY}
        text = synth._fill(rng.choice(_QUESTIONS), rng, cast)
        if 5 <= len(text.split()) <= 12:
            return text
    return text  # pragma: no cover - the templates fit


def _phrase(rng: random.Random, post) -> str:
    """2-4 consecutive words exactly as they stand in one sentence of the post (no punctuation or
    numbers inside), starting and ending with a content word."""
    sentences = re.split(r"(?<=[.?!])\s+", f"{post.summary} {post.implications}")
    for _ in range(200):
        tokens = rng.choice(sentences).split()
        length = rng.randint(2, 4)
        if len(tokens) < length:
            continue
        start = rng.randrange(len(tokens) - length + 1)
        window = tokens[start:start + length]
        window[-1] = window[-1].rstrip(".,;:?!")
        if not all(re.fullmatch(r"[A-Za-z]+", word) for word in window):
            continue
        if all(len(word) >= 3 and word.lower() not in STOP_AND_QUESTION_WORDS for word in (window[0], window[-1])):
            return '"' + " ".join(window) + '"'
    return '"' + post.title.split()[0] + '"'  # pragma: no cover - every post has such windows


def _fielded(rng: random.Random, post) -> str:
    kind = rng.choice(("author", "journal", "year"))
    if kind == "author" and post.authors:
        surname = rng.choice(post.authors).split(",")[0]
        return f'author:"{surname}"' if " " in surname else f"author:{surname}"
    if kind == "journal" and post.journal:
        return f'journal:"{post.journal}"'
    return f"year:{post.year}"


def _facets(rng: random.Random, post, vocabulary: list[str]) -> tuple[str, dict[str, tuple[str, ...]]]:
    values = {facet: found for facet, found in facet_values(post).items() if found}
    chosen = rng.sample(sorted(values), 2)
    filters = {facet: (rng.choice(values[facet]),) for facet in chosen}
    return _words(rng, post, vocabulary), filters


def make_workload(count: int, corpus_size: int, *, seed: int = 1, corpus_seed: int = synth.DEFAULT_SEED) -> list[Query]:
    """``count`` queries over the corpus of ``corpus_size`` synthetic posts, in a seeded random order."""
    rng = random.Random(f"pprnet-workload:{seed}:{corpus_seed}:{corpus_size}:{count}")
    vocabulary = _vocabulary_words()
    made: list[tuple[str, str, dict]] = []
    for cls, how_many in class_counts(count).items():
        for _ in range(how_many):
            filters: dict[str, tuple[str, ...]] = {}
            if cls == "words":
                text = _words(rng, _post(rng, corpus_size, corpus_seed), vocabulary)
            elif cls == "question":
                text = _question(rng)
            elif cls == "phrase":
                text = _phrase(rng, _post(rng, corpus_size, corpus_seed))
            elif cls == "fielded":
                text = _fielded(rng, _post(rng, corpus_size, corpus_seed))
            else:
                text, filters = _facets(rng, _post(rng, corpus_size, corpus_seed), vocabulary)
            made.append((cls, text, filters))
    rng.shuffle(made)
    return [Query(index, cls, text, filters) for index, (cls, text, filters) in enumerate(made)]
