"""The operator's /stats page at state level: hidden, refused, or showing the figures."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from recipe_app.db.models import Generation
from recipe_app.db.session import new_session
from recipe_app.pages.stats import StatsState
from tests.pages.harness import Browser, DeltaRecorder, make_processor

TOKEN = "op-7Hq2-stats-token-k9"
STATE = StatsState.get_full_name()


@pytest.fixture
async def tabs(database: str) -> AsyncIterator[tuple[Browser, Browser, DeltaRecorder]]:
    """Two tabs on a fresh database, and the deltas they were sent."""
    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        yield Browser(processor, token="tab-a"), Browser(processor, token="tab-b"), recorder


def _seed() -> None:
    now = datetime.now(timezone.utc) - timedelta(minutes=2)
    rows = [
        Generation(created_at=now, status="complete", model="gpt-4.1-mini", ttft_ms=400, duration_ms=2400,
                   prompt_tokens=1000, completion_tokens=800),  # 400 tokens/s
        Generation(created_at=now, status="complete", model="gpt-4.1-mini", ttft_ms=600, duration_ms=2600,
                   prompt_tokens=1000, completion_tokens=400),  # 200 tokens/s
        Generation(created_at=now, status="failed", model="gpt-4.1-mini", error_type="UpstreamUnavailable",
                   prompt_tokens=500),
    ]  # fmt: skip
    with new_session() as session:
        session.add_all(rows)
        session.commit()


def _figures(state: Any) -> dict[str, str]:
    return {item["key"]: item["value"] for item in state.summary}


def _sent(recorder: DeltaRecorder) -> str:
    """What the stats state sent to the browsers (the router echoes the tab's own URL elsewhere)."""
    return json.dumps(DeltaRecorder.values_of(recorder.updates, STATE), default=str)


async def _assert_not_found(tab: Browser) -> None:
    state = await tab.state(StatsState)
    assert state.access == "denied"
    assert state.summary == [] and state.outcomes == [] and state.costs == [] and state.ttft == []


async def test_hidden_without_an_admin_token(
    tabs: tuple[Browser, Browser, DeltaRecorder], configure: Callable[..., Any]
) -> None:
    tab, _, recorder = tabs
    configure(ADMIN_TOKEN="")  # blank is unset
    _seed()
    for url in ("/stats", "/stats?token=", "/stats?token=anything"):
        await (await tab.send(StatsState.load, url=url))
        await _assert_not_found(tab)
    await (await tab.send(StatsState.set_window, url="/stats", value="week"))
    await (await tab.send(StatsState.refresh, url="/stats"))
    await _assert_not_found(tab)
    assert "generations" not in _sent(recorder)


async def test_a_wrong_or_missing_token_gets_not_found(
    tabs: tuple[Browser, Browser, DeltaRecorder], configure: Callable[..., Any]
) -> None:
    tab, _, recorder = tabs
    configure(ADMIN_TOKEN=TOKEN)
    _seed()
    for url in ("/stats", f"/stats?token={TOKEN[:-1]}", f"/stats?token={TOKEN}x", "/stats?token=", "/stats"):
        await (await tab.send(StatsState.load, url=url))
        await _assert_not_found(tab)
    await (await tab.send(StatsState.set_window, url="/stats", value="hour"))
    await _assert_not_found(tab)
    sent = _sent(recorder)
    assert "generations" not in sent and "authorised" not in sent and TOKEN not in sent


async def test_the_right_token_shows_the_figures_and_is_remembered_for_the_tab(
    tabs: tuple[Browser, Browser, DeltaRecorder], configure: Callable[..., Any]
) -> None:
    tab, other_tab, recorder = tabs
    configure(ADMIN_TOKEN=TOKEN)
    _seed()
    await (await tab.send(StatsState.load, url=f"/stats?token={TOKEN}"))
    state = await tab.state(StatsState)
    assert state.access == "granted" and state.window == "day"
    assert _figures(state) == {
        "generations": "3",
        "error_rate": "33.3 %",
        "ttft_p50": "400 ms",
        "ttft_p99": "600 ms",
        "tokens_per_s": "300",
        "tokens_in": "2,500",
        "tokens_out": "1,200",
        "cost": "$0.0029",  # (2500 x 0.40 + 1200 x 1.60) / 1e6
    }
    assert state.ttft_p90 == "600 ms"
    assert len(state.outcomes) == 24 and sum(b["complete"] for b in state.outcomes) == 2
    assert sum(b["failed"] for b in state.outcomes) == 1
    assert [r for r in state.error_rates if r["error_rate"] is not None][-1]["error_rate"] == 33.3
    assert {b["label"]: b["count"] for b in state.ttft}["250–500 ms"] == 1
    assert {b["label"]: b["count"] for b in state.tps_histogram}["≥200"] == 2
    assert state.costs == [
        {"model": "gpt-4.1-mini", "generations": "3", "tokens_in": "2,500", "tokens_out": "1,200", "cost": "$0.0029"}
    ]
    assert "UTC" in state.period

    # The redirect drops the token from the URL; the tab is still authorised.
    await (await tab.send(StatsState.load, url="/stats"))
    assert (await tab.state(StatsState)).access == "granted"
    await (await tab.send(StatsState.set_window, url="/stats", value="hour"))
    state = await tab.state(StatsState)
    assert state.window == "hour" and len(state.outcomes) == 12 and _figures(state)["generations"] == "3"
    assert "one bar per 5 min" in state.period
    await (await tab.send(StatsState.set_window, url="/stats", value="year"))  # not a window: the default
    assert (await tab.state(StatsState)).window == "day"

    # Another tab has proved nothing; neither the token nor the backend flag ever reached a browser.
    await (await other_tab.send(StatsState.load, url="/stats"))
    await _assert_not_found(other_tab)
    sent = _sent(recorder)
    assert '"generations": "3"' in sent and TOKEN not in sent and "authorised" not in sent

    # A wrong token later, or a changed ADMIN_TOKEN, ends the tab's access.
    await (await tab.send(StatsState.load, url="/stats?token=guess"))
    await _assert_not_found(tab)
    await (await tab.send(StatsState.load, url=f"/stats?token={TOKEN}"))
    assert (await tab.state(StatsState)).access == "granted"
    configure(ADMIN_TOKEN="rotated-token-2")
    await (await tab.send(StatsState.load, url="/stats"))
    await _assert_not_found(tab)
