"""The database engine, built once from the settings, and the schema migrations."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, inspect, text
from sqlmodel import Session, SQLModel, create_engine

from recipe_app.db import models  # noqa: F401 - registers the tables
from recipe_app.core.settings import get_settings

logger = logging.getLogger(__name__)

#: The project's alembic.ini (next to rxconfig.py), found from the package, not the working directory.
ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"

#: The first revision: the generation table as ``create_tables()`` made it before migrations existed
#: (named in the message for such a database).
_BASELINE_REVISION = "f7a34324e774"

#: Key of the PostgreSQL advisory lock that serialises start-up migrations of several workers.
_MIGRATION_LOCK_KEY = 0x5EC1BE5


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers never wait for the writer; synchronous=NORMAL: a commit no longer waits for the
    # disk (WAL stays consistent; a power cut can lose the last commits, never corrupt). The running
    # text of every stream is saved every few seconds, so commits are frequent.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@lru_cache(maxsize=4)
def engine_for(url: str) -> Engine:
    """One engine per database URL; SQLite gets a busy timeout for concurrent writers, WAL and NORMAL sync."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def get_engine() -> Engine:
    """The engine of the configured database."""
    return engine_for(get_settings().database_url)


def create_tables(engine: Engine | None = None) -> None:
    """Create missing tables straight from the models (tests only; the app runs ``migrate_to_head``)."""
    SQLModel.metadata.create_all(engine or get_engine())


def new_session() -> Session:
    """A session on the configured database; use as a context manager."""
    return Session(get_engine(), expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """The project's alembic configuration; with ``connection``, env.py migrates on that connection."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision among the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(url: str | None = None) -> str | None:
    """The revision a database is at (None: never migrated)."""
    with engine_for(url or get_settings().database_url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextlib.contextmanager
def _sqlite_file_lock(connection: Connection) -> Iterator[None]:
    """One migrator at a time on a SQLite file when several workers start together: an exclusive
    ``flock`` on the database file (independent of SQLite's own fcntl byte-range locks on Linux).
    PostgreSQL uses a transaction-scoped advisory lock instead (see ``migrate_to_head``)."""
    database = connection.engine.url.database if connection.dialect.name == "sqlite" else None
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        fcntl = None  # type: ignore[assignment]
    if fcntl is None or not database or database == ":memory:" or not Path(database).is_file():
        yield
        return
    with open(database, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class UnversionedDatabase(RuntimeError):
    """The database has the app's tables but no alembic version: start-up refuses to guess."""


def _refuse_unversioned(connection: Connection) -> None:
    """Schema changes happen through migrations only: tables without a recorded revision (made by
    ``create_tables()``, by hand, or before migrations existed) stop start-up with what to do,
    instead of being stamped, rewritten or dropped."""
    if MigrationContext.configure(connection).get_current_revision() is not None:
        return
    tables = set(inspect(connection).get_table_names()) & set(SQLModel.metadata.tables)
    if tables:
        raise UnversionedDatabase(
            f"the database has the tables {sorted(tables)} but no alembic version, so start-up will not touch it: "
            "back it up (README, Operating it), then record the revision its schema matches with "
            f"`alembic stamp <revision>` (the first one is {_BASELINE_REVISION}) and start again"
        )


def migrate_to_head(url: str | None = None) -> str:
    """Bring the database (default: the configured one) to the newest migration; returns the revision.

    Works on an empty database and on one already at some revision; one with tables but no revision
    is refused (:class:`UnversionedDatabase`). Nothing but the migration scripts (the same that
    ``reflex db migrate`` applies) changes the schema.
    """
    engine = engine_for(url or get_settings().database_url)
    with engine.connect() as connection, _sqlite_file_lock(connection):
        with connection.begin():
            if connection.dialect.name == "postgresql":
                # Held until commit; PostgreSQL DDL is transactional, so a failed upgrade leaves nothing.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            _refuse_unversioned(connection)
            command.upgrade(alembic_config(connection), "head")
    head = head_revision()
    logger.info("database schema at %s", head)
    return head
