"""The demo model's answers to questions about a recipe and its ingredient swaps, offline.

Recognises the questions cooks ask most (substitute X, make it vegan or gluten-free, without an
oven, make ahead, freeze, double it or serve N) and answers from the recipe sent as data; every
substitute it offers is first checked against the cook's allergies and diet with the same rules
the app applies to a real model's suggestions (``kitchen/swaps.py``).
"""

from __future__ import annotations

import json
import re
from typing import Any

from recipe_app.kitchen.allergens import mentions, normalise
from recipe_app.kitchen.swaps import swap_problem
from recipe_app.llm.answers import CHANGE_PREFIX, task_of

# what to use instead, per ingredient word: (substitute, amount factor, note)
_SUBSTITUTES: dict[str, tuple[tuple[str, float, str], ...]] = {
    "buttermilk": (("milk with 1 tbsp lemon juice per 250 ml", 1, "stand for 5 minutes until it thickens"),
                   ("plain yogurt loosened with a little milk", 1, "tangy and thick, like buttermilk"),
                   ("oat milk with 1 tbsp cider vinegar per 250 ml", 1, "dairy-free; stand for 5 minutes")),
    "butter": (("olive oil", 0.75, "use three-quarters of the amount"), ("coconut oil", 1, "a faint coconut note"),
               ("dairy-free spread", 1, "melts like butter")),
    "milk": (("oat milk", 1, "neutral and creamy"), ("soy milk", 1, "the most protein of the plant milks"),
             ("whole milk", 1, "the classic")),
    "cream": (("coconut cream", 1, "dairy-free, richer"), ("Greek yogurt", 1, "stir in off the heat so it does not split"),
              ("cashew cream", 1, "blend soaked cashews with water")),
    "cheese": (("nutritional yeast", 0.3, "savoury and dairy-free"), ("vegan hard cheese", 1, "melts less"),
               ("toasted breadcrumbs", 0.5, "for crunch instead of richness")),
    "egg": (("flax egg (1 tbsp ground flaxseed + 3 tbsp water)", 1, "binds; rest 5 minutes"),
            ("firm tofu, crumbled", 60, "per egg, for scrambles and fillings"), ("chickpea flour batter", 1, "for frittatas")),
    "flour": (("gluten-free plain flour", 1, "add 1/4 tsp xanthan gum per 150 g for baking"),
              ("rice flour", 0.9, "crisper, a little less"), ("plain flour", 1, "the classic")),
    "soy sauce": (("tamari", 1, "gluten-free soy sauce"), ("coconut aminos", 1.25, "soy-free and a little sweeter"),
                  ("fish sauce", 0.5, "stronger: use half")),
    "chicken": (("chickpeas", 1, "drained; add for the last 10 minutes"), ("firm tofu", 1, "pressed and cubed"),
                ("turkey thighs", 1, "same cooking time")),
    "beef": (("brown lentils", 0.8, "cooked; earthy and hearty"), ("mushrooms", 1.2, "well browned"),
             ("lamb mince", 1, "richer")),
    "pork": (("chicken thighs", 1, "same cooking time"), ("smoked tofu", 1, "for the smoky note"),
             ("jackfruit", 1, "pulled, for texture")),
    "rice": (("quinoa", 1, "rinse first; 15 minutes"), ("cauliflower rice", 1.5, "low-carb; 5 minutes"),
             ("bulgur wheat", 1, "soak in boiling water")),
    "pasta": (("gluten-free pasta", 1, "cook 1 minute less"), ("courgette noodles", 1.5, "low-carb; barely cook"),
              ("rice noodles", 0.8, "soak, then toss in")),
    "honey": (("maple syrup", 1, "vegan"), ("agave syrup", 0.8, "sweeter: use a little less"),
              ("brown sugar", 1, "dissolve in a splash of water")),
    "wine": (("stock with 1 tsp vinegar", 1, "alcohol-free"), ("grape juice with a squeeze of lemon", 1, "a little sweeter"),
             ("water", 1, "lighter")),
}
_FALLBACK = (("a similar seasonal vegetable", 1, "cut to the same size so it cooks in the same time"),
             ("tinned chickpeas", 1, "drained; add near the end"),
             ("more of the other vegetables", 1, "keeps the dish balanced"))

_METHOD = {
    "oven": ("Yes: cook it on the hob instead. Brown everything in a large frying pan or skillet over a medium-high "
             "heat, then add a splash of water, cover with a lid and cook gently for about the same time, turning "
             "once, until cooked through.", "Cook it without an oven, on the hob in a covered skillet"),
    "ahead": ("You can make it up to a day ahead: cool it quickly, keep it covered in the fridge and reheat gently "
              "until piping hot. Add fresh herbs and any crunchy toppings just before serving.", ""),
    "freeze": ("It freezes well for up to three months in airtight portions. Leave out crisp or fresh garnishes, "
               "thaw overnight in the fridge and reheat until piping hot; add a splash of water if it has thickened.", ""),
}


def _find(recipe: dict[str, Any], words: str) -> dict[str, Any] | None:
    """The recipe's ingredient line that the cook's words name (longest item first)."""
    text = normalise(words)
    lines = sorted(recipe.get("recipeIngredient") or [], key=lambda i: -len(str(i.get("item", ""))))
    for line in lines:
        item = normalise(str(line.get("item", "")))
        if item and (item in text or any(len(w) > 3 and mentions(item, [w]) for w in text.split())):
            return line
    return None


def _options(item: str, allergies: list[str], diet: str) -> list[tuple[str, float, str, str]]:
    """Substitutes for ``item`` with their check ('' when fine), safe ones first."""
    text = normalise(item)
    key = next((k for k in sorted(_SUBSTITUTES, key=len, reverse=True) if mentions(text, [k])), None)
    rows = [(s, f, n, swap_problem(f"{s} {n}", allergies, diet)) for s, f, n in _SUBSTITUTES.get(key or "", _FALLBACK)]
    return sorted(rows, key=lambda r: bool(r[3]))


def _amount(line: dict[str, Any], factor: float) -> tuple[float | None, str]:
    quantity = line.get("quantity")
    if not isinstance(quantity, int | float) or isinstance(quantity, bool):
        return None, str(line.get("unit") or "")
    value = round(quantity * factor, 1) if factor < 20 else round(factor * max(quantity, 1))
    return value, "g" if factor >= 20 else str(line.get("unit") or "")


def _conflicts(recipe: dict[str, Any], allergies: list[str], diet: str) -> list[str]:
    return [str(i["item"]) for i in recipe.get("recipeIngredient") or [] if swap_problem(str(i.get("item", "")), allergies, diet)]


def answer_question(data: dict[str, Any]) -> str:
    """A sensible plain-text answer to one question about the recipe in ``data``."""
    recipe, question = data.get("recipe") or {}, str(data.get("question") or "")
    allergies, diet = list(data.get("allergies") or []), str(data.get("diet") or "none")
    q = normalise(question)
    name = str(recipe.get("name") or "this recipe")
    for diet_asked in ("vegan", "vegetarian", "gluten-free", "gluten free", "dairy-free", "dairy free"):
        if diet_asked in q:
            wanted = diet_asked.replace(" ", "-")
            clash = _conflicts(recipe, allergies, wanted)
            if not clash:
                return f"Good news: {name} is already {wanted} as written. Check labels on stock and sauces."
            swaps = []
            for item in clash[:4]:
                safe = [o for o in _options(item, allergies, wanted) if not o[3]]
                swaps.append(f"{item} → {safe[0][0]}" if safe else f"leave out the {item}")
            return (f"To make {name} {wanted}: " + "; ".join(swaps) + ". Cooking times stay the same.\n"
                    f"{CHANGE_PREFIX} Make it {wanted}: " + "; ".join(swaps))
    if re.search(r"\b(?:double|twice)\b", q):
        serves = int(recipe.get("recipeYield") or 2) * 2
        return (f"Double every quantity for {serves} servings; use a bigger pan (or two) so it does not crowd, and "
                f"allow a few extra minutes.\n{CHANGE_PREFIX} Make it for {serves} servings")
    if match := re.search(r"\b(?:for|serve|serves|feed)\s+(\d{1,2})\b", q):
        serves = int(match.group(1))
        return (f"Scale every quantity to {serves} servings (the page's Servings box does it for you) and cook in "
                f"batches if the pan gets crowded.\n{CHANGE_PREFIX} Make it for {serves} servings")
    if "oven" in q:
        text, change = _METHOD["oven"]
        return f"{text}\n{CHANGE_PREFIX} {change}"
    if "ahead" in q or "advance" in q or "night before" in q:
        return _METHOD["ahead"][0]
    if "freez" in q:
        return _METHOD["freeze"][0]
    if re.search(r"\b(?:instead|substitut|replace|swap|without|no|out of|alternative)", q):
        line = _find(recipe, question)
        if line is None:
            return ("Tell me which ingredient you want to replace (for example “what instead of the butter?”) "
                    "and I will suggest a substitute that suits your diet.")
        item = str(line["item"])
        safe = [o for o in _options(item, allergies, diet) if not o[3]]
        if not safe:
            return f"Leave out the {item}: the dish still works, just season a little more at the end.\n{CHANGE_PREFIX} Leave out the {item}"
        first, factor, note = safe[0][:3]
        quantity, unit = _amount(line, factor)
        amount = f"{quantity:g} {unit} ".replace("  ", " ") if quantity is not None else ""
        others = ", or " + safe[1][0] if len(safe) > 1 else ""
        return (f"Use {amount}{first} instead of the {item} ({note}){others}.\n"
                f"{CHANGE_PREFIX} Use {amount}{first} instead of {item}")
    total = str(recipe.get("totalTime") or "").removeprefix("PT").lower()
    return (f"{name} serves {recipe.get('recipeYield', 2)}" + (f" and takes about {total}" if total else "") +
            ". Follow the steps in order, taste for salt at the end, and ask me about swaps, doubling it, "
            "freezing or cooking it without an oven.")


def answer_swap(data: dict[str, Any]) -> str:
    """A JSON list of substitutions for the ingredient line in ``data``."""
    recipe, ingredient = data.get("recipe") or {}, str(data.get("ingredient") or "")
    line = _find(recipe, ingredient) or {"item": ingredient, "quantity": None, "unit": ""}
    subs = []
    allergies, diet = list(data.get("allergies") or []), str(data.get("diet") or "none")
    for item, factor, note, _problem in _options(str(line["item"]), allergies, diet)[:3]:  # safe ones first
        quantity, unit = _amount(line, factor)
        subs.append({"item": item, "quantity": quantity, "unit": unit, "note": note})
    return json.dumps({"substitutions": subs}, ensure_ascii=False)


def answer(messages: list[dict[str, Any]]) -> str | None:
    """The demo's text for a question or swap request; None when the messages ask for a recipe."""
    data = task_of(messages)
    if data is None:
        return None
    return answer_question(data) if data["task"] == "question" else answer_swap(data)
