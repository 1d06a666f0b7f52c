"""Answer evaluation: precision@1 of the practice answer (search.answer) on clinician questions.

``python -m bench.answer_eval`` indexes the seed corpus with the posts of ``bench/answer_posts.json``
(eight more summaries, written for this evaluation), asks every question of
``bench/answer_questions.json`` through the engine and prints, per question, whether the first quoted
sentence is one that answers it; then precision@1 (right first sentences / questions), how many
questions got no answer, and how many look-ups (author, journal, year, DOI) and questions no post
answers wrongly got one.
tests/test_answer.py runs the same evaluation as a gate.
"""
from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from indexer.extract import extract_paths
from search.engine import SearchEngine
from search.post import Post
from search.request import SearchRequest
from search.store import write_index

QUESTIONS = Path(__file__).resolve().parent / "answer_questions.json"
POSTS = Path(__file__).resolve().parent / "answer_posts.json"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def build_evaluation_index(root: Path) -> None:
    """The seed corpus and the evaluation's own posts, indexed under ``root``."""
    posts = extract_paths([CORPUS]).posts + [Post.from_dict(record) for record in json.loads(POSTS.read_text(encoding="utf-8"))]
    write_index(posts, root, source={"corpus": "answer evaluation"})


@dataclass(frozen=True)
class Evaluation:
    questions: int
    right_at_1: int
    unanswered: list[str]
    wrong: list[tuple[str, str]]
    answered_lookups: list[str]
    answered_unanswerable: list[str]

    @property
    def precision_at_1(self) -> float:
        return self.right_at_1 / self.questions if self.questions else 0.0


def evaluate(engine: SearchEngine, questions_file: Path = QUESTIONS) -> Evaluation:
    data = json.loads(questions_file.read_text(encoding="utf-8"))
    right, unanswered, wrong = 0, [], []
    for question in data["questions"]:
        answer = engine.search(SearchRequest(query=question["q"])).answer
        if not answer:
            unanswered.append(question["q"])
            continue
        first = answer[0]
        if any(first.post_id == post_id and first.sentence.startswith(start) for post_id, start in question["answers"]):
            right += 1
        else:
            wrong.append((question["q"], first.sentence))
    def answered(queries: list[str]) -> list[str]:
        return [query for query in queries if engine.search(SearchRequest(query=query)).answer]

    return Evaluation(len(data["questions"]), right, unanswered, wrong, answered(data["lookups"]),
                      answered(data["unanswerable"]))


def main() -> int:
    with tempfile.TemporaryDirectory() as root:
        build_evaluation_index(Path(root))
        engine = SearchEngine(root)
        try:
            result = evaluate(engine)
        finally:
            engine.close()
    for question in result.unanswered:
        print(f"no answer   {question}")
    for question, sentence in result.wrong:
        print(f"wrong       {question}\n            -> {sentence}")
    print(f"precision@1 {result.precision_at_1:.2f} ({result.right_at_1}/{result.questions}); "
          f"unanswered {len(result.unanswered)}; look-ups answered {len(result.answered_lookups)} {result.answered_lookups}; "
          f"unanswerable answered {len(result.answered_unanswerable)} {result.answered_unanswerable}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
