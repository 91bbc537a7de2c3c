"""From the JSON text streamed so far to the fields of the recipe card.

The partial JSON is parsed with jiter's partial mode. A key is *finished* once a later key of the
same object has started (strict structured output writes keys in schema order) or the whole answer
has ended. Finished list items go to lists that change only when an item completes; the item still
being written goes to a small ``*_live`` field. That layout keeps each update small: a flush re-sends
the live text, not everything already on screen.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import jiter

from recipe_app.kitchen.scaling import format_amount
from recipe_app.domain.card import EMPTY_CARD, SECTIONS
from recipe_app.domain.recipe import MAX_GRAMS, MAX_KCAL, MAX_QUANTITY, MAX_SERVINGS, format_duration

_NUTRITION_LABELS = (
    ("calories", "Calories", "kcal", MAX_KCAL),
    ("proteinContent", "Protein", "g", MAX_GRAMS),
    ("fatContent", "Fat", "g", MAX_GRAMS),
    ("carbohydrateContent", "Carbs", "g", MAX_GRAMS),
)


def _bounded(value: Any, limit: float) -> float | None:
    """A number the card can show: finite and between 0 and ``limit`` (None otherwise).

    The partial JSON is the model's raw text: 1e999 (infinity), NaN, -3 or 10**400 arrive here before
    validation refuses them, and formatting them would raise.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int) and not 0 <= value <= limit:
        return None  # before float(): a huge int overflows it
    number = float(value)
    return number if 0 <= number <= limit else None  # NaN fails both comparisons


_COUNT_WORDS = frozenset(("piece", "pieces", "whole", "item", "items", "unit", "units"))


def parse_partial(text: str) -> dict[str, Any]:
    """The object in an unfinished JSON text; {} while nothing usable has arrived."""
    start = text.find("{")
    if start < 0:
        return {}
    try:
        value = jiter.from_json(text[start:].encode(), partial_mode="trailing-strings")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


_JSON_SPACE = " \t\r\n"
_IN_STRING = re.compile(r'["\\]')  # what ends or escapes inside a JSON string
_OUTSIDE = re.compile(r'["\[\]{}]')  # what opens or closes outside one


class _ValueEnd:
    """Whether a JSON value (a list, object or string) that starts at a known place has ended yet.

    Follows only quotes, backslashes and brackets, over the text appended since the last call, so a
    batch that only extends a string costs one search. jiter's partial mode reads a value followed by
    more text as that value alone, so this is what tells that the next key may have begun.
    """

    def __init__(self, start: int) -> None:
        self.start = self.at = start  # where the value starts; scanned up to here
        self.depth = 0
        self.in_string = self.escaped = self.ended = False

    def advance(self, text: str) -> bool:
        """Scan ``text`` from where the last call stopped; True once the value has ended."""
        pos, end = self.at, len(text)
        while not self.ended and pos < end:
            if self.escaped:
                pos, self.escaped = pos + 1, False
                continue
            found = (_IN_STRING if self.in_string else _OUTSIDE).search(text, pos)
            if found is None:
                pos = end
                break
            char, pos = found.group(), found.end()
            if self.in_string:
                if char == "\\":
                    self.escaped = True
                else:
                    self.in_string = False
                    self.ended = self.depth == 0
            elif char == '"':
                self.in_string = True
            elif char in "[{":
                self.depth += 1
            else:
                self.depth -= 1
                self.ended = self.depth <= 0
        self.at = pos
        return self.ended


class PartialObject:
    """The object of a growing JSON text, parsed again from the start of its last value only.

    Streamed text only grows, and the keys before the last one are finished: once the start of the
    last key's value (a list, object or string) is located, and that value alone parses to what the whole
    text gave, each longer text parses only that value, until the value ends (then the next key may
    begin). Whatever else happens falls back to parsing the whole text, so :attr:`value` is what
    :func:`parse_partial` gives for the text fed last.
    """

    def __init__(self) -> None:
        self.value: dict[str, Any] = {}
        self.keys: tuple[str, ...] = ()
        self._last: _ValueEnd | None = None  # the last key's value, located and checked, not ended

    def feed(self, text: str) -> dict[str, Any]:
        """The object of ``text``, which extends the text fed last (a new dict when it differs)."""
        last = self._last
        if last is not None and not last.advance(text):
            try:
                value = jiter.from_json(text[last.start :].encode(), partial_mode="trailing-strings")
            except ValueError:
                pass  # it no longer parses: the whole text decides
            else:
                whole = dict(self.value)
                whole[self.keys[-1]] = value
                self.value = whole
                return whole
        whole = parse_partial(text)
        keys = tuple(whole)
        if keys != self.keys:
            self.keys, self._last = keys, None
            start = _last_value_at(text, whole)
            if start >= 0:
                last = _ValueEnd(start)
                if not last.advance(text):
                    self._last = last
        elif last is not None and last.ended:
            self._last = None  # parsed whole until the next key begins
        self.value = whole
        return whole


def _last_value_at(text: str, value: dict[str, Any]) -> int:
    """Where the last key's value starts in ``text`` (-1 unless found and checked): a list, string or object."""
    if not value:
        return -1
    key = next(reversed(value))
    needle = f'"{key}"'
    if not key.isascii() or not key.replace("_", "a").isalnum():
        return -1  # a key written with escapes would not be found as it reads
    at = text.rfind(needle)  # the key itself, or a key of that name nested in its value (then the check fails)
    if at < 0:
        return -1
    end, i = len(text), at + len(needle)
    while i < end and text[i] in _JSON_SPACE:
        i += 1
    if i >= end or text[i] != ":":
        return -1
    i += 1
    while i < end and text[i] in _JSON_SPACE:
        i += 1
    if i >= end or text[i] not in '["{':
        return -1
    try:
        alone = jiter.from_json(text[i:].encode(), partial_mode="trailing-strings")
    except ValueError:
        return -1
    return i if alone == value[key] else -1


def _finished_keys(obj: dict[str, Any], final: bool) -> set[str]:
    keys = list(obj)
    return set(keys) if final else set(keys[:-1])


def ingredient_line(item: dict[str, Any]) -> dict[str, str]:
    """Display parts of one ingredient: quantity with unit, the item, its note."""
    quantity = item.get("quantity")
    return dict(
        _ingredient_parts(
            _bounded(quantity, MAX_QUANTITY),
            str(item.get("unit") or ""),
            str(item.get("item") or ""),
            str(item.get("note") or ""),
        )
    )


@lru_cache(maxsize=8192)
def _ingredient_parts(quantity: float | None, unit: str, item: str, note: str) -> tuple[tuple[str, str], ...]:
    # Cached: every flush re-derives the finished lines, and formatting units is the costly part.
    return (("amount", _amount(quantity, unit)), ("item", item), ("note", note))


@lru_cache(maxsize=8192)
def _amount(quantity: float | None, unit: str) -> str:
    if quantity is not None and unit.strip().lower() in _COUNT_WORDS:
        unit = ""  # "1 onion", not "1 piece onion"
    return format_amount(quantity, unit)


def _live_ingredient(item: Any) -> str:
    """The line being written: its amount and item (its note streams after them, not shown live)."""
    if not isinstance(item, dict):
        return ""
    amount = _amount(_bounded(item.get("quantity"), MAX_QUANTITY), str(item.get("unit") or ""))
    name = str(item.get("item") or "")
    return f"{amount} {name}" if amount and name else amount or name


def _split_items(value: Any, done: bool) -> tuple[list[Any], Any]:
    """Finished items and the one in progress (None when the list is finished)."""
    items = value if isinstance(value, list) else []
    if done or not items:
        return items, None
    return items[:-1], items[-1]


def _reuse(previous: dict[str, Any] | None, field: str, finished: list[Any]) -> list[Any] | None:
    """The previous card's list when no item finished since: finished items never change."""
    # Streamed text only grows, so an equal count means the same items (and the same object keeps
    # card_changes from comparing them).
    if previous is not None and len(previous[field]) == len(finished):
        return previous[field]
    return None


def card_fields(
    recipe: dict[str, Any],
    final: bool = False,
    previous: dict[str, Any] | None = None,
    previous_keys: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The card fields for a (partial) recipe object. ``final``: the answer has ended.

    ``previous``: the card of a shorter prefix of the same streamed text, whose finished lists are
    reused. ``previous_keys``: that prefix's top-level keys; when they are this object's too, only
    the last key (the one being written) can have changed, and only its fields are rebuilt.
    """
    if previous is not None and not final and previous_keys and previous_keys == tuple(recipe):
        return _grow_last(recipe, previous_keys[-1], previous)
    done = _finished_keys(recipe, final)
    card = dict(EMPTY_CARD)
    card["title"] = str(recipe.get("name") or "")
    card["description"] = str(recipe.get("description") or "")
    servings = recipe.get("recipeYield")
    if "recipeYield" in done and isinstance(servings, int) and 1 <= servings <= MAX_SERVINGS:
        card["serves"] = servings
    for key, field in (("prepTime", "prep_time"), ("cookTime", "cook_time"), ("totalTime", "total_time")):
        if key in done and isinstance(recipe.get(key), str):
            card[field] = format_duration(recipe[key])
    card["cuisine"] = str(recipe.get("recipeCuisine") or "")

    card["ingredients"], card["ingredient_live"] = _ingredients(recipe, "recipeIngredient" in done, previous)
    card["steps"], card["step_live"] = _steps(recipe, "recipeInstructions" in done, previous)
    card["tips"], card["tip_live"] = _tips(recipe, "tips" in done, previous)

    nutrition = recipe.get("nutrition")
    if "nutrition" in done and isinstance(nutrition, dict):
        card["nutrition"] = [
            {"label": label, "value": f"{round(value)} {unit}"}  # an estimate: "12 1/2 kcal" claims too much
            for key, label, unit, limit in _NUTRITION_LABELS
            if (value := _bounded(nutrition.get(key), limit)) is not None
        ]
    if not final and recipe:
        card["section"] = SECTIONS.get(list(recipe)[-1], "")
    return card


def _grow_last(recipe: dict[str, Any], last: str, previous: dict[str, Any]) -> dict[str, Any]:
    """``previous`` with the fields of the unfinished ``last`` key rebuilt (as :func:`card_fields` would)."""
    return {**previous, **grown_fields(recipe, last, previous)}


def grown_fields(recipe: dict[str, Any], last: str, previous: dict[str, Any]) -> dict[str, Any]:
    """The card fields of the unfinished ``last`` key, when the keys before it are those ``previous`` was built from.

    Every field comes from one key. The keys before ``last`` were finished in the previous prefix
    already, so their fields are as they were; the fields shown only once their key is finished
    (servings, times, nutrition) stay empty while it is the last; ``section`` names the same key.
    """
    if last == "name":
        return {"title": str(recipe.get("name") or "")}
    if last == "description":
        return {"description": str(recipe.get("description") or "")}
    if last == "recipeCuisine":
        return {"cuisine": str(recipe.get("recipeCuisine") or "")}
    if last == "recipeIngredient":
        lines, live = _ingredients(recipe, False, previous)
        return {"ingredients": lines, "ingredient_live": live}
    if last == "recipeInstructions":
        steps, live = _steps(recipe, False, previous)
        return {"steps": steps, "step_live": live}
    if last == "tips":
        tips, live = _tips(recipe, False, previous)
        return {"tips": tips, "tip_live": live}
    return {}


def _ingredients(recipe: dict[str, Any], done: bool, previous: dict[str, Any] | None) -> tuple[list[Any], str]:
    finished, live = _split_items(recipe.get("recipeIngredient"), done)
    lines = _reuse(previous, "ingredients", finished) or [ingredient_line(i) for i in finished if isinstance(i, dict)]
    return lines, _live_ingredient(live)


def _steps(recipe: dict[str, Any], done: bool, previous: dict[str, Any] | None) -> tuple[list[Any], str]:
    finished, live = _split_items(recipe.get("recipeInstructions"), done)
    steps = _reuse(previous, "steps", finished) or [str(s.get("text") or "") for s in finished if isinstance(s, dict)]
    return steps, str(live.get("text") or "") if isinstance(live, dict) else ""


def _tips(recipe: dict[str, Any], done: bool, previous: dict[str, Any] | None) -> tuple[list[Any], str]:
    finished, live = _split_items(recipe.get("tips"), done)
    return _reuse(previous, "tips", finished) or [str(t) for t in finished], str(live) if isinstance(live, str) else ""
