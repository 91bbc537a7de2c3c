"""My recipes (`/recipes`): find a saved recipe, pick recipes for the shopping list, see history."""

from __future__ import annotations

import reflex as rx

from recipe_app.components.layout import page_shell
from recipe_app.pages.shopping.list_toggle import list_toggle
from recipe_app.domain.request import DIETS
from recipe_app.pages.library.state import LibraryState as L


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
            list_toggle(row["id"], row["servings"], class_name="add-to-list"),
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
            aria_label="Search title or ingredient",
            value=L.search,
            on_change=L.set_search,
            id="search",
            width="100%",
            max_length=100,
        ),
        rx.select(["all", *DIETS], value=L.diet_filter, on_change=L.set_diet_filter, id="diet-filter", custom_attrs={"aria-label": "Diet"}),
        rx.select.root(
            rx.select.trigger(placeholder="cuisine", id="cuisine-filter", aria_label="Cuisine"),
            rx.select.content(
                rx.select.item("all cuisines", value="all"),
                rx.foreach(L.cuisines, lambda c: rx.select.item(c, value=c)),
            ),
            value=L.cuisine_filter,
            on_change=L.set_cuisine_filter,
        ),
        rx.select(["newest", "oldest", "rating", "title"], value=L.sort, on_change=L.set_sort, id="sort", custom_attrs={"aria-label": "Sort by"}),
        rx.hstack(
            rx.switch(checked=L.favourites_only, on_change=L.set_favourites_only, id="favourites-only"),
            rx.el.label("Favourites only", html_for="favourites-only", class_name="rt-Text rt-r-size-2"),
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


def _history_entry(g: rx.Var) -> rx.Component:
    """A saved one links to its recipe; a finished unsaved one is saved and opened; the rest say why not."""
    title = rx.cond(
        g["href"] != "",
        rx.link(g["title"], href=g["href"].to(str), size="2", class_name="history-link"),
        rx.cond(
            g["openable"].to(bool),
            rx.button(
                g["title"], on_click=L.open_generation(g["id"]), variant="ghost", size="2", class_name="history-link",
            ),
            rx.text(g["title"], size="2"),
        ),
    )
    return rx.hstack(
        rx.text(g["when"], size="2", color_scheme="gray", min_width="7em"),
        title,
        rx.badge(g["status"], variant="soft"),
        class_name="history-row",
        wrap="wrap",
        align="center",
    )


def _history() -> rx.Component:
    return rx.vstack(
        rx.heading("History", size="4", as_="h2"),
        rx.text("Every recipe you generated, finished or not. Finished ones open their recipe.", size="2", color_scheme="gray"),
        rx.foreach(L.history, _history_entry),
        spacing="2",
        width="100%",
        id="history",
    )


def library_page() -> rx.Component:
    """The whole page."""
    return page_shell(
        rx.heading("My recipes", size="7", as_="h1", class_name="page-title"),
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
