"""Operator statistics: exact figures on a small seeded table, and speed and plans with 100 000 rows.

Every test runs on SQLite and PostgreSQL (``db_url``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Connection, event

from recipe_app.db import stats
from recipe_app.db.models import Generation
from recipe_app.db.session import get_engine, new_session
from recipe_app.core.settings import get_settings

#: A Monday, half past noon UTC.
NOW = datetime(2025, 3, 10, 12, 30, tzinfo=timezone.utc)


def _at(day: int, hour: int, minute: int, second: int = 0, micro: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, second, micro, tzinfo=timezone.utc)


def _row(when: datetime, status: str, model: str = "gpt-4.1-mini", *, ttft: int | None = None,
         duration: int | None = None, tokens_in: int = 0, tokens_out: int = 0) -> Generation:  # fmt: skip
    return Generation(
        created_at=when,
        status=status,
        model=model,
        ttft_ms=ttft,
        duration_ms=duration,
        prompt_tokens=tokens_in,
        completion_tokens=tokens_out,
    )


def _seed() -> list[Generation]:
    """Fresh rows each time (ORM objects are bound to the session that added them).

    The day window of NOW is [9 March 13:00, 10 March 13:00): 24 hourly buckets.
    """
    return [
        # 12:00 bucket (the last): three complete and one still streaming.
        _row(_at(10, 12, 5), "complete", ttft=100, duration=2100, tokens_in=1000, tokens_out=300),  # 150 tok/s
        _row(_at(10, 12, 10), "complete", ttft=250, duration=2250, tokens_in=1000, tokens_out=1000),  # 500 tok/s
        _row(_at(10, 12, 15), "complete", ttft=499, duration=2499, tokens_in=1000, tokens_out=600),  # 300 tok/s
        _row(_at(10, 12, 29), "streaming"),
        # 11:00 bucket: a failure before the first token, an interrupted stream, a stopped one.
        _row(_at(10, 11, 10), "failed", duration=500, tokens_in=800),
        _row(_at(10, 11, 20), "interrupted", ttft=1500, duration=3500, tokens_in=900, tokens_out=100),  # 50 tok/s
        _row(_at(10, 11, 30), "stopped", ttft=3000, duration=4000, tokens_in=1000, tokens_out=30),  # 30 tok/s
        # The first bucket starts exactly at the window's start: included.
        _row(_at(9, 13, 0), "rate_limited", "gpt-4o-2024-08-06"),
        # A model without a configured price.
        _row(_at(9, 14, 30), "complete", "local-llama", ttft=8000, duration=10000, tokens_in=500, tokens_out=1000),
        # Just before the day window (inside the week), and long ago (in no window).
        _row(_at(9, 12, 59, 59, 999999), "complete", "gpt-4o", ttft=50, duration=1050, tokens_in=10**6, tokens_out=10),
        _row(_at(1, 12, 0), "failed", tokens_in=10**6),
    ]


@pytest.fixture
def seeded(db_url: str) -> str:
    with new_session() as session:
        session.add_all(_seed())
        session.commit()
    return db_url


def test_day_window_figures(seeded: str) -> None:
    result = stats.window_stats("day", now=NOW, settings=get_settings())
    assert (result.start, result.end) == (_at(9, 13, 0), _at(10, 13, 0))
    assert len(result.buckets) == 24
    assert [b.label for b in result.buckets[:2]] == ["13:00", "14:00"] and result.buckets[-1].label == "12:00"

    assert result.outcomes == {
        "complete": 4, "stopped": 1, "interrupted": 1, "truncated": 0, "refused": 0, "failed": 1,
        "rate_limited": 1, "streaming": 1,
    }  # fmt: skip
    assert (result.generations, result.finished, result.errors) == (9, 8, 3)
    assert result.error_rate == pytest.approx(3 / 8)

    first, second, eleven, noon = result.buckets[0], result.buckets[1], result.buckets[22], result.buckets[23]
    assert first.counts["rate_limited"] == 1 and first.total == 1 and first.error_rate == 1.0
    assert first.tokens_per_s is None
    assert second.counts["complete"] == 1 and second.error_rate == 0.0 and second.tokens_per_s == pytest.approx(500)
    assert (eleven.counts["failed"], eleven.counts["interrupted"], eleven.counts["stopped"]) == (1, 1, 1)
    assert (eleven.finished, eleven.errors) == (3, 2) and eleven.error_rate == pytest.approx(2 / 3)
    assert eleven.tokens_per_s == pytest.approx(40)  # (50 + 30) / 2; the failure has no timings
    assert (noon.counts["complete"], noon.counts["streaming"], noon.finished, noon.errors) == (3, 1, 3, 0)
    assert noon.tokens_per_s == pytest.approx((150 + 500 + 300) / 3)
    empty = result.buckets[5]
    assert empty.total == 0 and empty.error_rate is None and empty.tokens_per_s is None
    assert sum(b.total for b in result.buckets) == 9

    # TTFTs 100, 250, 499, 1500, 3000, 8000 ms (lower bounds inclusive).
    assert result.ttft_histogram == [
        ("<250 ms", 1), ("250–500 ms", 2), ("0.5–1 s", 0), ("1–2 s", 1), ("2–5 s", 1), (">5 s", 1),
    ]  # fmt: skip
    # Nearest rank of 6 values: p50 is the 3rd, p90 and p99 the 6th.
    assert result.ttft_percentiles == {50: 499, 90: 8000, 99: 8000}

    # Tokens/s 150, 500, 300, 50, 30, 500.
    assert result.tps_histogram == [
        ("<10", 0), ("10–25", 0), ("25–50", 1), ("50–100", 1), ("100–200", 1), ("≥200", 3),
    ]  # fmt: skip
    assert result.tps_mean == pytest.approx(1530 / 6)

    models = {m.model: m for m in result.models}
    assert [m.model for m in result.models] == ["gpt-4.1-mini", "gpt-4o-2024-08-06", "local-llama"]
    mini = models["gpt-4.1-mini"]
    assert (mini.generations, mini.tokens_in, mini.tokens_out) == (7, 5700, 2030)
    assert mini.cost == pytest.approx((5700 * 0.40 + 2030 * 1.60) / 1e6)  # prices per million tokens
    assert models["gpt-4o-2024-08-06"].cost == 0.0  # dated variant priced as gpt-4o; no tokens
    assert models["local-llama"].cost is None and result.unpriced_models == ["local-llama"]
    assert (result.tokens_in, result.tokens_out) == (6200, 3030)
    assert result.cost == pytest.approx(0.005528)


def test_cost_is_estimated_on_the_sums_per_model(seeded: str, configure: Callable[..., Any]) -> None:
    settings = configure(PRICE_TABLE=json.dumps({"gpt-4.1-mini": [1, 2], "local-llama": [0.5, 0.5]}))
    result = stats.window_stats("day", now=NOW, settings=settings)
    costs = {m.model: m.cost for m in result.models}
    assert costs["gpt-4.1-mini"] == pytest.approx((5700 * 1 + 2030 * 2) / 1e6)
    assert costs["local-llama"] == pytest.approx(1500 * 0.5 / 1e6)
    assert costs["gpt-4o-2024-08-06"] is None  # no longer in the table
    assert result.cost == pytest.approx((5700 + 4060 + 750) / 1e6)


def test_hour_and_week_windows(seeded: str) -> None:
    hour = stats.window_stats("hour", now=NOW)
    assert (hour.start, hour.end) == (_at(10, 11, 35), _at(10, 12, 35))
    labels = [f"11:{m:02d}" for m in range(35, 60, 5)] + [f"12:{m:02d}" for m in range(0, 35, 5)]
    assert [b.label for b in hour.buckets] == labels
    assert [b.total for b in hour.buckets] == [0] * 6 + [1, 1, 1, 0, 1, 0]  # 12:05, 12:10, 12:15, 12:29
    assert hour.generations == 4 and hour.error_rate == 0.0
    assert hour.ttft_percentiles == {50: 250, 90: 499, 99: 499}

    week = stats.window_stats("week", now=NOW)
    assert (week.start, week.end) == (_at(3, 18, 0), _at(10, 18, 0))
    assert len(week.buckets) == 28 and week.buckets[0].label == "Mon 18:00"
    assert week.generations == 10  # everything but the row of 1 March
    assert week.buckets[-1].total == 4 and week.buckets[-2].total == 3  # 12:00-18:00 and 06:00-12:00 on the 10th
    assert week.ttft_percentiles == {50: 499, 90: 8000, 99: 8000}  # ranks 4, 7, 7 of 50 100 250 499 1500 3000 8000

    with pytest.raises(ValueError):
        stats.window_stats("month", now=NOW)


def test_an_empty_table(db_url: str) -> None:
    result = stats.window_stats("week", now=NOW)
    assert result.generations == 0 and result.error_rate is None and result.models == []
    assert result.ttft_percentiles == {50: None, 90: None, 99: None} and result.tps_mean is None
    assert all(n == 0 for _, n in result.ttft_histogram) and len(result.buckets) == 28
    assert result.cost == 0


# --- 100 000 generations -----------------------------------------------------------------------

BULK = 100_000
BULK_NOW = datetime(2025, 6, 16, 9, 41, tzinfo=timezone.utc)
#: Spread over ten days before BULK_NOW: the week window holds about 70 % of them, the hour about 0.4 %.
BULK_SPAN_S = 10 * 24 * 3600
COLUMNS = (
    "created_at", "session_hash", "owner_key", "request_json", "model", "response_format", "status", "error_type",
    "attempts", "ttft_ms", "duration_ms", "prompt_tokens", "completion_tokens", "updates_sent", "recipe_json",
)  # fmt: skip
MODELS = ("gpt-4.1-mini", "gpt-4.1", "gpt-4o-mini", "demo-chef", "local-llama")
REQUEST = json.dumps({"ingredients": ["chickpeas", "spinach", "coconut milk"], "diet": "vegan", "servings": 4})
RECIPE = json.dumps({"name": "Bulk curry", "recipeIngredient": ["x"] * 40})  # ~300 bytes: rows are not tiny


def _bulk_rows(text_stamps: bool) -> list[tuple]:
    """Rows in the order the app writes them (ids grow with created_at), varied statuses, timings, models."""
    rows = []
    for n in sorted(range(BULK), key=lambda n: -((n * 7919) % BULK_SPAN_S)):
        when = BULK_NOW - timedelta(seconds=(n * 7919) % BULK_SPAN_S)
        status = stats.OUTCOMES[n % 23 % len(stats.OUTCOMES)]
        ttft = None if status in ("failed", "rate_limited", "streaming") else 80 + (n * 37) % 6000
        duration = None if ttft is None else ttft + 500 + (n * 13) % 9000
        stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f") if text_stamps else when
        rows.append((
            stamp, "s" * 32, "o" * 64, REQUEST, MODELS[n % len(MODELS)], "json_schema", status, "",
            1, ttft, duration, 300 + n % 700, 0 if ttft is None else 200 + n % 1500, 20, RECIPE,
        ))  # fmt: skip
    return rows


def _bulk_insert() -> None:
    with get_engine().begin() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY generation ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in _bulk_rows(text_stamps=False):
                    copy.write_row(row)
            cursor.execute("ANALYZE generation")  # what autovacuum does after a bulk load
        else:
            sql = f"INSERT INTO generation ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            cursor.executemany(sql, _bulk_rows(text_stamps=True))
        cursor.close()


QUERIES: dict[str, Callable[[Connection, str, datetime, datetime], Any]] = {
    "outcomes_over_time": lambda conn, window, start, end: stats.outcomes_over_time(conn, window, start, end),
    "ttft_histogram": lambda conn, window, start, end: stats.ttft_histogram(conn, start, end),
    "ttft_percentiles": lambda conn, window, start, end: stats.ttft_percentiles(conn, start, end),
    "tokens_per_second": lambda conn, window, start, end: stats.tokens_per_second(conn, start, end),
    "cost_by_model": lambda conn, window, start, end: stats.cost_by_model(conn, start, end, get_settings()),
}


def _plan(conn: Connection, statement: str, parameters: Any) -> str:
    if conn.dialect.name == "sqlite":
        return "\n".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
    return "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))


def _check_queries(conn: Connection, label: str, report: Callable[[str], None]) -> None:
    dialect = conn.dialect.name
    for window in stats.WINDOWS:
        start, end, _ = stats.window_bounds(window, BULK_NOW)
        for name, query in QUERIES.items():
            seen: list[tuple[str, Any]] = []

            def record(_c: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
                seen.append((statement, parameters))

            event.listen(conn, "before_cursor_execute", record)
            try:
                started = time.perf_counter()
                query(conn, window, start, end)
                elapsed = time.perf_counter() - started
            finally:
                event.remove(conn, "before_cursor_execute", record)
            started = time.perf_counter()  # the better of two runs: a busy test machine adds noise
            query(conn, window, start, end)
            elapsed = min(elapsed, time.perf_counter() - started)
            assert len(seen) == 1, seen  # one statement per figure
            plan = _plan(conn, *seen[0])
            report(f"[{dialect}{label}] {window:4} {name:18} {elapsed * 1000:6.1f} ms | " + plan.replace("\n", " / "))
            assert elapsed < 0.5, f"{name} over a {window} took {elapsed:.2f}s"
            if dialect == "sqlite":
                assert "USING INDEX ix_generation_created_at (created_at>? AND created_at<?)" in plan or (
                    "USING COVERING INDEX" in plan and "(created_at>? AND created_at<?)" in plan
                ), plan
                assert "SCAN generation" not in plan, plan
            elif window == "hour":  # PostgreSQL rightly scans the table when most rows match
                assert "ix_generation_created_at" in plan and "Seq Scan" not in plan, plan


def test_100k_generations_stay_fast_and_use_the_created_at_index(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def report(line: str) -> None:
        with capsys.disabled():
            print(line)

    started = time.perf_counter()
    _bulk_insert()
    report(f"\nbulk-loaded {BULK} generations in {time.perf_counter() - started:.2f}s")

    with get_engine().connect() as conn:
        _check_queries(conn, "", report)
        if conn.dialect.name == "sqlite":  # with statistics, the plans must hold too
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
            _check_queries(conn, ", analyzed", report)

    result = stats.window_stats("week", now=BULK_NOW)
    start, end, _ = stats.window_bounds("week", BULK_NOW)
    in_week = sum(1 for n in range(BULK) if start <= BULK_NOW - timedelta(seconds=(n * 7919) % BULK_SPAN_S) < end)
    assert result.generations == in_week and 60_000 < in_week < 80_000
    assert sum(n for _, n in result.ttft_histogram) == sum(b.total for b in result.buckets) - sum(
        b.counts["failed"] + b.counts["rate_limited"] + b.counts["streaming"] for b in result.buckets
    )
