"""Substitutions for one ingredient, re-checked here against the cook's allergies and diet.

The model suggests; this module decides. Every suggestion is tested with the same allergen rules
as the studio's card (``kitchen/allergens.py``) and a table of what each diet rules out, so a
substitution that fails is shown with its reason, never silently offered.
"""

from __future__ import annotations

from typing import Any

from recipe_app.kitchen.allergens import allergen_matches, mentions

#: Allergen groups each diet rules out (the names ``allergen_matches`` reads).
DIET_EXCLUDES: dict[str, tuple[str, ...]] = {
    "vegetarian": ("meat", "poultry", "pork", "fish", "shellfish", "gelatin"),
    "vegan": ("meat", "poultry", "pork", "fish", "shellfish", "gelatin", "milk", "eggs"),
    "pescatarian": ("meat", "poultry", "pork", "gelatin"),
    "gluten-free": ("gluten",),
    "dairy-free": ("milk",),
    "halal": ("pork", "alcohol", "gelatin"),
    "kosher": ("pork", "shellfish", "gelatin"),
}
#: Single foods a diet rules out, looked for as words.
DIET_WORDS: dict[str, tuple[str, ...]] = {
    "vegan": ("honey",),
    "keto": ("sugar", "honey", "maple syrup", "flour", "breadcrumbs", "rice", "pasta", "potato", "bread"),
}
MAX_SWAPS = 3


def swap_problem(text: str, allergies: list[str], diet: str) -> str:
    """Why a substitution may not be used ('contains your milk allergy', 'not vegan'), or ''."""
    if hits := allergen_matches(text, allergies):
        return "Not safe: may contain " + ", ".join(hits)
    ruled_out = allergen_matches(text, list(DIET_EXCLUDES.get(diet, ()))) or mentions(text, DIET_WORDS.get(diet, ()))
    return f"Not {diet}" if ruled_out else ""


def _amount(quantity: Any, unit: Any) -> str:
    if isinstance(quantity, bool) or not isinstance(quantity, int | float) or quantity <= 0 or quantity > 100_000:
        return ""
    number = f"{quantity:g}" if quantity >= 1 or quantity == 0 else f"{quantity:.2g}"
    return f"{number} {str(unit or '').strip()[:20]}".strip()


def checked_swaps(data: Any, allergies: list[str], diet: str) -> list[dict[str, str]]:
    """The substitutions in a (possibly partial) model answer, each with its deterministic check.

    ``data`` is the parsed JSON ``{"substitutions": [{"item", "quantity", "unit", "note"}]}``;
    anything else gives no swaps. Each row: ``item``, ``amount``, ``note``, ``problem`` ('' when
    it passes). At most :data:`MAX_SWAPS`, items without a name are left out.
    """
    rows = data.get("substitutions") if isinstance(data, dict) else None
    swaps: list[dict[str, str]] = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("item"), str) or not row["item"].strip():
            continue
        item = " ".join(row["item"].split())[:80]
        note = " ".join(str(row.get("note") or "").split())[:200]
        swaps.append(
            {
                "item": item,
                "amount": _amount(row.get("quantity"), row.get("unit")),
                "note": note,
                "problem": swap_problem(f"{item} {note}", allergies, diet),
            }
        )
        if len(swaps) == MAX_SWAPS:
            break
    return swaps


def swap_change(original: str, swap: dict[str, str]) -> str:
    """The change a picked substitution asks of the recipe, as a cook would say it."""
    amount = f"{swap['amount']} " if swap.get("amount") else ""
    return f"Use {amount}{swap['item']} instead of {original}; adjust the quantities and the steps that mention it"
