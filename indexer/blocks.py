"""Pages to a flat sequence of text blocks, the one input the structural parser reads.

HTML and plain-text dumps both become a list of :class:`Block`: one per heading, paragraph, list item,
table cell or run of text between ``<br>`` breaks. Scripts, styles and comments are dropped. Sections
are read as the HTML standard scopes them: ``<header>``, ``<footer>``, ``<nav>`` and ``<aside>`` are
site chrome only outside an ``<article>`` and ``<main>``; inside them they are the post's own
furniture (its header's first heading stays a title candidate; the rest, like a footer's tags and
date, is never body text). Text for screen readers only is dropped; blocks in chrome are kept but
flagged (the topic taxonomy lives in a filter list). Each HTML block also says which ``<article>``
holds it, whether it is in ``<main>``, whether it is nothing but link text, the ``id``/``name``
anchor just before it (and how far that anchor's element reaches), the ``<time datetime>`` in it
and its ``rel="tag"`` labels, so the parser can use a page's own semantics where it has them.
"""
from __future__ import annotations

import dataclasses
import itertools
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
# Always chrome: filter forms, and explicit landmark roles other than the main content.
_CHROME_TAGS = frozenset("form select".split())
_CHROME_ROLES = frozenset("navigation contentinfo banner search complementary".split())
# Chrome when they belong to the page, the post's own furniture inside an <article> or <main>.
_SCOPED_TAGS = frozenset("header footer nav aside".split())
_SCOPES = frozenset("article main".split())
_CHROME_NAME = re.compile(
    r"^(nav|navbar|navigation|menu|menus|main-menu|site-footer|breadcrumbs?|sidebar|pager|"
    r"pagination|social|share|skip-link|skip|site-header|header-top|cookies?|cookie-banner|filters?|"
    r"facets?|respond|commentlist|"
    r"comments?(?:[-_]+(?:area|list|wrapper|section|body|content|respond|thread|meta))?)$"
    r"|(^|[-_])(nav|menu|breadcrumb|sidebar|pager|pagination|related|relatedposts|read-more|more-posts|"
    r"author-bio|author-box|about-author|toc|table-of-contents|share|sharing|sharedaddy)([-_]|$)",
    re.I,
)
# Text for screen readers only ("Post author", "Skip to content"): skipped like hidden text.
_SCREEN_READER_NAME = re.compile(r"^(visually-hidden|sr-only|screen-reader-text|element-invisible)$", re.I)
# A class that describes a wrapper's layout, not what it holds ("has-sidebar", "no-comments").
_MODIFIER_NAME = re.compile(r"^(has|with|no|is|show|hide|enable|disable)[-_]", re.I)
# A footer by its class name ("entry-footer", "post-footer"): scoped like <footer>.
_FOOTER_NAME = re.compile(r"(^|[-_])footer([-_]|$)", re.I)
# Where rel="tag" links list other posts' tags rather than this post's.
_SIDEBAR_NAME = re.compile(r"(^|[-_])(sidebar|widget-area|tag-?cloud)([-_]|$)", re.I)
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
    ``chrome``: the block sits in the site's navigation, footer, sidebar or a filter form.
    ``furniture``: the block is a post's own header line (other than its first heading), footer,
    aside or navigation: it may date or tag the post but is never its text.
    ``link``: the block's link target (``href``, or ``?name=value`` of a filter option), if any.
    ``linked``: every word of the block is link text (a tag list, a link to another post).
    ``article``: the number (in page order, from 0) of the outermost ``<article>`` holding the block.
    ``anchor``: the ``id`` or ``name`` of the last element opened before the block's text began;
    ``anchor_last``: the number of the last block inside that element (None when the element holds
    no text of its own, like ``<a name="x"></a>``).
    ``time``: the ``datetime`` of a ``<time>`` element inside the block.
    ``tags``: the labels of the block's ``rel="tag"`` links (none from sidebars and navigation).
    ``in_main``: the block is inside the page's ``<main>`` (or ``role="main"``) element.
    """

    kind: str
    text: str
    emphasised: bool = False
    chrome: bool = False
    furniture: bool = False
    link: str | None = None
    linked: bool = False
    article: int | None = None
    anchor: str | None = None
    anchor_last: int | None = None
    time: str | None = None
    tags: tuple[str, ...] = ()
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
                builder.pending_anchor = (anchor.strip(), node)
            if node.name == "time" and isinstance(node.get("datetime"), str):
                builder.pending_time = node["datetime"]
            if node.name == "a" and _is_tag_link(node) and not _in_sidebar(node):
                label = squeeze_spaces(clean_text(node.get_text()))
                if label:
                    builder.pending_tags.append(label)
        elif isinstance(node, NavigableString) and not isinstance(
            node, (Comment, Declaration, Doctype, ProcessingInstruction)
        ):
            builder.add_string(node)
    builder.flush()
    return builder.finished()


def outermost_articles(soup: BeautifulSoup) -> list[Tag]:
    """The page's ``<article>`` elements that are not inside another one (a comment can be an article)."""
    return [tag for tag in soup.find_all("article") if tag.find_parent("article") is None]


def _is_tag_link(link: Tag) -> bool:
    rel = link.get("rel") or []
    return bool(link.get("href")) and "tag" in rel and "category" not in rel


def _in_sidebar(tag: Tag) -> bool:
    """Inside navigation, an aside or a widget area: tags there belong to other posts or the site."""
    for depth, parent in enumerate(tag.parents):
        if depth > _MAX_ANCESTORS or parent.name == "[document]":
            return False
        if parent.name in ("nav", "aside") or parent.get("role") in _CHROME_ROLES:
            return True
        if any(_SIDEBAR_NAME.search(name) for name in _names(parent)):
            return True
    return False


@dataclass
class _Context:
    block: Tag | None
    skipped: bool
    chrome: bool
    furniture: bool
    emphasised: bool
    link: str | None
    article: Tag | None = None
    in_main: bool = False
    title_header: Tag | None = None  # the post header this heading is in


_SKIPPED = _Context(None, True, False, False, False, None)


@dataclass(frozen=True)
class _Element:
    """What one element says about the text inside it, by its own tag and attributes alone."""

    name: str
    skipped: bool  # a script, hidden or screen-reader-only text, ...
    main: bool  # <main> or role="main"
    block: bool
    emphasis: bool  # bold, underlined or large when no block lies between it and the text
    link: str | None  # a link's href, a filter option's query
    chrome: bool  # always site chrome, wherever it stands
    scoped: bool  # header, footer, nav or aside: chrome outside an <article> or <main>, furniture inside


def _element(tag: Tag) -> _Element:
    name = tag.name
    names = _names(tag) if name not in ("body", "html") else []
    chrome = name in _CHROME_TAGS or tag.get("role") in _CHROME_ROLES or any(_CHROME_NAME.search(n) for n in names)
    return _Element(
        name=name,
        skipped=name in _SKIPPED_TAGS or tag.has_attr("hidden") or any(_SCREEN_READER_NAME.search(n) for n in names),
        main=name == "main" or tag.get("role") == "main",
        block=name in _BLOCK_TAGS,
        emphasis=(name in _EMPHASIS_TAGS and (name != "font" or _is_large_font(tag))) or _is_bold_style(tag),
        link=tag.get("href") if name == "a" else _option_link(tag) if name == "option" else None,
        chrome=chrome,
        scoped=not chrome and (name in _SCOPED_TAGS or any(_FOOTER_NAME.search(n) for n in names)),
    )


class _Contexts:
    """The context of each string of one page: read once per element holding text, from each
    ancestor's :class:`_Element`, itself read once per element."""

    def __init__(self) -> None:
        self._elements: dict[int, _Element] = {}  # id of a tag -> what it says
        self._contexts: dict[int, _Context] = {}  # id of a string's parent -> the string's context

    def of(self, string: NavigableString) -> _Context:
        key = id(string.parent)
        context = self._contexts.get(key)
        if context is None:
            context = self._contexts[key] = self._read(string)
        return context

    def _read(self, string: NavigableString) -> _Context:
        block = article = None
        chrome = emphasised = in_main = False
        link = None
        scoped: list[tuple[int, Tag]] = []  # each header, footer, nav or aside above, with its depth
        scope_depth = -1  # the depth of the outermost <article> or <main> above
        for depth, parent in enumerate(string.parents):
            if depth > _MAX_ANCESTORS or parent.name == "[document]":
                break
            element = self._elements.get(id(parent))
            if element is None:
                element = self._elements[id(parent)] = _element(parent)
            if element.skipped:
                return _SKIPPED
            if element.name == "article":
                article = parent
            in_main |= element.main
            if element.name in _SCOPES or element.main:
                scope_depth = depth
            if block is None:
                if element.block:
                    block = parent
                elif element.emphasis:
                    emphasised = True
            if link is None:
                link = element.link  # also a link around the whole block (a card, a publication's name)
            if element.chrome:
                chrome = True
            elif element.scoped:
                scoped.append((depth, parent))
        heading = block is not None and block.name in _HEADING_TAGS
        furniture = False
        title_header = None
        for depth, element in scoped:
            if depth > scope_depth:
                chrome = True  # the page's own header, footer, navigation or sidebar
            elif heading and element.name == "header":
                title_header = element  # a heading in a post's own header: its title, if it is the first
            else:
                furniture = True
        return _Context(block, False, chrome, furniture and not chrome, emphasised, link, article, in_main, title_header)


def _names(tag: Tag) -> list[str]:
    """The element's class names and id, without layout modifiers."""
    names = [*(tag.get("class") or []), tag.get("id")]
    return [name for name in names if isinstance(name, str) and not _MODIFIER_NAME.match(name)]


def _is_large_font(tag: Tag) -> bool:
    """``<font size=+1>`` or ``size=4`` and up: a heading; ``<font face=...>`` alone only sets the typeface."""
    size = str(tag.get("size") or "").strip()
    return size.startswith("+") or (size.isdigit() and int(size) >= 4)


def _is_bold_style(tag: Tag) -> bool:
    style = tag.get("style")
    return isinstance(style, str) and re.search(r"font-weight\s*:\s*(bold|[6-9]00)", style) is not None


def _option_link(option: Tag) -> str | None:
    select = option.find_parent("select")
    value = option.get("value")
    if select is None or not select.get("name") or value in (None, ""):
        return None
    return f"?{select['name']}={value}"


def _last_descendant(tag: Tag):
    node = tag
    while isinstance(node, Tag) and node.contents:
        node = node.contents[-1]
    return node


def _contains(tag: Tag, string: NavigableString) -> bool:
    return any(parent is tag for parent in itertools.islice(string.parents, _MAX_ANCESTORS))


class _BlockBuilder:
    """Collects strings until the enclosing block changes or a ``<br>`` breaks the line."""

    def __init__(self, articles: dict[int, int]) -> None:
        self.blocks: list[Block] = []
        self.pending_anchor: tuple[str, Tag] | None = None
        self.pending_time: str | None = None
        self.pending_tags: list[str] = []
        self._articles = articles
        self._contexts = _Contexts()
        self._block_of_string: dict[int, int] = {}  # id of each string with text -> its block's number
        self._anchor_elements: dict[int, Tag] = {}  # block number -> the element of its anchor
        self._titled_headers: set[int] = set()  # post headers whose first heading was seen
        self._reset()
        self._block_tag: Tag | None = None

    def _reset(self) -> None:
        self._parts: list[str] = []
        self._strings: list[int] = []
        self._all_emphasised = True
        self._all_linked = True
        self._chrome = False
        self._furniture = False
        self._title_header: Tag | None = None
        self._link: str | None = None
        self._article: int | None = None
        self._anchor: tuple[str, Tag] | None = None
        self._anchor_holds_text = False
        self._has_text = False
        self._time: str | None = None
        self._tags: list[str] = []
        self._in_main = False

    def add_string(self, string: NavigableString) -> None:
        context = self._contexts.of(string)
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
                self._anchor_holds_text = self._anchor is not None and _contains(self._anchor[1], string)
                self._article = self._articles.get(id(context.article)) if context.article is not None else None
                self._in_main = context.in_main
            self._all_emphasised &= context.emphasised
            if any(character.isalnum() for character in string):
                self._all_linked &= context.link is not None
            self._chrome |= context.chrome
            self._furniture |= context.furniture
            self._title_header = self._title_header or context.title_header
            self._link = self._link or context.link
            self._strings.append(id(string))
            self._tags.extend(self.pending_tags)
            self.pending_tags = []
        self._parts.append(str(string))

    def flush(self) -> None:
        text = squeeze_spaces(clean_text("".join(self._parts)))
        if text:
            if self._title_header is not None:  # a post header's later headings (an author's name) are furniture
                self._furniture |= id(self._title_header) in self._titled_headers
                self._titled_headers.add(id(self._title_header))
            number = len(self.blocks)
            self._block_of_string.update((string, number) for string in self._strings)
            if self._anchor and self._anchor_holds_text:
                self._anchor_elements[number] = self._anchor[1]
            self.blocks.append(
                Block(
                    kind=_kind_of(self._block_tag),
                    text=text,
                    emphasised=self._all_emphasised,
                    chrome=self._chrome,
                    furniture=self._furniture and not self._chrome,
                    link=self._link,
                    linked=self._all_linked and self._link is not None,
                    article=self._article,
                    anchor=self._anchor[0] if self._anchor else None,
                    time=self._time,
                    tags=tuple(dict.fromkeys(self._tags)),
                    in_main=self._in_main,
                )
            )
        self._reset()

    def finished(self) -> list[Block]:
        """The blocks, each anchor with the number of the last block its element holds."""
        for number, element in self._anchor_elements.items():
            last = self._last_block_in(element, number)
            self.blocks[number] = dataclasses.replace(self.blocks[number], anchor_last=last)
        return self.blocks

    def _last_block_in(self, element: Tag, first: int) -> int:
        node = _last_descendant(element)
        while node is not None and node is not element:
            if id(node) in self._block_of_string:
                return self._block_of_string[id(node)]
            node = node.previous_element
        return first


def _kind_of(tag: Tag | None) -> str:
    if tag is None:
        return PARAGRAPH
    if tag.name in _HEADING_TAGS:
        return HEADING
    if tag.name in _ITEM_TAGS:
        return ITEM
    return PARAGRAPH
