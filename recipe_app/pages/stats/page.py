"""Operator statistics (`/stats`): outcomes, errors, time to first token, tokens/s and cost."""

from __future__ import annotations

import reflex as rx
from reflex_base.constants import Dirs
from reflex_base.vars import VarData
from reflex_base.utils.imports import ImportVar
from reflex_components_core.el.elements.base import BaseHTML

from recipe_app.components.layout import page_shell
from recipe_app.db.stats import OUTCOMES
from recipe_app.web.admin import MAX_TOKEN_CHARS, SIGN_IN_PATH, SIGN_OUT_PATH
from recipe_app.pages.stats.state import OUTCOME_COLOURS, WINDOWS
from recipe_app.pages.stats.state import StatsState as S

_CHART_HEIGHT = 260


class _PostForm(BaseHTML):
    """A plain HTML form the browser submits itself (rx.el.form always prevents that): the answer
    of the backend sets an HttpOnly cookie, which no script may do."""

    tag = "form"
    action: rx.Var[str]
    method: rx.Var[str]


def _backend(path: str) -> rx.Var:
    """``path`` on the backend, as the page's own scripts reach it (another port in development)."""
    return rx.Var(
        _js_expr=f'new URL("{path}", getBackendURL(env.PING)).href',
        _var_data=VarData(
            imports={f"$/{Dirs.STATE_PATH}": "getBackendURL", "$/env.json": ImportVar(tag="env", is_default=True)}
        ),
    ).to(str)


def _figure(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.text(item["label"], size="2", color_scheme="gray"),
        rx.text(item["value"], size="6", weight="bold"),
        id="stat-" + item["key"].to(str),
        min_width="10em",
    )


def _panel(title: str, ident: str, chart: rx.Component, note: rx.Component | str | None = None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4"),
            rx.text(note, size="2", color_scheme="gray") if isinstance(note, str) else (note or rx.fragment()),
            chart,
            spacing="2",
            width="100%",
        ),
        id=ident,
        width="100%",
    )


def _axes(y_unit: str = "") -> list[rx.Component]:
    return [
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="label"),
        rx.recharts.y_axis(unit=y_unit) if y_unit else rx.recharts.y_axis(),
        rx.recharts.graphing_tooltip(),
    ]


def _outcomes_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        *_axes(),
        rx.recharts.legend(),
        *(
            rx.recharts.bar(data_key=name, stack_id="outcomes", fill=OUTCOME_COLOURS[name], name=name)
            for name in OUTCOMES
        ),
        data=S.outcomes,
        height=_CHART_HEIGHT,
        width="100%",
    )


def _errors_chart() -> rx.Component:
    return rx.recharts.line_chart(
        *_axes(" %"),
        rx.recharts.line(data_key="error_rate", name="error rate", stroke="var(--red-9)", connect_nulls=False),
        data=S.error_rates,
        height=_CHART_HEIGHT,
        width="100%",
    )


def _ttft_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        *_axes(),
        rx.recharts.bar(data_key="count", name="generations", fill="var(--accent-9)"),
        data=S.ttft,
        height=_CHART_HEIGHT,
        width="100%",
    )


def _tps_charts() -> rx.Component:
    return rx.flex(
        rx.box(
            rx.recharts.area_chart(
                *_axes(),
                rx.recharts.area(
                    data_key="tokens_per_s",
                    name="mean tokens/s",
                    stroke="var(--grass-9)",
                    fill="var(--grass-5)",
                    connect_nulls=False,
                ),
                data=S.tps_over_time,
                height=_CHART_HEIGHT,
                width="100%",
            ),
            flex="2",
            min_width="18em",
        ),
        rx.box(
            rx.recharts.bar_chart(
                *_axes(),
                rx.recharts.bar(data_key="count", name="generations", fill="var(--grass-9)"),
                data=S.tps_histogram,
                height=_CHART_HEIGHT,
                width="100%",
            ),
            flex="1",
            min_width="14em",
            id="chart-tps-histogram",
        ),
        spacing="4",
        wrap="wrap",
        width="100%",
    )


def _cost_table() -> rx.Component:
    headers = ("Model", "Generations", "Tokens in", "Tokens out", "Estimated cost")
    return rx.table.root(
        rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in headers))),
        rx.table.body(
            rx.foreach(
                S.costs,
                lambda row: rx.table.row(
                    rx.table.row_header_cell(row["model"]),
                    rx.table.cell(row["generations"]),
                    rx.table.cell(row["tokens_in"]),
                    rx.table.cell(row["tokens_out"]),
                    rx.table.cell(row["cost"]),
                    class_name="cost-row",
                ),
            ),
        ),
        width="100%",
        variant="surface",
    )


def _dashboard() -> rx.Component:
    return page_shell(
        rx.hstack(
            rx.heading("Stats", size="6"),
            rx.spacer(),
            rx.select(list(WINDOWS), value=S.window, on_change=S.set_window, id="stats-window"),
            rx.button("Refresh", on_click=S.refresh, variant="soft", id="stats-refresh"),
            _PostForm.create(
                rx.button("Sign out", type="submit", variant="outline", id="stats-sign-out"),
                action=_backend(SIGN_OUT_PATH),
                method="post",
            ),
            width="100%",
            align="center",
        ),
        rx.text(S.period, size="2", color_scheme="gray", id="stats-period"),
        rx.flex(rx.foreach(S.summary, _figure), spacing="3", wrap="wrap", width="100%", id="stats-summary"),
        rx.flex(
            rx.foreach(S.kinds, lambda k: rx.badge(k["kind"], ": ", k["count"], variant="soft", class_name="stats-kind")),
            spacing="2", wrap="wrap", id="stats-kinds",
        ),
        _panel("Outcomes", "chart-outcomes", _outcomes_chart()),
        _panel(
            "Error rate",
            "chart-errors",
            _errors_chart(),
            "Interrupted, truncated, refused, failed and rate-limited among finished generations.",
        ),
        _panel(
            "Time to first token",
            "chart-ttft",
            _ttft_chart(),
            rx.text("p90 ", S.ttft_p90, size="2", color_scheme="gray"),
        ),
        _panel(
            "Tokens per second",
            "chart-tps",
            _tps_charts(),
            "Completion tokens over the time after the first token: mean per bar, and distribution.",
        ),
        _panel(
            "Cost by model",
            "cost-table",
            _cost_table(),
            "Estimated from the summed tokens of each model and PRICE_TABLE.",
        ),
    )


def _sign_in() -> rx.Component:
    return page_shell(
        rx.card(
            _PostForm.create(
                rx.vstack(
                    rx.heading("Operator sign-in", size="5"),
                    rx.text("The admin token (ADMIN_TOKEN) of this deployment.", size="2", color_scheme="gray"),
                    rx.el.input(
                        type="password",
                        name="token",
                        id="stats-token",
                        auto_complete="current-password",
                        max_length=MAX_TOKEN_CHARS,
                        required=True,
                        aria_label="Admin token",
                        class_name="rt-reset rt-TextFieldInput",
                        style={"width": "100%", "padding": "0.5em", "border": "1px solid var(--gray-7)",
                               "borderRadius": "var(--radius-2)"},
                    ),
                    rx.cond(
                        S.sign_in_failed,
                        rx.callout("That is not the admin token.", icon="triangle_alert", color_scheme="red",
                                   id="stats-sign-in-error", width="100%"),
                    ),
                    rx.button("Sign in", type="submit", id="stats-sign-in"),
                    spacing="3",
                    width="100%",
                ),
                action=_backend(SIGN_IN_PATH),
                method="post",
                id="stats-sign-in-form",
            ),
            max_width="26em",
            width="100%",
        ),
    )


def _not_found() -> rx.Component:
    return rx.center(rx.heading("Not found", size="6"), id="stats-not-found", padding_y="9")


def stats_page() -> rx.Component:
    """The whole page: nothing before the access check, then the figures, the sign-in or "Not found"."""
    return rx.match(
        S.access,
        ("granted", _dashboard()),
        ("sign_in", _sign_in()),
        ("denied", _not_found()),
        rx.fragment(),
    )
