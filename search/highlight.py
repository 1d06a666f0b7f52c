"""Highlighted snippets: matched words in <mark>, every other character HTML-escaped."""
from __future__ import annotations

from html import escape

from whoosh.highlight import ContextFragmenter, Formatter, get_text

SNIPPET_CHARS = 240
_FRAGMENTER = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)


class MarkFormatter(Formatter):
    """Whoosh formatter: ``<mark>`` around matches, text escaped, fragments joined with an ellipsis."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(get_text(text, token, replace), quote=True)}</mark>"

    def _text(self, text):
        return escape(text, quote=True)


def fallback_snippet(text: str) -> str:
    """The start of a text, escaped, for when nothing in it matched."""
    if len(text) <= SNIPPET_CHARS:
        return escape(text, quote=True)
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut, quote=True) + " …"


def configure(results) -> None:
    """Make a Whoosh Results object highlight our way."""
    results.fragmenter = _FRAGMENTER
    results.formatter = MarkFormatter()
