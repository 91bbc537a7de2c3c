"""Cook mode: the whole screen, large type, one step at a time, with that step's ingredients and timers.

Opened from a finished studio card or a saved recipe with the recipe's own vars, so it needs no
database and works for a recipe that was never saved. The timers themselves run in the browser
(assets/studio.js): a timer button carries its length and label as data attributes, and the timer
tray keeps counting across pages and reloads. Arrow keys, swipes and the wake lock live there too.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from recipe_app.kitchen.cooking import ingredients_in_step
from recipe_app.kitchen.timers import detect_timers

MAX_STEPS = 100
MAX_INGREDIENTS = 200


class CookState(rx.State):
    """The recipe being cooked in this tab and where the cook is in it."""

    open: bool = False
    title: str = ""
    steps: list[str] = []
    ingredients: list[dict[str, str]] = []  # amount, item, note (the card's ingredient lines)
    index: int = 0
    ticked: list[int] = []

    @rx.var
    def step_count(self) -> int:
        """How many steps the recipe has."""
        return len(self.steps)

    @rx.var
    def step_text(self) -> str:
        """The step on screen."""
        return self.steps[self.index] if 0 <= self.index < len(self.steps) else ""

    @rx.var
    def step_timers(self) -> list[dict[str, Any]]:
        """The timers the step on screen asks for: label and seconds."""
        return [{"label": t.label, "seconds": t.seconds} for t in detect_timers(self.step_text)]

    @rx.var
    def step_ingredients(self) -> list[dict[str, str]]:
        """The ingredients the step on screen uses."""
        items = [str(line.get("item", "")) for line in self.ingredients]
        return [self.ingredients[i] for i in ingredients_in_step(self.step_text, items)]

    @rx.event
    def start(self, title: str, steps: list[str], ingredients: list[dict[str, str]]) -> None:
        """Open cook mode on this recipe at its first step (ticks kept when it is the same recipe)."""
        steps = [str(s) for s in (steps or [])][:MAX_STEPS]
        lines = [
            {k: str(line.get(k, "")) for k in ("amount", "item", "note")}
            for line in (ingredients or [])[:MAX_INGREDIENTS]
            if isinstance(line, dict)
        ]
        if not steps:
            return
        if steps != self.steps or str(title) != self.title:
            self.ticked, self.index = [], 0
        self.title, self.steps, self.ingredients = str(title), steps, lines
        self.index = min(self.index, len(steps) - 1)
        self.open = True

    @rx.event
    def close(self) -> None:
        """Back to the page."""
        self.open = False

    @rx.event
    def next_step(self) -> None:
        """One step on."""
        self.index = min(self.index + 1, max(len(self.steps) - 1, 0))

    @rx.event
    def previous_step(self) -> None:
        """One step back."""
        self.index = max(self.index - 1, 0)

    @rx.event
    def go_to(self, index: int) -> None:
        """Jump to a step."""
        if isinstance(index, int) and 0 <= index < len(self.steps):
            self.index = index

    @rx.event
    def toggle(self, index: int) -> None:
        """Tick or untick an ingredient (done with it, or got it out)."""
        if not isinstance(index, int) or not 0 <= index < len(self.ingredients):
            return
        self.ticked = [i for i in self.ticked if i != index] if index in self.ticked else [*self.ticked, index]


def cook_button(title: rx.Var, steps: rx.Var, ingredients: rx.Var, **props: Any) -> rx.Component:
    """The button that opens cook mode on a recipe given by its vars."""
    return rx.button(
        rx.icon("cooking-pot", size=18, aria_hidden="true"),
        "Cook mode",
        on_click=CookState.start(title, steps, ingredients),
        size="3",
        id="cook-open",
        **props,
    )


def _timer_button(timer: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("timer", size=18, aria_hidden="true"),
        "Start timer: ",
        timer["label"],
        class_name="timer-start",
        custom_attrs={"data-seconds": timer["seconds"], "data-label": timer["label"]},
        size="3",
        variant="soft",
        type="button",
    )


def _ingredient(line: rx.Var, index: rx.Var) -> rx.Component:
    ticked = CookState.ticked.contains(index)
    return rx.el.label(
        rx.checkbox(checked=ticked, on_change=lambda _: CookState.toggle(index), size="3", aria_label=line["item"]),
        rx.el.span(rx.text.strong(line["amount"]), " ", line["item"]),
        class_name="cook-ingredient",
        data_ticked=rx.cond(ticked, "true", "false"),
    )


def _step_panel() -> rx.Component:
    return rx.vstack(
        rx.heading(
            "Step ", CookState.index + 1, " of ", CookState.step_count,
            size="3", as_="h3", color_scheme="gray", id="cook-step-title", tab_index=-1,
        ),
        rx.el.p(CookState.step_text, class_name="cook-step-text", id="cook-step", aria_live="polite"),
        rx.cond(
            CookState.step_timers.length() > 0,
            rx.flex(rx.foreach(CookState.step_timers, _timer_button), spacing="2", wrap="wrap", id="cook-timers"),
        ),
        rx.cond(
            CookState.step_ingredients.length() > 0,
            rx.box(
                rx.text("For this step", size="2", weight="bold", color_scheme="gray"),
                rx.el.ul(
                    rx.foreach(CookState.step_ingredients, lambda line: rx.el.li(rx.text.strong(line["amount"]), " ", line["item"])),
                    style={"paddingLeft": "1.2em", "fontSize": "1.15rem", "margin": 0},
                ),
                id="cook-step-ingredients",
            ),
        ),
        spacing="4",
        width="100%",
    )


def _nav() -> rx.Component:
    last = CookState.index >= CookState.step_count - 1
    return rx.box(
        rx.button(
            rx.icon("arrow-left", aria_hidden="true"), "Back", on_click=CookState.previous_step,
            disabled=CookState.index <= 0, size="4", variant="soft", id="cook-prev",
        ),
        rx.box(
            rx.foreach(
                CookState.steps,
                lambda _, i: rx.el.span(class_name="cook-dot", data_current=rx.cond(i == CookState.index, "true", "false")),
            ),
            class_name="cook-dots",
            aria_hidden="true",
        ),
        rx.cond(
            last,
            rx.button("Done", rx.icon("check", aria_hidden="true"), on_click=CookState.close, size="4", id="cook-finish"),
            rx.button("Next", rx.icon("arrow-right", aria_hidden="true"), on_click=CookState.next_step, size="4", id="cook-next"),
        ),
        class_name="cook-nav",
    )


def cook_mode() -> rx.Component:
    """The cook-mode dialog; renders nothing until CookState.start opens it."""
    return rx.cond(
        CookState.open,
        rx.box(
            rx.box(
                rx.hstack(
                    rx.heading(CookState.title, size="6", as_="h2", class_name="cook-title", id="cook-title"),
                    rx.spacer(),
                    rx.button(rx.icon("x", aria_hidden="true"), "Close", on_click=CookState.close, variant="soft",
                              color_scheme="gray", size="3", id="cook-close"),
                    width="100%",
                    align="center",
                ),
                _nav(),
                rx.grid(
                    _step_panel(),
                    rx.box(
                        rx.heading("Ingredients", size="4", as_="h3"),
                        rx.foreach(CookState.ingredients, _ingredient),
                        id="cook-ingredients",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="6",
                    width="100%",
                    style={"gridTemplateColumns": rx.breakpoints(initial="minmax(0, 1fr)", md="minmax(0, 3fr) minmax(0, 2fr)")},
                ),
                class_name="cook-inner",
            ),
            class_name="cook-mode",
            id="cook-mode",
            role="dialog",
            aria_modal="true",
            aria_labelledby="cook-title",
        ),
    )
