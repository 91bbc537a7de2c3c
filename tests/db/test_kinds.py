"""Generations by kind: recorded on the row, counted in /stats (SQLite and PostgreSQL) and /metrics."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prometheus_client import generate_latest

from recipe_app.core import metrics
from recipe_app.db import generations, stats
from recipe_app.db.models import Generation
from recipe_app.db.session import new_session

NOW = datetime(2025, 3, 10, 12, 30, tzinfo=timezone.utc)


def test_stats_count_generations_by_kind(db_url: str) -> None:
    kinds = ["recipe", "recipe", "question", "question", "question", "swap", "version", "image"]
    with new_session() as session:
        session.add_all(Generation(created_at=NOW - timedelta(minutes=n + 1), status="complete", kind=k) for n, k in enumerate(kinds))
        session.add(Generation(created_at=NOW - timedelta(days=3), status="complete", kind="swap"))  # outside the day
        session.commit()
    day = stats.window_stats("day", now=NOW)
    assert day.kinds == {"question": 3, "recipe": 2, "image": 1, "swap": 1, "version": 1}
    assert stats.window_stats("week", now=NOW).kinds["swap"] == 2


def test_a_started_generation_records_its_kind_and_defaults_to_recipe(db_url: str) -> None:
    asked = generations.start_generation("tab", "{}", "gpt-test", kind="question")
    plain = generations.start_generation("tab", "{}", "gpt-test")
    with new_session() as session:
        assert (session.get(Generation, asked).kind, session.get(Generation, plain).kind) == ("question", "recipe")


def test_metrics_count_generations_by_kind() -> None:
    metrics.GENERATIONS_BY_KIND.labels("swap", "complete").inc()
    text = generate_latest().decode()
    assert 'recipe_generations_by_kind_total{kind="swap",outcome="complete"}' in text
