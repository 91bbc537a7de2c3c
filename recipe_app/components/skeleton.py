"""Placeholders for recipe sections still to come, shaped like what replaces them."""

from __future__ import annotations

import reflex as rx


def skeleton_lines(ident: str, widths: tuple[str, ...], heading: bool = True) -> rx.Component:
    """A grey heading bar and a few text bars of the given widths, hidden from screen readers."""
    bars = [rx.el.span(class_name="skeleton skeleton-line", style={"width": w}) for w in widths]
    return rx.box(
        *([rx.el.span(class_name="skeleton skeleton-heading")] if heading else []),
        *bars,
        id=ident,
        class_name="skeleton-block",
        aria_hidden="true",
        width="100%",
    )


def title_skeleton() -> rx.Component:
    """Where the title and description will be."""
    return rx.box(
        rx.el.span(class_name="skeleton skeleton-title"),
        rx.el.span(class_name="skeleton skeleton-line", style={"width": "90%"}),
        id="skeleton-title",
        class_name="skeleton-block",
        aria_hidden="true",
        width="100%",
    )


def facts_skeleton() -> rx.Component:
    """Where servings, times and cuisine will be."""
    return rx.flex(
        *(rx.el.span(class_name="skeleton", style={"width": "4rem", "height": "2.4rem"}) for _ in range(4)),
        spacing="5",
        id="skeleton-facts",
        class_name="skeleton-block",
        aria_hidden="true",
    )
