"""Pages to a flat sequence of text blocks, the one input the structural parser reads.

HTML and plain-text dumps both become a list of :class:`Block`: one per heading, paragraph, list item,
table cell or run of text between ``<br>`` breaks. Scripts, styles and comments are dropped; blocks
inside site chrome (navigation, footers, sidebars, filter forms, reader comments) are kept but
flagged, because the topic taxonomy lives in a filter list. Each HTML block also says which
``<article>`` holds it, whether it is in ``<main>``, the ``id``/``name`` anchor just before it and
the ``<time datetime>`` in it, so the parser can use a page's own semantics where it has them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from indexer.decode import clean_text, squeeze_spaces

HEADING = "heading"
PARAGRAPH = "paragraph"
ITEM = "item"

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol option p pre "
    "section select summary table tbody td tfoot th thead tr ul".split()
)
_HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_ITEM_TAGS = frozenset("li dt option".split())
_SKIPPED_TAGS = frozenset("script style noscript template head svg math iframe object canvas button".split())
_EMPHASIS_TAGS = frozenset("b strong u font big".split())
_CHROME_TAGS = frozenset("nav footer aside form select".split())
_CHROME_ROLES = frozenset("navigation contentinfo banner search complementary".split())
_CHROME_NAME = re.compile(
    r"^(nav|navbar|navigation|menu|menus|main-menu|footer|site-footer|breadcrumbs?|sidebar|pager|"
    r"pagination|social|share|skip-link|skip|site-header|header-top|cookies?|cookie-banner|filters?|"
    r"facets?|visually-hidden|sr-only|element-invisible|respond|commentlist|"
    r"comments?(?:[-_]+(?:area|list|wrapper|section|body|content|respond|thread|meta))?)$"
    r"|(^|[-_])(nav|menu|footer|breadcrumb|sidebar|pager|pagination)([-_]|$)",
    re.I,
)
# How far up the tree to look for a block, chrome or emphasis ancestor; deeper nesting is flattened.
_MAX_ANCESTORS = 200
_TEXT_ITEM = re.compile(r"^\s*(?:[-*•·▪–]|\d{1,2}[.)])\s+")
# A text copy of a page whose menu had no separator glues the last menu word to the next line's
# first word: "blogWhat Therapists Can Do ...".
_GLUED_MENU_WORD = re.compile(
    r"^(?i:blog|home|archives?|menu|contact(?: us)?|about(?: us)?|search|top|back|members|resources)+(?=[A-Z][a-z])"
)


@dataclass(frozen=True)
class Block:
    """One unit of page text.

    ``emphasised``: every character is bold/underlined (titles are often printed that way).
    ``chrome``: the block sits in navigation, a footer, a sidebar or a filter form.
    ``link``: the block's link target (``href``, or ``?name=value`` of a filter option), if any.
    ``article``: the number (in page order, from 0) of the outermost ``<article>`` holding the block.
    ``anchor``: the ``id`` or ``name`` of the last element opened before the block's text began.
    ``time``: the ``datetime`` of a ``<time>`` element inside the block.
    ``in_main``: the block is inside the page's ``<main>`` (or ``role="main"``) element.
    """

    kind: str
    text: str
    emphasised: bool = False
    chrome: bool = False
    link: str | None = None
    article: int | None = None
    anchor: str | None = None
    time: str | None = None
    in_main: bool = False


def text_to_blocks(text: str) -> list[Block]:
    """A plain-text dump: one block per non-empty line; ``- x`` lines are list items."""
    blocks = []
    for line in clean_text(text).splitlines():
        line = _GLUED_MENU_WORD.sub("", squeeze_spaces(line))
        if not line:
            continue
        item = _TEXT_ITEM.match(line)
        if item and len(line) > item.end():
            blocks.append(Block(ITEM, line[item.end():]))
        else:
            blocks.append(Block(PARAGRAPH, line))
    return blocks


def html_to_blocks(html: str) -> list[Block]:
    """An HTML page, any tags: walk its text in document order and cut it into blocks."""
    return soup_to_blocks(BeautifulSoup(html, "lxml"))


def soup_to_blocks(soup: BeautifulSoup) -> list[Block]:
    """The blocks of an already parsed page (so page semantics and blocks share one parse)."""
    articles = {id(tag): number for number, tag in enumerate(outermost_articles(soup))}
    builder = _BlockBuilder(articles)
    for node in soup.descendants:
        if isinstance(node, Tag):
            if node.name in ("br", "hr"):
                builder.flush()
            anchor = node.get("id") or (node.get("name") if node.name == "a" else None)
            if isinstance(anchor, str) and anchor.strip():
                builder.pending_anchor = anchor.strip()
            if node.name == "time" and isinstance(node.get("datetime"), str):
                builder.pending_time = node["datetime"]
        elif isinstance(node, NavigableString) and not isinstance(
            node, (Comment, Declaration, Doctype, ProcessingInstruction)
        ):
            builder.add_string(node)
    builder.flush()
    return builder.blocks


def outermost_articles(soup: BeautifulSoup) -> list[Tag]:
    """The page's ``<article>`` elements that are not inside another one (a comment can be an article)."""
    return [tag for tag in soup.find_all("article") if tag.find_parent("article") is None]


@dataclass
class _Context:
    block: Tag | None
    skipped: bool
    chrome: bool
    emphasised: bool
    link: str | None
    article: Tag | None = None
    in_main: bool = False


def _context_of(string: NavigableString) -> _Context:
    block = article = None
    chrome = emphasised = in_main = False
    link = None
    for depth, parent in enumerate(string.parents):
        if depth > _MAX_ANCESTORS or parent.name == "[document]":
            break
        name = parent.name
        if name in _SKIPPED_TAGS or parent.has_attr("hidden"):
            return _Context(None, True, False, False, None)
        if name == "article":
            article = parent
        if name == "main" or parent.get("role") == "main":
            in_main = True
        if block is None:
            if name in _BLOCK_TAGS:
                block = parent
            elif (name in _EMPHASIS_TAGS and (name != "font" or _is_large_font(parent))) or _is_bold_style(parent):
                emphasised = True
            elif name == "a" and link is None:
                link = parent.get("href")
        if name == "option" and link is None:
            link = _option_link(parent)
        if not chrome and _is_chrome(parent):
            chrome = True
    return _Context(block, False, chrome, emphasised, link, article, in_main)


def _is_large_font(tag: Tag) -> bool:
    """``<font size=+1>`` or ``size=4`` and up: a heading; ``<font face=...>`` alone only sets the typeface."""
    size = str(tag.get("size") or "").strip()
    return size.startswith("+") or (size.isdigit() and int(size) >= 4)


def _is_bold_style(tag: Tag) -> bool:
    style = tag.get("style")
    return isinstance(style, str) and re.search(r"font-weight\s*:\s*(bold|[6-9]00)", style) is not None


def _is_chrome(tag: Tag) -> bool:
    if tag.name in _CHROME_TAGS:
        return True
    if tag.get("role") in _CHROME_ROLES:
        return True
    if tag.name == "header" and tag.find_parent("article") is None:
        return True
    names = list(tag.get("class") or [])
    if tag.get("id"):
        names.append(tag["id"])
    return any(_CHROME_NAME.search(name) for name in names if isinstance(name, str))


def _option_link(option: Tag) -> str | None:
    select = option.find_parent("select")
    value = option.get("value")
    if select is None or not select.get("name") or value in (None, ""):
        return None
    return f"?{select['name']}={value}"


class _BlockBuilder:
    """Collects strings until the enclosing block changes or a ``<br>`` breaks the line."""

    def __init__(self, articles: dict[int, int]) -> None:
        self.blocks: list[Block] = []
        self.pending_anchor: str | None = None
        self.pending_time: str | None = None
        self._articles = articles
        self._parts: list[str] = []
        self._block_tag: Tag | None = None
        self._all_emphasised = True
        self._chrome = False
        self._link: str | None = None
        self._article: int | None = None
        self._anchor: str | None = None
        self._time: str | None = None
        self._in_main = False
        self._has_text = False

    def add_string(self, string: NavigableString) -> None:
        context = _context_of(string)
        if context.skipped:
            return
        if context.block is not self._block_tag:
            self.flush()
            self._block_tag = context.block
        if self.pending_time:
            self._time, self.pending_time = self._time or self.pending_time, None
        if string.strip():
            if not self._has_text:
                self._has_text = True
                self._anchor, self.pending_anchor = self.pending_anchor, None
                self._article = self._articles.get(id(context.article)) if context.article is not None else None
                self._in_main = context.in_main
            self._all_emphasised &= context.emphasised
            self._chrome |= context.chrome
            self._link = self._link or context.link
        self._parts.append(str(string))

    def flush(self) -> None:
        text = squeeze_spaces(clean_text("".join(self._parts)))
        if text:
            self.blocks.append(
                Block(
                    kind=_kind_of(self._block_tag),
                    text=text,
                    emphasised=self._all_emphasised,
                    chrome=self._chrome,
                    link=self._link,
                    article=self._article,
                    anchor=self._anchor,
                    time=self._time,
                    in_main=self._in_main,
                )
            )
        self._parts = []
        self._all_emphasised = True
        self._chrome = False
        self._link = None
        self._article = None
        self._anchor = None
        self._has_text = False
        self._time = None
        self._in_main = False


def _kind_of(tag: Tag | None) -> str:
    if tag is None:
        return PARAGRAPH
    if tag.name in _HEADING_TAGS:
        return HEADING
    if tag.name in _ITEM_TAGS:
        return ITEM
    return PARAGRAPH
