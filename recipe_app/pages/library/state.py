"""State of My recipes (`/recipes`): search, filters, sort, pages, and this browser's history."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import reflex as rx

from recipe_app.db import recipes
from recipe_app.domain.recipe import Recipe
from recipe_app.domain.request import DIETS, MAX_ITEM_CHARS, clean_text
from recipe_app.pages.inputs import bounded_int, typing_text
from recipe_app.state import BrowserState

PAGE_SIZE = 20
MAX_SEARCH_CHARS = 100
SORTS = ("newest", "oldest", "rating", "title")


def row_view(row: Any) -> dict[str, Any]:
    """What one list row shows."""
    return {
        "id": row.id,
        "title": row.title,
        "cuisine": row.cuisine,
        "diet": row.diet,
        "servings": row.servings,
        "rating": row.rating or 0,
        "favourite": bool(row.favourite),
        "created": row.created_at.strftime("%d %b %Y"),
        "href": f"/recipes/{row.id}",
    }


class LibraryState(rx.State):
    """The list of saved recipes of this browser."""

    search: str = ""
    diet_filter: str = "all"
    cuisine_filter: str = "all"
    favourites_only: bool = False
    sort: str = "newest"
    page: int = 1
    total: int = 0
    rows: list[dict[str, Any]] = []
    cuisines: list[str] = []
    history: list[dict[str, Any]] = []
    loaded: bool = False

    @rx.var
    def pages(self) -> int:
        """Number of pages for the current filters."""
        return max(1, -(-self.total // PAGE_SIZE))

    @rx.event
    async def load(self) -> None:
        """Fetch the current page (on page load and after every filter change)."""
        owner = (await self.get_state(BrowserState)).owner_id()
        rows, total = await asyncio.to_thread(
            recipes.list_recipes,
            owner,
            search=clean_text(self.search)[:MAX_SEARCH_CHARS],
            diet=None if self.diet_filter == "all" else self.diet_filter,
            cuisine=None if self.cuisine_filter == "all" else self.cuisine_filter,
            favourite=True if self.favourites_only else None,
            sort=self.sort if self.sort in SORTS else "newest",
            page=self.page,
            page_size=PAGE_SIZE,
        )
        self.rows = [row_view(r) for r in rows]
        self.total = total
        self.cuisines = await asyncio.to_thread(recipes.cuisines, owner)
        generations = await asyncio.to_thread(recipes.history, owner, 30)
        saved = await asyncio.to_thread(recipes.saved_from_generations, owner, [g.id for g in generations if g.id])
        self.history = [_history_view(g, saved.get(g.id or 0)) for g in generations]
        self.loaded = True

    @rx.event
    async def set_search(self, value: str) -> None:
        """Search by title or ingredient."""
        self.search, self.page = typing_text(value, MAX_SEARCH_CHARS), 1
        await self.load()

    @rx.event
    async def set_diet_filter(self, value: str) -> None:
        """Only recipes for this diet ("all" for every diet)."""
        self.diet_filter = value if value in ("all", *DIETS) else "all"
        self.page = 1
        await self.load()

    @rx.event
    async def set_cuisine_filter(self, value: str) -> None:
        """Only recipes of this cuisine."""
        cuisine = clean_text(value if isinstance(value, str) else "")[:MAX_ITEM_CHARS]
        self.cuisine_filter, self.page = cuisine or "all", 1
        await self.load()

    @rx.event
    async def set_favourites_only(self, value: bool) -> None:
        """Only favourites."""
        self.favourites_only, self.page = bool(value), 1
        await self.load()

    @rx.event
    async def set_sort(self, value: str) -> None:
        """Order of the list."""
        self.sort = value if value in SORTS else "newest"
        await self.load()

    @rx.event
    async def open_generation(self, generation_id: int) -> Any:
        """Open the recipe of a history entry: its saved copy, or a new one saved from a finished generation."""
        owner = (await self.get_state(BrowserState)).owner_id()
        gid = bounded_int(generation_id, 1, 2**63 - 1)
        saved = await asyncio.to_thread(recipes.saved_from_generations, owner, [gid] if gid else [])
        if gid in saved:
            return rx.redirect(f"/recipes/{saved[gid]}")
        row = next((g for g in await asyncio.to_thread(recipes.history, owner, 30) if g.id == gid), None)
        recipe = _finished_recipe(row)
        if row is None or recipe is None:
            return rx.toast.info("That generation did not finish a recipe; open the studio to make it again.")
        try:
            diet = json.loads(row.request_json).get("diet", "none")
        except ValueError:
            diet = "none"
        saved_row = await asyncio.to_thread(
            recipes.save_recipe, owner, recipe, diet=diet if diet in DIETS else "none", generation_id=gid
        )
        return rx.redirect(f"/recipes/{saved_row.id}")

    @rx.event
    async def go_to_page(self, page: int) -> None:
        """Show another page of results."""
        self.page = min(bounded_int(page, 1, self.pages) or 1, self.pages)
        await self.load()


def _finished_recipe(generation: Any) -> Recipe | None:
    """The valid recipe a finished generation wrote, or None."""
    if generation is None or generation.status != "complete" or not generation.recipe_json:
        return None
    try:
        return Recipe.model_validate_json(generation.recipe_json)
    except ValueError:
        return None


def _history_view(generation: Any, saved_id: int | None = None) -> dict[str, Any]:
    title = ""
    try:
        title = json.loads(generation.recipe_json or "{}").get("name", "")
    except (ValueError, AttributeError):
        title = ""  # partial text of an interrupted generation
    if not title:
        try:
            title = ", ".join(json.loads(generation.request_json).get("ingredients", [])[:4])
        except ValueError:
            title = ""
    return {
        "id": generation.id,
        "title": title or "Recipe",
        "status": generation.status,
        "when": generation.created_at.strftime("%d %b %H:%M"),
        "href": f"/recipes/{saved_id}" if saved_id else "",
        "openable": bool(saved_id) or generation.status == "complete",
    }
