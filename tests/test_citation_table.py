"""The citation table: every form of citation line the blog prints, each held to every field it must yield.

``tests/fixtures/citations.json`` holds real-looking lines written for this table (not copies), grouped
by form (ellipses in every hand, ``et al.``, missing commas, given-name-first authors, dated groups,
online-first DOIs, pages without a volume, article numbers, U+2010 hyphens, chapters in both editions'
styles, whole books, an odd author token). Run this file as a script to print the table's score:
lines fully right and fields right, over the total.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.citation import looks_like_citation, parse_citation

TABLE = json.loads((Path(__file__).parent / "fixtures" / "citations.json").read_text(encoding="utf-8"))


def _fields(line: str, expect: dict) -> dict:
    """The parsed values of the fields ``expect`` names, authors as a list (the JSON form)."""
    citation = parse_citation(line)
    return {
        name: list(getattr(citation, name)) if name == "authors" else getattr(citation, name)
        for name in expect
    }


def table_score(table: list[dict] = TABLE) -> tuple[int, int, int, int]:
    """(lines fully right, lines, fields right, fields)."""
    lines_right = fields_right = fields = 0
    for row in table:
        got = _fields(row["line"], row["expect"])
        right = sum(got[name] == value for name, value in row["expect"].items())
        fields_right += right
        fields += len(row["expect"])
        lines_right += right == len(row["expect"])
    return lines_right, len(table), fields_right, fields


def test_the_table_covers_every_form_several_times():
    forms = {}
    for row in TABLE:
        forms[row["form"]] = forms.get(row["form"], 0) + 1
    assert len(TABLE) >= 40
    assert len(forms) >= 20 and min(forms.values()) >= 2, forms
    assert all(len(row["expect"]) == 10 for row in TABLE)  # every field, not a sample of them


@pytest.mark.parametrize("row", TABLE, ids=[f"{row['form']}: {row['line'][:40]}" for row in TABLE])
def test_every_field_of_every_line(row):
    assert _fields(row["line"], row["expect"]) == row["expect"]


@pytest.mark.parametrize("row", TABLE, ids=[row["line"][:50] for row in TABLE])
def test_every_table_line_looks_like_a_citation(row):
    assert looks_like_citation(row["line"]) is True


PROSE_WITH_A_YEAR = [
    "In a study by Smith (2019), therapists who asked for feedback had better outcomes.",
    "As Norcross and Wampold (2011) noted, the relationship accounts for outcome.",
    "Wampold and Imel (2015) argued that common factors matter most.",
    "Barkham, Lutz and Castonguay (2021) edited the seventh edition of the handbook.",
    "Previous research (e.g., Firth et al., 2019) found clinic effects.",
    "Firth, Saxon and colleagues (2019) studied 26,000 patients.",
    "The authors (2020, March) surveyed 416 psychotherapists.",
    "Summers et al. (2020) reported that 48% of practitioners felt depressed.",
    "Flückiger and colleagues (2018). This meta-analysis pooled 295 studies.",
    "Therapists, clinics, and patients (2019) were studied in the UK.",
]


@pytest.mark.parametrize("paragraph", PROSE_WITH_A_YEAR)
def test_prose_that_mentions_a_study_is_not_a_citation(paragraph):
    assert looks_like_citation(paragraph) is False


if __name__ == "__main__":
    lines_right, lines, fields_right, fields = table_score()
    print(f"lines fully right {lines_right}/{lines}, fields right {fields_right}/{fields}")
