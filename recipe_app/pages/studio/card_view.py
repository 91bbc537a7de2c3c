"""The recipe card. Model output is rendered as plain text nodes only: never as HTML or Markdown."""

from __future__ import annotations

import reflex as rx

from recipe_app.components.recipe_view import recipe_body
from recipe_app.pages.studio.state import StudioState as S


def _status_line() -> rx.Component:
    return rx.match(
        S.status,
        ("waiting", rx.hstack(rx.spinner(size="2"), rx.text("Waiting for the chef…"), id="status-waiting")),
        ("streaming", rx.hstack(rx.spinner(size="1"), rx.text("Writing the recipe…"), id="status-streaming")),
        ("done", rx.badge("Done", color_scheme="green", id="status-done")),
        (
            "stopped",
            rx.badge(
                rx.cond(S.title != "", "Stopped — partial recipe kept", "Stopped before the AI wrote anything"),
                color_scheme="amber",
                id="status-stopped",
            ),
        ),
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
                    (S.status == "error") & S.can_retry,
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
                rx.cond(
                    S.status == "done",
                    rx.cond(
                        S.saved_recipe_id > 0,
                        rx.link(
                            rx.button("Saved ✓ Open", variant="soft", color_scheme="green"),
                            href="/recipes/" + S.saved_recipe_id.to_string(),
                            id="open-saved",
                        ),
                        rx.button(
                            rx.cond(S.base_recipe_id > 0, "Save as new version", "Save"),
                            on_click=S.save_recipe,
                            id="save",
                        ),
                    ),
                ),
            ),
        ),
        spacing="2",
        wrap="wrap",
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
                    rx.vstack(
                        rx.text.strong("Check before cooking — this recipe may contain your allergens:"),
                        rx.unordered_list(rx.foreach(S.allergen_warnings, rx.list_item)),
                        spacing="1",
                    ),
                    icon="shield_alert",
                    color_scheme="orange",
                    width="100%",
                    id="allergen-warning",
                ),
            ),
            rx.cond(
                S.allergy_unchecked.length() > 0,
                rx.callout(
                    rx.text(
                        "We can't check ",
                        rx.text.strong(S.allergy_unchecked.join(", ")),
                        " automatically — read the ingredients before cooking.",
                    ),
                    icon="shield_question",
                    color_scheme="amber",
                    width="100%",
                    id="allergy-unchecked",
                ),
            ),
            rx.cond(
                S.status == "idle",
                rx.text("Your recipe will appear here as it is written.", color_scheme="gray", id="recipe-empty"),
            ),
            recipe_body(S),
            rx.cond(S.usage != "", rx.text(S.usage, size="1", color_scheme="gray", id="recipe-usage")),
            spacing="4",
            width="100%",
            align="start",
        ),
        id="recipe-card",
        width="100%",
        style={"overflowWrap": "anywhere"},
    )
