"""Citation export for one post: APA 7 (as rich-text segments), BibTeX and RIS.

Built from the parsed citation fields; when a post has no parsed authors or journal, APA falls back
to the citation line as written on the blog.
"""
from __future__ import annotations

import re
import unicodedata

from search.post import Post
from webui.links import web_url

_DASHES = re.compile(r"\s*[\u2010-\u2015-]+\s*")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                   "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def doi_url(post: Post) -> str | None:
    return f"https://doi.org/{post.doi}" if post.doi else None


def _one_line(text: str | None) -> str:
    return " ".join(_LINE_BREAKS.sub(" ", text or "").split())


def _page_range(pages: str | None) -> tuple[str | None, str | None]:
    if not pages:
        return None, None
    parts = [part for part in _DASHES.split(pages.strip()) if part]
    if len(parts) >= 2:
        return parts[0], parts[-1]
    return pages.strip(), None


def _apa_authors(authors: list[str]) -> str:
    if len(authors) == 1:
        return authors[0]
    if len(authors) <= 20:
        return ", ".join(authors[:-1]) + ", & " + authors[-1]
    return ", ".join(authors[:19]) + ", … " + authors[-1]


def apa_segments(post: Post) -> list[tuple[str, bool]]:
    """APA 7 reference as ``(text, italic)`` segments; the template escapes each one."""
    if not post.authors or not post.journal:
        return [(_one_line(post.citation or post.title), False)]
    title = _one_line(post.article_title or post.title).rstrip(".")
    head = f"{_apa_authors(list(post.authors))} ({post.year or 'n.d.'}). {title}. "
    segments: list[tuple[str, bool]] = [(head, False), (_one_line(post.journal), True)]
    if post.volume:
        segments += [(", ", False), (post.volume, True)]
        if post.issue:
            segments.append((f"({post.issue})", False))
        first, last = _page_range(post.pages)
        if first:
            segments.append((f", {first}–{last}" if last else f", {first}", False))
        segments.append((".", False))
    else:
        segments.append((". Advance online publication.", False))
    if post.doi:
        segments.append((f" {doi_url(post)}", False))
    return segments


def apa_text(post: Post) -> str:
    return "".join(text for text, _ in apa_segments(post))


def _bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in _one_line(text))


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded)


def bibtex_key(post: Post) -> str:
    surname = _ascii_word(post.authors[0].split(",")[0]) if post.authors else "PPRNet"
    words = [_ascii_word(word) for word in (post.article_title or post.title).split()]
    first_word = next((word for word in words if len(word) > 3), "summary")
    return f"{surname or 'PPRNet'}{post.year or ''}{first_word.capitalize()}"


def bibtex(post: Post, page_url: str | None = None) -> str:
    """A BibTeX ``@article`` entry (``@misc`` when there is no journal)."""
    first, last = _page_range(post.pages)
    fields = [
        ("author", " and ".join(post.authors) if post.authors else None),
        ("title", post.article_title or (None if post.journal else post.title)),
        ("journal", post.journal),
        ("year", str(post.year) if post.year else None),
        ("volume", post.volume),
        ("number", post.issue),
        ("pages", f"{first}--{last}" if last else first),
        ("doi", post.doi),
        ("url", web_url(post.url) or page_url),
        ("note", f"Summarised on the PPRNet blog: {post.title}"),
    ]
    kind = "article" if post.journal else "misc"
    body = ",\n".join(f"  {name} = {{{_bibtex_escape(value)}}}" for name, value in fields if value)
    return f"@{kind}{{{bibtex_key(post)},\n{body}\n}}\n"


def ris(post: Post, page_url: str | None = None) -> str:
    """An RIS record (imports into Zotero, EndNote, Mendeley); CRLF line ends as the format wants."""
    first, last = _page_range(post.pages)
    lines = [("TY", "JOUR" if post.journal else "GEN")]
    lines += [("AU", author) for author in post.authors]
    lines += [
        ("PY", str(post.year) if post.year else None),
        ("TI", post.article_title or post.title),
        ("T2", post.journal),
        ("JO", post.journal),
        ("VL", post.volume),
        ("IS", post.issue),
        ("SP", first),
        ("EP", last),
        ("DO", post.doi),
        ("UR", web_url(post.url) or page_url),
        ("N1", f"Summarised on the PPRNet blog ({post.issue_date}): {post.title}"),
    ]
    text = "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines if value)
    return text + "ER  - \r\n"
