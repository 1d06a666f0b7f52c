"""The blog's topic taxonomy: the 36 labels of its Topics filter, read from a page when it has them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.blocks import ITEM, Block
from search.taxonomy import DEFAULT_TOPICS

__all__ = ["DEFAULT_TOPICS", "TopicOption", "read_topic_filter"]


_TOPIC_FILTER_PARAMETER = re.compile(r"[?&]cat_2=([^&#]+)")
_TOPICS_LABEL = re.compile(r"^(topics?|filter by topic|browse by topic)\s*:?$", re.I)
_CLEAR_OPTION = re.compile(r"^all\b|\(clear\)|^any\b|^-+$", re.I)


@dataclass(frozen=True)
class TopicOption:
    """One entry of the page's Topics filter: its label and, when the page links it, its ``cat_2`` id."""

    label: str
    filter_id: str | None


def read_topic_filter(blocks: list[Block]) -> list[TopicOption]:
    """The Topics filter of a page: links or options carrying ``cat_2=ID``, else the list under "Topics"."""
    linked = []
    for block in blocks:
        match = _TOPIC_FILTER_PARAMETER.search(block.link or "")
        if match and not _CLEAR_OPTION.search(block.text):
            linked.append(TopicOption(block.text, match.group(1)))
    if linked:
        return _unique(linked)
    listed: list[TopicOption] = []
    for i, block in enumerate(blocks):
        if _TOPICS_LABEL.match(block.text):
            for item in blocks[i + 1:]:
                if item.kind != ITEM:
                    break
                if not _CLEAR_OPTION.search(item.text):
                    listed.append(TopicOption(item.text, None))
            if listed:
                break
    return _unique(listed)


def _unique(options: list[TopicOption]) -> list[TopicOption]:
    seen: dict[str, TopicOption] = {}
    for option in options:
        seen.setdefault(option.label, option)
    return list(seen.values())
