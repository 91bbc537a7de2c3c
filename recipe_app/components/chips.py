"""A list of removable chips with a small form to add more."""

from __future__ import annotations

import reflex as rx


def chip_list(field: str, label: str, items: rx.Var, placeholder: str, error: rx.Var, on_add, on_remove) -> rx.Component:
    """Chips for ``field`` (ingredients, allergies, equipment); Enter or comma-separated text adds."""
    return rx.vstack(
        rx.el.label(label, html_for=f"{field}-input", class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
        rx.form(
            rx.hstack(
                rx.input(name="item", placeholder=placeholder, id=f"{field}-input", max_length=200, width="100%"),
                rx.button("Add", type="submit", variant="soft", id=f"{field}-add", aria_label=f"Add to {label.lower()}"),
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
                    rx.el.button(
                        rx.icon("x", size=12, aria_hidden="true"),
                        on_click=on_remove(i),
                        type="button",
                        aria_label="Remove " + item,
                        class_name="chip-remove",
                    ),
                    variant="surface",
                    size="2",
                    class_name=f"chip {field}-chip",
                ),
            ),
            wrap="wrap",
            spacing="2",
            id=f"{field}-chips",
        ),
        rx.cond(error != "", rx.text(error, color_scheme="red", size="2", id=f"{field}-error", role="alert")),
        width="100%",
        spacing="1",
    )
