"""The questions a cook asked about a saved recipe, kept with it (``saved_recipe.thread_json``)."""

from __future__ import annotations

import json

from sqlmodel import col, select

from recipe_app.db.models import Generation, SavedRecipe
from recipe_app.db.recipes import owner_key
from recipe_app.db.session import new_session

#: Questions kept per recipe (the oldest go first).
MAX_KEPT = 20


def read_thread(row: SavedRecipe) -> list[dict[str, str]]:
    """The thread of a recipe row: ``[{"q": question, "a": answer}]``, oldest first (never raises)."""
    try:
        data = json.loads(row.thread_json or "[]")
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [
        {"q": str(t.get("q", "")), "a": str(t.get("a", ""))}
        for t in data
        if isinstance(t, dict) and t.get("q")
    ][-MAX_KEPT:]


def add_to_thread(owner_id: str, recipe_id: int, question: str, answer: str) -> list[dict[str, str]] | None:
    """Keep one question and its answer with this owner's recipe; the thread, or None when not theirs."""
    with new_session() as session:
        row = session.exec(
            select(SavedRecipe).where(
                SavedRecipe.id == recipe_id,
                SavedRecipe.owner_key == owner_key(owner_id),
                col(SavedRecipe.deleted_at).is_(None),
            )
        ).first()
        if row is None:
            return None
        thread = [*read_thread(row), {"q": question, "a": answer}][-MAX_KEPT:]
        row.thread_json = json.dumps(thread, ensure_ascii=False)
        session.add(row)
        session.commit()
        return thread


def request_allergies(generation_id: int | None) -> list[str]:
    """The allergies the cook gave for the generation that wrote a recipe ([] when unknown)."""
    if not generation_id:
        return []
    with new_session() as session:
        row = session.get(Generation, generation_id)
    try:
        data = json.loads(row.request_json) if row is not None else {}
    except ValueError:
        return []
    allergies = data.get("allergies") if isinstance(data, dict) else None
    return [str(a) for a in allergies if isinstance(a, str)] if isinstance(allergies, list) else []
