"""Which of a recipe's ingredients a step uses, read from the step's words (for cook mode)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zà-ÿ]+")
#: Words that name no ingredient of their own ("fresh basil" is found by "basil").
_VAGUE = frozenset(
    "a an and or of the to for with into fresh large small medium chopped diced sliced minced ground dried "
    "whole can tin tins cans jar pack packet bunch handful pinch clove cloves piece pieces optional finely roughly "
    "thinly sliced grated peeled drained rinsed cooked raw ripe extra virgin plain white black red green yellow "
    "hot cold warm to taste some more stock".split()
)


def _stem(word: str) -> str:
    """Singular-ish: 'tomatoes' and 'tomato' meet, 'leaves' and 'leaf' do not need to."""
    if len(word) < 4:
        return word
    if word.endswith("oes"):
        return word[:-2]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "ses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _keys(item: str) -> set[str]:
    words = [w for w in _WORD.findall(item.lower()) if w not in _VAGUE and len(w) >= 3]
    return {_stem(w) for w in words}


def ingredients_in_step(step: str, items: list[str]) -> list[int]:
    """Indexes of the ``items`` (ingredient names, e.g. "chickpeas, drained") that ``step`` mentions."""
    said = {_stem(w) for w in _WORD.findall(step.lower())}
    return [i for i, item in enumerate(items) if _keys(item.split(",")[0]) & said]
