"""The shopping list (`/shopping`): one merged, tickable list from the picked recipes."""

from __future__ import annotations

import reflex as rx

from recipe_app.components.layout import page_shell
from recipe_app.pages.shopping.state import ShoppingState as S


def _picked() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            S.picked,
            lambda p: rx.hstack(
                rx.link(p["title"], href="/recipes/" + p["id"].to_string()),
                rx.spacer(),
                rx.text("servings", size="2"),
                rx.select(
                    [str(n) for n in range(1, 25)],
                    value=p["servings"].to_string(),
                    on_change=lambda v: S.set_servings(p["id"], v),
                    size="1",
                ),
                rx.icon_button(rx.icon("x", size=14), on_click=S.remove(p["id"]), variant="ghost", aria_label="remove"),
                width="100%",
                align="center",
                class_name="picked-recipe",
            ),
        ),
        width="100%",
        spacing="2",
    )


def _item(item: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.checkbox(checked=S.ticked.contains(item["key"]), on_change=lambda _: S.toggle(item["key"])),
        rx.text(
            item["text"],
            style={"textDecoration": rx.cond(S.ticked.contains(item["key"]), "line-through", "none")},
        ),
        rx.text(item["sources"], size="1", color_scheme="gray"),
        align="center",
        wrap="wrap",
        class_name="shopping-item",
    )


def shopping_page() -> rx.Component:
    """The whole page."""
    return page_shell(
        rx.hstack(
            rx.heading("Shopping list", size="6"),
            rx.spacer(),
            rx.button(rx.icon("copy", size=14), "Copy", on_click=S.copy_text, variant="outline", disabled=S.text == "", id="copy-list"),
            rx.button("Clear", on_click=S.clear, variant="soft", color_scheme="gray", id="clear-list"),
            width="100%",
            align="center",
        ),
        rx.cond(
            S.picked.length() == 0,
            rx.text("Nothing here yet: add recipes from My recipes.", color_scheme="gray", id="empty-list"),
        ),
        _picked(),
        rx.vstack(
            rx.foreach(
                S.groups,
                lambda group: rx.vstack(
                    rx.heading(group["name"], size="4"),
                    rx.foreach(group["items"].to(list[dict[str, str]]), _item),
                    spacing="1",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
            id="shopping-list",
        ),
    )
