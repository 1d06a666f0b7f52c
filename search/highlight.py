"""Highlighted snippets: matched words in <mark>, every other character HTML-escaped."""
from __future__ import annotations

from html import escape

from whoosh.highlight import ContextFragmenter, Formatter, WholeFragmenter, get_text, highlight

from search.analysis import content_analyzer

SNIPPET_CHARS = 240
_CONTEXT = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
_WHOLE = WholeFragmenter()


class MarkFormatter(Formatter):
    """Whoosh formatter: ``<mark>`` around matches, text escaped, fragments joined with an ellipsis."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(get_text(text, token, replace), quote=True)}</mark>"

    def _text(self, text):
        return escape(text, quote=True)


_FORMATTER = MarkFormatter()
_ANALYZER = content_analyzer()


def marked_snippet(text: str, terms: frozenset[str]) -> str:
    """The best fragments of ``text`` with the words whose analysed terms are in ``terms`` marked;
    a short text whole. Falls back to the start of the text when nothing in it matched."""
    if not terms:
        return fallback_snippet(text)
    fragmenter = _WHOLE if len(text) <= SNIPPET_CHARS else _CONTEXT
    return highlight(text, terms, _ANALYZER, fragmenter, _FORMATTER, top=2) or fallback_snippet(text)


def fallback_snippet(text: str) -> str:
    """The start of a text, escaped, for when nothing in it matched."""
    if len(text) <= SNIPPET_CHARS:
        return escape(text, quote=True)
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut, quote=True) + " …"
