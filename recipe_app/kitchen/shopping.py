"""One shopping list from several recipes, each at the servings the cook chose.

:func:`build_shopping_list` scales every recipe first (see :mod:`recipe_app.kitchen.scaling`), then
merges lines that name the same ingredient:

* names meet on :func:`recipe_app.kitchen.words.item_key` (case, accents, plurals and size words
  ignored: "Onions" and "large onion" are one line). "3 garlic cloves" is read as 3 *clove* of
  "garlic", so it meets "2 cloves garlic";
* amounts of one dimension are added through pint and written with
  :func:`recipe_app.kitchen.units.convert` (200 g + 0.5 kg -> 700 g; 1 cup + 4 tbsp -> 1 1/4 cups),
  in US units when every unit added was US or a spoon, in metric otherwise;
* a few ingredients are added across mass and volume through the small table of
  :mod:`recipe_app.kitchen.densities` (butter in g, tbsp and sticks; flour, sugar, rice);
  other amounts that do not convert (200 g and 1 cup of grated cheese; 2 onions and 100 g onion)
  stay apart on the same line, "200 g + 1 cup grated cheese", with that text as the first note;
* whole things are rounded up to what can be bought (3 1/2 onions -> 4 onions), the exact need
  kept in :attr:`ShoppingItem.need` and shown after the line ("4 onions (3 1/2 needed)");
* lines without a quantity ("salt, to taste") appear once without one; next to an amount they add
  "+ more to taste";
* plain water is left out: nobody buys it; headings saved as lines ("For the sauce:") too.

Lines are grouped by aisle (:func:`recipe_app.kitchen.aisles.category`; canned, tinned and jarred
goods, or lines counted in cans, tins and jars, are Pantry), groups in the order of
:data:`recipe_app.kitchen.aisles.CATEGORIES`, items alphabetical within a group.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from recipe_app.kitchen.aisles import CATEGORIES, category
from recipe_app.kitchen.densities import GRAMS_PER_UNIT, grams_per_ml
from recipe_app.kitchen.parse import is_heading
from recipe_app.kitchen.quantities import format_quantity
from recipe_app.kitchen.scaling import format_amount, scale_recipe
from recipe_app.kitchen.units import (
    COUNTABLE,
    VAGUE,
    System,
    base_amount,
    convert,
    dimension,
    normalise_unit,
    unit_system,
)
from recipe_app.kitchen.words import inflect_last, item_key, singular
from recipe_app.domain.recipe import Recipe

_PANTRY_UNITS = frozenset({"can", "tin", "jar"})
_SKIPPED = frozenset({"water", "cold water", "warm water", "hot water", "boiling water", "lukewarm water",
                      "ice water", "tap water", "iced water"})


@dataclass
class ShoppingItem:
    """One line of the list: ``quantity unit item`` plus any amounts that could not be added to it."""

    item: str
    quantity: float | None
    unit: str
    category: str
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    extra: list[tuple[float, str]] = field(default_factory=list)
    to_taste: bool = False
    need: str = ""  # the exact amount when the quantity was rounded up to whole things: "3 1/2"

    @property
    def amount(self) -> str:
        """``"700 g"``, ``"200 g + 1 cup"``, ``"3"``; ``""`` when there is no quantity."""
        if self.quantity is None:
            return ""
        amounts = [(self.quantity, self.unit), *self.extra]
        return " + ".join(format_amount(quantity, unit) for quantity, unit in amounts)

    @property
    def label(self) -> str:
        """The line as a cook reads it: ``"700 g flour"``, ``"salt"``, ``"1 tsp salt + more to taste"``."""
        text = " ".join(part for part in (self.amount, self.item) if part)
        text = f"{text} ({self.need} needed)" if self.need else text
        return f"{text} + more to taste" if self.to_taste and self.quantity is not None else text


@dataclass
class ShoppingGroup:
    """One aisle of the list."""

    name: str
    items: list[ShoppingItem]


@dataclass
class _Bucket:
    unit: str  # "g" or "ml" for added masses/volumes, else the countable unit
    total: float = 0.0
    systems: set[str] = field(default_factory=set)


@dataclass
class _Entry:
    names: list[str] = field(default_factory=list)
    buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    unquantified: bool = False
    units: set[str] = field(default_factory=set)
    grams: float = 0.0  # every amount in grams, for ingredients of the density table
    gram_systems: set[str] = field(default_factory=set)
    weighable: bool = True


def build_shopping_list(selections: list[tuple[str, Recipe, int]]) -> list[ShoppingGroup]:
    """Merged, grouped list for ``(recipe name, recipe, servings)`` selections (see module doc)."""
    entries: dict[str, _Entry] = {}
    for name, recipe, servings in selections:
        servings = max(int(servings), 1)
        scaled = recipe if servings == recipe.recipeYield else scale_recipe(recipe, servings)
        for line in scaled.recipeIngredient:
            item, unit = _split_unit_word(line.item.strip(), normalise_unit(line.unit))
            key = item_key(item)
            if not item or key in _SKIPPED or _heading(item, line.quantity, unit):
                continue
            entry = entries.setdefault(key, _Entry())
            _add(entry, key, item, line.quantity, unit, line.note.strip(), name)
    items = [_finish(entry) for entry in entries.values()]
    groups = []
    for name in CATEGORIES:
        members = sorted((i for i in items if i.category == name), key=lambda i: (i.item.casefold(), i.item))
        if members:
            groups.append(ShoppingGroup(name=name, items=members))
    return groups


def shopping_list_text(groups: list[ShoppingGroup]) -> str:
    """Plain text to copy: a heading per aisle, then ``- [ ] 700 g flour (Pancakes, Bread)`` lines."""
    blocks = []
    for group in groups:
        lines = [group.name]
        for item in group.items:
            sources = f" ({', '.join(item.sources)})" if item.sources else ""
            lines.append(f"- [ ] {item.label}{sources}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _heading(item: str, quantity: float | None, unit: str) -> bool:
    """A heading saved as a line; with an amount or unit only when it is marked as one ("For the sauce:")."""
    marked = item.rstrip().endswith(":") or item.lstrip().startswith(("#", "**", "__"))
    return (marked or (quantity is None and not unit)) and is_heading(item)


def _split_unit_word(item: str, unit: str) -> tuple[str, str]:
    """``("garlic cloves", "")`` -> ``("garlic", "clove")``: a trailing countable word is the unit.

    "piece" is the same as no unit (a whole thing); "bay leaves" keeps its leaves.
    """
    match = re.fullmatch(r"(.+?)\s+([A-Za-z]+)", item)
    if unit == "" and match and normalise_unit(match[2]) in COUNTABLE and singular(match[2].lower()) != "leaf":
        unit, item = normalise_unit(match[2]), match[1].strip()
    return item, "" if unit == "piece" else unit


def _add(entry: _Entry, key: str, item: str, quantity: float | None, unit: str, note: str, source: str) -> None:
    if item not in entry.names:
        entry.names.append(item)
    if source not in entry.sources:
        entry.sources.append(source)
    if note and note.casefold() not in (n.casefold() for n in entry.notes):
        entry.notes.append(note)
    if quantity is None:
        entry.unquantified = True
        return
    entry.units.add(unit)
    dim = dimension(unit)
    amount = base_amount(quantity, unit) if dim in ("mass", "volume") else None
    density = grams_per_ml(key)
    if density is not None and (amount is not None or (key, unit) in GRAMS_PER_UNIT):  # butter, flour, ...
        entry.grams += quantity * GRAMS_PER_UNIT[(key, unit)] if amount is None else amount * (density if dim == "volume" else 1)
        entry.gram_systems.add(unit_system(unit) or ("us" if unit in COUNTABLE else "spoon"))
    else:
        entry.weighable = False
    if amount is not None and dim is not None:
        bucket = entry.buckets.setdefault((dim, ""), _Bucket("g" if dim == "mass" else "ml"))
        bucket.total += amount
        bucket.systems.add(unit_system(unit) or "spoon")
    else:
        bucket = entry.buckets.setdefault(("count", unit), _Bucket(unit))
        bucket.total += quantity


def _system(systems: set[str]) -> System:
    return "metric" if "metric" in systems else "us"


def _finish(entry: _Entry) -> ShoppingItem:
    amounts: list[tuple[float, str]] = []
    need = ""
    if len(entry.buckets) > 1 and entry.weighable and entry.grams > 0:  # "200 g + 2 tbsp + 1 stick" butter
        merged = _Bucket("g", entry.grams, entry.gram_systems)
        entry.buckets = {("mass", ""): merged}
    for (dim, _), bucket in entry.buckets.items():
        if dim == "count":
            total = round(bucket.total, 6)
            bought = total if bucket.unit in VAGUE else float(math.ceil(total - 1e-6))  # nobody sells half an onion
            if bought != total and len(entry.buckets) == 1:
                need = format_quantity(total)
            amounts.append((bought, bucket.unit))
        else:
            quantity, unit = convert(bucket.total, bucket.unit, _system(bucket.systems))
            amounts.append((quantity or 0.0, unit))
    name = min(entry.names, key=lambda n: len(n.split()))  # "eggs" rather than "large eggs"
    if len(amounts) == 1 and amounts[0][1] == "":
        name = inflect_last(name, many=amounts[0][0] > 1)
    notes = list(entry.notes)
    if len(amounts) > 1:
        notes.insert(0, " + ".join(format_amount(q, u) for q, u in amounts))
    quantity, unit = amounts[0] if amounts else (None, "")
    aisle = "Pantry" if entry.units & _PANTRY_UNITS and category(name) != "Frozen" else category(name)
    return ShoppingItem(
        item=name, quantity=quantity, unit=unit, category=aisle, notes=notes,
        sources=list(entry.sources), extra=amounts[1:], to_taste=entry.unquantified, need=need,
    )
