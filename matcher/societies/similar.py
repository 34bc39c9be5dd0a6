"""Near-duplicate leads: the same enterprise posting (nearly) the same need more than once.

Plain Python over a page of leads: two needs are alike when they come from the same
enterprise and their normalised title and description share most character bigrams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from matcher.societies.schemas import LeadOut
from matcher.text.ngrams import char_bigrams

ALIKE = 0.8
"""Jaccard similarity of the bigram sets from which two texts count as the same need."""


@dataclass
class LeadGroup:
    """A lead and the near-identical ones after it (same enterprise, nearly the same text)."""

    head: LeadOut
    similar: list[LeadOut] = field(default_factory=list)


def _bigrams(lead: LeadOut) -> frozenset[str]:
    return frozenset(char_bigrams(f"{lead.need.title} {lead.need.description}"))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def group_similar(leads: Sequence[LeadOut], alike: float = ALIKE) -> list[LeadGroup]:
    """``leads`` in their order, each near-duplicate folded into the first lead it repeats."""
    groups: list[tuple[LeadGroup, frozenset[str]]] = []
    for lead in leads:
        grams = _bigrams(lead)
        for group, head_grams in groups:
            same_owner = group.head.need.enterprise_id == lead.need.enterprise_id
            if same_owner and jaccard(grams, head_grams) >= alike:
                group.similar.append(lead)
                break
        else:
            groups.append((LeadGroup(lead), grams))
    return [group for group, _ in groups]
