"""The question box with its thread, and the ingredient swaps, for any state with :class:`AskFlow`.

Answers and substitutions are model output: shown as text nodes only, never HTML or Markdown.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from recipe_app.components.backend_url import on_backend
from recipe_app.llm.answers import MAX_QUESTION_CHARS

SUGGESTIONS = ("Can I make this without an oven?", "Can I freeze it?", "Make it vegan", "Double it")


def _status(S: Any) -> rx.Component:
    return rx.match(
        S.ask_status,
        ("waiting", rx.hstack(rx.spinner(size="1"), rx.text("Thinking…", size="2"), id="answer-waiting")),
        ("streaming", rx.hstack(rx.spinner(size="1"), rx.text("Answering…", size="2"), id="answer-streaming")),
        ("stopped", rx.badge("Stopped — what was written is kept", color_scheme="amber", id="answer-stopped")),
        ("error", rx.badge("Not finished", color_scheme="red", id="answer-failed")),
        rx.fragment(),
    )


def _thread(S: Any) -> rx.Component:
    return rx.cond(
        S.thread.length() > 0,
        rx.vstack(
            rx.foreach(
                S.thread,
                lambda t: rx.vstack(
                    rx.text(t["q"], weight="bold", size="2", class_name="thread-question"),
                    rx.text(t["a"], size="2", white_space="pre-wrap", class_name="thread-answer"),
                    spacing="1",
                    class_name="thread-item",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
            id="ask-thread",
        ),
    )


def ask_panel(S: Any) -> rx.Component:
    """Ask this recipe: box, Stop, the streamed answer, Apply as a new version, the thread."""
    return rx.vstack(
        rx.heading("Ask about this recipe", size="4", as_="h3"),
        _thread(S),
        rx.form(
            rx.hstack(
                rx.input(
                    name="question",
                    value=S.question,
                    on_change=S.set_question,
                    placeholder="e.g. what instead of buttermilk?",
                    max_length=MAX_QUESTION_CHARS + 50,
                    width="100%",
                    aria_label="Your question about this recipe",
                    id="ask-input",
                ),
                rx.cond(
                    S.asking,
                    rx.button("Stop", on_click=S.stop_asking, type="button", color_scheme="red", variant="soft", id="ask-stop"),
                    rx.button("Ask", type="submit", id="ask-submit"),
                ),
                width="100%",
            ),
            on_submit=S.ask,
            width="100%",
        ),
        rx.hstack(
            *(
                rx.button(text, on_click=[S.set_question(text), S.ask], size="1", variant="outline", type="button",
                          disabled=S.asking, class_name="ask-suggestion")
                for text in SUGGESTIONS
            ),
            wrap="wrap",
            spacing="2",
        ),
        rx.cond(S.ask_limit != "", rx.text(S.ask_limit, color_scheme="red", size="2", id="ask-limit")),
        rx.cond(
            S.ask_status != "idle",
            rx.card(
                rx.vstack(
                    rx.hstack(rx.text(S.asked, weight="bold", size="2", id="answer-question"), rx.spacer(), _status(S), width="100%"),
                    rx.text(S.answer, size="2", white_space="pre-wrap", id="answer-text"),
                    rx.cond(S.ask_notice != "", rx.text(S.ask_notice, size="1", color_scheme="blue", id="answer-notice")),
                    rx.cond(S.ask_error != "", rx.callout(S.ask_error, icon="triangle_alert", color_scheme="red", size="1", id="answer-error")),
                    rx.cond(
                        (S.change != "") & ~S.asking,
                        rx.hstack(
                            rx.text("Suggested change: ", rx.text.em(S.change), size="2", id="answer-change"),
                            rx.button("Apply as a new version", on_click=S.apply_change, size="1", id="apply-change"),
                            wrap="wrap",
                            align="center",
                        ),
                    ),
                    rx.cond(S.ask_usage != "", rx.text(S.ask_usage, size="1", color_scheme="gray", id="answer-usage")),
                    width="100%",
                    spacing="2",
                ),
                width="100%",
                id="answer-card",
            ),
            rx.cond(S.ask_error != "", rx.text(S.ask_error, color_scheme="red", size="2", id="ask-error")),
        ),
        width="100%",
        spacing="3",
        class_name="no-print",
        id="ask-panel",
    )


def swap_panel(S: Any, lines: rx.Var) -> rx.Component:
    """Swap an ingredient: a Swap action per line of ``lines``, then the checked substitutions."""
    return rx.vstack(
        rx.heading("Swap an ingredient", size="4", as_="h3"),
        rx.flex(
            rx.foreach(
                lines,
                lambda line: rx.button(
                    rx.icon("repeat", size=12), line, on_click=S.find_swaps(line), size="1", variant="soft",
                    disabled=S.swapping, class_name="swap-action",
                ),
            ),
            wrap="wrap",
            spacing="2",
            id="swap-lines",
        ),
        rx.cond(
            S.swap_line != "",
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.text("Instead of ", rx.text.strong(S.swap_line), size="2", id="swap-for"),
                        rx.spacer(),
                        rx.cond(
                            S.swapping,
                            rx.button("Stop", on_click=S.stop_swapping, size="1", color_scheme="red", variant="soft", id="swap-stop"),
                            rx.button("Close", on_click=S.close_swaps, size="1", variant="ghost", id="swap-close"),
                        ),
                        width="100%",
                        align="center",
                    ),
                    rx.cond(S.swapping & (S.swaps.length() == 0), rx.hstack(rx.spinner(size="1"), rx.text("Finding substitutions…", size="2"))),
                    rx.foreach(
                        S.swaps,
                        lambda swap, i: rx.hstack(
                            rx.vstack(
                                rx.text(rx.cond(swap["amount"] != "", swap["amount"] + " ", ""), swap["item"], weight="medium", size="2"),
                                rx.text(swap["note"], size="1", color_scheme="gray"),
                                rx.cond(swap["problem"] != "", rx.badge(swap["problem"], color_scheme="red", class_name="swap-problem")),
                                spacing="0",
                            ),
                            rx.spacer(),
                            rx.cond(
                                swap["problem"] == "",
                                rx.button("Use this", on_click=S.pick_swap(i), size="1", disabled=S.swapping, class_name="swap-pick"),
                            ),
                            width="100%",
                            class_name=rx.cond(swap["problem"] == "", "swap ok", "swap failed"),
                        ),
                    ),
                    rx.cond(S.swap_status == "stopped", rx.badge("Stopped", color_scheme="amber", id="swap-stopped")),
                    rx.cond(S.swap_error != "", rx.callout(S.swap_error, icon="triangle_alert", color_scheme="red", size="1", id="swap-error")),
                    rx.cond(S.swap_usage != "", rx.text(S.swap_usage, size="1", color_scheme="gray")),
                    width="100%",
                    spacing="2",
                ),
                width="100%",
                id="swap-card",
            ),
            rx.cond(S.swap_error != "", rx.text(S.swap_error, color_scheme="red", size="2", id="swap-error")),
        ),
        width="100%",
        spacing="3",
        class_name="no-print",
        id="swap-panel",
    )


def picture(S: Any, ident: str = "recipe-picture") -> rx.Component:
    """The recipe's picture: the offline drawing or a partial image (data URIs), or the kept
    picture the backend serves (its URL).

    With an image model: it sharpens while the partial images arrive; Stop, and New picture.
    """
    return rx.cond(
        S.picture_uri != "",
        rx.vstack(
            rx.image(src=on_backend(S.picture_uri), alt="A picture of the dish", width="100%", max_width="400px",
                     border_radius="12px", id=ident),
            rx.cond(
                S.can_draw,
                rx.hstack(
                    rx.cond(
                        S.drawing,
                        rx.fragment(
                            rx.spinner(size="1"),
                            rx.text("Drawing the picture…", size="1", id="picture-drawing"),
                            rx.button("Stop", on_click=S.stop_picture, size="1", variant="soft", color_scheme="red",
                                      id="picture-stop"),
                        ),
                        rx.button("New picture", on_click=S.draw_picture, size="1", variant="outline", id="picture-new"),
                    ),
                    rx.cond(S.picture_error != "", rx.text(S.picture_error, size="1", color_scheme="red", id="picture-error")),
                    rx.cond(S.picture_usage != "", rx.text(S.picture_usage, size="1", color_scheme="gray", id="picture-usage")),
                    align="center",
                    wrap="wrap",
                    class_name="no-print",
                ),
            ),
            spacing="2",
        ),
    )
