"""The sections of a recipe, for any state with the card's vars. Model output is text nodes only:
never HTML or Markdown, so nothing a model writes can add markup, links or script to the page.

A state passed here has: title, description, serves, prep_time, cook_time, total_time,
cuisine_label, ingredient_lines, steps, tips, nutrition; and optionally the streaming-only
ingredient_live, step_live and tip_live.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from recipe_app.components.skeleton import facts_skeleton, skeleton_lines, title_skeleton


def _live(S: Any, name: str) -> rx.Var | None:
    return getattr(S, name, None)


def _fact(label: str, value: rx.Var, ident: str) -> rx.Component:
    return rx.cond(
        value != "",
        rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, weight="medium", id=ident), spacing="0"),
    )


def recipe_facts(S: Any) -> rx.Component:
    """Servings, times and cuisine in one row."""
    return rx.flex(
        rx.cond(
            S.serves > 0,
            rx.vstack(
                rx.text("Serves", size="1", color_scheme="gray"),
                rx.text(S.serves, weight="medium", id="recipe-serves"),
                spacing="0",
            ),
        ),
        _fact("Prep", S.prep_time, "recipe-prep"),
        _fact("Cook", S.cook_time, "recipe-cook"),
        _fact("Total", S.total_time, "recipe-total"),
        _fact("Cuisine", S.cuisine_label, "recipe-cuisine"),
        spacing="5",
        wrap="wrap",
    )


def _section(
    title: str, items: rx.Var, live: rx.Var | None, body: rx.Component, placeholder: rx.Component | None = None
) -> rx.Component:
    shown = items.length() > 0
    if live is not None:
        shown = shown | (live != "")
    section = rx.vstack(rx.heading(title, size="4", as_="h3", class_name="recipe-section-heading"), body, width="100%", spacing="2")
    return rx.cond(shown, section, placeholder) if placeholder is not None else rx.cond(shown, section)


def _pending(pending: rx.Var | None, skeleton: rx.Component) -> rx.Component | None:
    """The skeleton while the recipe is still being written (None: a finished recipe has none)."""
    return rx.cond(pending, skeleton) if pending is not None else None


def recipe_ingredients(S: Any, pending: rx.Var | None = None) -> rx.Component:
    """The ingredient list: amount in bold, then the item and its note."""
    live = _live(S, "ingredient_live")
    return _section(
        "Ingredients",
        S.ingredient_lines,
        live,
        rx.el.ul(
            rx.foreach(
                S.ingredient_lines,
                lambda line: rx.el.li(
                    rx.text.strong(line["amount"]),
                    rx.text.span(" ", line["item"]),
                    rx.cond(line["note"] != "", rx.text.span(", ", line["note"], color_scheme="gray")),
                    class_name="ingredient",
                ),
            ),
            rx.cond(live != "", rx.el.li(rx.text.span(live), class_name="ingredient live")) if live is not None else rx.fragment(),
            id="recipe-ingredients",
            style={"paddingLeft": "1.2em", "margin": 0, "listStyle": "disc"},
        ),
        _pending(pending, skeleton_lines("skeleton-ingredients", ("55%", "48%", "62%", "40%", "52%", "45%"))),
    )


def recipe_steps(S: Any, pending: rx.Var | None = None) -> rx.Component:
    """Numbered steps."""
    live = _live(S, "step_live")
    return _section(
        "Steps",
        S.steps,
        live,
        rx.el.ol(
            rx.foreach(S.steps, lambda step: rx.el.li(rx.text(step), class_name="step")),
            rx.cond(live != "", rx.el.li(rx.text(live), class_name="step live")) if live is not None else rx.fragment(),
            id="recipe-steps",
            style={"paddingLeft": "1.4em", "margin": 0, "listStyle": "decimal", "display": "grid", "gap": "0.5em"},
        ),
        _pending(pending, skeleton_lines("skeleton-steps", ("95%", "88%", "92%", "70%", "96%", "84%", "90%", "60%"))),
    )


def recipe_tips_and_nutrition(S: Any, pending: rx.Var | None = None) -> rx.Component:
    """Tips, then the nutrition estimate per serving."""
    live = _live(S, "tip_live")
    return rx.fragment(
        _section(
            "Tips",
            S.tips,
            live,
            rx.el.ul(
                rx.foreach(S.tips, lambda tip: rx.el.li(rx.text(tip), class_name="tip")),
                rx.cond(live != "", rx.el.li(rx.text(live), class_name="tip live")) if live is not None else rx.fragment(),
                id="recipe-tips",
                style={"paddingLeft": "1.2em", "margin": 0, "listStyle": "disc"},
            ),
            _pending(pending, skeleton_lines("skeleton-tips", ("80%", "65%"))),
        ),
        rx.cond(
            S.nutrition.length() > 0,
            rx.vstack(
                rx.heading("Nutrition per serving (estimate)", size="4", as_="h3", class_name="recipe-section-heading"),
                rx.flex(
                    rx.foreach(
                        S.nutrition,
                        lambda n: rx.vstack(rx.text(n["label"], size="1", color_scheme="gray"), rx.text(n["value"]), spacing="0"),
                    ),
                    spacing="5",
                    wrap="wrap",
                    id="recipe-nutrition",
                ),
                width="100%",
                spacing="2",
            ),
            _pending(pending, skeleton_lines("skeleton-nutrition", ("50%",))),
        ),
    )


def recipe_body(S: Any, pending: rx.Var | None = None) -> rx.Component:
    """Title, description, facts and every section; with ``pending`` (a bool var: still being written),
    a placeholder of the same shape stands where each missing section will appear."""
    has_facts = (S.serves > 0) | (S.total_time != "") | (S.prep_time != "") | (S.cook_time != "")
    title = rx.fragment(
        rx.cond(S.title != "", rx.heading(S.title, size="7", as_="h2", id="recipe-title")),
        rx.cond(S.description != "", rx.text(S.description, id="recipe-description", size="3")),
    )
    return rx.vstack(
        rx.cond(S.title != "", title, _pending(pending, title_skeleton())) if pending is not None else title,
        rx.cond(has_facts, recipe_facts(S), _pending(pending, facts_skeleton())) if pending is not None else recipe_facts(S),
        recipe_ingredients(S, pending),
        recipe_steps(S, pending),
        recipe_tips_and_nutrition(S, pending),
        spacing="4",
        width="100%",
        align="start",
    )


class RecipeViewVars(rx.State, mixin=True):
    """The display vars of one recipe (what `recipe_body` renders), filled from a card dict."""

    title: str = ""
    description: str = ""
    serves: int = 0
    prep_time: str = ""
    cook_time: str = ""
    total_time: str = ""
    cuisine_label: str = ""
    ingredient_lines: list[dict[str, str]] = []
    steps: list[str] = []
    tips: list[str] = []
    nutrition: list[dict[str, str]] = []

    def _show_card(self, card: dict[str, Any]) -> None:
        """Show a card (see recipe_app.kitchen.card.card_fields)."""
        for key, value in card.items():
            name = CARD_TO_VAR.get(key, key)
            if name in _VIEW_VARS and getattr(self, name) != value:
                setattr(self, name, value)


# Card keys whose var has another name (pages own a `cuisine` filter, for one).
CARD_TO_VAR = {"cuisine": "cuisine_label", "ingredients": "ingredient_lines"}
_VIEW_VARS = frozenset(
    ("title", "description", "serves", "prep_time", "cook_time", "total_time", "cuisine_label")
    + ("ingredient_lines", "steps", "tips", "nutrition")
)
