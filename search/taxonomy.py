"""The blog's 36-topic taxonomy (``data/topics.txt``), the labels every topic facet and browse page uses."""
from pathlib import Path

_LINES = (Path(__file__).resolve().parent / "data" / "topics.txt").read_text(encoding="utf-8").splitlines()
DEFAULT_TOPICS: tuple[str, ...] = tuple(line for line in _LINES if line and not line.startswith("#"))
