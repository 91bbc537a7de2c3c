"""Scale a recipe to another number of servings, and write an ingredient line, without a model call.

Rounding rules of a scaled quantity (the original is multiplied by ``servings / recipeYield``):

* unknown amounts (``quantity`` None: "to taste", "a pinch") are never touched;
* mass and volume are re-expressed in the unit system they were written in and rounded by
  :func:`recipe_app.kitchen.units.convert` (333.33 g -> 335 g, 1000 g -> 1 kg, 3 tsp -> 1 tbsp,
  1/8 cup -> 2 tbsp). Spoons follow the recipe's own system (see :func:`recipe_system`);
* whole things (no unit: eggs, onions; or clove, can, slice, ...) go to the nearest half under 3
  and to the nearest whole from 3 on, and never below 1/2 (3 eggs for 4 -> 1 egg for 1); butter
  sticks go by quarters (a quarter stick is 2 tbsp);
* vague units (pinch, dash, handful, ...) go to the nearest whole, never below 1; "a pinch" counts
  as one, so "a pinch" and "1 pinch" scale alike. From 4 pinches or dashes on the amount is a spoon
  measure (a pinch is 1/16 tsp, a dash 1/8 tsp): "a pinch" x10 -> 5/8 tsp;
* a factor of exactly 1 returns the line untouched, so scaling back to the written servings is exact;
* a range kept in the note by :func:`recipe_app.kitchen.parse.parse_line` ("1–2 tbsp") is scaled with
  the same rules, so the note never contradicts the quantity ("2 tbsp olive oil, 2–4 tbsp"); so is
  a second measure of the same amount ("2 cups milk, 475 ml"). Pack sizes ("2 tins, 400 g") stay.

Quantities are shown with :func:`format_amount`: fractions for US and spoon measures (1.4999 ->
"1 1/2 cups"), decimals for metric ("3.5 g", "1.25 kg"), pounds with ounces ("1 lb 2 oz").
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from recipe_app.kitchen.quantities import format_decimal, format_quantity
from recipe_app.kitchen.units import (
    COUNTABLE,
    PHYSICAL,
    VAGUE,
    System,
    convert,
    dimension,
    normalise_unit,
    snap,
    unit_label,
    unit_system,
)
from recipe_app.kitchen.words import inflect_last
from recipe_app.domain.recipe import Ingredient, Recipe

_KNOWN = frozenset(PHYSICAL) | COUNTABLE
#: teaspoons in one vague measure, for when many of them are needed
_TSP_PER = {"pinch": 1 / 16, "dash": 1 / 8}
_SHOWN = r"(?:\d+ \d+/\d+|\d+/\d+|\d+(?:\.\d+)?)"
#: a range note as parse_line writes it: "1–2 tbsp", "3–4 cloves, minced", "2–3"
_RANGE_NOTE = re.compile(rf"^(?P<lo>{_SHOWN})–(?P<hi>{_SHOWN})(?: [^,]*)?(?P<rest>,.*)?$")
#: the same amount in another measure, as parse_line writes it: "240 ml", "1 lb 2 oz", "7 oz, sifted"
_MEASURE_NOTE = re.compile(rf"^(?P<amt>{_SHOWN}) (?P<unit>[A-Za-z][A-Za-z .]*?)(?: (?P<oz>{_SHOWN}) oz)?(?P<rest>,.*)?$")


def recipe_system(recipe: Recipe) -> System:
    """The unit system a recipe is written in: the one most of its units belong to (US on a tie of none)."""
    systems = [unit_system(line.unit) for line in recipe.recipeIngredient]
    metric, us = systems.count("metric"), systems.count("us")
    return "metric" if metric > us else "us"


def round_count(value: float) -> float:
    """Whole things: nearest 1/2 under 3, nearest whole from 3 on, at least 1/2 when positive."""
    return snap(value, 0.5) if value < 3 else snap(value, 1)


def scale_ingredient(ing: Ingredient, factor: float, system: System | None = None) -> Ingredient:
    """``ing`` with its quantity multiplied by ``factor`` and rounded as a cook would write it.

    Masses and volumes stay in their unit's own system; ``system`` only decides what spoons grow
    into (``"us"``, the default: cups; ``"metric"``: ml). A range note written by
    :func:`recipe_app.kitchen.parse.parse_line` ("1–2 tbsp") is scaled along, and so is the same
    amount in another measure ("1 cup milk, 240 ml"). Raises ValueError for a factor that is not positive.
    """
    if not math.isfinite(factor) or factor <= 0:
        raise ValueError(f"scale factor must be positive, got {factor!r}")
    canon = normalise_unit(ing.unit)
    written = ing.quantity
    if written is None and canon in VAGUE and snap(factor, 1) > 1:
        written = 1.0  # "a pinch" is one pinch once there is more than one
    if written is None or factor == 1 or written <= 0:
        return ing.model_copy()
    quantity, unit = _scale_amount(written, canon, ing.unit, factor, system)
    update: dict[str, object] = {"quantity": quantity, "unit": unit}
    if canon == "" and (ing.quantity > 1) != (quantity > 1):
        update["item"] = inflect_last(ing.item, many=quantity > 1)
    match = _RANGE_NOTE.match(ing.note)
    if match and format_quantity(_read(match["lo"])) == format_quantity(ing.quantity):
        high, high_unit = _scale_amount(_read(match["hi"]), canon, ing.unit, factor, system)
        if high_unit == unit:
            text = f"{format_quantity(quantity)}–{format_quantity(high)} {unit_label(unit, high)}".strip()
        else:
            text = f"{format_amount(quantity, unit)} – {format_amount(high, high_unit)}"
        update["note"] = text + (match["rest"] or "")
    elif (other := _MEASURE_NOTE.match(ing.note)) and dimension(canon) in ("mass", "volume"):
        other_unit = normalise_unit(other["unit"])
        if other_unit in PHYSICAL and dimension(other_unit) == dimension(canon):  # "1 cup milk, 240 ml"
            amount = _read(other["amt"]) + (_read(other["oz"]) / 16 if other["oz"] and other_unit == "lb" else 0)
            scaled, scaled_unit = _scale_amount(amount, other_unit, other_unit, factor, system)
            update["note"] = format_amount(scaled, scaled_unit) + (other["rest"] or "")
    return ing.model_copy(update=update)


def _scale_amount(quantity: float, canon: str, written: str, factor: float, system: System | None) -> tuple[float, str]:
    value = quantity * factor
    dim = dimension(canon)
    if dim in ("mass", "volume"):
        scaled, unit = convert(value, canon, unit_system(canon) or system or "us")
        return scaled or 0.0, unit
    if canon in _TSP_PER and value >= 3.5:
        return convert(value * _TSP_PER[canon], "tsp", system or "us")  # type: ignore[return-value]
    if canon in VAGUE:
        return snap(value, 1), canon
    if canon == "stick":
        return snap(value, 0.25), canon
    return round_count(value), canon if dim == "count" else written.strip()


def _read(text: str) -> float:
    """A quantity as :func:`format_quantity` writes it: ``"1 1/2"``, ``"1/3"``, ``"1.1"``."""
    return float(sum(Fraction(part) for part in text.split()))


def scale_recipe(recipe: Recipe, servings: int) -> Recipe:
    """``recipe`` for ``servings`` people: recipeYield updated, every ingredient scaled (see module doc).

    Nutrition is per serving and so stays as it is. Raises ValueError for fewer than 1 serving.
    """
    if int(servings) < 1:
        raise ValueError(f"servings must be at least 1, got {servings!r}")
    servings = int(servings)
    if servings == recipe.recipeYield:
        return recipe.model_copy(deep=True)
    factor = servings / recipe.recipeYield
    system = recipe_system(recipe)
    lines = [scale_ingredient(line, factor, system) for line in recipe.recipeIngredient]
    return recipe.model_copy(update={"recipeYield": servings, "recipeIngredient": lines}, deep=True)


def format_amount(quantity: float | None, unit: str) -> str:
    """``"1 1/2 cups"``, ``"200 g"``, ``"3"``; ``""`` for an unknown quantity without unit."""
    canon = normalise_unit(unit)
    shown = canon if (canon in _KNOWN or canon == "") else unit.strip()
    if quantity is None:
        return shown
    if canon == "lb" and math.isfinite(quantity):
        return _pounds(quantity)
    amount = format_decimal(quantity) if unit_system(canon) == "metric" else format_quantity(quantity)
    if shown == canon and amount != "1":
        shown = unit_label(canon, quantity)
    return " ".join(part for part in (amount, shown) if part)


def _pounds(quantity: float) -> str:
    """Pounds as US cooks write them: ``1.125`` -> ``"1 lb 2 oz"``, ``0.5`` -> ``"8 oz"``."""
    ounces = round(quantity * 16, 6)
    if ounces < 16:
        return f"{format_quantity(ounces)} oz"
    pounds, rest = divmod(round(ounces), 16)
    return f"{pounds} lb {rest} oz" if rest else f"{pounds} lb"


def format_ingredient(ing: Ingredient, system: System | None = None) -> str:
    """One readable line: ``"1 1/2 cups flour, sifted"``, ``"a pinch of salt"``, ``"salt, to taste"``.

    With ``system`` ("metric" or "us"), masses and volumes are converted first.
    """
    quantity, unit = ing.quantity, ing.unit
    if system is not None and quantity is not None and dimension(unit) in ("mass", "volume"):
        quantity, unit = convert(quantity, unit, system)
    item = ing.item.strip()
    canon = normalise_unit(unit)
    if canon in VAGUE and quantity in (None, 1):  # "a pinch of salt", however it was written
        text = f"a {canon} of {item}".strip()
    else:
        text = " ".join(part for part in (format_amount(quantity, unit), item) if part)
    note = ing.note.strip()
    return f"{text}, {note}" if note and text else (text or note)
