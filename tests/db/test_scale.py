"""10 000 recipes for one browser among many others: the library queries go through an index.

The rows are bulk-loaded (executemany on SQLite, COPY on PostgreSQL): the repository saves one at a
time, which would make this test slow. The plans are those of the exact statements the repository
runs (captured from the engine), so a change to a query or an index shows up here.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from sqlalchemy import event, text

from recipe_app.db import recipes
from recipe_app.db.session import get_engine
from tests.db.helpers import owner

MINE = 10_000
OTHERS, EACH = 100, 500
CUISINES = ("Thai", "Greek", "Mexican", "Indian", "Italian")
COLUMNS = (
    "owner_key", "title", "description", "cuisine", "diet", "servings", "recipe_json", "search_text", "notes",
    "rating", "favourite", "created_at", "updated_at", "version_note", "deleted_at",
)  # fmt: skip
#: Indexes whose first column is owner_key: a lookup of one owner's rows.
OWNER_INDEXES = (
    "ix_saved_recipe_live_created",
    "ix_saved_recipe_live_favourite",
    "ix_saved_recipe_owner_deleted_created",
    "ix_saved_recipe_owner_deleted_rating",
    "ix_saved_recipe_owner_key",
)
#: Lists whose page comes straight out of an index in the right order (no sort step).
SORT_FREE = ({}, {"sort": "oldest", "page": 7}, {"favourite": True})
LISTS = [
    *SORT_FREE,
    {"sort": "rating"},
    {"sort": "title"},
    {"favourite": True, "sort": "title"},
    {"diet": "vegan", "cuisine": "Thai"},
    {"search": "saffron"},
]


_START = datetime(2024, 1, 1, tzinfo=timezone.utc)
_STAMPS = [_START + timedelta(minutes=n) for n in range(MINE)]
#: The same instants as SQLAlchemy's SQLite DateTime stores them (UTC text), so comparisons work.
_TEXT_STAMPS = [stamp.strftime("%Y-%m-%d %H:%M:%S.%f") for stamp in _STAMPS]


def _rows(owner_id: str, count: int, recipe_json: str, *, text_stamps: bool) -> list[tuple]:
    key = recipes.owner_key(owner_id)
    stamps = _TEXT_STAMPS if text_stamps else _STAMPS
    return [
        (
            key, f"Dish {n}", "", CUISINES[n % len(CUISINES)], "vegan" if n % 4 == 0 else "none", 2,
            recipe_json, f"dish {n}\nonion\n{'saffron' if n % 1000 == 7 else 'salt'}", "",
            (n % 5) + 1 if n % 3 else None, n % 10 == 0, stamps[n], stamps[n], "",
            stamps[n] if n % 50 == 0 else None,  # every 50th is deleted
        )
        for n in range(count)
    ]  # fmt: skip


def _bulk_insert(owners: list[tuple[str, int]]) -> None:
    recipe_json = '{"name": "bulk"}'  # the list never parses it; 60 000 full recipes would be 120 MB
    with get_engine().begin() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY saved_recipe ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for owner_id, count in owners:
                    for row in _rows(owner_id, count, recipe_json, text_stamps=False):
                        copy.write_row(row)
            cursor.execute("ANALYZE saved_recipe")  # what autovacuum does after a bulk load
        else:
            sql = f"INSERT INTO saved_recipe ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            for owner_id, count in owners:
                cursor.executemany(sql, _rows(owner_id, count, recipe_json, text_stamps=True))
        cursor.close()


def _captured_queries(call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SQL statements (and parameters) on saved_recipe that the repository ran during ``call()``."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(get_engine(), "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(get_engine(), "before_cursor_execute", record)
    return [(sql, params) for sql, params in seen if "saved_recipe" in sql]


def _plan(statement: str, parameters: Any) -> str:
    """EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (PostgreSQL) as lines 'node using index on table'."""
    with get_engine().connect() as conn:
        if conn.dialect.name == "sqlite":
            return "\n".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
        (plan,) = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).one()
        plan = plan if isinstance(plan, list) else json.loads(plan)

        def nodes(node: dict, depth: int = 0) -> list[str]:
            line = "  " * depth + node["Node Type"]
            line += f" using {node['Index Name']}" if "Index Name" in node else ""
            line += f" on {node['Relation Name']}" if "Relation Name" in node else ""
            return [line] + [child for sub in node.get("Plans", []) for child in nodes(sub, depth + 1)]

        return "\n".join(nodes(plan[0]["Plan"]))


def _check_plan(dialect: str, plan: str, *, sort_free: bool) -> None:
    assert any(index in plan for index in OWNER_INDEXES), plan
    if dialect == "sqlite":
        assert "SEARCH saved_recipe USING" in plan and "(owner_key=?" in plan, plan
        assert "SCAN saved_recipe" not in plan, plan  # neither a table scan nor a walk of a whole index
        if sort_free:
            assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Seq Scan" not in plan, plan
        if sort_free:
            assert "Sort" not in plan, plan


def _check_lists(alice: str, dialect: str, label: str, report: Callable[[str], None]) -> None:
    for kwargs in LISTS:
        started = time.perf_counter()
        rows, total = recipes.list_recipes(alice, **kwargs)
        elapsed = time.perf_counter() - started
        assert elapsed < 2.0, f"list_recipes({kwargs}) took {elapsed:.2f}s"
        if not kwargs:
            assert total == MINE - MINE // 50 and len(rows) == 20 and rows[0].title == f"Dish {MINE - 1}"
        if kwargs.get("search"):
            assert total == MINE // 1000
            assert {row.title for row in rows} == {f"Dish {n}" for n in range(7, MINE, 1000)}
        if kwargs.get("favourite"):
            assert total == MINE // 10 - MINE // 50

        queries = _captured_queries(lambda: recipes.list_recipes(alice, **kwargs))
        assert len(queries) == 2  # the count and the page
        for statement, parameters in queries:
            is_page = "LIMIT" in statement
            plan = _plan(statement, parameters)
            report(f"[{dialect}{label}] list_recipes({kwargs}) {'page' if is_page else 'count'}, {elapsed * 1000:.0f} ms:\n    " + plan.replace("\n", "\n    "))
            _check_plan(dialect, plan, sort_free=is_page and kwargs in SORT_FREE)


def test_one_owners_library_among_many_uses_the_indexes(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    def report(line: str) -> None:
        with capsys.disabled():
            print(line)

    alice = owner()
    started = time.perf_counter()
    _bulk_insert([(alice, MINE), *((owner(), EACH) for _ in range(OTHERS))])
    dialect = get_engine().dialect.name
    report(f"\n[{dialect}] bulk-loaded {MINE + OTHERS * EACH} recipes in {time.perf_counter() - started:.2f}s")
    assert recipes.list_recipes(owner()) == ([], 0)

    _check_lists(alice, dialect, "", report)
    if dialect == "sqlite":  # a fresh SQLite file has no statistics; with them the plans must hold too
        with get_engine().begin() as conn:
            conn.execute(text("ANALYZE"))
        _check_lists(alice, dialect, ", analyzed", report)

    other_calls = {
        "cuisines": lambda: recipes.cuisines(alice),
        "delete+restore": lambda: (recipes.delete_recipe(alice, 3), recipes.restore_recipe(alice, 3)),
    }
    for name, call in other_calls.items():
        for statement, parameters in _captured_queries(call):
            plan = _plan(statement, parameters)
            report(f"[{dialect}] {name}:\n    " + plan.replace("\n", "\n    "))
            if dialect == "sqlite":
                assert "SCAN saved_recipe" not in plan, plan
            else:
                assert "Seq Scan" not in plan, plan
    started = time.perf_counter()
    assert recipes.cuisines(alice) == sorted(CUISINES)
    assert time.perf_counter() - started < 2.0
