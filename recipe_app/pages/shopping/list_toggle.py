""""Add to list" that knows when the recipe is already on the shopping list, and then offers removal."""

from __future__ import annotations

from typing import Any

import reflex as rx

from recipe_app.pages.shopping.state import ShoppingState


def list_toggle(recipe_id: rx.Var, servings: rx.Var, **props: Any) -> rx.Component:
    """Two buttons in one place: add (soft) or, once on the list, a green "On the list ✓ · Remove"."""
    on_list = ShoppingState.picked_ids.contains(recipe_id)
    return rx.cond(
        on_list,
        rx.button(
            rx.icon("check", size=16, aria_hidden="true"),
            "On the list · Remove",
            on_click=ShoppingState.remove_recipe(recipe_id),
            variant="soft",
            color_scheme="green",
            custom_attrs={"data-on-list": "true"},
            **props,
        ),
        rx.button(
            rx.icon("shopping-basket", size=16, aria_hidden="true"),
            "Add to list",
            on_click=ShoppingState.add_recipe(recipe_id, servings),
            variant="soft",
            custom_attrs={"data-on-list": "false"},
            **props,
        ),
    )
