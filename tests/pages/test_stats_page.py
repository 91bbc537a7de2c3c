"""The operator's /stats page at state level: hidden, refused, or showing the figures."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from reflex_base.constants import RouteVar
from reflex_base.event import Event
from reflex_base.utils.format import format_event_handler

from recipe_app.db.models import Generation
from recipe_app.db.session import new_session
from recipe_app.pages.stats import StatsState
from recipe_app.web import admin
from tests.pages.harness import Browser, DeltaRecorder, make_processor

TOKEN = "op-7Hq2-stats-token-k9"
STATE = StatsState.get_full_name()


class OperatorTab(Browser):
    """A tab whose websocket carries a ``Cookie:`` header (what the browser sends on connect)."""

    cookie = ""

    async def send(self, handler: Any, *, url: str = "/", **payload: Any) -> Any:
        event = Event(
            name=format_event_handler(handler),
            payload=payload,
            router_data={
                RouteVar.PATH: url.split("?", 1)[0],
                RouteVar.ORIGIN: url,
                RouteVar.QUERY: dict(p.split("=", 1) for p in url.partition("?")[2].split("&") if "=" in p),
                RouteVar.CLIENT_TOKEN: self.token,
                RouteVar.HEADERS: {"cookie": self.cookie} if self.cookie else {},
            },
        )
        return await self.processor.enqueue(self.token, event)


@pytest.fixture
async def tabs(database: str) -> AsyncIterator[tuple[OperatorTab, OperatorTab, DeltaRecorder]]:
    """Two tabs on a fresh database, and the deltas they were sent."""
    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        yield OperatorTab(processor, token="tab-a"), OperatorTab(processor, token="tab-b"), recorder


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


async def _assert_no_figures(tab: Browser, access: str) -> None:
    state = await tab.state(StatsState)
    assert state.access == access
    assert state.summary == [] and state.outcomes == [] and state.costs == [] and state.ttft == []


async def test_not_found_without_an_admin_token(
    tabs: tuple[OperatorTab, OperatorTab, DeltaRecorder], configure: Callable[..., Any]
) -> None:
    tab, _, recorder = tabs
    configure(ADMIN_TOKEN="")  # blank is unset
    _seed()
    tab.cookie = f"{admin.COOKIE}=1.x"
    for url in ("/stats", "/stats?token=anything"):
        await (await tab.send(StatsState.load, url=url))
        await _assert_no_figures(tab, "denied")
    await (await tab.send(StatsState.set_window, url="/stats", value="week"))
    await (await tab.send(StatsState.refresh, url="/stats"))
    await _assert_no_figures(tab, "denied")
    assert "generations" not in _sent(recorder)


async def test_without_a_session_the_page_asks_to_sign_in_and_a_token_in_the_url_opens_nothing(
    tabs: tuple[OperatorTab, OperatorTab, DeltaRecorder], configure: Callable[..., Any]
) -> None:
    tab, _, recorder = tabs
    configure(ADMIN_TOKEN=TOKEN)
    _seed()
    forged = f"{admin.COOKIE}=9999999999.{'0' * 64}"
    expired = f"{admin.COOKIE}={admin.session_value(TOKEN, now=0)}"
    for cookie in ("", forged, expired, f"{admin.COOKIE}={TOKEN}", "garbage;;=="):
        tab.cookie = cookie
        for url in ("/stats", f"/stats?token={TOKEN}"):  # the old way no longer opens the page
            await (await tab.send(StatsState.load, url=url))
            await _assert_no_figures(tab, "sign_in")
    await (await tab.send(StatsState.load, url="/stats?signin=failed"))
    assert (await tab.state(StatsState)).sign_in_failed
    await (await tab.send(StatsState.set_window, url="/stats", value="hour"))
    await _assert_no_figures(tab, "sign_in")
    sent = _sent(recorder)
    assert "generations" not in sent and TOKEN not in sent


async def test_a_signed_session_shows_the_figures_until_it_expires_or_the_token_changes(
    tabs: tuple[OperatorTab, OperatorTab, DeltaRecorder], configure: Callable[..., Any]
) -> None:
    tab, other_tab, recorder = tabs
    configure(ADMIN_TOKEN=TOKEN)
    _seed()
    tab.cookie = f"theme=dark; {admin.COOKIE}={admin.session_value(TOKEN)}"
    await (await tab.send(StatsState.load, url="/stats"))
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

    await (await tab.send(StatsState.set_window, url="/stats", value="hour"))
    state = await tab.state(StatsState)
    assert state.window == "hour" and len(state.outcomes) == 12 and _figures(state)["generations"] == "3"
    assert "one bar per 5 min" in state.period
    await (await tab.send(StatsState.set_window, url="/stats", value="year"))  # not a window: the default
    assert (await tab.state(StatsState)).window == "day"

    # Another tab without the cookie has proved nothing; neither token nor cookie reached a browser.
    await (await other_tab.send(StatsState.load, url="/stats"))
    await _assert_no_figures(other_tab, "sign_in")
    sent = _sent(recorder)
    assert '"generations": "3"' in sent and TOKEN not in sent and admin.COOKIE not in sent

    # A rotated ADMIN_TOKEN signs every operator out, at their next event.
    configure(ADMIN_TOKEN="rotated-token-2")
    await (await tab.send(StatsState.refresh, url="/stats"))
    await _assert_no_figures(tab, "sign_in")


def test_a_session_expires_after_its_lifetime(configure: Callable[..., Any]) -> None:
    configure(ADMIN_TOKEN=TOKEN)
    value = admin.session_value(TOKEN, now=1_000_000)
    assert admin.valid_session(value, now=1_000_000 + admin.SESSION_S - 1)
    assert not admin.valid_session(value, now=1_000_000 + admin.SESSION_S + 1)
    expires, _, signature = value.partition(".")
    assert not admin.valid_session(f"{int(expires) + 3600}.{signature}", now=1_000_000)  # extended by hand
