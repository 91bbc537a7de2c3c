"""The recipe card. Model output is rendered as plain text nodes only: never as HTML or Markdown."""

from __future__ import annotations

import reflex as rx

from recipe_app.components.cook_mode import cook_button
from recipe_app.components.recipe_view import recipe_body
from recipe_app.pages.studio.ask import StudioAskState, around_the_card
from recipe_app.pages.studio.state import StudioState as S

#: Where the card is: 0 waiting for the model, 1 ingredients, 2 steps (and tips, nutrition), 3 done.
_STAGE = rx.cond(
    S.status == "done",
    3,
    rx.match(S.section, ("ingredients", 1), ("steps", 2), ("tips", 2), ("nutrition", 2), 0),
)
_STAGES = ("Waiting for the chef", "Ingredients", "Steps", "Done")


def _progress_line() -> rx.Component:
    """Waiting → ingredients → steps → done, the current one marked (aria-current)."""
    return rx.el.ol(
        *(
            rx.el.li(
                rx.cond(_STAGE > n, rx.icon("check", size=14, aria_hidden="true"), rx.fragment()),
                label,
                data_state=rx.cond(_STAGE > n, "done", rx.cond(_STAGE == n, "active", "todo")),
                aria_current=rx.cond(_STAGE == n, "step", "false"),
            )
            for n, label in enumerate(_STAGES)
        ),
        class_name="progress-line",
        id="progress",
        aria_label="Progress",
    )


def _announcer() -> rx.Component:
    """Spoken politely when a section completes or the recipe ends: never per token."""
    said = rx.match(
        S.status,
        ("waiting", "Generating a recipe."),
        (
            "streaming",
            rx.match(
                S.section,
                ("ingredients", "Title ready. Writing the ingredients."),
                ("steps", "Ingredients ready. Writing the steps."),
                ("tips", "Steps ready. Writing tips."),
                ("nutrition", "Tips ready. Estimating nutrition."),
                "Writing the recipe.",
            ),
        ),
        ("done", "Recipe ready."),
        ("stopped", "Stopped. The partial recipe is kept."),
        ("error", "The recipe did not finish."),
        "",
    )
    return rx.el.div(said, aria_live="polite", role="status", id="card-announcer", class_name="sr-only",
                     style={"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden", "clip": "rect(0 0 0 0)"})


def _finish() -> rx.Component:
    """The moment the recipe is ready: what it is, then what to do with it."""
    return rx.el.section(
        rx.box(rx.icon("check", size=20, aria_hidden="true"), class_name="finish-mark"),
        rx.vstack(
            rx.heading("Ready to cook", size="4", as_="h3", id="finish-title", tab_index=-1),
            rx.text(
                S.ingredient_lines.length(), " ingredients · ", S.steps.length(), " steps",
                rx.cond(S.total_time != "", rx.fragment(" · ", S.total_time)),
                size="2",
            ),
            spacing="0",
        ),
        rx.spacer(),
        cook_button(S.title, S.steps, S.ingredient_lines),
        class_name="finish",
        id="status-done",
        aria_labelledby="finish-title",
    )


def _status_line() -> rx.Component:
    return rx.match(
        S.status,
        ("waiting", rx.hstack(rx.spinner(size="2"), rx.text("Waiting for the chef…"), id="status-waiting")),
        ("streaming", rx.hstack(rx.spinner(size="1"), rx.text("Writing the recipe…"), id="status-streaming")),
        ("done", rx.fragment()),  # the finish moment below says it
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
                    rx.button(rx.icon("copy", size=14, aria_hidden="true"), "Copy", on_click=S.copy_recipe, variant="outline", id="copy"),
                ),
                rx.cond(
                    S.status == "done",
                    rx.cond(
                        S.saved_recipe_id > 0,
                        rx.button(  # a link that looks like a button (a button inside a link is invalid)
                            rx.link("Saved ✓ Open", href="/recipes/" + S.saved_recipe_id.to_string(), underline="none"),
                            as_child=True,
                            variant="soft",
                            color_scheme="green",
                            id="open-saved",
                        ),
                        rx.button(
                            rx.cond(S.base_recipe_id > 0, "Save as new version", "Save"),
                            on_click=[S.save_recipe, StudioAskState.keep_with_saved],
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
            _announcer(),
            rx.cond(S.status != "idle", _progress_line()),
            rx.hstack(_status_line(), rx.spacer(), _actions(), width="100%", align="center", wrap="wrap"),
            rx.cond(S.status == "done", _finish()),
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
            recipe_body(S, pending=S.is_streaming),
            rx.cond(S.usage != "", rx.text(S.usage, size="1", color_scheme="gray", id="recipe-usage")),
            around_the_card(),
            spacing="4",
            width="100%",
            align="start",
        ),
        id="recipe-card",
        width="100%",
        style={"overflowWrap": "anywhere"},
    )
