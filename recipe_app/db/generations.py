"""Recording generations: one row per press of Generate, written at start and at the end."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

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
    values = dict(
        _START_DEFAULTS,
        created_at=datetime.now(timezone.utc),
        session_hash=session_hash(client_token),
        owner_key=key,
        request_json=request_json,
        model=model,
        kind=kind,
    )
    with get_engine().begin() as connection:
        return connection.execute(_statements().start, values).scalar_one()


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
    values = {
        "generation_id": generation_id,
        "new_status": status,
        "new_error_type": error_type,
        "new_response_format": response_format,
        "new_ttft_ms": ttft_ms,
        "new_duration_ms": duration_ms,
        "new_prompt_tokens": prompt_tokens,
        "new_completion_tokens": completion_tokens,
        "new_tokens_estimated": tokens_estimated,
        "new_updates_sent": updates_sent,
        "new_attempts": attempts,
        "new_recipe_json": recipe_json,
        "new_finished_at": datetime.now(timezone.utc),
    }
    with get_engine().begin() as connection:
        connection.execute(_statements().finish, values)


@dataclass(frozen=True)
class _Statements:
    start: Any
    finish: Any


@lru_cache(maxsize=1)
def _statements() -> _Statements:
    """The start and finish statements, built once: their values are bound per call, so SQLAlchemy
    compiles each once instead of coercing a fresh literal per column on every recipe. Both run
    once per recipe on the streaming worker (bench/BENCHMARKS.md)."""
    table = Generation.__table__
    start = insert(table).returning(table.c.id)
    # Bound as new_<column>: a column's own name is reserved for the SET clause.
    columns = [name.removeprefix("new_") for name in _FINISH_PARAMETERS]
    finish = update(table).where(table.c.id == bindparam("generation_id")).values(
        {name: bindparam(f"new_{name}") for name in columns}
    )
    return _Statements(start, finish)


_FINISH_PARAMETERS = (
    "new_status", "new_error_type", "new_response_format", "new_ttft_ms", "new_duration_ms", "new_prompt_tokens",
    "new_completion_tokens", "new_tokens_estimated", "new_updates_sent", "new_attempts", "new_recipe_json",
    "new_finished_at",
)  # fmt: skip
#: Every column of a starting row but its id, at the model's defaults (the caller sets the rest).
_START_DEFAULTS = Generation().model_dump(exclude={"id", "created_at"})


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
