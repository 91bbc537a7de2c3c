"""The recipe library of anonymous browsers: save, list, search, rate, version, delete, share.

Every function takes the browser's raw owner id (the long random string of its cookie), hashes it
(:func:`owner_key`) and filters every query by that hash; the raw id is never stored. A recipe of
another owner behaves exactly like a missing one: None / False / an empty list, and the same
:class:`NotFoundError` where a function cannot return "nothing". Soft-deleted recipes are missing
too, except to :func:`restore_recipe`.

The functions are synchronous and short; call them from Reflex event handlers through
``asyncio.to_thread`` (or ``rx.run_in_thread``). They return detached SQLModel rows.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Literal

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from recipe_app.db.models import (
    MAX_CUISINE_CHARS,
    MAX_NOTES_CHARS,
    MAX_TITLE_CHARS,
    MAX_VERSION_NOTE_CHARS,
    Generation,
    SavedRecipe,
)
from recipe_app.db.session import new_session
from recipe_app.domain.request import DIETS
from recipe_app.domain.recipe import Recipe

Sort = Literal["newest", "oldest", "rating", "title"]
SORTS: tuple[str, ...] = ("newest", "oldest", "rating", "title")
MAX_PAGE_SIZE = 100
#: Bytes of randomness in a share slug (16 -> 22 URL-safe characters, 128 bits).
SHARE_SLUG_BYTES = 16
_MAX_SLUG_CHARS = 64
_MAX_VERSIONS = 500


class NotFoundError(LookupError):
    """A referenced recipe or generation is missing, deleted, or another owner's (indistinguishable)."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def owner_key(owner_id: str) -> str:
    """sha256 hex of a browser's owner id: what is stored and compared, never the id itself."""
    if not isinstance(owner_id, str) or not owner_id.strip():
        raise ValueError("owner_id must be a non-empty string")
    return hashlib.sha256(owner_id.encode("utf-8")).hexdigest()


def search_text(recipe: Recipe) -> str:
    """What search matches: the lower-cased title and ingredient items, one per line."""
    parts = [recipe.name, *(ingredient.item for ingredient in recipe.recipeIngredient)]
    return "\n".join(part.strip().lower() for part in parts if part.strip())


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _check_diet(diet: str) -> str:
    if diet not in DIETS:
        raise ValueError(f"unknown diet {diet!r}; one of {', '.join(DIETS)}")
    return diet


def _check_notes(notes: str) -> str:
    if len(notes) > MAX_NOTES_CHARS:
        raise ValueError(f"notes are limited to {MAX_NOTES_CHARS} characters")
    return notes


def _apply_recipe(row: SavedRecipe, recipe: Recipe) -> None:
    """Copy what the list shows and searches from ``recipe`` into ``row``."""
    row.title = recipe.name.strip()[:MAX_TITLE_CHARS]
    row.description = recipe.description
    row.cuisine = recipe.recipeCuisine.strip()[:MAX_CUISINE_CHARS]
    row.servings = recipe.recipeYield
    row.recipe_json = recipe.model_dump_json()
    row.search_text = search_text(recipe)


def _owned(key: str):  # noqa: ANN202 - a select of this owner's live recipes
    return select(SavedRecipe).where(SavedRecipe.owner_key == key, col(SavedRecipe.deleted_at).is_(None))


def save_recipe(
    owner_id: str,
    recipe: Recipe,
    *,
    diet: str = "none",
    generation_id: int | None = None,
    parent_id: int | None = None,
    version_note: str = "",
    notes: str = "",
) -> SavedRecipe:
    """Save a recipe to this owner's library, in one transaction.

    ``parent_id`` makes it a new version of one of this owner's recipes ("Regenerate with changes",
    an edit); ``generation_id`` links the generation that produced it, which must be this owner's.
    Raises NotFoundError when either is missing, deleted or not this owner's (the same error for
    all three), ValueError for an unknown diet or notes over the limit.
    """
    key = owner_key(owner_id)
    _check_diet(diet)
    _check_notes(notes)
    now = _now()
    with new_session() as session:
        if parent_id is not None and session.exec(_owned(key).where(SavedRecipe.id == parent_id)).first() is None:
            raise NotFoundError("recipe not found")
        if generation_id is not None:
            generation = session.exec(
                select(Generation.id).where(Generation.id == generation_id, Generation.owner_key == key)
            ).first()
            if generation is None:
                raise NotFoundError("generation not found")
        row = SavedRecipe(
            owner_key=key,
            title="",
            recipe_json="",
            diet=diet,
            notes=notes,
            generation_id=generation_id,
            parent_id=parent_id,
            version_note=version_note.strip()[:MAX_VERSION_NOTE_CHARS],
            created_at=now,
            updated_at=now,
        )
        _apply_recipe(row, recipe)
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def list_recipes(
    owner_id: str,
    *,
    search: str = "",
    diet: str | None = None,
    cuisine: str | None = None,
    favourite: bool | None = None,
    sort: Sort = "newest",
    page: int = 1,
    page_size: int = 20,
) -> tuple[list[SavedRecipe], int]:
    """One page of this owner's library and the number of matching recipes (deleted ones excluded).

    ``search`` matches the title or an ingredient, case-insensitively, as a plain substring (``%``
    and ``_`` are literal). ``page`` counts from 1; ``page_size`` is capped at 100.
    """
    key = owner_key(owner_id)
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
    page = max(1, int(page))
    page_size = min(max(1, int(page_size)), MAX_PAGE_SIZE)

    conditions = [SavedRecipe.owner_key == key, col(SavedRecipe.deleted_at).is_(None)]
    term = search.strip().lower()
    if term:
        conditions.append(col(SavedRecipe.search_text).like(f"%{_escape_like(term)}%", escape="\\"))
    if diet is not None:
        conditions.append(SavedRecipe.diet == diet)
    if cuisine is not None:
        conditions.append(SavedRecipe.cuisine == cuisine)
    if favourite is not None:
        conditions.append(SavedRecipe.favourite == favourite)

    order = {
        "newest": [col(SavedRecipe.created_at).desc(), col(SavedRecipe.id).desc()],
        "oldest": [col(SavedRecipe.created_at).asc(), col(SavedRecipe.id).asc()],
        "rating": [
            col(SavedRecipe.rating).desc().nulls_last(),
            col(SavedRecipe.created_at).desc(),
            col(SavedRecipe.id).desc(),
        ],
        "title": [func.lower(SavedRecipe.title).asc(), col(SavedRecipe.id).asc()],
    }[sort]
    with new_session() as session:
        total = session.exec(select(func.count()).select_from(SavedRecipe).where(*conditions)).one()
        rows = session.exec(
            select(SavedRecipe).where(*conditions).order_by(*order).offset((page - 1) * page_size).limit(page_size)
        ).all()
        return list(rows), int(total)


def get_recipe(owner_id: str, recipe_id: int) -> SavedRecipe | None:
    """One of this owner's recipes; None when missing, deleted or another owner's."""
    key = owner_key(owner_id)
    with new_session() as session:
        return session.exec(_owned(key).where(SavedRecipe.id == recipe_id)).first()


def get_recipes(owner_id: str, recipe_ids: list[int]) -> dict[int, SavedRecipe]:
    """Several of this owner's recipes in one query, by id (missing, deleted or foreign ones left out)."""
    if not recipe_ids:
        return {}
    key = owner_key(owner_id)
    with new_session() as session:
        rows = session.exec(_owned(key).where(col(SavedRecipe.id).in_(recipe_ids))).all()
    return {row.id: row for row in rows if row.id is not None}


def versions(owner_id: str, recipe_id: int) -> list[SavedRecipe]:
    """Every version related to ``recipe_id`` (its ancestors, it, and all versions made from them),
    oldest first; deleted versions are left out but do not break the chain. Empty when the recipe is
    missing, deleted or another owner's."""
    key = owner_key(owner_id)
    with new_session() as session:
        start = session.exec(_owned(key).where(SavedRecipe.id == recipe_id)).first()
        if start is None:
            return []
        # Up to the first version (deleted ones included: they still link the chain).
        root = start
        for _ in range(_MAX_VERSIONS):
            if root.parent_id is None:
                break
            parent = session.exec(
                select(SavedRecipe).where(SavedRecipe.id == root.parent_id, SavedRecipe.owner_key == key)
            ).first()
            if parent is None:
                break
            root = parent
        # Down through every version made from it, level by level.
        members: dict[int, SavedRecipe] = {root.id: root}  # type: ignore[dict-item]
        frontier = [root.id]
        while frontier and len(members) < _MAX_VERSIONS:
            children = session.exec(
                select(SavedRecipe).where(col(SavedRecipe.parent_id).in_(frontier), SavedRecipe.owner_key == key)
            ).all()
            frontier = [child.id for child in children if child.id not in members]  # type: ignore[misc]
            members.update({child.id: child for child in children})  # type: ignore[misc]
        live = [row for row in members.values() if row.deleted_at is None]
        return sorted(live, key=lambda row: (row.created_at, row.id))


def update_recipe(
    owner_id: str,
    recipe_id: int,
    *,
    recipe: Recipe | None = None,
    notes: str | None = None,
    rating: int | None = None,
    favourite: bool | None = None,
) -> SavedRecipe | None:
    """Change one of this owner's recipes in place; None leaves a field as it is, ``rating=0`` clears
    the rating. A new ``recipe`` also updates the title, cuisine, servings and search text. Returns
    the updated row, or None when missing, deleted or another owner's."""
    key = owner_key(owner_id)
    if notes is not None:
        _check_notes(notes)
    if rating is not None and not 0 <= rating <= 5:
        raise ValueError("rating is 1 to 5, or 0 to clear it")
    with new_session() as session:
        row = session.exec(_owned(key).where(SavedRecipe.id == recipe_id)).first()
        if row is None:
            return None
        if recipe is not None:
            _apply_recipe(row, recipe)
        if notes is not None:
            row.notes = notes
        if rating is not None:
            row.rating = rating or None
        if favourite is not None:
            row.favourite = favourite
        row.updated_at = _now()
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def delete_recipe(owner_id: str, recipe_id: int) -> bool:
    """Soft-delete one of this owner's recipes (Undo: :func:`restore_recipe`); False when there was
    nothing to delete. Its share link stops working until it is restored."""
    key = owner_key(owner_id)
    now = _now()
    with new_session() as session:
        result = session.exec(
            update(SavedRecipe)
            .where(
                SavedRecipe.id == recipe_id,
                SavedRecipe.owner_key == key,
                col(SavedRecipe.deleted_at).is_(None),
            )
            .values(deleted_at=now, updated_at=now)
        )
        session.commit()
        return result.rowcount == 1


def restore_recipe(owner_id: str, recipe_id: int) -> bool:
    """Undo a delete of one of this owner's recipes (until it is purged); False when not deleted."""
    key = owner_key(owner_id)
    with new_session() as session:
        result = session.exec(
            update(SavedRecipe)
            .where(
                SavedRecipe.id == recipe_id,
                SavedRecipe.owner_key == key,
                col(SavedRecipe.deleted_at).is_not(None),
            )
            .values(deleted_at=None, updated_at=_now())
        )
        session.commit()
        return result.rowcount == 1


def purge_deleted(older_than: timedelta) -> int:
    """Remove for good the recipes deleted more than ``older_than`` ago (all owners; maintenance).

    Versions made from a purged recipe are re-attached to its nearest remaining ancestor, so
    chains stay connected. One transaction; returns the number of rows removed.
    """
    cutoff = _now() - older_than
    with new_session() as session:
        doomed = session.exec(
            select(SavedRecipe.id, SavedRecipe.parent_id).where(
                col(SavedRecipe.deleted_at).is_not(None), col(SavedRecipe.deleted_at) < cutoff
            )
        ).all()
        parents: dict[int, int | None] = {row_id: parent_id for row_id, parent_id in doomed}
        if not parents:
            return 0
        relink: dict[int | None, list[int]] = {}
        for row_id, parent_id in parents.items():
            hops = 0
            while parent_id in parents and hops < len(parents):  # the parent goes too: skip it
                parent_id, hops = parents[parent_id], hops + 1
            relink.setdefault(parent_id if hops < len(parents) else None, []).append(row_id)
        ids = list(parents)
        for new_parent, old_parents in relink.items():
            for chunk in _chunks(old_parents):
                session.exec(
                    update(SavedRecipe).where(col(SavedRecipe.parent_id).in_(chunk)).values(parent_id=new_parent)
                )
        for chunk in _chunks(ids):
            session.exec(delete(SavedRecipe).where(col(SavedRecipe.id).in_(chunk)))
        session.commit()
        return len(ids)


def _chunks(values: list[int], size: int = 500) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def share_recipe(owner_id: str, recipe_id: int) -> str | None:
    """The share slug of one of this owner's recipes, created on first use (``/r/<slug>``); None
    when missing, deleted or another owner's. Sharing twice returns the same slug."""
    key = owner_key(owner_id)
    owned = (
        SavedRecipe.id == recipe_id,
        SavedRecipe.owner_key == key,
        col(SavedRecipe.deleted_at).is_(None),
    )
    for _ in range(3):
        with new_session() as session:
            try:
                # Only sets a slug where there is none, so two clicks at once agree on one slug.
                session.exec(
                    update(SavedRecipe)
                    .where(*owned, col(SavedRecipe.share_slug).is_(None))
                    .values(share_slug=secrets.token_urlsafe(SHARE_SLUG_BYTES))
                )
                session.commit()
            except IntegrityError:  # a slug collision: astronomically unlikely, try another
                session.rollback()
                continue
            return session.exec(select(SavedRecipe.share_slug).where(*owned)).first()
    raise RuntimeError("could not create a unique share slug")


def revoke_share(owner_id: str, recipe_id: int) -> bool:
    """Turn off the share link of one of this owner's recipes; False when it was not shared (or is
    missing, deleted or another owner's). Sharing again later makes a new slug."""
    key = owner_key(owner_id)
    with new_session() as session:
        result = session.exec(
            update(SavedRecipe)
            .where(
                SavedRecipe.id == recipe_id,
                SavedRecipe.owner_key == key,
                col(SavedRecipe.deleted_at).is_(None),
                col(SavedRecipe.share_slug).is_not(None),
            )
            .values(share_slug=None, updated_at=_now())
        )
        session.commit()
        return result.rowcount == 1


def get_shared(slug: str) -> SavedRecipe | None:
    """The recipe behind a share link, for anyone; None when unknown, revoked or deleted.

    The row includes ``owner_key`` and ``notes``: a public page should show only the recipe itself.
    """
    if not isinstance(slug, str) or not slug or len(slug) > _MAX_SLUG_CHARS:
        return None
    with new_session() as session:
        return session.exec(
            select(SavedRecipe).where(SavedRecipe.share_slug == slug, col(SavedRecipe.deleted_at).is_(None))
        ).first()


def history(owner_id: str, limit: int = 50) -> list[Generation]:
    """This owner's generations, newest first."""
    key = owner_key(owner_id)
    limit = min(max(1, int(limit)), 500)
    with new_session() as session:
        return list(
            session.exec(
                select(Generation).where(Generation.owner_key == key).order_by(col(Generation.id).desc()).limit(limit)
            )
        )


def saved_from_generations(owner_id: str, generation_ids: list[int]) -> dict[int, int]:
    """{generation id: id of this owner's newest live recipe saved from it}, in one query."""
    if not generation_ids:
        return {}
    key = owner_key(owner_id)
    with new_session() as session:
        rows = session.exec(
            _owned(key).where(col(SavedRecipe.generation_id).in_(generation_ids)).order_by(col(SavedRecipe.id))
        ).all()
    return {row.generation_id: row.id for row in rows if row.generation_id is not None and row.id is not None}


def cuisines(owner_id: str) -> list[str]:
    """The distinct cuisines of this owner's live recipes, for the filter, alphabetically."""
    key = owner_key(owner_id)
    with new_session() as session:
        values = session.exec(
            select(SavedRecipe.cuisine)
            .where(SavedRecipe.owner_key == key, col(SavedRecipe.deleted_at).is_(None), SavedRecipe.cuisine != "")
            .distinct()
        ).all()
        return sorted(values, key=str.casefold)
