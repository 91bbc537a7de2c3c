"""Read a free-text ingredient line ("2 1/2 cups plain flour, sifted") into an :class:`Ingredient`.

Used for older or hand-edited recipes; the model itself already answers structured lines. This is a
small rule-based reader, not ingredient-parser-nlp: that library needs NLTK's POS-tagger data,
which it downloads at run time and which no package on PyPI ships (see requirements.txt).

The line is read left to right:

0. headings pasted with a list ("For the sauce:", "## Filling", "DRESSING:") are not ingredients:
   :func:`is_heading` tells them apart and :func:`parse_lines` leaves them out;
1. clean-up: control and format characters (zero-width, BOM, bidi controls, NUL), unicode fractions
   (``½``, ``1½``, ``½ to ¾``), fraction slash, bullets, extra spaces;
2. an amount: ``3``, ``2.5``, ``2 1/2``, ``1-1/2`` (= 1 1/2), ``1,5``, ``one``..``twelve``, ``a``/``an``
   (= 1), ``half``, ``a dozen``, ``a couple of`` (= 2); ``a few``/``some``/``a little`` give no quantity;
   a *range* ``1-2``, ``1 to 2``, ``1 or 2`` keeps the low end as quantity and writes the range in
   the note (``"1–2 tbsp"``), so a cook still sees it and scaling stays safe;
3. a pack size, ``1 (400 g) can``, ``2 x 400g tins``, ``1 28-ounce can``, ``4 x 150 g salmon fillets``,
   ``1 x 1.5 kg chicken``, which goes to the note (``"400 g"``); the count stays the quantity;
4. a unit (any spelling :mod:`recipe_app.kitchen.units` knows, attached or not: ``200g``), then ``of``.
   "a pinch of", "a dash of" and the other vague units give ``quantity=None`` (as the schema says).
   More parts of the same dimension are added into the first unit (``1 lb 4 oz`` = 1.25 lb,
   ``1/4 cup + 2 tbsp``, ``1 cup plus 2 tablespoons``); a second measure after ``/`` or in
   parentheses (``500 g/1 lb 2 oz``, ``1 cup (240 ml)``) goes to the note;
   "zest of 1 lemon", "juice of 2 limes" read as the fruit, with the part ("zest") as the note;
5. the rest is the item; text in parentheses, after the first comma, and phrases such as "to taste",
   "for garnish", "optional" at its end go to the note.

It never raises: a line it cannot read (no letters, or nothing left for the item) becomes
``Ingredient(quantity=None, unit="", item=<cleaned text>, note="")``.
"""

from __future__ import annotations

import re
import unicodedata

from collections.abc import Iterable

from recipe_app.kitchen.quantities import format_decimal, format_quantity
from recipe_app.kitchen.units import PHYSICAL, VAGUE, base_amount, normalise_unit, unit_label, unit_spellings
from recipe_app.domain.recipe import Ingredient
from recipe_app.domain.request import strip_invisible

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
_HEAP = re.compile(r"(heaped|heaping|level|scant|rounded|generous)\s+", re.I)
_TIMES = re.compile(rf"\s*[x×*]\s*(?P<num>{_NUM})[\s-]*", re.I)
_JOIN = re.compile(r"\s*(?:\+|&|\bplus\b|\band\b)?\s*", re.I)
_DUAL = re.compile(r"\s*(?:/|\bor\b|=)\s*", re.I)
_PART = re.compile(
    r"^(?:the\s+)?(?P<part>(?:(?:finely|freshly)\s+)?(?:grated\s+)?(?:zest|juice|rind|peel|leaves|seeds|flesh|pulp)"
    r"(?:\s+(?:and|&)\s+(?:(?:finely\s+)?grated\s+)?(?:zest|juice|rind|peel))?)\s+(?:of|from)\s+(?P<rest>.+)$", re.I,
)
_SECTION_WORDS = (
    r"sauce|dressing|marinade|topping|toppings|filling|glaze|crust|base|garnish|batter|dough|pastry|frosting|"
    r"icing|syrup|salad|spice mix|spice paste|paste|rub|crumble|streusel|stuffing|gravy|dip|salsa|broth|soup|"
    r"to serve|for serving|serving|assembly|cake|meringue|custard|ganache|curry|rice|noodles|the rest|optional|"
    r"ingredients|main|extras|equipment"
)
_HEADING = re.compile(
    rf"^(?:#+\s*|\*\*|__)?(?:(?:for|to make|make)\s+(?:the\s+)?[^\d:]{{1,40}}|(?:the\s+)?(?:{_SECTION_WORDS})"
    rf"(?:\s+\w+){{0,2}}|[^\d:]{{1,40}}(?=\s*:\s*$))\s*(?::|\*\*|__)?\s*$",
    re.I,
)
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
        return _unreadable(cleaned or strip_invisible(str(text or "")[:MAX_LENGTH]).strip())


def parse_lines(lines: Iterable[str]) -> list[Ingredient]:
    """The ingredients of pasted lines: blank lines and headings ("For the sauce:") left out."""
    return [parse_line(line) for line in lines if clean(line) and not is_heading(line)]


def is_heading(text: str) -> bool:
    """Whether a pasted line names a part of the recipe rather than an ingredient.

    ``"For the sauce:"``, ``"## Filling"``, ``"**Topping**"``, ``"DRESSING:"``, ``"Marinade"`` are
    headings; ``"2 tbsp sauce"``, ``"salt: a pinch"`` and ``"Salt"`` are not.
    """
    try:
        line = clean(text)
        if not line or re.search(r"\d", line) or len(line.split()) > 7:
            return False
        return _HEADING.match(line) is not None
    except Exception:  # noqa: BLE001 - a line we cannot judge is kept as an ingredient
        return False


def clean(text: str) -> str:
    """Plain spacing, ASCII fractions, no bullet: ``"• 1½ cups"`` -> ``"1 1/2 cups"``."""
    text = strip_invisible(str(text or "")[:MAX_LENGTH])
    text = re.sub(
        "(\\d)?(\\s*)([" + "".join(_FRACTIONS) + "])",
        lambda m: (m.group(1) + " " if m.group(1) else m.group(2) or " ") + _FRACTIONS[m.group(3)] + " ",
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
    if (part := _PART.match(rest)) and (inner := _parse(part["rest"])) is not None:  # "zest of 1 lemon"
        note = ", ".join(n for n in (part["part"].lower(), inner.note) if n)
        return inner.model_copy(update={"note": note})
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
        if heap := _HEAP.match(rest):  # "1 heaped tbsp": the spoon is the unit, "heaped" a note
            notes.append(heap[1].lower())
            rest = rest[heap.end():]
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
    elif quantity is not None and (times := _TIMES.match(rest)) and (each := _measure(rest[times.start("num"):])):
        notes.append(each[2])  # "4 x 150 g salmon fillets": four fillets of 150 g
        rest = each[3]
    elif quantity is not None and (pack := _measure(rest)) and (_unit(pack[3]) or ("", ""))[0] not in ("", *PHYSICAL):
        notes.append(pack[2])  # "1 28-ounce can", "2 400g tins"
        rest = pack[3]
    unit = ""
    found = _unit(rest)
    if found:
        unit, rest = found
        if unit in VAGUE and word_amount:
            quantity = None
        if quantity is not None and unit in PHYSICAL:
            quantity, rest = _extend(quantity, unit, rest)  # "1 lb 4 oz", "1 cup plus 2 tbsp"
        rest = re.sub(r"^\s*of\b\s*", "", rest, flags=re.I)
        if size := re.match(r"\s*\(([^)]*)\)\s*", rest):
            notes.append(_spaced(size[1]))
            rest = rest[size.end():]
        elif (dual := _DUAL.match(rest)) and dual.end() and (other := _measure(rest[dual.end():])):
            notes.append(other[2])  # "500 g/1 lb 2 oz": the second measure is a note
            rest = re.sub(r"^\s*of\b\s*", "", other[3], flags=re.I)
    if high is not None and high != quantity and quantity is not None:
        low, high = min(quantity, high), max(quantity, high)
        quantity = low
        notes.insert(0, f"{format_quantity(low)}–{format_quantity(high)} {unit_label(unit, high)}".strip())
    item, more = _item_and_notes(rest)
    if not item:
        return None
    note = ", ".join(n for n in notes + more if n)
    return Ingredient(quantity=quantity, unit=unit, item=item, note=note)


_NUMBER = re.compile(_NUM)


def _measure(text: str) -> tuple[float, str, str, str] | None:
    """A physical amount at the start of ``text``: (quantity, unit, as a note, what follows).

    Parts of one dimension are added (``"1 lb 2 oz"``); the note keeps a compound as written.
    """
    number = _NUMBER.match(text.lstrip())
    if not number:
        return None
    after = re.sub(r"^[\s-]*", "", text.lstrip()[number.end():])
    found = _unit(after)
    if not found or found[0] not in PHYSICAL:
        return None
    quantity, unit = _number(number[0]), found[0]
    total, rest = _extend(quantity, unit, found[1])
    if total == quantity:  # as the label has it: "14.5 oz" stays a decimal, "3½ fl oz" a fraction
        shown = format_decimal(quantity) if "." in number[0] else format_quantity(quantity)
        shown = f"{shown} {unit_label(unit, quantity)}"
    else:
        shown = _spaced(text.lstrip()[: len(text.lstrip()) - len(rest.lstrip())].replace("-", " "))
    return total, unit, shown, rest.lstrip()


def _extend(quantity: float, unit: str, rest: str) -> tuple[float, str]:
    """``quantity unit`` plus any following parts of the same dimension, in ``unit``."""
    one = base_amount(1, unit)
    for _ in range(3):
        join = _JOIN.match(rest)
        number = _NUMBER.match(rest[join.end():]) if join else None
        if not join or not number:
            break
        found = _unit(rest[join.end() + number.end():])
        if not found or found[0] not in PHYSICAL or PHYSICAL[found[0]][1] != PHYSICAL[unit][1] or not one:
            break
        added = base_amount(_number(number[0]), found[0])
        quantity, rest = quantity + (added or 0.0) / one, found[1]
    return quantity, rest


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
