"""scripts/backup: an operator's backup and restore of the library loses nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import inspect, text

from recipe_app.db import generations, recipes, session as db_session
from tests.db.helpers import make_recipe, owner

ROOT = Path(__file__).resolve().parents[2]


def _everything(url: str) -> dict[str, object]:
    """Every table's columns and rows, and the schema revision."""
    with db_session.engine_for(url).connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        content: dict[str, object] = {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()), key=repr) for t in tables
        }
    content["revision"] = db_session.current_revision(url)
    return content


def _backup(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REFLEX_DB_URL": url}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "backup"), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_backup_restored_over_a_changed_library_gives_back_every_row(db_url: str, tmp_path: Path) -> None:
    cook, other = owner(), owner()
    first = recipes.save_recipe(cook, make_recipe("Crème brûlée 🍮"), diet="vegetarian")
    recipes.update_recipe(cook, first.id, notes="Less sugar\nnext time", rating=5, favourite=True)
    slug = recipes.share_recipe(cook, first.id)
    recipes.save_recipe(other, make_recipe("Dal", cuisine="Indian"))
    generations.start_generation("tab-1", '{"ingredients": ["lentils"]}', "gpt-test", owner_id=cook)
    before = _everything(db_url)
    backup = tmp_path / "library.backup"

    saved = _backup(db_url, "save", str(backup))
    assert saved.returncode == 0, saved.stderr
    assert backup.stat().st_size > 0 and "password" not in saved.stdout

    # After the backup: a recipe deleted for good, another added, a link revoked.
    recipes.delete_recipe(cook, first.id)
    recipes.purge_deleted(older_than=timedelta(0))
    recipes.save_recipe(cook, make_recipe("Later"))
    assert _everything(db_url) != before

    db_session.engine_for(db_url).dispose()  # the app is stopped for a restore
    restored = _backup(db_url, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert _everything(db_url) == before
    assert recipes.get_shared(slug).title == "Crème brûlée 🍮"
    assert recipes.get_recipe(cook, first.id).notes == "Less sugar\nnext time"
    assert db_session.migrate_to_head(db_url) == db_session.head_revision()  # the app starts on it


def test_restoring_a_missing_file_says_so_and_touches_nothing(db_url: str, tmp_path: Path) -> None:
    recipes.save_recipe(owner(), make_recipe())
    before = _everything(db_url)
    result = _backup(db_url, "restore", str(tmp_path / "nothing-here"))
    assert result.returncode != 0 and "no backup at" in result.stderr
    assert _everything(db_url) == before
