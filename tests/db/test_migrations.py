"""The alembic migrations give exactly the models' schema, on SQLite and PostgreSQL, from any start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from recipe_app.db import recipes, session as db_session
from recipe_app.db.models import SavedRecipe
from tests.db.helpers import make_recipe, owner

ROOT = Path(__file__).resolve().parents[2]
BASELINE = "f7a34324e774"


def _differences(url: str) -> list:
    with db_session.engine_for(url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(context, SQLModel.metadata)


def _reset_to_base(url: str) -> None:
    with db_session.engine_for(url).begin() as conn:
        command.downgrade(db_session.alembic_config(conn), "base")


def test_one_linear_history() -> None:
    script = ScriptDirectory.from_config(db_session.alembic_config())
    assert len(script.get_heads()) == 1
    assert script.get_current_head() == db_session.head_revision()
    assert [rev.revision for rev in script.walk_revisions()][-1] == BASELINE


def test_migrating_an_empty_database_gives_exactly_the_models(db_url: str) -> None:
    # db_url is a fresh database that migrate_to_head has just brought to head.
    assert db_session.current_revision(db_url) == db_session.head_revision()
    assert _differences(db_url) == []
    inspector = inspect(db_session.engine_for(db_url))
    assert set(inspector.get_table_names()) == {"alembic_version", "generation", "saved_recipe", "recipe_picture"}
    indexes = {ix["name"]: (ix["column_names"], bool(ix["unique"])) for ix in inspector.get_indexes("saved_recipe")}
    assert indexes["ix_saved_recipe_owner_deleted_created"] == (["owner_key", "deleted_at", "created_at"], False)
    assert indexes["ix_saved_recipe_owner_deleted_rating"] == (["owner_key", "deleted_at", "rating"], False)
    assert indexes["ix_saved_recipe_live_created"] == (["owner_key", "created_at", "id"], False)
    assert indexes["ix_saved_recipe_live_favourite"] == (["owner_key", "favourite", "created_at", "id"], False)
    assert indexes["ix_saved_recipe_share_slug"] == (["share_slug"], True)
    dialect = db_session.engine_for(db_url).dialect.name
    for ix in inspector.get_indexes("saved_recipe"):  # autogenerate does not compare index WHERE clauses
        where = ix.get("dialect_options", {}).get(f"{dialect}_where")
        if ix["name"].startswith("ix_saved_recipe_live_"):
            assert where is not None and "deleted_at IS NULL" in str(where).replace("(", "").replace(")", ""), ix
        else:
            assert where is None, ix
    for column in ("owner_key", "title", "cuisine", "diet", "favourite", "created_at", "parent_id", "generation_id"):
        assert indexes[f"ix_saved_recipe_{column}"] == ([column], False)
    foreign_keys = {fk["name"]: (fk["constrained_columns"], fk["referred_table"]) for fk in inspector.get_foreign_keys("saved_recipe")}
    assert foreign_keys == {
        "fk_saved_recipe_generation_id": (["generation_id"], "generation"),
        "fk_saved_recipe_parent_id": (["parent_id"], "saved_recipe"),
    }
    assert "ix_generation_owner_key" in {ix["name"] for ix in inspector.get_indexes("generation")}


def test_migrating_again_changes_nothing_and_down_and_up_round_trips(db_url: str) -> None:
    saved = recipes.save_recipe(owner(), make_recipe())
    assert db_session.migrate_to_head(db_url) == db_session.head_revision()
    assert _count(db_url, "saved_recipe") == 1 and saved.id is not None

    _reset_to_base(db_url)
    assert set(inspect(db_session.engine_for(db_url)).get_table_names()) <= {"alembic_version"}
    assert db_session.migrate_to_head(db_url) == db_session.head_revision()
    assert _differences(db_url) == []


def _count(url: str, table: str) -> int:
    with db_session.engine_for(url).connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _make_pre_migration_database(url: str) -> None:
    """A database as create_tables() made it before migrations existed: the baseline tables, one
    generation, and no alembic_version table."""
    _reset_to_base(url)
    with db_session.engine_for(url).begin() as conn:
        command.upgrade(db_session.alembic_config(conn), BASELINE)
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(
            text(
                "INSERT INTO generation (created_at, session_hash, request_json, model, response_format, status,"
                " error_type, attempts, prompt_tokens, completion_tokens, updates_sent, recipe_json)"
                " VALUES (CURRENT_TIMESTAMP, 'abc', '{}', 'demo-chef', '', 'done', '', 1, 0, 0, 0, '')"
            )
        )


def _schema_and_rows(url: str) -> tuple[dict[str, list[str]], dict[str, list[tuple]]]:
    """Every table's columns and rows: what start-up must leave exactly as it found it."""
    with db_session.engine_for(url).connect() as conn:
        inspector = inspect(conn)
        tables = sorted(inspector.get_table_names())
        columns = {t: [c["name"] for c in inspector.get_columns(t)] for t in tables}
        rows = {t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()), key=repr) for t in tables}
    return columns, rows


@pytest.mark.parametrize("shape", ["before migrations", "create_tables", "half upgraded, empty", "half upgraded, rows"])
def test_start_up_refuses_a_database_without_a_version_and_changes_nothing(db_url: str, shape: str) -> None:
    """Tables without an alembic version are never stamped, rewritten or dropped at start-up."""
    if shape == "create_tables":
        _reset_to_base(db_url)
        with db_session.engine_for(db_url).begin() as conn:
            conn.execute(text("DROP TABLE alembic_version"))
        db_session.create_tables(db_session.engine_for(db_url))
        recipes.save_recipe(owner(), make_recipe())
    else:
        _make_pre_migration_database(db_url)
        if shape.startswith("half upgraded"):  # create_all() of newer models added an (empty) saved_recipe
            with db_session.engine_for(db_url).begin() as conn:
                SavedRecipe.__table__.create(conn)  # type: ignore[attr-defined]
        if shape.endswith("rows"):
            recipes.save_recipe(owner(), make_recipe())
    before = _schema_and_rows(db_url)
    with pytest.raises(db_session.UnversionedDatabase, match="no alembic version") as refused:
        db_session.migrate_to_head(db_url)
    assert "alembic stamp" in str(refused.value) and BASELINE in str(refused.value)
    assert _schema_and_rows(db_url) == before
    assert db_session.current_revision(db_url) is None


def test_start_up_on_a_migrated_library_runs_no_statement_that_changes_a_table(db_url: str) -> None:
    from sqlalchemy import event

    cook = owner()
    saved = recipes.save_recipe(cook, make_recipe())
    before = _schema_and_rows(db_url)
    statements: list[str] = []
    engine = db_session.engine_for(db_url)

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement.strip().split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        for _ in range(2):  # a restart, and another
            assert db_session.migrate_to_head(db_url) == db_session.head_revision()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements and not {"DROP", "ALTER", "DELETE", "UPDATE", "INSERT", "CREATE", "TRUNCATE"} & set(statements)
    assert _schema_and_rows(db_url) == before
    assert recipes.get_recipe(cook, saved.id) is not None


def test_the_start_up_path_has_no_statement_that_drops_a_table() -> None:
    source = Path(db_session.__file__).read_text()
    assert "DROP" not in source.upper().replace("DROPPED", "") and "_stamp" not in source


def test_reflex_makemigrations_would_find_nothing_to_do(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reflex's own autogenerate check (`reflex db makemigrations`, `reflex db migrate`) agrees."""
    from reflex import model

    monkeypatch.chdir(ROOT)  # Reflex finds alembic.ini in the working directory
    with db_session.engine_for(db_url).connect() as conn:
        assert model.alembic_autogenerate(connection=conn, write_migration_scripts=False) is False


def test_migrate_to_head_finds_the_scripts_from_any_working_directory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REFLEX_DB_URL": url}
    result = subprocess.run(
        [sys.executable, "-c", "from recipe_app.db.session import migrate_to_head; print(migrate_to_head())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == db_session.head_revision()
    assert _differences(url) == []
    db_session.engine_for(url).dispose()


def test_the_app_migrates_at_start_up() -> None:
    from recipe_app.recipe_app import app

    assert db_session.migrate_to_head in app.get_lifespan_tasks()
