"""Kitchen units on top of pint: spellings, dimensions and conversion that reads naturally.

Canonical units (what :func:`normalise_unit` answers and what converted data carries) are short
and singular: ``g kg mg ml cl dl l tsp tbsp fl oz cup pint quart gallon oz lb`` for physical
amounts, and ``pinch dash clove piece can slice bunch handful ...`` for countable ones, which pint
never sees (it would read "pinch" as a pico-inch). US customary volumes are used (1 cup = 236.6 ml).

:func:`convert` re-expresses an amount in one system and rounds it the way a cook would write it:

* metric mass: ``mg`` under 1 g, ``g`` up to 1 kg, then ``kg``; volume: ``ml`` then ``l`` from 1 l.
  g/ml (and mg) are rounded by size: under 10 to the nearest 0.5, under 100 to 1, under 1000 to 5,
  above to 10 (333.33 g -> 335 g). kg/l/lb keep an exact quarter (1.25 kg) and are otherwise
  rounded to 0.1 (1.1 lb).
* US mass: ``oz`` (to 1/4 oz under 4 oz, to the whole ounce above: 250 g -> 9 oz), ``lb`` from 16 oz
  on whole ounces (500 g -> 18 oz = 1.125 lb, shown "1 lb 2 oz"). Under 1/4 oz no US measure is fine
  enough, so the amount is metric: grams, or milligrams under 1 g (0.1 g of saffron -> 100 mg).
* US volume: ``tsp`` (to 1/8 under 1 tsp, else 1/4), ``tbsp`` (3 tsp -> 1 tbsp; to 1/2 tbsp; 4 or 5
  tsp stay tsp), up to and including 1/4 cup (0.25 cup -> 4 tbsp); 1/3 cup exactly, and from 1/2 cup
  on ``cup`` on the nearest quarter or third. An amount written in pints, quarts or gallons stays in
  that unit while it is at least one of them (to the half pint, quarter quart or gallon); anything
  else from one gallon (16 cups) on is written in gallons.
* Spoons in metric: a spoon measure under 1/4 cup stays in spoons (metric kitchens use them too);
  larger ones become ml.

A positive amount never rounds to 0: it stops at the smallest step of its unit.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import pint

System = Literal["metric", "us"]
Dimension = Literal["mass", "volume", "count"]

#: The one registry of the app (building one costs a few hundred milliseconds).
UREG = pint.UnitRegistry()

#: canonical unit -> (pint unit, dimension, system; None for spoons, used by both systems)
PHYSICAL: dict[str, tuple[str, Dimension, System | None]] = {
    "mg": ("milligram", "mass", "metric"),
    "g": ("gram", "mass", "metric"),
    "kg": ("kilogram", "mass", "metric"),
    "oz": ("ounce", "mass", "us"),
    "lb": ("pound", "mass", "us"),
    "ml": ("milliliter", "volume", "metric"),
    "cl": ("centiliter", "volume", "metric"),
    "dl": ("deciliter", "volume", "metric"),
    "l": ("liter", "volume", "metric"),
    "tsp": ("teaspoon", "volume", None),
    "tbsp": ("tablespoon", "volume", None),
    "fl oz": ("fluid_ounce", "volume", "us"),
    "cup": ("cup", "volume", "us"),
    "pint": ("pint", "volume", "us"),
    "quart": ("quart", "volume", "us"),
    "gallon": ("gallon", "volume", "us"),
}
#: countable units: whole things, or vague amounts (see :data:`VAGUE`)
COUNTABLE = frozenset({
    "pinch", "dash", "clove", "piece", "can", "slice", "bunch", "handful", "sprig", "stalk", "head",
    "leaf", "sheet", "stick", "jar", "tin", "packet", "fillet", "splash", "drop", "knob", "sprinkle",
    "drizzle",
})
#: countable units that name a rough amount rather than a thing
VAGUE = frozenset({"pinch", "dash", "handful", "splash", "drop", "knob", "sprinkle", "drizzle"})
#: units written with a plural form on a card ("2 cups", "3 cloves"); abbreviations never are
PLURAL_FORMS = {
    unit: unit + ("es" if unit.endswith(("ch", "sh")) else "s")
    for unit in ("cup", "pint", "quart", "gallon") + tuple(COUNTABLE)
} | {"leaf": "leaves"}

_ALIASES: dict[str, str] = {
    "gr": "g", "gram": "g", "gramme": "g", "kilo": "kg", "kilogram": "kg", "kilogramme": "kg",
    "milligram": "mg", "millilitre": "ml", "milliliter": "ml", "cc": "ml", "centilitre": "cl",
    "centiliter": "cl", "decilitre": "dl", "deciliter": "dl", "litre": "l", "liter": "l", "ltr": "l",
    "lt": "l", "teaspoon": "tsp", "ts": "tsp", "tablespoon": "tbsp", "tbs": "tbsp", "tbl": "tbsp",
    "tb": "tbsp", "c": "cup", "floz": "fl oz", "fluid ounce": "fl oz", "fl ounce": "fl oz",
    "ounce": "oz", "pound": "lb", "pt": "pint", "qt": "quart", "gal": "gallon", "pc": "piece",
    "pack": "packet", "sachet": "packet", "package": "packet", "pkg": "packet", "pkt": "packet",
    "envelope": "packet", "bulb": "head",
}
#: one-letter spellings whose case matters: T is a tablespoon, t a teaspoon
_CASED = {"T": "tbsp", "t": "tsp"}
_PLURAL_ALIASES = {plural: unit for unit, plural in PLURAL_FORMS.items()}
_SPOON_ML = {"tsp": 4.92892159375, "tbsp": 14.7867647813}


def normalise_unit(unit: str) -> str:
    """Canonical spelling of a unit: ``"Tablespoons"`` -> ``"tbsp"``, ``"fl. oz."`` -> ``"fl oz"``.

    Unknown words come back lower-cased and trimmed; ``""`` stays ``""``.
    """
    text = re.sub(r"[\s.]+", " ", str(unit or "")).strip()
    if text in _CASED:
        return _CASED[text]
    lower = text.lower()
    for candidate in (lower, re.sub(r"(?:e?s)$", "", lower), lower[:-1] if lower.endswith("s") else lower):
        if candidate in PHYSICAL or candidate in COUNTABLE:
            return candidate
        if candidate in _ALIASES:
            return _ALIASES[candidate]
    return _PLURAL_ALIASES.get(lower, lower)


def unit_spellings() -> list[str]:
    """Every spelling :func:`normalise_unit` recognises (except the cased ``T``/``t``), longest first."""
    known = set(PHYSICAL) | COUNTABLE | set(PLURAL_FORMS.values()) | set(_ALIASES)
    known |= {word + "s" for word in list(known) if len(word) > 1 and word.isalpha()}
    known |= {"fluid ounces", "fl ounces"}
    return sorted((w for w in known if normalise_unit(w) in PHYSICAL or normalise_unit(w) in COUNTABLE),
                  key=lambda w: (-len(w), w))


def dimension(unit: str) -> Dimension | None:
    """``"mass"``, ``"volume"`` or ``"count"`` (countable units, and no unit: "3 eggs"); None if unknown."""
    canon = normalise_unit(unit)
    if canon in PHYSICAL:
        return PHYSICAL[canon][1]
    if canon == "" or canon in COUNTABLE:
        return "count"
    return None


def unit_system(unit: str) -> System | None:
    """The system a unit belongs to; None for spoons, countable and unknown units."""
    canon = normalise_unit(unit)
    return PHYSICAL[canon][2] if canon in PHYSICAL else None


def base_amount(quantity: float, unit: str) -> float | None:
    """A physical amount in grams (mass) or millilitres (volume), through pint; None otherwise."""
    canon = normalise_unit(unit)
    if canon not in PHYSICAL:
        return None
    name, dim, _ = PHYSICAL[canon]
    target = "gram" if dim == "mass" else "milliliter"
    return float(UREG.Quantity(quantity, name).to(target).magnitude)


def unit_label(unit: str, quantity: float | None) -> str:
    """The unit as written next to a quantity: ``cup`` -> ``cups`` above 1, abbreviations unchanged."""
    canon = normalise_unit(unit)
    if quantity is not None and quantity > 1 and canon in PLURAL_FORMS:
        return PLURAL_FORMS[canon]
    return canon


def convert(quantity: float | None, unit: str, system: System) -> tuple[float | None, str]:
    """``quantity unit`` in the ``system``'s most readable unit, rounded as a cook writes it.

    Countable, unknown and missing amounts come back unchanged (with the unit normalised).
    ``convert(250, "g", "us") == (9, "oz")``, ``convert(3, "tsp", "metric") == (1, "tbsp")``.
    """
    if system not in ("metric", "us"):
        raise ValueError(f"unknown unit system: {system!r}")
    canon = normalise_unit(unit)
    if quantity is None or canon not in PHYSICAL or not math.isfinite(quantity) or quantity <= 0:
        return quantity, canon
    amount = base_amount(quantity, canon)
    assert amount is not None
    if PHYSICAL[canon][1] == "mass":
        return _mass_metric(amount) if system == "metric" else _mass_us(amount)
    if system == "us":
        return _volume_us(amount, canon)
    if canon in _SPOON_ML and amount < 4 * _SPOON_ML["tbsp"] + 0.1:
        return _spoons(amount)
    return _metric(amount, "ml", "l")


def snap(value: float, step: float) -> float:
    """``value`` to the nearest multiple of ``step`` (halves up), never below one step if positive."""
    if value <= 0:
        return 0.0
    count = max(math.floor(value / step + 0.5 + 1e-9), 1)
    return float(round(count * step, 9))


def round_metric(value: float) -> float:
    """Grams, millilitres or milligrams as a cook weighs them: 0.5 / 1 / 5 / 10 steps by size."""
    if value < 10:
        return snap(value, 0.5)
    if value < 100:
        return snap(value, 1)
    if value < 1000:
        return snap(value, 5)
    return snap(value, 10)


def round_decimal(value: float) -> float:
    """kg, l or lb: an exact quarter is kept (1.25), anything else goes to 0.1 (1.1)."""
    quarter = snap(value, 0.25)
    return quarter if abs(value - quarter) < 0.02 else snap(value, 0.1)


def _metric(amount: float, small: str, large: str) -> tuple[float, str]:
    rounded = round_metric(amount)
    if rounded >= 1000:
        return round_decimal(amount / 1000), large
    return rounded, small


def _mass_metric(grams: float) -> tuple[float, str]:
    if grams < 1:
        milligrams = round_metric(grams * 1000)
        if milligrams < 1000:
            return milligrams, "mg"
    return _metric(grams, "g", "kg")


_G_PER_OZ = float(UREG.Quantity(1, "ounce").to("gram").magnitude)
_G_PER_LB = float(UREG.Quantity(1, "pound").to("gram").magnitude)


def _mass_us(grams: float) -> tuple[float, str]:
    ounces = grams / _G_PER_OZ
    if ounces < 0.25 - 0.01:
        return _mass_metric(grams)
    rounded = snap(ounces, 0.25) if ounces < 4 else snap(ounces, 1)
    if rounded < 16:
        return rounded, "oz"
    return rounded / 16, "lb"  # whole ounces: shown as "1 lb 2 oz"


def _spoons(millilitres: float) -> tuple[float, str]:
    tsp = millilitres / _SPOON_ML["tsp"]
    rounded = snap(tsp, 0.125) if tsp < 1 else snap(tsp, 0.25)
    if rounded < 3 or (rounded < 6 and abs(tsp / 1.5 - round(tsp / 1.5)) > 0.07):
        return rounded, "tsp"
    return snap(tsp / 3, 0.5), "tbsp"


_ML_PER = {unit: float(UREG.Quantity(1, unit).to("milliliter").magnitude) for unit in ("pint", "quart", "gallon")}
_STEP = {"pint": 0.5, "quart": 0.25, "gallon": 0.25}


def _volume_us(millilitres: float, written: str = "") -> tuple[float, str]:
    if written in _ML_PER and millilitres >= _ML_PER[written] * 0.99:  # "2 quarts stock" stays in quarts
        return snap(millilitres / _ML_PER[written], _STEP[written]), written
    if millilitres >= _ML_PER["gallon"] * 0.99:
        return snap(millilitres / _ML_PER["gallon"], 0.25), "gallon"
    tbsp = millilitres / _SPOON_ML["tbsp"]
    if tbsp <= 4.05:
        return _spoons(millilitres)
    if abs(tbsp - 16 / 3) < 0.2:
        return 1 / 3, "cup"
    if snap(tbsp, 0.5) < 8:
        return snap(tbsp, 0.5), "tbsp"
    cups = tbsp / 16
    quarter, third = snap(cups, 0.25), snap(cups, 1 / 3)
    return (third if abs(third - cups) < abs(quarter - cups) - 1e-9 else quarter), "cup"
