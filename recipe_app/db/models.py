"""SQLModel tables."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Generation(SQLModel, table=True):
    """One press of Generate: what was asked, what came back, how it went."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=_now, index=True)
    session_hash: str = Field(default="", max_length=64, index=True)
    request_json: str = ""
    model: str = Field(default="", max_length=120)
    response_format: str = Field(default="", max_length=20)
    status: str = Field(default="streaming", max_length=20, index=True)
    error_type: str = Field(default="", max_length=60)
    attempts: int = 1
    ttft_ms: int | None = None
    duration_ms: int | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    updates_sent: int = 0
    recipe_json: str = ""
    finished_at: datetime | None = None
