"""SQLite is set up for many short writes: WAL (readers never wait for the writer) and NORMAL sync."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from recipe_app.db.session import engine_for


def test_sqlite_runs_in_wal_mode_with_normal_sync(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.commit()
    assert (tmp_path / "wal.db-wal").exists()
    engine.dispose()
