"""Page chrome by its words: the lines of a blog page that are never part of a post.

The structural parser asks :func:`chrome_kind` about every block that markup did not already flag as
navigation, footer or sidebar (text dumps and old pages have no such markup). Three answers:
``SITE`` (site headings, the blog's introduction and teaser, filter lists, signatures, e-mail lines:
dropped wherever they are), ``FURNITURE`` (short navigation and footer lines, bylines, links to the
publisher's abstract: dropped) and ``END`` (the start of reader comments or sharing links: a post's
text ends there).
"""
from __future__ import annotations

import re

from indexer.blocks import ITEM, Block

SITE = "site"
FURNITURE = "furniture"
END = "end"

_MAX_CHROME_WORDS = 30
_SITE_LINE = re.compile(
    r"^(?:(?:the\s+)?pprnet\s+)?blog\s*:?$|^pprnet$|^psychotherapy practice research network(?:\s*\(pprnet\))?$"
    r"|^this month\s*(?:\.{3}|…)?$|^(?:this month\W*)?(?:\.{3}|…)?\s*i blog about\b|^type of research\s*:?$|^topics?\s*:?$"
    r"|^all topics\b|^(?:filter|browse) by\b|^(?:blog\s+)?archives?\s*:?$|^recent posts\s*:?$|^subscribe\b",
    re.I,
)
# The blog's standing introduction, on the live listing and on every old archive page.
_INTRODUCTION = re.compile(
    r"^(?:the (?:psychotherapy practice research network \(pprnet\)|pprnet) blog began\b|welcome to the (?:pprnet )?blog\b)"
    r"|\bpast blogs are available in the archives\b|\bthis content is only available in english\b",
    re.I,
)
_FILTER_LINK = re.compile(r"[?&]cat_\d+=")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A signature: a name with a degree ("Giorgio A. Tasca, Ph.D.") or a dash and a short name.
_SIGNATURE = re.compile(
    r"^(?:[-–—]\s*)?(?:dr\.?\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4},?\s+"
    r"(?i:ph\.?\s?d|psy\.?\s?d|m\.?\s?d|c\.?\s?psych|r\.?\s?psych|m\.?\s?a|m\.?\s?sc)\.?(?:\s*,.*)?$"
    r"|^(?:[-–—]\s*)?(?:(?i:dr|prof)\.?\s+)?(?<=[-–—\s])[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}$",
)
_FURNITURE_LINE = re.compile(
    r"©|\bcopyright\b|\ball rights reserved\b|\bback to top\b|\blast updated\b|\bunsubscribe\b"
    r"|\b(?:previous|next|older|newer) (?:issues?|posts?|page|entries)\b|\bview in (?:your )?browser\b"
    r"|^\W*(?:home|contact(?: us)?|share(?: this)?|print|top|menu|search|read more|continue reading)\W*$"
    r"|^posted (?:by|in)\b|^labels?\s*:|^tags?\s*:|^filed under\b|^categories\s*:"
    r"|^(?:[^|]{1,30}\|){2,}[^|]{1,30}$"  # a menu: "Home | About PPRNet | Blog | Members"
    r"|^(?:read|see|view|link to)\b.{0,40}\babstract\b|^(?:abstract|full text)\s*:?\s*https?://\S+$",
    re.I,
)
_END_LINE = re.compile(
    r"^(?:\d+\s+)?(?:reader\s+)?(?:comments?|responses?|replies)\s*(?:\(\d+\))?\s*:?$|^leave a (?:comment|reply)\b"
    r"|^post a comment\b|^share this\s*:?$|^related(?: posts)?\s*:?$|^about the author\s*:?$"
    r"|^\d+ comments?\b|^no comments\b|^reader (?:comments?|responses?)\s*:|^\W*read (?:it |more )?on the blog\W*$"
    r"|^you are receiving this\b",
    re.I,
)


def chrome_kind(block: Block, topic_labels: frozenset[str] = frozenset()) -> str | None:
    """``SITE``, ``FURNITURE`` or ``END`` for a chrome line, None for a line that may belong to a post."""
    text = block.text
    words = len(text.split())
    if _INTRODUCTION.search(text):
        return SITE
    if block.link and _FILTER_LINK.search(block.link):
        return SITE
    if words > _MAX_CHROME_WORDS:
        return None
    if _SITE_LINE.search(text) or _SIGNATURE.match(text) or _EMAIL.search(text):
        return SITE
    if block.kind == ITEM and text.casefold() in topic_labels:
        return SITE
    if _END_LINE.search(text):
        return END
    if _FURNITURE_LINE.search(text):
        return FURNITURE
    return None
