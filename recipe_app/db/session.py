"""The database engine, built once from the settings, and the schema migrations."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
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

#: The first revision: the generation table as ``create_tables()`` made it before migrations existed.
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


def _stamp_unversioned(connection: Connection, config: Config) -> None:
    """A database whose tables were made by ``create_tables()`` (before migrations existed, or by
    tests) has tables but no alembic version: record the revision they match, so ``upgrade``
    continues from there instead of failing on "table already exists".

    - exactly the current models: head;
    - ``generation`` without ``owner_key`` and no ``saved_recipe``: the baseline revision;
    - the same plus an *empty* ``saved_recipe`` (``create_all`` of newer models on an old file adds
      tables but never columns): that empty table is dropped and the baseline stamped, so the
      migrations recreate it properly;
    - anything else is refused with an error rather than guessed.
    """
    context = MigrationContext.configure(connection)
    if context.get_current_revision() is not None:
        return
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    if not tables & set(SQLModel.metadata.tables):
        return  # empty database: the migrations create everything
    if not compare_metadata(context, SQLModel.metadata):
        revision = "head"
    else:
        old_generation = "generation" in tables and not any(
            column["name"] == "owner_key" for column in inspector.get_columns("generation")
        )
        if old_generation and "saved_recipe" in tables:
            if connection.execute(text("SELECT COUNT(*) FROM saved_recipe")).scalar_one() == 0:
                logger.warning("dropping the empty saved_recipe table made without migrations; it is recreated")
                connection.execute(text("DROP TABLE saved_recipe"))
                tables.discard("saved_recipe")
        if not (old_generation and tables & set(SQLModel.metadata.tables) == {"generation"}):
            raise RuntimeError(
                f"the database has tables {sorted(tables)} but no alembic version, and they match no known "
                "revision: stamp it by hand (`alembic stamp <revision>`) or start from an empty database"
            )
        revision = _BASELINE_REVISION
    logger.warning("database has tables but no alembic version; stamping %s", revision)
    command.stamp(config, revision)


def migrate_to_head(url: str | None = None) -> str:
    """Bring the database (default: the configured one) to the newest migration; returns the revision.

    Works on an empty database, one already at some revision, and one whose tables were made by
    ``create_tables()`` before migrations existed. The same scripts ``reflex db migrate`` applies.
    """
    engine = engine_for(url or get_settings().database_url)
    with engine.connect() as connection, _sqlite_file_lock(connection):
        with connection.begin():
            if connection.dialect.name == "postgresql":
                # Held until commit; PostgreSQL DDL is transactional, so a failed upgrade leaves nothing.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            config = alembic_config(connection)
            _stamp_unversioned(connection, config)
            command.upgrade(config, "head")
    head = head_revision()
    logger.info("database schema at %s", head)
    return head
