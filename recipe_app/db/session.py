"""The database engine, built once from the settings."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, create_engine

from recipe_app.db import models  # noqa: F401 - registers the tables
from recipe_app.settings import get_settings


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    """One engine per database URL; SQLite gets a busy timeout for concurrent writers."""
    connect_args = {"timeout": 15, "check_same_thread": False} if url.startswith("sqlite") else {}
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def get_engine() -> Engine:
    """The engine of the configured database."""
    return engine_for(get_settings().database_url)


def create_tables(engine: Engine | None = None) -> None:
    """Create missing tables (the embedded SQLite default needs no migration step)."""
    SQLModel.metadata.create_all(engine or get_engine())


def new_session() -> Session:
    """A session on the configured database; use as a context manager."""
    return Session(get_engine(), expire_on_commit=False)
