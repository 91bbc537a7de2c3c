"""The frame of every page: a sticky header (brand, navigation, the toast lane), then the page."""

from __future__ import annotations

import reflex as rx

_LINKS = (("Studio", "/", "nav-studio"), ("My recipes", "/recipes", "nav-recipes"), ("Shopping list", "/shopping", "nav-shopping"))


def toast_lane() -> rx.Component:
    """Where this page's toasts appear: inside the header, one at a time, gone when the page is left.

    The app has no global toaster (recipe_app.py), so a toast belongs to the page that sent it.
    """
    return rx.box(
        # Plain colours: sonner's rich success green on its pale green is 4.25:1, under WCAG AA.
        rx.toast.provider(position="top-center", visible_toasts=1, expand=False, duration=3000, rich_colors=False),
        # A toast sent just before a page change would follow the cook: the new page clears them.
        on_mount=rx.call_script("refs['__toast']?.dismiss?.()"),
        class_name="toast-lane no-print",
    )


def _header(extra: rx.Component | None) -> rx.Component:
    return rx.el.header(
        rx.box(
            rx.el.span(rx.icon("chef-hat", size=24, aria_hidden="true"), rx.el.span("Recipe Studio", class_name="brand-name"), class_name="brand"),
            rx.el.nav(
                *(rx.link(label, href=href, id=ident, underline="none") for label, href, ident in _LINKS),
                class_name="site-nav",
                aria_label="Main",
            ),
            rx.spacer(),
            extra or rx.fragment(),
            toast_lane(),
            class_name="site-header-inner",
        ),
        class_name="site-header no-print",
    )


def page_shell(*children: rx.Component, extra: rx.Component | None = None) -> rx.Component:
    """Header (brand, navigation, optional badge, toasts) above the page content."""
    return rx.fragment(
        rx.el.a("Skip to content", href="#main", class_name="skip-link"),
        _header(extra),
        rx.el.main(
            rx.container(
                rx.vstack(*children, spacing="4", width="100%"),
                size="4",
                padding_y="4",
            ),
            id="main",
            tab_index=-1,
        ),
    )
