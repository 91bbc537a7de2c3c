"""The recipe card. Model output is rendered as plain text nodes only: never as HTML or Markdown."""

from __future__ import annotations

import reflex as rx

from recipe_app.pages.studio.state import StudioState as S


def _status_line() -> rx.Component:
    return rx.match(
        S.status,
        ("waiting", rx.hstack(rx.spinner(size="2"), rx.text("Waiting for the chef…"), id="status-waiting")),
        ("streaming", rx.hstack(rx.spinner(size="1"), rx.text("Writing the recipe…"), id="status-streaming")),
        ("done", rx.badge("Done", color_scheme="green", id="status-done")),
        ("stopped", rx.badge("Stopped — partial recipe kept", color_scheme="amber", id="status-stopped")),
        ("error", rx.badge("Not finished", color_scheme="red", id="status-error")),
        rx.fragment(),
    )


def _actions() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.is_streaming,
            rx.button("Stop", on_click=S.stop, color_scheme="red", variant="soft", id="stop"),
            rx.fragment(
                rx.cond(
                    S.can_continue,
                    rx.button("Continue", on_click=S.continue_recipe, id="continue"),
                ),
                rx.cond(
                    S.status == "error",
                    rx.button("Try again", on_click=S.regenerate, variant="soft", id="try-again"),
                ),
                rx.cond(
                    (S.status == "done") | (S.status == "stopped"),
                    rx.button("Regenerate", on_click=S.regenerate, variant="soft", id="regenerate"),
                ),
                rx.cond(
                    S.title != "",
                    rx.button(rx.icon("copy", size=14), "Copy", on_click=S.copy_recipe, variant="outline", id="copy"),
                ),
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _facts() -> rx.Component:
    def fact(label: str, value: rx.Var, ident: str) -> rx.Component:
        return rx.cond(
            value != "",
            rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.text(value, weight="medium", id=ident), spacing="0"),
        )

    return rx.flex(
        rx.cond(
            S.serves > 0,
            rx.vstack(rx.text("Serves", size="1", color_scheme="gray"), rx.text(S.serves, weight="medium", id="recipe-serves"), spacing="0"),
        ),
        fact("Prep", S.prep_time, "recipe-prep"),
        fact("Cook", S.cook_time, "recipe-cook"),
        fact("Total", S.total_time, "recipe-total"),
        fact("Cuisine", S.cuisine_label, "recipe-cuisine"),
        spacing="5",
        wrap="wrap",
    )


def _ingredients() -> rx.Component:
    return rx.cond(
        (S.ingredient_lines.length() > 0) | (S.ingredient_live != ""),
        rx.vstack(
            rx.heading("Ingredients", size="4"),
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
                rx.cond(S.ingredient_live != "", rx.el.li(rx.text.span(S.ingredient_live), class_name="ingredient live")),
                id="recipe-ingredients",
                style={"paddingLeft": "1.2em", "margin": 0, "listStyle": "disc"},
            ),
            width="100%",
            spacing="2",
        ),
    )


def _steps() -> rx.Component:
    return rx.cond(
        (S.steps.length() > 0) | (S.step_live != ""),
        rx.vstack(
            rx.heading("Steps", size="4"),
            rx.el.ol(
                rx.foreach(S.steps, lambda step: rx.el.li(rx.text(step), class_name="step")),
                rx.cond(S.step_live != "", rx.el.li(rx.text(S.step_live), class_name="step live")),
                id="recipe-steps",
                style={"paddingLeft": "1.4em", "margin": 0, "listStyle": "decimal", "display": "grid", "gap": "0.5em"},
            ),
            width="100%",
            spacing="2",
        ),
    )


def _tips_and_nutrition() -> rx.Component:
    return rx.fragment(
        rx.cond(
            (S.tips.length() > 0) | (S.tip_live != ""),
            rx.vstack(
                rx.heading("Tips", size="4"),
                rx.el.ul(
                    rx.foreach(S.tips, lambda tip: rx.el.li(rx.text(tip), class_name="tip")),
                    rx.cond(S.tip_live != "", rx.el.li(rx.text(S.tip_live), class_name="tip live")),
                    id="recipe-tips",
                    style={"paddingLeft": "1.2em", "margin": 0, "listStyle": "disc"},
                ),
                width="100%",
                spacing="2",
            ),
        ),
        rx.cond(
            S.nutrition.length() > 0,
            rx.vstack(
                rx.heading("Nutrition per serving (estimate)", size="4"),
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
        ),
    )


def recipe_card() -> rx.Component:
    """The card: status, then each section as soon as it has text."""
    return rx.card(
        rx.vstack(
            rx.hstack(_status_line(), rx.spacer(), _actions(), width="100%", align="center", wrap="wrap"),
            rx.cond(
                S.notice != "",
                rx.callout(S.notice, icon="refresh_cw", color_scheme="blue", width="100%", id="retry-notice"),
            ),
            rx.cond(
                S.error != "",
                rx.callout(S.error, icon="triangle_alert", color_scheme="red", width="100%", id="error-message"),
            ),
            rx.cond(
                S.allergen_warnings.length() > 0,
                rx.callout(
                    rx.text("Check before cooking — this recipe mentions your allergens: ", rx.text.strong(S.allergen_warnings.join(", "))),
                    icon="shield_alert",
                    color_scheme="orange",
                    width="100%",
                    id="allergen-warning",
                ),
            ),
            rx.cond(
                S.status == "idle",
                rx.text("Your recipe will appear here as it is written.", color_scheme="gray", id="recipe-empty"),
            ),
            rx.cond(S.title != "", rx.heading(S.title, size="6", id="recipe-title")),
            rx.cond(S.description != "", rx.text(S.description, id="recipe-description")),
            _facts(),
            _ingredients(),
            _steps(),
            _tips_and_nutrition(),
            spacing="4",
            width="100%",
            align="start",
        ),
        id="recipe-card",
        width="100%",
        style={"overflowWrap": "anywhere"},
    )
