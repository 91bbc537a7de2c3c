"""The frame of every page: a header with navigation, then the page."""

from __future__ import annotations

import reflex as rx

_LINKS = (("Studio", "/", "nav-studio"), ("My recipes", "/recipes", "nav-recipes"), ("Shopping list", "/shopping", "nav-shopping"))


def page_shell(*children: rx.Component, extra: rx.Component | None = None) -> rx.Component:
    """Header (title, navigation, optional badge) above the page content."""
    return rx.container(
        rx.vstack(
            rx.hstack(
                rx.link(rx.heading("Recipe Studio", size="7"), href="/", underline="none", color="inherit"),
                rx.spacer(),
                extra or rx.fragment(),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                *(rx.link(label, href=href, id=ident, size="3", weight="medium") for label, href, ident in _LINKS),
                spacing="5",
                class_name="no-print",
            ),
            *children,
            spacing="4",
            width="100%",
        ),
        size="4",
        padding_y="5",
    )
