"""What changed between two versions of a recipe: ingredients added, removed or changed; steps changed.

Ingredients are matched by their item (case and spacing aside): the same item with another
quantity, unit or note is *changed*; an item only in the new version is *added*, only in the old
one *removed*. Steps are compared as an ordered list of texts (difflib), so a step inserted at
the top does not mark every later step as changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from recipe_app.domain.recipe import Ingredient, Recipe


@dataclass
class VersionDiff:
    """The differences, as lines ready to show."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # "200 g flour → 250 g flour"
    steps_added: list[str] = field(default_factory=list)
    steps_removed: list[str] = field(default_factory=list)
    steps_changed: list[str] = field(default_factory=list)  # the new text of a rewritten step

    @property
    def empty(self) -> bool:
        """True when both versions have the same ingredients and steps."""
        return not any(
            (self.added, self.removed, self.changed, self.steps_added, self.steps_removed, self.steps_changed)
        )


def _key(item: str) -> str:
    return " ".join(item.lower().split())


def _line(ingredient: Ingredient) -> str:
    quantity = "" if ingredient.quantity is None else f"{ingredient.quantity:g}"
    text = " ".join(p for p in (quantity, ingredient.unit, ingredient.item) if p)
    return f"{text}, {ingredient.note}" if ingredient.note else text


def diff_versions(old: Recipe, new: Recipe) -> VersionDiff:
    """What ``new`` changes in ``old``."""
    diff = VersionDiff()
    before = {_key(i.item): i for i in old.recipeIngredient}
    after = {_key(i.item): i for i in new.recipeIngredient}
    for key, ingredient in after.items():
        if key not in before:
            diff.added.append(_line(ingredient))
        elif _key(_line(before[key])) != _key(_line(ingredient)):  # case and spacing are no change
            diff.changed.append(f"{_line(before[key])} → {_line(ingredient)}")
    diff.removed = [_line(i) for key, i in before.items() if key not in after]
    old_steps = [" ".join(s.text.split()) for s in old.recipeInstructions]
    new_steps = [" ".join(s.text.split()) for s in new.recipeInstructions]
    matcher = difflib.SequenceMatcher(a=old_steps, b=new_steps, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            paired = min(i2 - i1, j2 - j1)
            diff.steps_changed += new_steps[j1 : j1 + paired]
            diff.steps_added += new_steps[j1 + paired : j2]
            diff.steps_removed += old_steps[i1 + paired : i2]
        elif tag == "insert":
            diff.steps_added += new_steps[j1:j2]
        elif tag == "delete":
            diff.steps_removed += old_steps[i1:i2]
    return diff
