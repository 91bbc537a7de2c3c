"""The studio page (`/`): the form on one side, the live recipe card on the other."""

from __future__ import annotations

import reflex as rx

from recipe_app.components.chips import chip_list
from recipe_app.components.cook_mode import cook_mode
from recipe_app.components.layout import page_shell
from recipe_app.domain.request import DIETS, MAX_ITEM_CHARS, MAX_TEXT_CHARS
from recipe_app.pages.studio.card_view import recipe_card
from recipe_app.pages.studio.state import StudioState as S


def _field_error(field: str) -> rx.Component:
    return rx.cond(
        S.field_errors.contains(field),
        rx.text(S.field_errors[field], color_scheme="red", size="2", id=f"{field}-error", role="alert"),
    )


def _labelled(label: str, control: rx.Component, field: str) -> rx.Component:
    """A control with its label (a real <label for>, so screen readers and clicks find it) and its error."""
    control_id = control.id or field
    return rx.vstack(
        rx.el.label(label, html_for=control_id, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
        control,
        _field_error(field),
        width="100%",
        spacing="1",
    )


def _version_banner() -> rx.Component:
    return rx.cond(
        S.base_recipe_id > 0,
        rx.callout(
            rx.vstack(
                rx.text("New version of “", S.base_title, "” with: ", rx.text.strong(S.change_request)),
                rx.hstack(
                    rx.text("Check the form, then press Generate.", size="2"),
                    rx.button("Make a fresh recipe instead", on_click=S.cancel_version, size="1", variant="soft"),
                    wrap="wrap",
                    align="center",
                ),
                spacing="1",
            ),
            icon="git_branch",
            width="100%",
            id="version-banner",
        ),
    )


def _form() -> rx.Component:
    # Text inputs with value + on_change are wrapped by Reflex in a DebounceInput (300 ms, flushed on
    # blur). No extra .debounce() on the handlers: it would delay the flushed value past a Generate click.
    return rx.card(
        rx.vstack(
            _version_banner(),
            chip_list(
                "ingredients",
                "Ingredients on hand",
                S.ingredients,
                "e.g. chickpeas, spinach",
                S.field_errors.get("ingredients", ""),
                lambda form: S.add_item("ingredients", form),
                lambda i: S.remove_item("ingredients", i),
            ),
            _labelled(
                "Dish idea (optional)",
                rx.input(
                    value=S.dish,
                    on_change=S.set_dish,
                    placeholder="e.g. something warming",
                    max_length=MAX_TEXT_CHARS,
                    id="dish",
                    width="100%",
                ),
                "dish",
            ),
            rx.grid(
                _labelled(
                    "Servings",
                    rx.select(
                        [str(n) for n in range(1, 13)],
                        value=S.servings.to_string(),
                        on_change=S.set_servings,
                        id="servings",
                    ),
                    "servings",
                ),
                _labelled("Diet", rx.select(list(DIETS), value=S.diet, on_change=S.set_diet, id="diet"), "diet"),
                _labelled(
                    "Cuisine",
                    rx.input(
                        value=S.cuisine,
                        on_change=S.set_cuisine,
                        placeholder="any",
                        max_length=MAX_ITEM_CHARS,
                        id="cuisine",
                    ),
                    "cuisine",
                ),
                _labelled(
                    "Max. total time (min)",
                    rx.input(
                        value=S.max_minutes,
                        on_change=S.set_max_minutes,
                        placeholder="no limit",
                        input_mode="numeric",
                        max_length=5,
                        id="max-minutes",
                    ),
                    "max_minutes",
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            chip_list(
                "allergies",
                "Allergies",
                S.allergies,
                "e.g. peanuts, shellfish",
                S.field_errors.get("allergies", ""),
                lambda form: S.add_item("allergies", form),
                lambda i: S.remove_item("allergies", i),
            ),
            chip_list(
                "equipment",
                "Equipment available (optional)",
                S.equipment,
                "e.g. oven, wok",
                S.field_errors.get("equipment", ""),
                lambda form: S.add_item("equipment", form),
                lambda i: S.remove_item("equipment", i),
            ),
            rx.button(
                rx.cond(S.is_streaming, "Generating…", "Generate"),
                on_click=S.generate,
                disabled=S.is_streaming,
                size="3",
                width="100%",
                id="generate",
            ),
            rx.cond(
                S.limit_message != "",
                rx.callout(
                    rx.text(
                        S.limit_message,
                        rx.cond(
                            S.limit_seconds > 0,
                            rx.fragment(
                                " Ready in ",
                                # assets/studio.js counts this down from data-seconds.
                                rx.el.span(S.limit_seconds, " s", id="limit-countdown", custom_attrs={"data-seconds": S.limit_seconds}),
                                ".",
                            ),
                        ),
                    ),
                    icon="clock",
                    color_scheme="amber",
                    width="100%",
                    id="limit-message",
                    role="status",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        class_name="studio-form",
        id="studio-form",
    )


def _demo_badge() -> rx.Component:
    return rx.cond(
        S.is_demo,
        rx.tooltip(
            rx.badge("Demo model", color_scheme="purple", size="2", id="demo-badge"),
            content="No OPENAI_API_KEY is set: recipes come from the built-in demo model.",
        ),
    )


def studio_page() -> rx.Component:
    """The whole page."""
    return page_shell(
        rx.cond(
            S.is_demo,
            rx.text(
                "Running on the built-in demo model: recipes are generated offline from your inputs. "
                "Set OPENAI_API_KEY to use a real model.",
                size="2",
                color_scheme="gray",
                id="demo-note",
            ),
        ),
        # The form keeps its own height (assets/studio.css: align-items: start; sticky on wide screens).
        rx.box(_form(), recipe_card(), class_name="studio-grid"),
        cook_mode(),  # outside the card: a card's containment would cage a fixed overlay
        extra=_demo_badge(),
    )
