"""Page chrome by its words: the lines of a blog page that are never part of a post.

The structural parser asks :func:`chrome_kind` about every block that markup did not already flag as
navigation, footer or sidebar (text dumps and old pages have no such markup). Five answers:
``SITE`` (site headings, the blog's introduction and teaser, the labels of its filter lists in any
markup, signatures, e-mail lines: dropped wherever they are), ``FURNITURE`` (short navigation and
footer lines, bylines, links to the publisher's abstract: dropped), ``END`` (the start of reader
comments or sharing links: a post's text ends there), ``SERIES`` (a series introduction: "This is
the second of three posts on ...", set aside) and ``COMMENT`` (a paragraph signed like a reader's
comment: "... – Marie, Gatineau"; after a post's implications it ends them).
:func:`split_glued_signature` finds a signature that a page's text glued to the next paragraph of
prose ("Giorgio A. TascaAt the conference ...").
"""
from __future__ import annotations

import re

from indexer.blocks import Block

SITE = "site"
FURNITURE = "furniture"
END = "end"
SERIES = "series"
COMMENT = "comment"

_MAX_CHROME_WORDS = 30
_SITE_LINE = re.compile(
    r"^(?:(?:the\s+)?pprnet\s+)?blog\s*:?$|^pprnet$|^psychotherapy practice research network(?:\s*\(pprnet\))?$"
    r"|^this month\s*(?:\.{3}|…)?$|^(?:this month\W*)?(?:\.{3}|…)?\s*i blog about\b|^type of research\s*:?$|^topics?\s*:?$"
    r"|^(?:filter|browse) by\b|^(?:blog\s+)?archives?\s*:?$|^recent posts\s*:?$|^subscribe\b",
    re.I,
)
# The blog's standing introduction, on the live listing and on every old archive page. (Here, in
# _COMMENT and in _FURNITURE_LINE, what a line opens with and what it holds anywhere are searched
# apart: a pattern anchored at the start is tried there only, not at every character with the others.)
_INTRODUCTION = (
    re.compile(
        r"^(?:the (?:psychotherapy practice research network \(pprnet\)|pprnet) blog began"
        r"|welcome to the (?:pprnet )?blog)\b",
        re.I,
    ),
    re.compile(r"\b(?:past blogs are available in the archives|this content is only available in english)\b", re.I),
)
_FILTER_LINK = re.compile(r"[?&]cat_\d+=")
# A label of the blog's filter lists other than a topic (the caller knows the topics): a list's "clear"
# option ("ALL Topics (clear)", "ALL Types (clear)") or a type of research. The site prints them as
# list entries, links or options, but a copy of the page may print them as any line, anywhere.
_FILTER_LABEL = re.compile(
    r"^(?:all (?:topics|types)|.{1,40}\(clear\)|single stud(?:y|ies)|meta-?analys[ie]s|reviews?)\s*$", re.I
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A signature: a name with a degree ("Giorgio A. Tasca, Ph.D.") or a dash and a short name.
_SIGNATURE = re.compile(
    r"^(?:[-–—]\s*)?(?:dr\.?\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4},?\s+"
    r"(?i:ph\.?\s?d|psy\.?\s?d|m\.?\s?d|c\.?\s?psych|r\.?\s?psych|m\.?\s?a|m\.?\s?sc)\.?(?:\s*,.*)?$"
    r"|^(?:[-–—]\s*)?(?:(?i:dr|prof)\.?\s+)?(?<=[-–—\s])[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}$",
)
_FURNITURE_LINE = (
    re.compile(
        r"©|\b(?:copyright|all rights reserved|back to top|last updated|unsubscribe"
        r"|(?:previous|next|older|newer) (?:issues?|posts?|page|entries)|view in (?:your )?browser)\b",
        re.I,
    ),
    re.compile(
        r"^(?:\W*(?:home|contact(?: us)?|share(?: this| on)?|print|top|menu|search|read more|continue reading|follow"
        r"|listen)\W*$"
        r"|\W*\d+\s*min(?:ute)?s?\s+read\W*$|\W*published in\b|\W*(?:page \d+(?: of \d+)?|(?:first|last) page)\W*$"
        r"|posted (?:by|in)\b|(?:labels?|tags?|categories)\s*(?::|$)|filed under\b|(?:table of )?contents\s*:?$"
        r"|(?:[^|]{1,30}\|){2,}[^|]{1,30}$"  # a menu: "Home | About PPRNet | Blog | Members"
        r"|(?:read|see|view|link to)\b.{0,40}\babstract\b|(?:abstract|full text)\s*:?\s*https?://\S+$)",
        re.I,
    ),
)
_END_LINE = re.compile(
    r"^(?:\d+\s+)?(?:reader\s+)?(?:comments?|responses?|replies)\s*(?:\(\d+\))?\s*:?$|^leave a (?:comment|reply)\b"
    r"|^post a comment\b|^share this\s*:?$|^related(?: posts| articles| reading)?\s*:?$|^about the author\s*:?$"
    r"|^you (?:may|might) also (?:like|enjoy)\b|^read next\s*:?$|^more (?:posts |stories |articles )?from\b"
    r"|^recommended(?: for you| from\b.*)?\s*:?$"
    r"|^\d+ comments?\b|^no comments\b|^reader (?:comments?|responses?)\s*:|^\W*read (?:it |more )?on the blog\W*$"
    r"|^you are receiving this\b|^(?:one|\d+) (?:comments?|thoughts?|repl(?:y|ies)|responses?) (?:on|to)\b"
    r"|^(?:[A-Z][\w.'’-]*\s+){1,4}(?:says|said|wrote)\s*:?$",
    re.I,
)
# A blog post introducing itself as part of a series: "This is the second of three posts on ...",
# "This post is part 2 of ...", "This month's blog continues our series on ...", "A note on this
# month's blog: ...". (A study's "second in a series of trials" is not one.)
_SERIES_NOUN = r"(?:posts|blogs|summaries|parts|instal+ments|series)\b(?!\s+of\s+(?!posts|blogs|summaries))"
_SERIES = re.compile(
    r"^(?:this|today['’]?s|in this)\b[^.]{0,80}?\b(?:first|second|third|fourth|fifth|sixth|last|final|next)\s+"
    r"(?:of|in)\s+(?:(?:a|the|my|this|our)\s+)?(?:[\w-]+\s+){0,2}" + _SERIES_NOUN
    + r"|^this (?:post |blog )?is part\s+(?:\d+|one|two|three|four|five|six|[ivx]{1,4})\s+(?:of|in)\b"
    r"|^(?:this|today['’]?s|my)\s+(?:month['’]?s?\s+)?(?:post|blog|summary|entry)\s+(?:is|begins|continues|concludes)\b"
    r"[^.]{0,60}\b" + _SERIES_NOUN
    + r"|^a note on (?:this|the) (?:month['’]?s?|week['’]?s?) (?:blog|posts?)\b",
    re.I,
)
_MAX_SERIES_WORDS = 80
# A reader's comment by its signature: a dash and a name (", Place") at the end, "Posted by Name,
# date", a time of day, or "Name says:" at the start.
_COMMENT = (
    re.compile(
        r"\s[-–—]{1,2}\s*(?:(?:dr|prof)\.?\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}"
        r"(?:,\s*[A-Z][\w'’. -]{1,40})?\s*$"
    ),
    re.compile(
        r"\b(?:(?i:posted|submitted) by\s+[A-Z][\w'’ .-]{0,40}"
        r"(?:,?\s*(?i:on\s+)?[A-Z][a-z]+\.? \d{1,2},? \d{4})?\s*\.?$"
        r"|(?i:at)\s+\d{1,2}:\d\d\s*(?i:am|pm|a\.m\.|p\.m\.)\W*$)"
    ),
    re.compile(r"^(?:[A-Z][\w.'’-]*\s+){1,4}(?:says|said|wrote)\s*:\s*\S"),
)
# A name (given name, initials, a surname of four letters or more, or any surname and a degree) glued
# to the next paragraph's first word: "Giorgio A. TascaAt ...", "Giorgio Tasca, Ph.D.Welcome ...".
_GLUED_SIGNATURE = re.compile(
    r"^((?:(?i:dr|prof)\.?\s+)?[A-Z][a-z’'-]+(?:\s+[A-Z]\.){0,2}\s+"
    r"(?:[A-Z][a-z’'-]{3,}|[A-Z][a-z’'-]+,?\s*(?i:ph\.?\s?d|psy\.?\s?d|c\.?\s?psych)\.?))(?=[A-Z])"
)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
_MIN_GLUED_WORDS = 5


def chrome_kind(block: Block, topic_labels: frozenset[str] = frozenset()) -> str | None:
    """``SITE``, ``FURNITURE``, ``END``, ``SERIES`` or ``COMMENT`` for such a line, None for a line that may
    belong to a post."""
    text = block.text
    words = len(text.split())
    if any(pattern.search(text) for pattern in _INTRODUCTION):
        return SITE
    if block.link and _FILTER_LINK.search(block.link):
        return SITE
    if words <= _MAX_SERIES_WORDS and _SERIES.search(text.split(". ", 1)[0]):
        return SERIES
    if any(pattern.search(text) for pattern in _COMMENT):
        return COMMENT
    if words > _MAX_CHROME_WORDS:
        return None
    if _SITE_LINE.search(text) or _SIGNATURE.match(text) or _EMAIL.search(text):
        return SITE
    if _FILTER_LABEL.search(text) or text.casefold() in topic_labels:
        return SITE
    if _END_LINE.search(text):
        return END
    if any(pattern.search(text) for pattern in _FURNITURE_LINE):
        return FURNITURE
    return None


def split_glued_signature(text: str) -> tuple[str, str] | None:
    """``"Giorgio A. TascaAt the PPRNet conference ..."`` -> the signature and the paragraph it was
    glued to; None when the text does not open that way."""
    match = _GLUED_SIGNATURE.match(text)
    if not match:
        return None
    rest = text[match.end():]
    is_prose = len(rest.split()) >= _MIN_GLUED_WORDS and _SENTENCE_END.search(rest)
    return (match.group(1), rest) if is_prose else None
