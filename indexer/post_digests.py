"""A digest of each post's text, kept in the crawl manifest so a crawl can tell which posts changed.

After a complete crawl, each stored page whose bytes changed is read with the extractor and every
post on it gets a digest of its title, citation, summary and implications (``PageRecord.post_digests``).
A post's digest is taken from the most stable page that holds it (its own page, then its archive
month, then the main listing, then a topic or type listing), so a post listed on five pages has one
digest. The digests of the last complete crawl and of the one before it are kept side by side
(``Manifest.post_digests``: ``current`` and ``previous``); the crawl report compares them.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from indexer.decode import decode_bytes
from indexer.errors import ExtractionError
from indexer.extract import extract_page
from indexer.manifest import ARCHIVE, MAIN, POST, TOPIC, TYPE
from indexer.manifest_writer import Manifest

# Which page's copy of a post counts, most stable first.
_KIND_RANK = {POST: 0, ARCHIVE: 1, MAIN: 2, TOPIC: 3, TYPE: 4}


def digest_posts(body: bytes, url: str) -> dict[str, str]:
    """Post id -> digest of its text, for every post of one stored page (empty when it holds none)."""
    try:
        posts, _ = extract_page(decode_bytes(body, is_html=True), is_html=True, url=url)
    except ExtractionError:
        return {}
    return {
        post.id: hashlib.sha256(
            json.dumps([post.title, post.citation, post.summary, post.implications], ensure_ascii=False).encode("utf-8")
        ).hexdigest()[:16]
        for post in posts
    }


def update_post_digests(manifest: Manifest, crawl_dir: Path) -> None:
    """Digest the pages whose stored copy changed, then roll ``current`` to ``previous`` and set the new ``current``."""
    best: dict[str, tuple[tuple[int, str], str]] = {}
    for url, record in manifest.pages.items():
        if not record.file:
            continue
        if record.digests_sha256 != record.sha256:
            try:
                record.post_digests = digest_posts((crawl_dir / record.file).read_bytes(), url)
            except OSError:
                continue
            record.digests_sha256 = record.sha256
        rank = (_KIND_RANK.get(record.listing.kind, len(_KIND_RANK)), url)
        for post_id, digest in record.post_digests.items():
            if post_id not in best or rank < best[post_id][0]:
                best[post_id] = (rank, digest)
    manifest.post_digests = {
        "current": {post_id: digest for post_id, (_, digest) in sorted(best.items())},
        "previous": manifest.post_digests.get("current") or {},
    }
