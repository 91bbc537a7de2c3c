"""The shape of a recipe card: every field with its empty value, its sections, and its Markdown.

One source for the card: the studio state declares exactly these fields (tests/test_layers.py), the
card builder (kitchen/card.py) fills them, and Copy turns them into Markdown.
"""

from __future__ import annotations

from typing import Any

from recipe_app.domain.recipe import RECIPE_KEYS

#: Every card field with its empty value. The UI state declares exactly these.
EMPTY_CARD: dict[str, Any] = {
    "title": "",
    "description": "",
    "serves": 0,
    "prep_time": "",
    "cook_time": "",
    "total_time": "",
    "cuisine": "",
    "ingredients": [],
    "ingredient_live": "",
    "steps": [],
    "step_live": "",
    "tips": [],
    "tip_live": "",
    "nutrition": [],
    "section": "",
}

SECTIONS = {
    "name": "title",
    "description": "title",
    "recipeYield": "details",
    "prepTime": "details",
    "cookTime": "details",
    "totalTime": "details",
    "recipeCuisine": "details",
    "recipeIngredient": "ingredients",
    "recipeInstructions": "steps",
    "tips": "tips",
    "nutrition": "nutrition",
}

def card_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields whose value changed: what one update must carry."""
    return {key: value for key, value in after.items() if before.get(key) != value}


def recipe_markdown(card: dict[str, Any]) -> str:
    """The card as Markdown, for the Copy button."""
    lines = [f"# {card['title'] or 'Recipe'}", ""]
    if card["description"]:
        lines += [card["description"], ""]
    facts = [
        f"Serves {card['serves']}" if card["serves"] else "",
        f"Prep {card['prep_time']}" if card["prep_time"] else "",
        f"Cook {card['cook_time']}" if card["cook_time"] else "",
        f"Total {card['total_time']}" if card["total_time"] else "",
        card["cuisine"],
    ]
    if any(facts):
        lines += [" · ".join(f for f in facts if f), ""]
    if card["ingredients"]:
        lines += ["## Ingredients", ""]
        for line in card["ingredients"]:
            text = " ".join(p for p in (line["amount"], line["item"]) if p)
            lines.append(f"- {text}" + (f", {line['note']}" if line["note"] else ""))
        lines.append("")
    if card["steps"]:
        lines += ["## Steps", ""] + [f"{n}. {step}" for n, step in enumerate(card["steps"], 1)] + [""]
    if card["tips"]:
        lines += ["## Tips", ""] + [f"- {tip}" for tip in card["tips"]] + [""]
    if card["nutrition"]:
        lines += ["## Nutrition per serving", ""] + [f"- {n['label']}: {n['value']}" for n in card["nutrition"]] + [""]
    return "\n".join(lines).rstrip() + "\n"


assert set(SECTIONS) == set(RECIPE_KEYS), "every recipe key needs a card section"
