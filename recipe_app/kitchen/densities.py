"""Grams per cup for the few ingredients cooks expect a shopping list to add across mass and volume.

Only ingredients whose cup weight is stable enough to shop by are listed; anything else keeps its
amounts apart ("200 g + 1 cup grated cheese"), because a guess would mislead. Figures are the usual
US kitchen references (a US cup is 236.6 ml; flour spooned and levelled, not packed):

=====================  ==========  ========================================
ingredient              g per cup   note
=====================  ==========  ========================================
butter                  227         1 stick = 1/2 cup = 113 g, 1 tbsp = 14 g
plain / all-purpose     125         bread flour is within a few grams
flour
white sugar             200         granulated or caster
uncooked white rice     185         long-grain, basmati, jasmine
=====================  ==========  ========================================

Keys are :func:`recipe_app.kitchen.words.item_key` spellings.
"""

from __future__ import annotations

_ML_PER_CUP = 236.5882365

#: item key -> grams per cup
GRAMS_PER_CUP: dict[str, float] = {
    **dict.fromkeys(("butter", "unsalted butter", "salted butter"), 227.0),
    **dict.fromkeys(("flour", "plain flour", "all purpose flour", "bread flour", "white flour"), 125.0),
    **dict.fromkeys(("sugar", "white sugar", "caster sugar", "castor sugar", "granulated sugar",
                     "superfine sugar"), 200.0),
    **dict.fromkeys(("rice", "white rice", "long grain rice", "basmati rice", "jasmine rice",
                     "uncooked rice"), 185.0),
}
#: item key -> grams in one of a countable unit that is really a weight
GRAMS_PER_UNIT: dict[tuple[str, str], float] = {
    (key, "stick"): 113.4 for key in ("butter", "unsalted butter", "salted butter")
}


def grams_per_ml(key: str) -> float | None:
    """Density of an ingredient in the table, in g/ml; None for anything not in it."""
    per_cup = GRAMS_PER_CUP.get(key)
    return per_cup / _ML_PER_CUP if per_cup else None
