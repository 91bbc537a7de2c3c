"""A shared recipe (`/r/[slug]`): read-only, for anyone with the link, nothing else of the owner.

Its picture is the one kept with the recipe, served through the link (web/pictures.py), else the
drawing made offline; a shared page never asks the image model.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from recipe_app.components.backend_url import on_backend
from recipe_app.components.layout import page_shell
from recipe_app.components.recipe_view import RecipeViewVars, recipe_body
from recipe_app.db import pictures, recipes
from recipe_app.domain.recipe import Recipe
from recipe_app.kitchen.illustration import illustration_uri
from recipe_app.pages.inputs import bounded_int
from recipe_app.pages.recipe.state import MAX_SERVINGS, view_of
from recipe_app.web.pictures import shared_picture_url


class SharedState(RecipeViewVars, rx.State):
    """The one recipe behind a share link."""

    found: bool = True
    loaded: bool = False
    servings_choice: int = 1
    picture_uri: str = ""  # the kept picture's URL through the link, or the drawing

    _recipe_json: str = ""

    @rx.event
    async def load(self) -> None:
        """Read the recipe of the slug in the URL (revoked or deleted: not found)."""
        slug = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        valid = 0 < len(slug) <= 100 and slug.isascii() and (slug.replace("-", "").replace("_", "").isalnum())
        row = await asyncio.to_thread(recipes.get_shared, slug) if valid else None
        self.loaded, self.found = True, row is not None
        if row is None:
            self._recipe_json, self.picture_uri = "", ""
            self._show_card({"title": "", "ingredients": [], "steps": []})
            return
        self._recipe_json = row.recipe_json
        recipe = Recipe.model_validate_json(row.recipe_json)
        version = await asyncio.to_thread(pictures.shared_picture_version, slug)
        self.picture_uri = shared_picture_url(slug, version) or illustration_uri(recipe)
        self.servings_choice = recipe.recipeYield
        self._show_card(view_of(recipe, self.servings_choice, "as written"))

    @rx.event
    def set_servings_choice(self, value: str) -> None:
        """Scale the shared recipe for yourself."""
        if not self._recipe_json:
            return
        servings = bounded_int(value, 1, MAX_SERVINGS)
        if servings is None:
            return
        self.servings_choice = servings
        self._show_card(view_of(Recipe.model_validate_json(self._recipe_json), self.servings_choice, "as written"))


def shared_page() -> rx.Component:
    """The whole page."""
    S = SharedState
    return page_shell(
        rx.cond(
            ~S.loaded,
            rx.spinner(),
            rx.cond(
                S.found,
                rx.vstack(
                    rx.hstack(
                        rx.badge("Shared recipe (read-only)", variant="soft"),
                        rx.el.label("Servings", html_for="scale-servings", class_name="rt-Text rt-r-size-2"),
                        rx.select(
                            [str(n) for n in range(1, 25)],
                            value=S.servings_choice.to_string(),
                            on_change=S.set_servings_choice,
                            id="scale-servings",
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.cond(
                        S.picture_uri != "",
                        rx.image(src=on_backend(S.picture_uri), alt="A picture of the dish", width="100%",
                                 max_width="400px", border_radius="12px", id="shared-picture"),
                    ),
                    rx.card(recipe_body(S), width="100%", id="recipe-card", style={"overflowWrap": "anywhere"}),
                    width="100%",
                    spacing="3",
                ),
                rx.callout("This link does not work any more.", icon="link_2_off", width="100%", id="not-found"),
            ),
        ),
    )
