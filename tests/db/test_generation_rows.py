"""A generation's row from start to outcome, as the streaming worker writes it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone

from recipe_app.db import generations
from recipe_app.db.models import Generation
from recipe_app.db.session import new_session


def test_a_generation_row_is_started_then_finished_with_its_outcome(db_url: str) -> None:
    before = datetime.now(timezone.utc)
    first = generations.start_generation("tab-a", '{"ingredients": ["rice"]}', "gpt-test", owner_id="owner-1")
    second = generations.start_generation("tab-b", "{}", "gpt-test")
    assert second > first  # each start returns its own new id
    assert generations.unfinished_for_tab("tab-a").id == first

    generations.finish_generation(
        first, status="complete", response_format="json_object", ttft_ms=250, duration_ms=12_000,
        prompt_tokens=512, completion_tokens=707, tokens_estimated=True, updates_sent=183, attempts=2,
        recipe_json='{"name": "Rice"}',
    )
    with new_session() as session:
        row, other = session.get(Generation, first), session.get(Generation, second)
    assert (row.status, row.response_format, row.ttft_ms, row.duration_ms) == ("complete", "json_object", 250, 12_000)
    assert (row.prompt_tokens, row.completion_tokens, row.tokens_estimated) == (512, 707, True)
    assert (row.updates_sent, row.attempts, row.recipe_json, row.kind) == (183, 2, '{"name": "Rice"}', "recipe")
    assert row.owner_key and row.session_hash == generations.session_hash("tab-a")
    finished = row.finished_at if row.finished_at.tzinfo else row.finished_at.replace(tzinfo=timezone.utc)
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=timezone.utc)
    assert before <= created <= finished
    assert generations.unfinished_for_tab("tab-a") is None  # the reload of that tab finds nothing to recover
    assert (other.status, other.finished_at) == ("streaming", None)  # the other row is untouched
    # An outcome recorded after the fact keeps the first one (a worker that finished after all).
    assert generations.interrupt_unfinished(first, "WorkerLost") == '{"name": "Rice"}'
    with new_session() as session:
        assert session.get(Generation, first).status == "complete"


def test_finishing_a_row_that_is_gone_changes_nothing(db_url: str) -> None:
    generations.finish_generation(987_654, status="complete")  # no row, no error
    with new_session() as session:
        assert session.get(Generation, 987_654) is None
