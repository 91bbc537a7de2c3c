"""Recording generations: one row per press of Generate, written at start and at the end."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from sqlalchemy import bindparam, insert, update
from sqlmodel import select

from recipe_app.db.models import Generation
from recipe_app.db.recipes import owner_key
from recipe_app.db.session import get_engine, new_session


def session_hash(client_token: str) -> str:
    """A stable, non-reversible id for a browser tab (the raw token is never stored)."""
    return hashlib.sha256(client_token.encode()).hexdigest()[:32]


def start_generation(
    client_token: str, request_json: str, model: str, *, owner_id: str = "", kind: str = "recipe"
) -> int:
    """Insert the row of a starting generation and return its id.

    ``owner_id`` is the browser's raw owner id; only its hash is stored (see ``recipes.owner_key``),
    and the generation then appears in that browser's ``recipes.history``.
    """
    key = owner_key(owner_id) if owner_id else ""
    row = Generation(  # the model fills in the defaults (created_at, status)
        session_hash=session_hash(client_token), owner_key=key, request_json=request_json, model=model, kind=kind
    )
    table = Generation.__table__
    # One statement (INSERT ... RETURNING id) instead of the ORM's insert, commit and refresh: this
    # runs once per recipe on the streaming worker (bench/BENCHMARKS.md).
    with get_engine().begin() as connection:
        return connection.execute(insert(table).values(row.model_dump(exclude={"id"})).returning(table.c.id)).scalar_one()


def finish_generation(
    generation_id: int,
    *,
    status: str,
    error_type: str = "",
    response_format: str = "",
    ttft_ms: int | None = None,
    duration_ms: int | None = None,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    tokens_estimated: bool = False,
    updates_sent: int = 0,
    attempts: int = 1,
    recipe_json: str = "",
) -> None:
    """Write the end state of a generation (one UPDATE; a row that is gone is left alone)."""
    table = Generation.__table__
    values = dict(
        status=status,
        error_type=error_type,
        response_format=response_format,
        ttft_ms=ttft_ms,
        duration_ms=duration_ms,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        tokens_estimated=tokens_estimated,
        updates_sent=updates_sent,
        attempts=attempts,
        recipe_json=recipe_json,
        finished_at=datetime.now(timezone.utc),
    )
    with get_engine().begin() as connection:
        connection.execute(update(table).where(table.c.id == generation_id).values(**values))


def unfinished_for_tab(client_token: str) -> Generation | None:
    """The newest generation of this tab that has no outcome yet (its worker may be gone)."""
    with new_session() as session:
        statement = (
            select(Generation)
            .where(Generation.session_hash == session_hash(client_token), Generation.finished_at.is_(None))  # type: ignore[union-attr]
            .order_by(Generation.id.desc())  # type: ignore[union-attr]
            .limit(1)
        )
        return session.exec(statement).first()


def interrupt_unfinished(generation_id: int, error_type: str) -> str:
    """End a generation whose worker is gone as ``interrupted``; its text saved so far.

    A row that already has its outcome keeps it (the worker finished after all).
    """
    with new_session() as session:
        row = session.get(Generation, generation_id)
        if row is None:
            return ""
        if row.finished_at is None:
            row.status = "interrupted"
            row.error_type = error_type
            row.finished_at = datetime.now(timezone.utc)
            session.add(row)
            session.commit()
        return row.recipe_json or ""


def save_progress(texts: dict[int, str]) -> None:
    """Keep the text streamed so far of running generations (by id), in one transaction.

    A restart mid-stream then loses only the last few seconds. Finished rows are left alone.
    """
    table = Generation.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("gid"), table.c.finished_at.is_(None))
        .values(recipe_json=bindparam("text"))
    )
    with get_engine().begin() as connection:
        connection.execute(statement, [{"gid": gid, "text": text} for gid, text in texts.items()])


def recent_generations(limit: int = 20) -> list[Generation]:
    """The latest generations, newest first."""
    with new_session() as session:
        return list(session.exec(select(Generation).order_by(Generation.id.desc()).limit(limit)))  # type: ignore[union-attr]
