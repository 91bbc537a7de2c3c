"""One saved recipe (`/recipes/[recipe_id]`)."""

from __future__ import annotations

import reflex as rx

from recipe_app.components.cook_mode import cook_button, cook_mode
from recipe_app.components.layout import page_shell
from recipe_app.pages.shopping.list_toggle import list_toggle
from recipe_app.components.recipe_view import recipe_body
from recipe_app.pages.recipe.ask import around_the_recipe
from recipe_app.pages.recipe.state import UNIT_SYSTEMS
from recipe_app.pages.recipe.state import RecipeState as R


def _stars() -> rx.Component:
    return rx.hstack(
        *(
            rx.icon_button(
                rx.cond(R.rating >= n, "★", "☆"),
                on_click=R.set_rating(n),
                variant="ghost",
                color_scheme="amber",
                aria_label=f"{n} stars",
                id=f"star-{n}",
            )
            for n in range(1, 6)
        ),
        spacing="0",
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.hstack(
            rx.el.label("Servings", html_for="scale-servings", class_name="rt-Text rt-r-size-2"),
            rx.select([str(n) for n in range(1, 25)], value=R.servings_choice.to_string(), on_change=R.set_servings_choice, id="scale-servings"),
            rx.select(list(UNIT_SYSTEMS), value=R.units, on_change=R.set_units, id="units", custom_attrs={"aria-label": "Units"}),
            align="center",
        ),
        rx.button(
            rx.cond(R.favourite, "♥ Favourite", "♡ Favourite"), on_click=R.toggle_favourite, variant="soft", id="favourite"
        ),
        _stars(),
        list_toggle(R.recipe_id, R.servings_choice, id="add-to-shopping"),
        cook_button(R.title, R.steps, R.ingredient_lines),
        spacing="3",
        wrap="wrap",
        align="center",
        class_name="no-print",
    )


def _share() -> rx.Component:
    return rx.cond(
        R.share_path != "",
        rx.hstack(
            rx.text("Read-only link:", size="2"),
            rx.link(R.share_path, href=R.share_path, id="share-link", is_external=True),
            rx.button(
                "Copy link",
                on_click=rx.set_clipboard(rx.Var("window.location.origin").to(str) + R.share_path),
                variant="outline",
                size="1",
            ),
            rx.button("Revoke", on_click=R.revoke_share, variant="soft", color_scheme="red", size="1", id="revoke-share"),
            wrap="wrap",
            align="center",
        ),
        rx.button("Share", on_click=R.share, variant="soft", id="share"),
    )


def _exports() -> rx.Component:
    return rx.hstack(
        rx.button("Markdown", on_click=R.download_markdown, variant="outline", id="export-markdown"),
        rx.button("JSON-LD", on_click=R.download_json_ld, variant="outline", id="export-jsonld"),
        rx.button("Print", on_click=rx.call_script("window.print()"), variant="outline", id="print"),
        rx.button("Edit", on_click=R.start_edit, variant="outline", id="edit"),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(rx.button("Delete", color_scheme="red", variant="soft", id="delete")),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Delete this recipe?"),
                rx.alert_dialog.description("You can undo right after."),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                    rx.alert_dialog.action(rx.button("Delete", color_scheme="red", on_click=R.delete, id="confirm-delete")),
                    justify="end",
                    spacing="3",
                ),
            ),
        ),
        wrap="wrap",
        spacing="2",
        class_name="no-print",
    )


def _editor() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Title", size="2", weight="medium"),
            rx.input(name="title", default_value=R.edit_title, width="100%", max_length=200, id="edit-title"),
            rx.text("Ingredients, one per line (e.g. “2 1/2 cups flour, sifted”)", size="2", weight="medium"),
            rx.text_area(name="ingredients", default_value=R.edit_ingredients, rows="10", width="100%", id="edit-ingredients"),
            rx.text("Steps, one per line", size="2", weight="medium"),
            rx.text_area(name="steps", default_value=R.edit_steps, rows="10", width="100%", id="edit-steps"),
            rx.cond(R.edit_error != "", rx.text(R.edit_error, color_scheme="red", size="2", id="edit-error")),
            rx.hstack(
                rx.button("Save", type="submit", id="save-edit"),
                rx.button("Cancel", on_click=R.cancel_edit, variant="soft", color_scheme="gray", type="button"),
            ),
            width="100%",
        ),
        on_submit=R.save_edit,
        width="100%",
    )


def _versions_and_changes() -> rx.Component:
    return rx.vstack(
        rx.heading("Versions", size="4"),
        rx.foreach(
            R.versions,
            lambda v: rx.hstack(
                rx.cond(v["current"], rx.text("▸", weight="bold"), rx.text(" ")),
                rx.link(v["title"], href=v["href"]),
                rx.text(v["note"], size="2", color_scheme="gray"),
                rx.text(v["when"], size="1", color_scheme="gray"),
                class_name="version",
                wrap="wrap",
            ),
        ),
        rx.hstack(
            rx.input(
                placeholder="Regenerate with changes, e.g. make it vegan",
                value=R.change_request,
                on_change=R.set_change_request,
                max_length=200,
                width="100%",
                id="change-request",
            ),
            rx.button("Regenerate with changes", on_click=R.regenerate_with_changes, id="regenerate-with-changes"),
            width="100%",
        ),
        width="100%",
        spacing="2",
        class_name="no-print",
    )


def _notes() -> rx.Component:
    return rx.vstack(
        rx.heading("Notes", size="4"),
        rx.text_area(
            default_value=R.notes,
            on_blur=R.save_notes,
            placeholder="Your notes (saved when you leave the box)",
            max_length=2000,
            width="100%",
            id="notes",
        ),
        width="100%",
        class_name="no-print",
    )


def recipe_page() -> rx.Component:
    """The whole page."""
    return page_shell(
        rx.cond(
            ~R.loaded,
            rx.spinner(),
            rx.cond(
                R.found,
                rx.vstack(
                    rx.cond(
                        R.deleted,
                        rx.callout(
                            rx.hstack(
                                rx.text("Recipe deleted."),
                                rx.button("Undo", on_click=R.undo_delete, size="1", id="undo-delete"),
                                rx.link("Back to My recipes", href="/recipes"),
                                align="center",
                            ),
                            icon="trash",
                            color_scheme="gray",
                            width="100%",
                            id="deleted-banner",
                        ),
                    ),
                    _toolbar(),
                    rx.card(
                        rx.cond(R.editing, _editor(), recipe_body(R)),
                        width="100%",
                        id="recipe-card",
                        style={"overflowWrap": "anywhere"},
                    ),
                    rx.flex(_share(), _exports(), spacing="3", wrap="wrap", class_name="no-print"),
                    around_the_recipe(),
                    _notes(),
                    _versions_and_changes(),
                    cook_mode(),
                    spacing="4",
                    width="100%",
                ),
                rx.callout("This recipe does not exist in this browser.", icon="search_x", width="100%", id="not-found"),
            ),
        ),
    )
