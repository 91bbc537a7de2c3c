"""Read a free-text ingredient line ("2 1/2 cups plain flour, sifted") into an :class:`Ingredient`.

Used for older or hand-edited recipes; the model itself already answers structured lines. This is a
small rule-based reader, not ingredient-parser-nlp: that library needs NLTK's POS-tagger data,
which it downloads at run time and which no package on PyPI ships (see requirements.txt).

The line is read left to right:

1. clean-up: unicode fractions (``½``, ``1½``), fraction slash, bullets, extra spaces;
2. an amount: ``3``, ``2.5``, ``2 1/2``, ``1-1/2`` (= 1 1/2), ``1,5``, ``one``..``twelve``, ``a``/``an``
   (= 1), ``half``, ``a dozen``, ``a couple of`` (= 2); ``a few``/``some``/``a little`` give no quantity;
   a *range* ``1-2``, ``1 to 2``, ``1 or 2`` keeps the low end as quantity and writes the range in
   the note (``"1–2 tbsp"``), so a cook still sees it and scaling stays safe;
3. a pack size, ``1 (400 g) can`` or ``2 x 400g tins``, which goes to the note (``"400 g"``);
4. a unit (any spelling :mod:`recipe_app.kitchen.units` knows, attached or not: ``200g``), then ``of``.
   "a pinch of", "a dash of" and the other vague units give ``quantity=None`` (as the schema says);
5. the rest is the item; text in parentheses, after the first comma, and phrases such as "to taste",
   "for garnish", "optional" at its end go to the note.

It never raises: a line it cannot read (no letters, or nothing left for the item) becomes
``Ingredient(quantity=None, unit="", item=<cleaned text>, note="")``.
"""

from __future__ import annotations

import re
import unicodedata

from recipe_app.kitchen.quantities import format_quantity
from recipe_app.kitchen.units import VAGUE, normalise_unit, unit_label, unit_spellings
from recipe_app.domain.recipe import Ingredient

MAX_LENGTH = 1000
_FRACTIONS = {
    "½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅖": "2/5", "⅗": "3/5",
    "⅘": "4/5", "⅙": "1/6", "⅚": "5/6", "⅛": "1/8", "⅜": "3/8", "⅝": "5/8", "⅞": "7/8",
}
_NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+,\d{1,2}(?![\d/])|\d+\s+\d+/\d+|\d+/\d+|\d*\.\d+|\d+)"
_AMOUNT = re.compile(rf"(?P<lo>{_NUM})(?:\s*(?:[-‐‑‒–—―−]|\bto\b|\bor\b)\s*(?P<hi>{_NUM}))?", re.I)
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12, "dozen": 12, "a couple of": 2,
    "a couple": 2, "half an": 0.5, "half a": 0.5, "a half": 0.5, "half": 0.5, "an": 1, "a": 1,
    "a few": None, "a little": None, "a bit of": None, "some": None,
}
_WORD = re.compile(r"(?P<word>" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\s+", re.I)
_UNIT = re.compile(
    r"(?P<unit>" + "|".join(re.escape(u).replace(r"\ ", r"\.?\s*") for u in unit_spellings())
    + r")\.?(?![A-Za-z])", re.I,
)
_CASED_UNIT = re.compile(r"(?P<unit>T|t)\.?(?![A-Za-z])")
_SIZE = re.compile(rf"\s*(?:[x×]\s*)?(?P<size>{_NUM}\s*[a-zA-Z]+\.?)\s+", re.I)
_LEAD = re.compile(r"^(?:about|approx\.?|approximately|around|roughly|scant|heaped|heaping)\s+", re.I)
_TAIL = re.compile(
    r"[,;]?\s*\b(?P<tail>(?:or\s+)?to taste|to serve|for (?:serving|garnish(?:ing)?|frying|greasing|"
    r"dusting|drizzling|decoration|the pan|the tin)|as (?:needed|required)|if needed|optional|"
    r"plus (?:extra|more)\b.*)\s*$", re.I,
)


def parse_line(text: str) -> Ingredient:
    """One ingredient line as structured data; never raises (see the module doc for the rules)."""
    cleaned = ""
    try:
        cleaned = clean(text)
        return _parse(cleaned) or _unreadable(cleaned)
    except Exception:  # noqa: BLE001 - an unreadable line is kept as its text, whatever went wrong
        return _unreadable(cleaned or str(text or "")[:MAX_LENGTH].strip())


def clean(text: str) -> str:
    """Plain spacing, ASCII fractions, no bullet: ``"• 1½ cups"`` -> ``"1 1/2 cups"``."""
    text = str(text or "")[:MAX_LENGTH]
    text = re.sub(
        "(\\d)?\\s*([" + "".join(_FRACTIONS) + "])",
        lambda m: (m.group(1) + " " if m.group(1) else "") + _FRACTIONS[m.group(2)] + " ",
        text,
    )
    text = unicodedata.normalize("NFKC", text).replace("⁄", "/")
    text = re.sub(r"^\s*(?:[-‐‑‒–—―−*•·▪◦+]\s+|\[\s?[xX]?\s?\]\s*)+", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _number(text: str) -> float:
    text = text.strip()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        return float(text.replace(",", ""))
    if "," in text:
        return float(text.replace(",", "."))
    whole, _, fraction = text.rpartition(" ") if "/" in text else ("", "", text)
    if "/" in fraction:
        numerator, denominator = fraction.split("/")
        value = int(numerator) / int(denominator)
    else:
        value = float(fraction)
    return value + (int(whole) if whole else 0)


def _parse(text: str) -> Ingredient | None:
    if not re.search(r"[A-Za-z]", text):
        return None
    rest = _LEAD.sub("", text)
    notes: list[str] = []
    quantity: float | None = None
    high: float | None = None
    word_amount = False
    amount = _AMOUNT.match(rest)
    if amount:
        quantity = _number(amount["lo"])
        high = _number(amount["hi"]) if amount["hi"] else None
        if high is not None and high < quantity and high < 1 and "/" in amount["hi"]:
            quantity, high = quantity + high, None  # "1-1/2 cups" is one and a half
        rest = rest[amount.end():].lstrip()
    elif word := _WORD.match(rest):
        quantity = _WORDS[word["word"].lower()]
        word_amount = True
        if quantity is None:
            notes.append(word["word"].lower())
        rest = rest[word.end():]
    size = re.match(r"\s*\(([^)]*)\)\s*", rest)
    if size and quantity is not None:
        notes.append(_spaced(size[1]))
        rest = rest[size.end():]
    elif quantity is not None and (packed := _SIZE.match(rest)) and _unit(rest[packed.end():].lstrip()):
        notes.append(_spaced(packed["size"]))
        rest = rest[packed.end():].lstrip()
    unit = ""
    found = _unit(rest)
    if found:
        unit, rest = found
        if unit in VAGUE and word_amount:
            quantity = None
        rest = re.sub(r"^\s*of\b\s*", "", rest, flags=re.I)
        if size := re.match(r"\s*\(([^)]*)\)\s*", rest):
            notes.append(_spaced(size[1]))
            rest = rest[size.end():]
    if high is not None and high != quantity and quantity is not None:
        low, high = min(quantity, high), max(quantity, high)
        quantity = low
        notes.insert(0, f"{format_quantity(low)}–{format_quantity(high)} {unit_label(unit, high)}".strip())
    item, more = _item_and_notes(rest)
    if not item:
        return None
    note = ", ".join(n for n in notes + more if n)
    return Ingredient(quantity=quantity, unit=unit, item=item, note=note)


def _unit(text: str) -> tuple[str, str] | None:
    """The unit at the start of ``text`` (canonical) and what follows it."""
    text = text.lstrip()
    match = _CASED_UNIT.match(text) or _UNIT.match(text)
    if not match:
        return None
    return normalise_unit(match["unit"]), text[match.end():].lstrip()


def _item_and_notes(text: str) -> tuple[str, list[str]]:
    notes = [_spaced(n) for n in re.findall(r"\(([^)]*)\)", text)]
    text = re.sub(r"\s*\([^)]*\)\s*", " ", text)
    item, _, after = text.partition(",")
    if tail := _TAIL.search(item):
        notes.append(tail["tail"].strip())
        item = item[: tail.start()]
    notes.append(after.strip(" ,;"))
    item = re.sub(r"^\s*of\b", "", item, flags=re.I)
    return item.strip(" ,;:.-*"), [n for n in notes if n]


def _spaced(text: str) -> str:
    """``"400g"`` -> ``"400 g"``."""
    return re.sub(r"\s+", " ", re.sub(r"(\d)(?=[A-Za-z])", r"\1 ", text)).strip(" ,;")


def _unreadable(text: str) -> Ingredient:
    return Ingredient(quantity=None, unit="", item=text, note="")
