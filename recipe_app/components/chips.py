"""A list of removable chips with a small form to add more."""

from __future__ import annotations

import reflex as rx


def chip_list(field: str, label: str, items: rx.Var, placeholder: str, error: rx.Var, on_add, on_remove) -> rx.Component:
    """Chips for ``field`` (ingredients, allergies, equipment); Enter or comma-separated text adds."""
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.form(
            rx.hstack(
                rx.input(name="item", placeholder=placeholder, id=f"{field}-input", max_length=200, width="100%"),
                rx.button("Add", type="submit", variant="soft", id=f"{field}-add"),
                width="100%",
            ),
            on_submit=on_add,
            reset_on_submit=True,
            width="100%",
        ),
        rx.flex(
            rx.foreach(
                items,
                lambda item, i: rx.badge(
                    rx.text(item),
                    rx.icon("x", size=12, cursor="pointer", on_click=on_remove(i), aria_label="remove"),
                    variant="surface",
                    size="2",
                    class_name=f"chip {field}-chip",
                ),
            ),
            wrap="wrap",
            spacing="2",
            id=f"{field}-chips",
        ),
        rx.cond(error != "", rx.text(error, color_scheme="red", size="1", id=f"{field}-error")),
        width="100%",
        spacing="1",
    )
