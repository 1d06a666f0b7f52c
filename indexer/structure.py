"""The structural parser: a block sequence to raw posts (month, title, citation, summary, implications).

Works from what every rendering of the blog shares, whatever the tags: month headings ("January
2021"), a title known by its place, an optional APA citation right after it, summary paragraphs, the
"Practice Implications" marker and the implications paragraphs. A title is the line before a
citation, the line after a month heading, the heading of an ``<article>``, or, between two markers,
the first headline after the previous post's implications: its place decides, not its punctuation,
but it must have a title's shape (not a run of sentences). A post needs a title and body text: a
citation, practice implications, or a paragraph of prose. Site chrome (see :mod:`indexer.chrome`),
a post's own furniture (its header's byline, its footer), link-only lines, series introductions and
reader comments are never part of one. Each post keeps its ``rel="tag"`` labels (from its article,
or from the page between its title and the next) and its anchor, unless that anchor's element
wraps other posts too. Every block left over is returned with the reason it was not placed, and
each set-aside case is counted.
"""
from __future__ import annotations

import bisect
import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.blocks import HEADING, ITEM, Block
from indexer.chrome import COMMENT, END, FURNITURE, SERIES, SITE, chrome_kind, split_glued_signature
from indexer.citation import looks_like_citation
from indexer.months import dated_line_month, heading_month, iso_month

_MARKER = re.compile(r"^(?:practi[cs]e\s+implications?|implications\s+for\s+practi[cs]e)\b\s*[:.\-–—]?\s*", re.I)
_SENTENCE_END = re.compile(r"[.;,]['\"’”)]*$")
# A title by shape (no sentence end) and by place (any short line) may be this long.
_MAX_TITLE_CHARS = 300
_MAX_TITLE_WORDS = 45
# A safety net for citation lines whose author list the citation parser cannot read ("Becker, E.S….
# Powers, M.B. (2019)", "Watson, J. Timulak, L. (2019)"): names with at least one initial, then a
# parenthesised year. Running prose ("Tasca and colleagues (2011) showed") has lowercase words.
_YEAR_GROUP = re.compile(r"\(\s*(?:19|20)\d\d[a-z]?\s*(?:,[^()]{1,30})?\)")
_INITIAL = re.compile(r"(?<![\w’'])[A-Z]\.")
_LOWERCASE_WORD = re.compile(r"(?<![\w’'.-])[a-z]{2,}\b")
_NAME_PARTICLES = frozenset("and et al de da di du del der den van von la le ten ter dos das y".split())
_MAX_AUTHORS_CHARS = 600
_NOT_WORD = re.compile(r"[\W_]+")
# What old pages print after a citation on its line: a link to the publisher's abstract, an e-mail.
_TRAILING_LINK_LABEL = re.compile(
    r"(?:\s*[\[(]?(?:link to (?:the )?|read the |view the |see the )?(?:abstract|full text|pdf)[\])]?\.?"
    r"|\s*(?:e-?mail|contact|corresponding author)\s*:?\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\.?)+\s*$",
    re.I,
)
# Title Case leaves these lowercase; a headline capitalises most other words.
_SMALL_WORDS = frozenset("a an the of for and or nor but in on at to by with from as vs vs. via into than".split())
_TITLE_CASE_SHARE = 0.75
# This many different months in a row are archive navigation.
_ARCHIVE_LIST_MONTHS = 3
# A line holding a <time> this short is a dateline.
_MAX_DATED_WORDS = 12
# How far after a title a byline with the post's date may come.
_BYLINE_REACH = 3
# A post with neither a citation nor practice implications needs this much prose (words in paragraphs
# that end like a sentence: a label, a heading or a menu line is none), and not an excerpt's ending
# ("…", "[...]") that a listing of teasers prints.
_MIN_BARE_BODY_WORDS = 12
_PROSE_END = re.compile(r"[.!?]['\"’”)\]]*$")
_EXCERPT_END = re.compile(r"(?:…|\.\.\.|\[(?:…|\.\.\.)\])\W*$")
# A title may carry a short second sentence ("...? It Depends."), not a run of prose.
_SENTENCE_BREAK = re.compile(r"[.!?]['\"’”)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_NOT_SENTENCE_END = re.compile(r"(?:^|\s)(?:[A-Z]|dr|mr|mrs|ms|prof|st|vs|al|no|vol|e\.g|i\.e|ed|eds)$", re.I)
_MAX_SECOND_SENTENCE_WORDS = 6

# What the report counts (keys of ParsedPage.counts).
SERIES_SET_ASIDE = "series introductions set aside"
COMMENTS_SET_ASIDE = "signed lines after the implications (reader comments, sign-offs) set aside"
WRAPPER_ANCHORS = "anchors refused because their element wraps other posts"
SIGNATURES_SPLIT = "signatures glued to the next paragraph split off"
RUN_ON_TITLES = "run-on lines refused as titles"


@dataclass(frozen=True)
class RawPost:
    """A post as found on the page, before citation parsing and enrichment.

    ``position``: the title's block number on the page; ``anchor``: the ``id``/``name`` just before
    the title (None when its element wraps other posts too); ``article``: the number of the
    ``<article>`` holding it (None outside articles); ``tags``: its ``rel="tag"`` labels.
    """

    issue_date: str | None
    title: str
    citation: str | None
    summary: tuple[str, ...]
    implications: tuple[str, ...]
    position: int = 0
    anchor: str | None = None
    article: int | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unplaced:
    """A block of page text that is in no post and is not known chrome, and why."""

    position: int
    text: str
    reason: str

    def __str__(self) -> str:
        words = self.text.split()
        start = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
        return f"block {self.position} {start!r} left unplaced: {self.reason}"


@dataclass(frozen=True)
class ParsedPage:
    """The posts of a page's blocks in page order, the blocks of text no post took, how many posts
    past ``limit`` were not read, and the count of each case set aside (see the ``*_SET_ASIDE`` keys)."""

    posts: list[RawPost]
    unplaced: list[Unplaced]
    unread: int = 0
    counts: Counter = field(default_factory=Counter)


def parse_posts(
    blocks: list[Block],
    *,
    page_titles: tuple[str, ...] = (),
    headline: str | None = None,
    topic_labels: frozenset[str] = frozenset(),
    limit: int | None = None,
) -> ParsedPage:
    """All posts in a page's blocks, in page order (the first ``limit`` of them), and the blocks no post took.

    ``page_titles`` (the page's ``og:title``, ``<title>``) let a post page whose heading sits outside
    its ``<article>`` keep that heading; ``headline`` (the title a one-post page declares) is the
    title of a lone post article that prints none. A post's ``issue_date`` is None when the page
    does not date it near the post (the caller may know the month from the page address).
    """
    counts: Counter = Counter()
    positions, content = _content(blocks, page_titles, headline, counts)
    kinds = _classify_all(content, topic_labels)
    counts[SERIES_SET_ASIDE] += kinds.count(_SERIES)
    starts = _post_starts(content, kinds, counts)
    unread = max(0, len(starts) - limit) if limit is not None else 0
    read_up_to = positions[starts[-unread]] if unread else len(blocks)
    starts = starts[: len(starts) - unread]
    dates = _Dates(content, kinds)
    tags = _Tags(blocks)
    posts: list[RawPost] = []
    placed: set[int] = set()
    unplaced: list[Unplaced] = []
    last_used: list[int] = []  # of each post, the last block it took
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(content)
        post, used = _read_post(content, kinds, start, end, dates, counts)
        placed.update(used)
        last_used.append(max(used))
        if post.citation is None and not post.implications and not _is_prose(post.summary):
            reason = ("a title-like line with too little prose after it (or an excerpt), and neither a citation nor "
                      "'Practice Implications'")
            unplaced.extend(Unplaced(positions[i], content[i].text, reason) for i in used)
            continue
        following = positions[starts[number + 1]] if number + 1 < len(starts) else read_up_to
        anchor = post.anchor
        if anchor and content[start].anchor_last is not None and content[start].anchor_last >= following:
            anchor = None
            counts[WRAPPER_ANCHORS] += 1
        labels = tags.of(post, positions[start], following, len(starts))
        posts.append(dataclasses.replace(post, position=positions[start], anchor=anchor, tags=labels))
    for i, kind in enumerate(kinds):
        if i not in placed and kind in (_TEXT, _TITLE_LIKE, _CITATION, _MARK, _COMMENT) and positions[i] < read_up_to:
            post = bisect.bisect_right(starts, i) - 1
            if post < 0:
                reason = "before the first post"
            elif i < last_used[post]:
                reason = "inside a post, not part of its text (a subtitle, the words of a byline)"
            else:
                reason = "after a post's end (comments or page furniture)"
            unplaced.append(Unplaced(positions[i], content[i].text, reason))
    unplaced.sort(key=lambda item: item.position)
    return ParsedPage(posts, unplaced, unread, counts)


def _is_prose(paragraphs: tuple[str, ...]) -> bool:
    """Enough sentences to be a post's whole body, the last not an excerpt's ending."""
    words = sum(len(paragraph.split()) for paragraph in paragraphs if _PROSE_END.search(paragraph))
    return words >= _MIN_BARE_BODY_WORDS and not _EXCERPT_END.search(paragraphs[-1])


class _Tags:
    """The ``rel="tag"`` labels of a page's posts, gathered once per page."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.by_article: dict[int | None, list[str]] = {}
        for block in blocks:
            if block.tags:
                self.by_article.setdefault(block.article, []).extend(block.tags)

    def of(self, post: RawPost, first: int, following: int, post_count: int) -> tuple[str, ...]:
        """The post's labels: its article's, else those between its title and the next post (the whole
        page's when it is the page's only post)."""
        if not self.by_article:
            return ()
        if post.article is not None:
            found = self.by_article.get(post.article, [])
        elif post_count == 1:
            found = [tag for tags in self.by_article.values() for tag in tags]
        else:
            found = [tag for block in self.blocks[first:following] for tag in block.tags]
        return tuple(dict.fromkeys(found))


def _content(
    blocks: list[Block], page_titles: tuple[str, ...], headline: str | None, counts: Counter
) -> tuple[list[int], list[Block]]:
    """The blocks that may hold posts, with their positions on the page.

    Chrome-flagged blocks go; when the page's ``<main>`` holds the posts, everything outside it and
    its articles; when its ``<article>`` elements hold them, everything but their text, the month
    headings and a heading that repeats the page title just before an article (which joins that
    article). A lone post article without any heading (but its "Practice Implications") gets the
    page's ``headline`` as its first line. A signature glued to the next paragraph becomes two blocks.
    """
    positions = [i for i, block in enumerate(blocks) if not block.chrome]
    if any(blocks[i].in_main and _holds_post(blocks[i]) for i in positions):
        in_main = {blocks[i].article for i in positions if blocks[i].in_main and blocks[i].article is not None}
        positions = [i for i in positions if blocks[i].in_main or blocks[i].article in in_main]
    content = {i: blocks[i] for i in positions}
    if any(blocks[i].article is not None and _holds_post(blocks[i]) for i in positions):
        kept = []
        for n, i in enumerate(positions):
            block = blocks[i]
            if block.article is None and block.kind == HEADING and any(_is_page_title(block.text, title) for title in page_titles):
                following = next((blocks[j].article for j in positions[n + 1:] if blocks[j].article is not None), None)
                if following is not None:
                    content[i] = dataclasses.replace(block, article=following)
                    kept.append(i)
            elif block.article is not None or heading_month(block.text):
                kept.append(i)
        positions = kept
        articles = {blocks[i].article for i in positions if blocks[i].article is not None and _holds_post(blocks[i])}
        headings = [content[i] for i in positions if content[i].kind == HEADING and content[i].article is not None]
        if headline and len(articles) == 1 and all(_MARKER.match(heading.text) for heading in headings):
            first = next(n for n, i in enumerate(positions) if content[i].article is not None)
            content[-1] = Block(HEADING, headline, article=articles.pop())
            positions.insert(first, -1)
    positions = _without_repeats(content, positions)
    # The page position of the headline taken from the metadata is that of the article's first line.
    shown = [i if i >= 0 else positions[n + 1] for n, i in enumerate(positions)]
    found: list[Block] = []
    places: list[int] = []
    for place, i in zip(shown, positions):
        glued = split_glued_signature(content[i].text)
        if glued:
            counts[SIGNATURES_SPLIT] += 1
            signature, rest = glued
            found += [dataclasses.replace(content[i], text=signature, furniture=True),
                      dataclasses.replace(content[i], text=rest, anchor=None)]
            places.extend((place, place))
        else:
            found.append(content[i])
            places.append(place)
    return places, found


def _holds_post(block: Block) -> bool:
    """A sign that the element around the block holds a post: its citation, its marker, or its date."""
    return _post_text(block) or block.time is not None


def _post_text(block: Block) -> bool:
    return bool(_MARKER.match(block.text)) or _is_citation(block.text)


def _is_citation(text: str) -> bool:
    return looks_like_citation(text) or _opens_with_initials_and_year(text)


def _is_page_title(text: str, page_title: str | None) -> bool:
    """``text`` is the page's title (``<title>`` often appends the site name: "Title | Blog | Site")."""
    if not page_title or len(text) < 3:
        return False
    text, page_title = text.casefold(), page_title.casefold()
    return page_title == text or (page_title.startswith(text) and not page_title[len(text)].isalnum())


# Block classes.
_MONTH, _BYLINE_LINE, _MARK, _CITATION, _TITLE_LIKE, _TEXT = "month", "byline", "marker", "citation", "title", "text"
_DROPPED, _END, _LINK_LINE, _SERIES, _COMMENT = "dropped", "end", "link", "series", "comment"
_BLANK = "blank"  # no letters at all: "·", "--", a count of claps
# Lines between a title and its text that are never the post's text.
_SKIPPED = (_BYLINE_LINE, _DROPPED, _LINK_LINE, _SERIES, _BLANK)
# Lines that are a post's text.
_BODY = (_TEXT, _CITATION, _MARK, _COMMENT)


def _classify_all(blocks: list[Block], topic_labels: frozenset[str]) -> list[str]:
    kinds = []
    for block in blocks:
        kind = _classify(block, topic_labels)
        # The items of a filter list follow its label ("Topics", "Type of Research").
        if kind not in (_DROPPED, _MONTH) and block.kind == ITEM and kinds and kinds[-1] == _DROPPED:
            kind = _DROPPED
        kinds.append(kind)
    # Months one after another: no month of the blog is empty, so only the last can head posts, and
    # three or more different ones are a list of archive months (navigation in a text copy), unless
    # the post text follows at once: then the last of them is the heading the list ran into.
    start = 0
    while start < len(kinds):
        end = start
        while end < len(kinds) and kinds[end] == _MONTH:
            end += 1
        is_list = len({heading_month(block.text) for block in blocks[start:end]}) >= _ARCHIVE_LIST_MONTHS
        heads_posts = not is_list or (end < len(kinds) and kinds[end] in (_TITLE_LIKE, _TEXT))
        kinds[start:end] = [_DROPPED] * (end - start)
        if heads_posts and end > start:
            kinds[end - 1] = _MONTH
        start = end + 1
    return kinds


def _classify(block: Block, topic_labels: frozenset[str]) -> str:
    text = block.text
    dated = block.time is not None and block.kind != HEADING and len(text.split()) <= _MAX_DATED_WORDS
    if block.furniture:
        return _BYLINE_LINE if dated or dated_line_month(text) else _DROPPED
    if dated and block.article is not None:
        return _BYLINE_LINE  # an article's <time> line dates it, even when it reads "January 2021"
    if heading_month(text):
        # A month that links elsewhere or sits in a list is archive navigation, not this page's heading.
        return _DROPPED if block.link or block.kind == ITEM else _MONTH
    if dated_line_month(text) or dated:
        return _BYLINE_LINE
    if not any(character.isalpha() for character in text):
        return _BLANK
    if _MARKER.match(text) and not (block.linked and block.kind != HEADING):  # not a contents entry
        return _MARK
    if _is_citation(text):
        return _CITATION
    chrome = chrome_kind(block, topic_labels)
    if chrome in (SITE, FURNITURE):
        return _DROPPED
    if chrome == END:
        return _END
    if chrome == SERIES:
        return _SERIES
    if block.linked and block.kind != HEADING:
        return _LINK_LINE
    if chrome == COMMENT:
        return _COMMENT
    if _is_title_like(block):
        return _TITLE_LIKE
    return _TEXT


def _opens_with_initials_and_year(text: str) -> bool:
    year = _YEAR_GROUP.search(text[:_MAX_AUTHORS_CHARS])
    if not year or year.start() == 0:
        return False
    head = text[: year.start()]
    lowercase = [word for word in _LOWERCASE_WORD.findall(head) if word not in _NAME_PARTICLES]
    return not lowercase and _INITIAL.search(head) is not None


def _is_short(block: Block) -> bool:
    """Short enough to be a title, not a list item or a line that starts mid-sentence, and not a run of sentences."""
    text = block.text
    return (
        block.kind != ITEM
        and len(text) <= _MAX_TITLE_CHARS
        and len(text.split()) <= _MAX_TITLE_WORDS
        and (text[0].isupper() or text[0].isdigit() or text[0] in "\"'‘“¿")
        and not _runs_on(text)
    )


def _runs_on(text: str) -> bool:
    """Prose rather than a title: three sentences or more, or a second one that is long and not a headline."""
    breaks = [m.end() for m in _SENTENCE_BREAK.finditer(text) if not _NOT_SENTENCE_END.search(text[: m.start()])]
    if len(breaks) >= 2:
        return True
    if not breaks:
        return False
    second = text[breaks[0]:]
    return len(second.split()) > _MAX_SECOND_SENTENCE_WORDS and not _headline(Block(HEADING, second), _TEXT)


def _is_title_like(block: Block) -> bool:
    """Title-shaped: short, and not ending like a sentence."""
    return _is_short(block) and not _SENTENCE_END.search(block.text)


def _headline(block: Block, kind: str) -> bool:
    """Shaped like a title: no sentence end, or a question followed by more ("...? It Depends."),
    or Title Case ("Group Therapy for Social Anxiety: A Systematic Review.")."""
    if kind == _TITLE_LIKE:
        return True
    text = block.text
    if "?" in text.rstrip("?.!’”\"' ")[:-1]:
        return True
    words = [word for word in text.split() if word.casefold().strip(".,:;") not in _SMALL_WORDS]
    capitalised = sum(1 for word in words if word[:1].isupper() or word[:1].isdigit())
    return len(words) >= 2 and capitalised >= _TITLE_CASE_SHARE * len(words)


def _can_be_title(blocks: list[Block], kinds: list[str], i: int, *, links: bool = False) -> bool:
    """A title by place: any short line of text (it may end in a period or hold a second sentence);
    with ``links``, a line that is only a link too (a listing's title linking to the post's page)."""
    allowed = (_TITLE_LIKE, _TEXT, _LINK_LINE) if links else (_TITLE_LIKE, _TEXT)
    return 0 <= i < len(blocks) and kinds[i] in allowed and _is_short(blocks[i])


def _runs_on_at(blocks: list[Block], kinds: list[str], i: int) -> bool:
    return 0 <= i < len(blocks) and kinds[i] in (_TITLE_LIKE, _TEXT) and _runs_on(blocks[i].text)


def _without_repeats(blocks: dict[int, Block], positions: list[int]) -> list[int]:
    """Drop a block that repeats the one before it (a title printed twice is one title)."""
    kept: list[int] = []
    last = None  # the last kept block's text, comparable
    for i in positions:
        text = _comparable(blocks[i].text)
        if text != last:
            kept.append(i)
            last = text
    return kept


def _comparable(text: str) -> str:
    """Text compared without case, punctuation or spacing ("Title:" and "TITLE" are the same line)."""
    return _NOT_WORD.sub("", text[: _MAX_TITLE_CHARS * 2].casefold())


def _post_starts(blocks: list[Block], kinds: list[str], counts: Counter) -> list[int]:
    starts = set()
    run_ons = set()
    headings = _article_headings(blocks, kinds)
    for i, kind in enumerate(kinds):
        if kind == _CITATION:
            heading = headings.get(blocks[i].article) if blocks[i].article is not None else None
            if heading is not None and heading < i and not any(kinds[k] in _BODY for k in range(heading + 1, i)):
                title = heading  # the article's heading, whatever short lines (a subtitle, a byline) follow it
            else:
                title = _line_before(kinds, i)
            if _can_be_title(blocks, kinds, title, links=True):
                starts.add(title)
            elif _runs_on_at(blocks, kinds, title):
                run_ons.add(title)
        elif kind == _MONTH and _has_body(kinds, i + 1):
            if _can_be_title(blocks, kinds, i + 1, links=True):
                starts.add(i + 1)
            elif _runs_on_at(blocks, kinds, i + 1):
                run_ons.add(i + 1)
    _add_article_headings(blocks, kinds, headings, starts)
    found = sorted(starts)
    markers = [i for i, kind in enumerate(kinds) if kind == _MARK]
    previous = -1
    for marker in markers:
        # No start yet between the previous marker and this one.
        if bisect.bisect_right(found, previous) == bisect.bisect_left(found, marker):
            start = _title_between(blocks, kinds, previous, marker)
            if start is not None:
                starts.add(start)
        previous = marker
    counts[RUN_ON_TITLES] += len(run_ons - starts)
    return sorted(starts)


def _line_before(kinds: list[str], i: int) -> int:
    """The nearest line above ``i`` that is not a byline or dropped chrome (at most a few lines up)."""
    j = i - 1
    while j >= 0 and i - j <= _BYLINE_REACH and kinds[j] in (_BYLINE_LINE, _DROPPED, _SERIES, _BLANK):
        j -= 1
    return j


def _article_headings(blocks: list[Block], kinds: list[str]) -> dict[int, int]:
    """Each ``<article>``'s first heading that can be a title: the article's title candidate."""
    headings: dict[int, int] = {}
    for i, block in enumerate(blocks):
        if block.article is not None and block.article not in headings and block.kind == HEADING:
            if _can_be_title(blocks, kinds, i):
                headings[block.article] = i
    return headings


def _add_article_headings(blocks: list[Block], kinds: list[str], headings: dict[int, int], starts: set[int]) -> None:
    """An ``<article>`` that no other rule gave a title: its first heading is the title."""
    with_start = {blocks[start].article for start in starts}
    for article, i in headings.items():
        if article not in with_start and _has_body(kinds, i):
            starts.add(i)


def _has_body(kinds: list[str], title: int) -> bool:
    """A title is real when text follows it before the next month heading."""
    for kind in kinds[title + 1:]:
        if kind == _MONTH:
            return False
        if kind in _BODY:
            return True
    return False


def _title_between(blocks: list[Block], kinds: list[str], previous_marker: int, marker: int) -> int | None:
    """The start of the post whose marker is ``marker``, when no citation or month pointed at it."""
    region = range(previous_marker + 1, marker)
    if previous_marker >= 0:
        # After the previous post's implications (at least one paragraph) and any comments:
        # a heading or bold line, else a title-shaped one, else the first short line that a
        # paragraph of prose follows (a short last implications paragraph is followed by the title).
        ended = max((i for i in region if kinds[i] == _END), default=previous_marker + 1)
        # A title comes before its citation: lines after a citation that had no title are its summary.
        cited = min((i for i in region if i > ended and kinds[i] == _CITATION), default=marker)
        candidates = [i for i in region if ended < i < cited and _can_be_title(blocks, kinds, i)]
        marked = [i for i in candidates if blocks[i].kind == HEADING or blocks[i].emphasised]
        shaped = [i for i in candidates if _headline(blocks[i], kinds[i])]
        led = [i for i in candidates if i + 1 < marker and kinds[i + 1] == _TEXT and not _can_be_title(blocks, kinds, i + 1)]
        return (marked or shaped or led or candidates or [None])[0]
    # The page's first post: the last short line before its first paragraph of prose,
    # a heading or bold one when the page marks titles that way.
    titles = []
    for i in region:
        if kinds[i] == _CITATION:
            break
        if _can_be_title(blocks, kinds, i):
            titles.append(i)
        elif kinds[i] == _TEXT and titles:
            break
    marked = [i for i in titles if blocks[i].kind == HEADING or blocks[i].emphasised]
    shaped = [i for i in titles if _headline(blocks[i], kinds[i])]
    return (marked or shaped or titles or [None])[-1]


def _read_post(
    blocks: list[Block], kinds: list[str], start: int, end: int, dates: "_Dates", counts: Counter
) -> tuple[RawPost, list[int]]:
    """The post that starts at ``start``, and the positions of the blocks it took.

    Its furniture, link-only lines, headings before its first paragraph (a subtitle) and a series
    introduction before its first paragraph are skipped; a signed line (a reader's comment, a
    sign-off) after its first implications paragraph ends it."""
    title_block = blocks[start]
    used = [start]
    position = start + 1
    # Bylines, and headings before any text (a subtitle).
    while position < end and (kinds[position] in _SKIPPED or (kinds[position] == _TITLE_LIKE and blocks[position].kind == HEADING)):
        position += 1
    cited = position
    while cited < end and kinds[cited] in (*_SKIPPED, _TITLE_LIKE):  # a subtitle or a byline's words
        cited += 1
    if cited < end and kinds[cited] == _CITATION:
        position = cited
    citation = None
    if position < end and kinds[position] == _CITATION:
        citation = _TRAILING_LINK_LABEL.sub("", blocks[position].text) or blocks[position].text
        used.append(position)
        position += 1
    summary: list[str] = []
    implications: list[str] = []
    target = summary
    for i in range(position, end):
        kind = kinds[i]
        if kind in (_MONTH, _END) or blocks[i].article != title_block.article:
            break
        if kind in (_DROPPED, _BYLINE_LINE, _LINK_LINE, _BLANK) or (kind == _SERIES and not summary):
            continue
        if kind == _COMMENT and implications:
            counts[COMMENTS_SET_ASIDE] += 1
            break
        if kind == _MARK:
            target = implications
            rest = _MARKER.sub("", blocks[i].text, count=1)
            if rest:
                implications.append(rest)
            used.append(i)
            continue
        if target is implications and kind == _TITLE_LIKE and blocks[i].kind != ITEM:
            break  # page chrome after the last post ("Back to top", a footer line)
        target.append(blocks[i].text)
        used.append(i)
    post = RawPost(
        issue_date=dates.month_of_post(start),
        title=title_block.text,
        citation=citation,
        summary=tuple(summary),
        implications=tuple(implications),
        anchor=title_block.anchor,
        article=title_block.article,
    )
    return post, used


class _Dates:
    """Where the page dates each post, with the lookups done once per page."""

    def __init__(self, blocks: list[Block], kinds: list[str]) -> None:
        self.blocks, self.kinds = blocks, kinds
        self.article_months: dict[int, str] = {}
        # For each block: the nearest month heading above it (any, and outside articles) and dateline.
        self.heading_above: list[int | None] = []
        self.outside_heading_above: list[int | None] = []
        self.dateline_above: list[int | None] = []
        heading = outside = dateline = None
        for i, (block, kind) in enumerate(zip(blocks, kinds)):
            self.heading_above.append(heading)
            self.outside_heading_above.append(outside)
            self.dateline_above.append(dateline)
            if block.article is not None and block.time and iso_month(block.time):
                self.article_months.setdefault(block.article, iso_month(block.time))
            if kind == _MONTH:
                heading = i
                outside = i if block.article is None else outside
            elif kind == _BYLINE_LINE:
                dateline = i

    def month_of_post(self, start: int) -> str | None:
        """A month heading or dated line in the post's own article above the title, else the month
        heading the post is listed under, else its article's ``<time>``, else a dated line under the
        title, else the nearest dated line above it."""
        blocks, kinds = self.blocks, self.kinds
        article = blocks[start].article
        if article is not None:
            for i in range(start - 1, -1, -1):
                if blocks[i].article != article:
                    break
                if kinds[i] in (_MONTH, _BYLINE_LINE):
                    return _month_of_line(blocks[i], kinds[i])
        # Another article's own date line is not a heading this post is listed under.
        heading = self.heading_above[start] if article is None else self.outside_heading_above[start]
        if heading is not None:
            return heading_month(blocks[heading].text)
        if article is not None and article in self.article_months:
            return self.article_months[article]
        for i in range(start + 1, min(start + 1 + _BYLINE_REACH, len(blocks))):
            if kinds[i] == _BYLINE_LINE:
                return _month_of_line(blocks[i], kinds[i])
            if kinds[i] in (_TEXT, _MARK, _MONTH):
                break
        dateline = self.dateline_above[start]
        return _month_of_line(blocks[dateline], _BYLINE_LINE) if dateline is not None else None


def _month_of_line(block: Block, kind: str) -> str | None:
    """A month heading's month; a dateline's from its ``<time datetime>``, else from its words."""
    if kind == _MONTH:
        return heading_month(block.text)
    return (iso_month(block.time) if block.time else None) or dated_line_month(block.text)
