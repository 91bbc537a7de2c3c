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
                rx.link(p["title"], href="/recipes/" + p["id"].to_string(), weight="medium"),
                rx.spacer(),
                rx.text("servings", size="2", aria_hidden="true"),
                rx.select(
                    [str(n) for n in range(1, 25)],
                    value=p["servings"].to_string(),
                    on_change=lambda v: S.set_servings(p["id"], v),
                    size="2",
                    custom_attrs={"aria-label": "Servings of " + p["title"].to(str)},
                ),
                rx.icon_button(
                    rx.icon("x", size=16, aria_hidden="true"),
                    on_click=S.remove(p["id"]),
                    variant="soft",
                    color_scheme="gray",
                    aria_label="Remove " + p["title"].to(str) + " from the list",
                ),
                width="100%",
                align="center",
                class_name="picked-recipe",
            ),
        ),
        width="100%",
        spacing="2",
    )


def _item(item: rx.Var) -> rx.Component:
    """Tick box, the item, and (below it, never beside the next item) the recipes it is for."""
    ticked = S.ticked.contains(item["key"])
    return rx.el.label(
        rx.checkbox(checked=ticked, on_change=lambda _: S.toggle(item["key"]), size="3", aria_label=item["text"]),
        rx.el.span(item["text"], class_name="item-text"),
        rx.cond(item["sources"] != "", rx.el.span("for ", item["sources"], class_name="item-sources")),
        class_name="shopping-item",
        data_ticked=rx.cond(ticked, "true", "false"),
    )


def shopping_page() -> rx.Component:
    """The whole page."""
    return page_shell(
        rx.hstack(
            rx.heading("Shopping list", size="7", as_="h1", class_name="page-title"),
            rx.spacer(),
            rx.button(rx.icon("copy", size=14, aria_hidden="true"), "Copy", on_click=S.copy_text, variant="outline", disabled=S.text == "", id="copy-list"),
            rx.button("Clear", on_click=S.clear, variant="soft", color_scheme="gray", id="clear-list"),
            width="100%",
            align="center",
            wrap="wrap",
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
                    rx.heading(group["name"], size="4", as_="h2"),
                    rx.foreach(group["items"].to(list[dict[str, str]]), _item),
                    spacing="0",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
            id="shopping-list",
        ),
    )
