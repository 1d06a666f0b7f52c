"""Answer evaluation: how well the practice answer (search.answer) answers clinicians' questions.

``python -m bench.answer_eval [--held-out]`` asks every question of two sets through the engine, each
over its own corpus, and reports them apart:

- ``bench/answer_eval_set.json`` (the *blind* set), over the seed corpus with the posts of
  ``bench/answer_posts.json`` and ``bench/answer_posts_blind.json`` (54 posts): 60 questions written
  from the posts' titles and summaries before their implications were read, each then judged against
  every post's implications (the sentences that answer it), 20 questions no post answers, 16
  look-ups; half of each list is held out (``held_out``: measured for the report, never while tuning);
- ``bench/answer_questions.json`` (the older set of 36, written after reading the sentences), over the
  seed corpus with the posts of ``bench/answer_posts.json`` (14 posts).

Figures: precision@1 (the first quoted passage holds a sentence that answers), recall (questions
with an answering sentence in the corpus that get an answer), false answers to questions no post
answers, and look-ups answered. tests/test_answer.py gates the same evaluation.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from indexer.extract import extract_paths
from search.engine import SearchEngine
from search.post import Post
from search.request import SearchRequest
from search.store import write_index

BENCH = Path(__file__).resolve().parent
BLIND_SET = BENCH / "answer_eval_set.json"
OLD_SET = BENCH / "answer_questions.json"
POSTS = BENCH / "answer_posts.json"
BLIND_POSTS = BENCH / "answer_posts_blind.json"
CORPUS = BENCH.parent / "corpus"


def build_evaluation_index(root: Path, *, blind: bool = True) -> None:
    """The seed corpus and the evaluation's own posts (with the blind set's, or without), indexed under ``root``."""
    files = (POSTS, BLIND_POSTS) if blind else (POSTS,)
    posts = extract_paths([CORPUS]).posts + [Post.from_dict(record) for path in files
                                             for record in json.loads(path.read_text(encoding="utf-8"))]
    write_index(posts, root, source={"corpus": "answer evaluation"})


@dataclass
class Evaluation:
    """The figures of one set of questions."""

    questions: int = 0      # questions with an answering sentence in the corpus
    answered: int = 0       # of those, how many got an answer
    right_at_1: int = 0     # of those, how many had an answering sentence first
    wrong: list[tuple[str, str]] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    unanswerable: int = 0
    false_answers: list[tuple[str, str]] = field(default_factory=list)
    lookups: int = 0
    answered_lookups: list[str] = field(default_factory=list)

    @property
    def precision_at_1(self) -> float:
        return self.right_at_1 / self.answered if self.answered else 0.0

    @property
    def recall(self) -> float:
        return self.answered / self.questions if self.questions else 0.0

    def line(self) -> str:
        return (f"precision@1 {self.precision_at_1:.2f} ({self.right_at_1}/{self.answered}), "
                f"recall {self.recall:.2f} ({self.answered}/{self.questions}), "
                f"false answers {len(self.false_answers)}/{self.unanswerable}, "
                f"look-ups answered {len(self.answered_lookups)}/{self.lookups}")


def _answers(sentence: str, expected: list) -> bool:
    """Whether a quoted passage (one sentence or two) holds one of the answering sentences."""
    return any(start in sentence for _, start in expected)


def evaluate(engine: SearchEngine, questions_file: Path = BLIND_SET, *, held_out: bool | None = False) -> Evaluation:
    """The figures for the questions of a file; ``held_out``: only the held-out half (True), only the
    other half (False), or all (None; the older set has no halves)."""
    data = json.loads(questions_file.read_text(encoding="utf-8"))
    chosen = lambda item: held_out is None or bool(item.get("held_out")) == held_out  # noqa: E731
    result = Evaluation()

    def ask(query: str):
        return engine.search(SearchRequest(query=query)).answer

    for question in filter(chosen, data["questions"]):
        if not question["answers"]:
            continue
        result.questions += 1
        answer = ask(question["q"])
        if not answer:
            result.unanswered.append(question["q"])
            continue
        result.answered += 1
        ids = {post_id for post_id, _ in question["answers"]}
        if answer[0].post_id in ids and _answers(answer[0].sentence, [a for a in question["answers"] if a[0] == answer[0].post_id]):
            result.right_at_1 += 1
        else:
            result.wrong.append((question["q"], answer[0].sentence))
    for item in filter(chosen, data["unanswerable"]):
        query = item["q"] if isinstance(item, dict) else item
        result.unanswerable += 1
        if answer := ask(query):
            result.false_answers.append((query, answer[0].sentence))
    for item in data["lookups"] if held_out is not True else ():
        query = item["q"] if isinstance(item, dict) else item
        result.lookups += 1
        if ask(query):
            result.answered_lookups.append(query)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--held-out", action="store_true", help="also report the held-out half of the blind set")
    parser.add_argument("--verbose", action="store_true", help="list every wrong, missing and false answer")
    args = parser.parse_args(argv)
    sets = []
    with tempfile.TemporaryDirectory() as blind, tempfile.TemporaryDirectory() as older:
        build_evaluation_index(Path(blind))
        build_evaluation_index(Path(older), blind=False)
        engine, older_engine = SearchEngine(blind), SearchEngine(older)
        try:
            sets.append(("blind set, tuning half", evaluate(engine, held_out=False)))
            if args.held_out:
                sets.append(("blind set, held-out half", evaluate(engine, held_out=True)))
            sets.append(("older set (36, written after reading the sentences)", evaluate(older_engine, OLD_SET, held_out=None)))
        finally:
            engine.close()
            older_engine.close()
    for name, result in sets:
        if args.verbose:
            for question in result.unanswered:
                print(f"  no answer   {question}")
            for question, sentence in result.wrong:
                print(f"  wrong       {question}\n              -> {sentence}")
            for question, sentence in result.false_answers:
                print(f"  false       {question}\n              -> {sentence}")
            for question in result.answered_lookups:
                print(f"  look-up     {question}")
        print(f"{name}: {result.line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
