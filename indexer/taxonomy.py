"""The blog's topic taxonomy: the 36 labels of its Topics filter, read from a page when it has them."""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.blocks import ITEM, Block

# The Topics filter of the live blog, as printed on the seed page (spelling as on the site).
DEFAULT_TOPICS: tuple[str, ...] = (
    "Adherance",
    "Alliance and Therapeutic Relationship",
    "Anxiety Disorders",
    "Attachment",
    "Attendance, Attrition, and Drop-Out",
    "Client Factors",
    "Client Preferences",
    "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)",
    "Combination Therapy",
    "Common Factors",
    "Cost-effectiveness",
    "Depression and Depressive Symptoms",
    "Efficacy of Treatments",
    "Empathy",
    "Feedback and Progress Monitoring",
    "Group Psychotherapy",
    "Illness and Medical Comorbidities",
    "Interpersonal Psychotherapy (IPT)",
    "Long-term Outcomes",
    "Medications/Pharmacotherapy",
    "Miscellaneous",
    "Neuroscience and Brain",
    "Outcomes and Deterioration",
    "Personality Disorders",
    "Placebo Effect",
    "Practice-Based Research and Practice Research Networks",
    "Psychodynamic Therapy (PDT)",
    "Resistance and Reactance",
    "Self-Reflection and Awareness",
    "Suicide and Crisis Intervention",
    "Termination",
    "Therapist Factors",
    "Training",
    "Transference and Countertransference",
    "Trauma and/or PTSD",
    "Treatment Length and Frequency",
)

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
