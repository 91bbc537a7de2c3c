"""My recipes (`/recipes`): find a saved recipe, pick recipes for the shopping list, see history."""

from __future__ import annotations

import reflex as rx

from recipe_app.components.layout import page_shell
from recipe_app.domain.request import DIETS
from recipe_app.pages.library.state import LibraryState as L
from recipe_app.pages.shopping.state import ShoppingState


def _row(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.link(rx.text(row["title"], weight="bold", size="4"), href=row["href"], class_name="recipe-link"),
                rx.hstack(
                    rx.cond(row["favourite"], rx.badge("♥ favourite", color_scheme="red", variant="soft")),
                    rx.cond(row["cuisine"] != "", rx.badge(row["cuisine"], variant="soft")),
                    rx.cond(row["diet"] != "none", rx.badge(row["diet"], variant="soft", color_scheme="green")),
                    rx.text("serves ", row["servings"], size="2", color_scheme="gray"),
                    rx.cond(row["rating"].to(int) > 0, rx.text("★ ", row["rating"], size="2", color_scheme="amber")),
                    rx.text(row["created"], size="2", color_scheme="gray"),
                    wrap="wrap",
                    spacing="2",
                ),
                spacing="1",
                align="start",
            ),
            rx.spacer(),
            rx.button(
                "Add to list",
                on_click=ShoppingState.add_recipe(row["id"], row["servings"]),
                variant="soft",
                size="2",
                class_name="add-to-list",
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        width="100%",
        class_name="recipe-row",
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(
            placeholder="Search title or ingredient",
            value=L.search,
            on_change=L.set_search,
            id="search",
            width="100%",
            max_length=100,
        ),
        rx.select(["all", *DIETS], value=L.diet_filter, on_change=L.set_diet_filter, id="diet-filter"),
        rx.select.root(
            rx.select.trigger(placeholder="cuisine", id="cuisine-filter"),
            rx.select.content(
                rx.select.item("all cuisines", value="all"),
                rx.foreach(L.cuisines, lambda c: rx.select.item(c, value=c)),
            ),
            value=L.cuisine_filter,
            on_change=L.set_cuisine_filter,
        ),
        rx.select(["newest", "oldest", "rating", "title"], value=L.sort, on_change=L.set_sort, id="sort"),
        rx.hstack(
            rx.switch(checked=L.favourites_only, on_change=L.set_favourites_only, id="favourites-only"),
            rx.text("Favourites", size="2"),
            align="center",
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
        align="center",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button("Previous", on_click=L.go_to_page(L.page - 1), disabled=L.page <= 1, variant="soft", id="prev-page"),
        rx.text("Page ", L.page, " of ", L.pages, " · ", L.total, " recipes", size="2", id="page-info"),
        rx.button("Next", on_click=L.go_to_page(L.page + 1), disabled=L.page >= L.pages, variant="soft", id="next-page"),
        align="center",
        spacing="3",
    )


def _history() -> rx.Component:
    return rx.vstack(
        rx.heading("History", size="4"),
        rx.text("Every recipe you generated, finished or not.", size="2", color_scheme="gray"),
        rx.foreach(
            L.history,
            lambda g: rx.hstack(
                rx.text(g["when"], size="2", color_scheme="gray", min_width="7em"),
                rx.text(g["title"], size="2"),
                rx.badge(g["status"], variant="soft"),
                class_name="history-row",
                wrap="wrap",
            ),
        ),
        spacing="2",
        width="100%",
        id="history",
    )


def library_page() -> rx.Component:
    """The whole page."""
    return page_shell(
        rx.heading("My recipes", size="6"),
        _filters(),
        rx.cond(
            L.loaded & (L.total == 0),
            rx.text("No saved recipes match. Save one from the studio with “Save”.", color_scheme="gray", id="no-recipes"),
        ),
        rx.vstack(rx.foreach(L.rows, _row), width="100%", spacing="2", id="recipe-list"),
        _pager(),
        rx.divider(),
        _history(),
    )
