"""State of the operator's statistics page (`/stats`).

Hidden unless ``ADMIN_TOKEN`` is set (a bare "Not found"). Then the page shows a sign-in form that
posts the token to the backend (web/admin.py), which answers with an HttpOnly session cookie; the
browser sends that cookie with the page's websocket, and this state checks it on every event. The
token never appears in a URL, in the state or in anything sent to the browser.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from recipe_app.db import stats
from recipe_app.core.pricing import format_cost
from recipe_app.core.settings import get_settings
from recipe_app.web import admin

WINDOWS = tuple(stats.WINDOWS)
DEFAULT_WINDOW = "day"

#: Colours of the outcomes in the stacked chart (Radix colour scales).
OUTCOME_COLOURS = {
    "complete": "var(--grass-9)",
    "stopped": "var(--gray-8)",
    "interrupted": "var(--orange-9)",
    "truncated": "var(--amber-9)",
    "refused": "var(--purple-9)",
    "failed": "var(--red-9)",
    "rate_limited": "var(--blue-9)",
    "streaming": "var(--cyan-8)",
}


def _ms(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value} ms" if value < 1000 else f"{value / 1000:.2f} s"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _usd(value: float | None) -> str:
    if value is None:
        return "no price"
    return f"${value:,.2f}" if value >= 1 else format_cost(value)


def summary_view(result: stats.WindowStats) -> list[dict[str, str]]:
    """The numbers at a glance, in display order."""
    cost = _usd(result.cost)
    if result.unpriced_models:
        cost += f" (+{len(result.unpriced_models)} unpriced)"
    return [
        {"key": "generations", "label": "Generations", "value": f"{result.generations:,}"},
        {"key": "error_rate", "label": "Error rate", "value": _percent(result.error_rate)},
        {"key": "ttft_p50", "label": "TTFT p50", "value": _ms(result.ttft_percentiles[50])},
        {"key": "ttft_p99", "label": "TTFT p99", "value": _ms(result.ttft_percentiles[99])},
        {
            "key": "tokens_per_s",
            "label": "Tokens/s (mean)",
            "value": "—" if result.tps_mean is None else f"{result.tps_mean:.0f}",
        },
        {"key": "tokens_in", "label": "Tokens in", "value": f"{result.tokens_in:,}"},
        {"key": "tokens_out", "label": "Tokens out", "value": f"{result.tokens_out:,}"},
        {"key": "cost", "label": "Estimated cost", "value": cost},
    ]


class StatsState(rx.State):
    """Figures of one window for an authorised operator; nothing at all for anyone else."""

    #: "pending" until the first load, then "granted", "sign_in" (ADMIN_TOKEN set, no session) or
    #: "denied" (no ADMIN_TOKEN: the page shows only Not found).
    access: str = "pending"
    #: The last sign-in was refused (the form says so).
    sign_in_failed: bool = False
    window: str = DEFAULT_WINDOW
    summary: list[dict[str, str]] = []
    outcomes: list[dict[str, Any]] = []
    error_rates: list[dict[str, Any]] = []
    ttft: list[dict[str, Any]] = []
    tps_over_time: list[dict[str, Any]] = []
    tps_histogram: list[dict[str, Any]] = []
    costs: list[dict[str, str]] = []
    kinds: list[dict[str, str]] = []  # generations by kind in the window
    ttft_p90: str = "—"
    period: str = ""

    def _check_access(self) -> bool:
        """The operator's session cookie, sent with this tab's websocket, is valid now."""
        return admin.session_from_cookie_header(self.router.headers.cookie)

    def _deny(self) -> None:
        self.access = "denied" if admin.configured_token() is None else "sign_in"
        self.summary, self.outcomes, self.error_rates, self.ttft = [], [], [], []
        self.tps_over_time, self.tps_histogram, self.costs, self.kinds = [], [], [], []
        self.ttft_p90, self.period = "—", ""

    async def _refresh(self) -> None:
        result = await asyncio.to_thread(stats.window_stats, self.window, settings=get_settings())
        self.summary = summary_view(result)
        self.ttft_p90 = _ms(result.ttft_percentiles[90])
        self.outcomes = [{"label": b.label, **b.counts} for b in result.buckets]
        self.error_rates = [
            {"label": b.label, "error_rate": None if b.error_rate is None else round(b.error_rate * 100, 1)}
            for b in result.buckets
        ]
        self.ttft = [{"label": label, "count": n} for label, n in result.ttft_histogram]
        self.tps_over_time = [
            {"label": b.label, "tokens_per_s": None if b.tokens_per_s is None else round(b.tokens_per_s, 1)}
            for b in result.buckets
        ]
        self.tps_histogram = [{"label": label, "count": n} for label, n in result.tps_histogram]
        self.costs = [
            {
                "model": m.model or "(none)",
                "generations": f"{m.generations:,}",
                "tokens_in": f"{m.tokens_in:,}",
                "tokens_out": f"{m.tokens_out:,}",
                "cost": _usd(m.cost),
            }
            for m in result.models
        ]
        self.kinds = [{"kind": kind, "count": f"{n:,}"} for kind, n in result.kinds.items()]
        minutes = int(stats.WINDOWS[self.window].step.total_seconds() // 60)
        step = f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"
        self.period = f"{result.start:%d %b %H:%M} – {result.end:%d %b %H:%M} UTC · one bar per {step}"

    @rx.event
    async def load(self) -> Any:
        """On page load: check the session, then fetch the figures (or show the sign-in form)."""
        query = self.router.url.query_parameters
        self.sign_in_failed = query.get("signin") == "failed"
        if not self._check_access():
            self._deny()
            if "token" in query:  # an old bookmark: the token is not accepted in the URL any more
                return rx.redirect("/stats", replace=True)
            return None
        self.access, self.sign_in_failed = "granted", False
        await self._refresh()
        return None

    @rx.event
    async def set_window(self, value: str) -> None:
        """Show the last hour, day or week."""
        if not self._check_access():
            self._deny()
            return
        self.window = value if value in WINDOWS else DEFAULT_WINDOW
        await self._refresh()

    @rx.event
    async def refresh(self) -> None:
        """Fetch the figures again."""
        if not self._check_access():
            self._deny()
            return
        await self._refresh()
