"""State of the operator's statistics page (`/stats`).

Hidden unless ``ADMIN_TOKEN`` is set: then the operator opens ``/stats?token=...`` once and the tab
stays authorised (a backend-only var, never sent to the browser) until the token changes. Anything
else (no token configured, a wrong or missing token) shows the same bare "Not found", with no hint.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from typing import Any

import reflex as rx

from recipe_app.db import stats
from recipe_app.core.pricing import format_cost
from recipe_app.core.settings import get_settings

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


def _configured_token() -> str | None:
    """The admin token, or None when /stats is hidden (unset or blank)."""
    token = get_settings().admin_token
    value = token.get_secret_value().strip() if token is not None else ""
    return value or None


def _fingerprint(token: str) -> str:
    """Remembered instead of the token itself: a rotated ADMIN_TOKEN ends every authorised tab."""
    return hashlib.sha256(b"recipe-studio-stats:" + token.encode()).hexdigest()


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

    #: "pending" until the first load, then "granted" or "denied" (the page shows only Not found).
    access: str = "pending"
    window: str = DEFAULT_WINDOW
    summary: list[dict[str, str]] = []
    outcomes: list[dict[str, Any]] = []
    error_rates: list[dict[str, Any]] = []
    ttft: list[dict[str, Any]] = []
    tps_over_time: list[dict[str, Any]] = []
    tps_histogram: list[dict[str, Any]] = []
    costs: list[dict[str, str]] = []
    ttft_p90: str = "—"
    period: str = ""

    #: Backend only: this tab supplied the right token, and which token that was (a fingerprint).
    _authorised: bool = False
    _authorised_for: str = ""

    def _check_access(self) -> bool:
        """Decide from the configured token, a ``?token=`` on this load, and what the tab proved before."""
        expected = _configured_token()
        if expected is None:
            self._authorised, self._authorised_for = False, ""
            return False
        supplied = self.router.url.query_parameters.get("token")
        if supplied is not None:
            self._authorised = secrets.compare_digest(supplied.encode(), expected.encode())
            self._authorised_for = _fingerprint(expected) if self._authorised else ""
        elif self._authorised and not secrets.compare_digest(self._authorised_for, _fingerprint(expected)):
            self._authorised, self._authorised_for = False, ""  # ADMIN_TOKEN was changed since
        return self._authorised

    def _deny(self) -> None:
        self.access = "denied"
        self.summary, self.outcomes, self.error_rates, self.ttft = [], [], [], []
        self.tps_over_time, self.tps_histogram, self.costs = [], [], []
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
        minutes = int(stats.WINDOWS[self.window].step.total_seconds() // 60)
        step = f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"
        self.period = f"{result.start:%d %b %H:%M} – {result.end:%d %b %H:%M} UTC · one bar per {step}"

    @rx.event
    async def load(self) -> Any:
        """On page load: check access, then fetch the figures (a ``?token=`` is dropped from the URL)."""
        if not self._check_access():
            self._deny()
            return None
        self.access = "granted"
        await self._refresh()
        if "token" in self.router.url.query_parameters:
            return rx.redirect("/stats", replace=True)  # not left in the address bar or history
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
