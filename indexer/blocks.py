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

An HTML page is read in one pass of lxml's HTML parser, as the stream of its start tags, text and
end tags (no tree is built: the open elements are all a piece of text needs), keeping on the way the
elements :mod:`indexer.page_meta` reads.
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree

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
# Elements whose strings are code or annotations, not an element's text: a tag link's label or a
# page title holds none of them.
_NOT_TEXT_TAGS = frozenset("script style template rt rp".split())
# The elements whose attributes and text page metadata is read from (see indexer.page_meta).
_META_TAGS = frozenset("meta link title script".split())
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
    return read_html(html).blocks


@dataclass(frozen=True)
class MetaElement:
    """A ``<meta>``, ``<link>``, ``<title>`` or ``<script>`` element, wherever it stands: its attributes
    and its text (a script's code; a title's words)."""

    name: str
    attrs: dict[str, str]
    text: str = ""


@dataclass(frozen=True)
class HtmlPage:
    """A page's blocks, and its metadata elements in page order."""

    blocks: list[Block]
    meta: list[MetaElement]


def read_html(html: str) -> HtmlPage:
    """The blocks and metadata elements of an HTML page, from one pass of the parser."""
    parser = etree.HTMLParser(target=_PageReader(), recover=True, huge_tree=False, encoding=None)
    parser.feed(html[1:] if html.startswith("\ufeff") else html)  # a byte-order mark is no text
    return parser.close()


class _Element:
    """An element of the page, as the parser opens it: what its own tag and attributes say about the
    text inside it. ``depth`` is its place in the stack of open elements; ``select`` the innermost
    ``<select>`` open around it."""

    def __init__(self, name: str, attrs: dict[str, str], depth: int, select: _Element | None) -> None:
        self.name = name
        self.attrs = attrs
        self.depth = depth
        names = _names(attrs) if name not in ("body", "html") else []
        self.skipped = (
            name in _SKIPPED_TAGS or "hidden" in attrs or any(_SCREEN_READER_NAME.search(n) for n in names)
        )
        self.main = name == "main" or attrs.get("role") == "main"
        self.block = name in _BLOCK_TAGS
        # Bold, underlined or large, when no block lies between it and the text.
        self.emphasis = (name in _EMPHASIS_TAGS and (name != "font" or _is_large_font(attrs))) or _is_bold_style(attrs)
        self.link = attrs.get("href") if name == "a" else _option_link(attrs, select) if name == "option" else None
        # Always site chrome, wherever it stands.
        self.chrome = (
            name in _CHROME_TAGS or attrs.get("role") in _CHROME_ROLES or any(_CHROME_NAME.search(n) for n in names)
        )
        # Header, footer, nav or aside: chrome outside an <article> or <main>, the post's furniture inside.
        self.scoped = not self.chrome and (name in _SCOPED_TAGS or any(_FOOTER_NAME.search(n) for n in names))
        self.article_number: int | None = None  # when it is an <article> inside no other one
        self.is_open = True
        self.strings_before = 0  # how many strings with text the page had before it opened ...
        self.strings_after = 0  # ... and when it closed
        self.context: _Context | None = None  # of the strings right inside it, once one was read


@dataclass
class _Context:
    block: _Element | None
    skipped: bool
    chrome: bool
    furniture: bool
    emphasised: bool
    link: str | None
    article: _Element | None = None
    in_main: bool = False
    title_header: _Element | None = None  # the post header this heading is in


_SKIPPED = _Context(None, True, False, False, False, None)


def _context_of(parents: list[_Element]) -> _Context:
    """The context of a string inside ``parents`` (the open elements, outermost first)."""
    block = article = None
    chrome = emphasised = in_main = False
    link = None
    scoped: list[tuple[int, _Element]] = []  # each header, footer, nav or aside above, with its depth
    scope_depth = -1  # the depth of the outermost <article> or <main> above
    for depth, parent in enumerate(reversed(parents)):
        if depth > _MAX_ANCESTORS:
            break
        if parent.skipped:
            return _SKIPPED
        if parent.name == "article":
            article = parent
        in_main |= parent.main
        if parent.name in _SCOPES or parent.main:
            scope_depth = depth
        if block is None:
            if parent.block:
                block = parent
            elif parent.emphasis:
                emphasised = True
        if link is None:
            link = parent.link  # also a link around the whole block (a card, a publication's name)
        if parent.chrome:
            chrome = True
        elif parent.scoped:
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


def _names(attrs: dict[str, str]) -> list[str]:
    """The element's class names and id, without layout modifiers."""
    names = [*(attrs.get("class") or "").split(), attrs.get("id")]
    return [name for name in names if isinstance(name, str) and not _MODIFIER_NAME.match(name)]


def _is_large_font(attrs: dict[str, str]) -> bool:
    """``<font size=+1>`` or ``size=4`` and up: a heading; ``<font face=...>`` alone only sets the typeface."""
    size = (attrs.get("size") or "").strip()
    return size.startswith("+") or (size.isdigit() and int(size) >= 4)


def _is_bold_style(attrs: dict[str, str]) -> bool:
    style = attrs.get("style")
    return style is not None and re.search(r"font-weight\s*:\s*(bold|[6-9]00)", style) is not None


def _option_link(attrs: dict[str, str], select: _Element | None) -> str | None:
    value = attrs.get("value")
    if select is None or not select.attrs.get("name") or value in (None, ""):
        return None
    return f"?{select.attrs['name']}={value}"


def _is_tag_link(attrs: dict[str, str]) -> bool:
    rel = (attrs.get("rel") or "").split()
    return bool(attrs.get("href")) and "tag" in rel and "category" not in rel


def _in_sidebar(parents: list[_Element]) -> bool:
    """Inside navigation, an aside or a widget area: tags there belong to other posts or the site."""
    for depth, parent in enumerate(reversed(parents)):
        if depth > _MAX_ANCESTORS:
            return False
        if parent.name in ("nav", "aside") or parent.attrs.get("role") in _CHROME_ROLES:
            return True
        if any(_SIDEBAR_NAME.search(name) for name in _names(parent.attrs)):
            return True
    return False


@dataclass
class _Label:
    """The text of a ``rel="tag"`` link, known when the link closes."""

    parts: list[str] = field(default_factory=list)
    text: str = ""


class _PageReader:
    """The target of lxml's parser: keeps the stack of open elements and gives each string (the text
    between two tags) to the block builder, each tag link's text to its label, and each metadata
    element's text to it."""

    def __init__(self) -> None:
        self.open: list[_Element] = []
        self.builder = _BlockBuilder(self.open)
        self._data: list[str] = []  # the parts of the string being read
        self._open_names: Counter = Counter()
        self._not_text_open = 0  # how many open elements hold no text (see _NOT_TEXT_TAGS)
        self._labels: dict[_Element, _Label] = {}  # the tag links open now
        self._meta: list[tuple[_Element, list[str]]] = []  # the metadata elements and their text so far
        self._meta_text: dict[_Element, list[str]] = {}  # the text so far of the metadata elements open now
        self._articles = 0
        self._selects: list[_Element] = []  # the open <select> elements

    def start(self, tag: str, attrib) -> None:
        self._end_string()
        attrs = dict(attrib)
        element = _Element(tag, attrs, len(self.open), self._selects[-1] if self._selects else None)
        builder = self.builder
        if tag in ("br", "hr"):
            builder.flush()
        anchor = attrs.get("id") or (attrs.get("name") if tag == "a" else None)
        if anchor and anchor.strip():
            builder.pending_anchor = (anchor.strip(), element)
        if tag == "time" and "datetime" in attrs:
            builder.pending_time = attrs["datetime"]
        if tag == "a" and _is_tag_link(attrs) and not _in_sidebar(self.open):
            self._labels[element] = label = _Label()
            builder.pending_tags.append(label)
        if tag == "article" and not self._open_names["article"]:
            element.article_number = self._articles
            self._articles += 1
        if tag == "select":
            self._selects.append(element)
        if tag in _META_TAGS:
            self._meta_text[element] = text = []
            self._meta.append((element, text))
        element.strings_before = builder.strings
        self.open.append(element)
        self._open_names[tag] += 1
        self._not_text_open += tag in _NOT_TEXT_TAGS

    def end(self, tag: str) -> None:
        """Close the innermost open element of that name, and any opened inside it; an end tag with no
        such element open closes nothing."""
        self._end_string()
        if self._open_names[tag]:
            while self._close() != tag:
                pass

    def data(self, data: str) -> None:
        self._data.append(data)

    # Comments, processing instructions and the doctype are no text, but they end a string.

    def comment(self, text: str) -> None:
        self._end_string()

    def pi(self, target: str, data: str) -> None:
        self._end_string()

    def doctype(self, *declaration: str) -> None:
        self._end_string()

    def close(self) -> HtmlPage:
        self._end_string()
        while self.open:
            self._close()
        self.builder.flush()
        meta = [MetaElement(element.name, element.attrs, "".join(text)) for element, text in self._meta]
        return HtmlPage(self.builder.finished(), meta)

    def _close(self) -> str:
        """Close the innermost open element; its name."""
        element = self.open.pop()
        self._open_names[element.name] -= 1
        self._not_text_open -= element.name in _NOT_TEXT_TAGS
        element.is_open = False
        element.strings_after = self.builder.strings
        label = self._labels.pop(element, None)
        if label is not None:
            label.text = squeeze_spaces(clean_text("".join(label.parts)))
        self._meta_text.pop(element, None)
        if element.name == "select":
            self._selects.pop()
        return element.name

    def _end_string(self) -> None:
        """The text read since the last tag, as one string: to the block builder, to the tag links and
        metadata elements open (all of it to a script; to the others, not what a script, a style or an
        annotation inside them holds)."""
        if not self._data:
            return
        string = "".join(self._data)
        self._data = []
        self.builder.add_string(string)
        is_text = not self._not_text_open
        if is_text:
            for label in self._labels.values():
                label.parts.append(string)
        for element, parts in self._meta_text.items():
            if is_text or element.name == "script":
                parts.append(string)


class _BlockBuilder:
    """Collects strings until the enclosing block changes or a ``<br>`` breaks the line."""

    def __init__(self, parents: list[_Element]) -> None:
        self.blocks: list[Block] = []
        self.pending_anchor: tuple[str, _Element] | None = None
        self.pending_time: str | None = None
        self.pending_tags: list[_Label] = []
        self.strings = 0  # how many strings with text were read
        self._parents = parents  # the open elements
        self._block_of_string: dict[int, int] = {}  # the number of each string with text -> its block's number
        self._anchor_elements: dict[int, _Element] = {}  # block number -> the element of its anchor
        self._labels: dict[int, list[_Label]] = {}  # block number -> its tag links
        self._titled_headers: set[_Element] = set()  # post headers whose first heading was seen
        self._document_context = _context_of([])
        self._reset()
        self._block_tag: _Element | None = None

    def _reset(self) -> None:
        self._parts: list[str] = []
        self._strings: list[int] = []
        self._all_emphasised = True
        self._all_linked = True
        self._chrome = False
        self._furniture = False
        self._title_header: _Element | None = None
        self._link: str | None = None
        self._article: int | None = None
        self._anchor: tuple[str, _Element] | None = None
        self._anchor_holds_text = False
        self._has_text = False
        self._time: str | None = None
        self._tags: list[_Label] = []
        self._in_main = False

    def add_string(self, string: str) -> None:
        context = self._context()
        if context.skipped:
            return
        if context.block is not self._block_tag:
            self.flush()
            self._block_tag = context.block
        if self.pending_time:
            self._time, self.pending_time = self._time or self.pending_time, None
        if string.strip():
            self.strings += 1
            if not self._has_text:
                self._has_text = True
                self._anchor, self.pending_anchor = self.pending_anchor, None
                self._anchor_holds_text = self._anchor is not None and self._holds(self._anchor[1])
                self._article = context.article.article_number if context.article is not None else None
                self._in_main = context.in_main
            self._all_emphasised &= context.emphasised
            if any(character.isalnum() for character in string):
                self._all_linked &= context.link is not None
            self._chrome |= context.chrome
            self._furniture |= context.furniture
            self._title_header = self._title_header or context.title_header
            self._link = self._link or context.link
            self._strings.append(self.strings)
            self._tags.extend(self.pending_tags)
            self.pending_tags = []
        self._parts.append(string)

    def _context(self) -> _Context:
        """The context of a string inside the open elements (read once per element)."""
        if not self._parents:
            return self._document_context
        parent = self._parents[-1]
        if parent.context is None:
            parent.context = _context_of(self._parents)
        return parent.context

    def _holds(self, element: _Element) -> bool:
        """The element is one of the nearest open elements around the string being read."""
        return element.is_open and element.depth >= len(self._parents) - _MAX_ANCESTORS

    def flush(self) -> None:
        # Strings of white space alone (between the tags) make no block.
        text = squeeze_spaces(clean_text("".join(self._parts))) if self._has_text else ""
        if text:
            if self._title_header is not None:  # a post header's later headings (an author's name) are furniture
                self._furniture |= self._title_header in self._titled_headers
                self._titled_headers.add(self._title_header)
            number = len(self.blocks)
            self._block_of_string.update((string, number) for string in self._strings)
            if self._anchor and self._anchor_holds_text:
                self._anchor_elements[number] = self._anchor[1]
            if self._tags:
                self._labels[number] = self._tags
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
                    in_main=self._in_main,
                )
            )
        self._reset()

    def finished(self) -> list[Block]:
        """The blocks, each with its tag links' labels and its anchor with the number of the last block
        its element holds (both known only once the page is read)."""
        for number, labels in self._labels.items():
            tags = tuple(dict.fromkeys(label.text for label in labels if label.text))
            self.blocks[number] = dataclasses.replace(self.blocks[number], tags=tags)
        for number, element in self._anchor_elements.items():
            last = self._last_block_in(element, number)
            self.blocks[number] = dataclasses.replace(self.blocks[number], anchor_last=last)
        return self.blocks

    def _last_block_in(self, element: _Element, first: int) -> int:
        """The number of the last block that took a string from inside the element (else ``first``)."""
        for string in range(element.strings_after, element.strings_before, -1):
            if string in self._block_of_string:
                return self._block_of_string[string]
        return first


def _kind_of(tag: _Element | None) -> str:
    if tag is None:
        return PARAGRAPH
    if tag.name in _HEADING_TAGS:
        return HEADING
    if tag.name in _ITEM_TAGS:
        return ITEM
    return PARAGRAPH
