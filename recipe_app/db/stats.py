"""Operator statistics over the ``generation`` table, aggregated in SQL for a time window.

Every query filters on ``created_at`` (a range search of ``ix_generation_created_at``) and returns
only aggregates: a few dozen rows at most, whatever the number of generations. The same statements
run unchanged on SQLite and PostgreSQL: no date functions, no dialect-specific SQL (time buckets
are a joined table of bounds, percentiles are window functions).

- Buckets over time: counts per outcome, error rate and mean tokens/s per bucket.
- Time to first token: a histogram and nearest-rank p50/p90/p99 (window functions, no rows loaded).
- Tokens/s of each generation: ``completion_tokens / ((duration_ms - ttft_ms) / 1000)``, as a
  histogram and a mean.
- Per model: generations, tokens in/out and the estimated cost of those *sums* (``estimate_cost``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, Float, Integer, and_, case, func, literal, select, union_all
from sqlalchemy.sql.expression import ColumnElement

from recipe_app.db.models import Generation
from recipe_app.db.session import get_engine
from recipe_app.core.pricing import estimate_cost
from recipe_app.core.settings import Settings, get_settings


@dataclass(frozen=True)
class Window:
    """A span of time shown as ``span / step`` buckets."""

    span: timedelta
    step: timedelta
    label_format: str


WINDOWS: dict[str, Window] = {
    "hour": Window(timedelta(hours=1), timedelta(minutes=5), "%H:%M"),
    "day": Window(timedelta(days=1), timedelta(hours=1), "%H:%M"),
    "week": Window(timedelta(days=7), timedelta(hours=6), "%a %H:%M"),
}

#: Every recorded status, in the order the charts stack them.
OUTCOMES = ("complete", "stopped", "interrupted", "truncated", "refused", "failed", "rate_limited", "streaming")
#: Finished generations that did not give the cook a recipe for a reason other than Stop.
ERROR_OUTCOMES = ("interrupted", "truncated", "refused", "failed", "rate_limited")
#: Not finished yet: counted in the totals, left out of the error rate.
UNFINISHED = "streaming"

#: Time to first token histogram: (label, lower bound ms inclusive, upper bound ms exclusive).
TTFT_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("<250 ms", 0, 250),
    ("250–500 ms", 250, 500),
    ("0.5–1 s", 500, 1000),
    ("1–2 s", 1000, 2000),
    ("2–5 s", 2000, 5000),
    (">5 s", 5000, None),
)
#: Tokens per second histogram: (label, lower bound inclusive, upper bound exclusive).
TPS_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("<10", 0, 10),
    ("10–25", 10, 25),
    ("25–50", 25, 50),
    ("50–100", 50, 100),
    ("100–200", 100, 200),
    ("≥200", 200, None),
)
PERCENTILES = (50, 90, 99)


# --- results -------------------------------------------------------------------------------------


@dataclass
class Bucket:
    """One slice of the window."""

    start: datetime
    label: str
    counts: dict[str, int]
    #: Finished generations (everything but 'streaming') and those that ended in an error.
    finished: int = 0
    errors: int = 0
    #: Mean tokens/s of the generations in this bucket that have timings; None when there are none.
    tokens_per_s: float | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def error_rate(self) -> float | None:
        """Errors / finished generations (None when nothing finished)."""
        return self.errors / self.finished if self.finished else None


@dataclass
class ModelCost:
    """Totals of one model over the window."""

    model: str
    generations: int
    tokens_in: int
    tokens_out: int
    #: Estimated USD of the summed tokens; None when the model has no configured price.
    cost: float | None


@dataclass
class WindowStats:
    """Everything the stats page shows for one window."""

    window: str
    start: datetime
    end: datetime
    buckets: list[Bucket]
    outcomes: dict[str, int]
    ttft_histogram: list[tuple[str, int]]
    ttft_percentiles: dict[int, int | None]
    tps_histogram: list[tuple[str, int]]
    tps_mean: float | None
    models: list[ModelCost] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)  # generations by kind: recipe, question, swap, ...

    @property
    def generations(self) -> int:
        return sum(self.outcomes.values())

    @property
    def finished(self) -> int:
        return self.generations - self.outcomes.get(UNFINISHED, 0)

    @property
    def errors(self) -> int:
        return sum(self.outcomes.get(name, 0) for name in ERROR_OUTCOMES)

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.finished if self.finished else None

    @property
    def tokens_in(self) -> int:
        return sum(m.tokens_in for m in self.models)

    @property
    def tokens_out(self) -> int:
        return sum(m.tokens_out for m in self.models)

    @property
    def cost(self) -> float:
        """Estimated USD over the models that have a price."""
        return sum(m.cost for m in self.models if m.cost is not None)

    @property
    def unpriced_models(self) -> list[str]:
        return [m.model for m in self.models if m.cost is None]


# --- the window ----------------------------------------------------------------------------------


def window_bounds(window: str, now: datetime | None = None) -> tuple[datetime, datetime, Window]:
    """[start, end) of ``window`` ending with the bucket that holds ``now`` (UTC, step-aligned)."""
    spec = WINDOWS[window]
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    step_s = int(spec.step.total_seconds())
    epoch = int(now.timestamp())
    end = datetime.fromtimestamp((epoch // step_s + 1) * step_s, timezone.utc)
    return end - spec.span, end, spec


def _in_window(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Generation.created_at >= start, Generation.created_at < end)


def _tps_usable() -> ColumnElement[bool]:
    """The generation has a first token, a duration after it, and output: its tokens/s is defined."""
    return and_(
        Generation.ttft_ms.is_not(None),
        Generation.duration_ms.is_not(None),
        Generation.duration_ms - Generation.ttft_ms > 0,
        Generation.completion_tokens > 0,
    )


def _tps() -> ColumnElement[float]:
    """Tokens/s of one generation (completion tokens over the time after the first token), else NULL."""
    streaming_ms = Generation.duration_ms - Generation.ttft_ms
    return case((_tps_usable(), Generation.completion_tokens * literal(1000.0, Float) / streaming_ms), else_=None)


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- the queries ---------------------------------------------------------------------------------


def outcomes_over_time(conn: Connection, window: str, start: datetime, end: datetime) -> list[Bucket]:
    """One bucket per step of the window (empty ones included), oldest first."""
    spec = WINDOWS[window]
    step_s = int(spec.step.total_seconds())
    count = int((end - start).total_seconds()) // step_s
    # The buckets' bounds are a small derived table joined on a range of created_at: one index
    # range search per bucket, no date arithmetic on each row, and the same SQL on both databases.
    stamp = Generation.__table__.c.created_at.type
    bounds = union_all(
        *(
            select(
                literal(index, Integer).label("i"),
                literal(start + timedelta(seconds=index * step_s), stamp).label("lo"),
                literal(start + timedelta(seconds=(index + 1) * step_s), stamp).label("hi"),
            )
            for index in range(count)
        )
    ).cte("bounds")
    tps = _tps()
    query = (
        select(bounds.c.i, Generation.status, func.count(), func.sum(tps), func.count(tps))
        .select_from(
            bounds.join(Generation, and_(Generation.created_at >= bounds.c.lo, Generation.created_at < bounds.c.hi))
        )
        .group_by(bounds.c.i, Generation.status)
    )
    buckets = []
    for index in range(count):
        at = start + timedelta(seconds=index * step_s)
        buckets.append(Bucket(start=at, label=at.strftime(spec.label_format), counts=dict.fromkeys(OUTCOMES, 0)))
    tps_sums = [[0.0, 0] for _ in range(count)]
    for index, status, n, tps_sum, tps_n in conn.execute(query):
        target = buckets[index]
        target.counts[status] = target.counts.get(status, 0) + n
        if status != UNFINISHED:
            target.finished += n
        if status in ERROR_OUTCOMES:
            target.errors += n
        if tps_n:
            tps_sums[index][0] += float(tps_sum)
            tps_sums[index][1] += tps_n
    for target, (total, n) in zip(buckets, tps_sums, strict=True):
        target.tokens_per_s = total / n if n else None
    return buckets


def ttft_histogram(conn: Connection, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """Generations per time-to-first-token bucket (those without a first token are left out)."""
    ttft = Generation.ttft_ms
    columns = [
        _count_where(and_(ttft >= low, ttft < high) if high is not None else ttft >= low).label(f"b{i}")
        for i, (_, low, high) in enumerate(TTFT_BUCKETS)
    ]
    row = conn.execute(select(*columns).where(_in_window(start, end), ttft.is_not(None))).one()
    return [(label, int(n)) for (label, _, _), n in zip(TTFT_BUCKETS, row, strict=True)]


def ttft_percentiles(conn: Connection, start: datetime, end: datetime) -> dict[int, int | None]:
    """Nearest-rank percentiles of time to first token in ms: the value at rank ceil(p/100 * n)."""
    ranked = (
        select(
            Generation.ttft_ms.label("v"),
            func.row_number().over(order_by=Generation.ttft_ms).label("rn"),
            func.count().over().label("n"),
        )
        .where(_in_window(start, end), Generation.ttft_ms.is_not(None))
        .cte("ranked")
    )
    # ceil(p * n / 100) in integer arithmetic, identical on both databases.
    columns = [
        func.max(case((ranked.c.rn == (ranked.c.n * p + 99) // 100, ranked.c.v), else_=None)).label(f"p{p}")
        for p in PERCENTILES
    ]
    row = conn.execute(select(*columns)).one()
    return {p: (int(v) if v is not None else None) for p, v in zip(PERCENTILES, row, strict=True)}


def tokens_per_second(conn: Connection, start: datetime, end: datetime) -> tuple[list[tuple[str, int]], float | None]:
    """Histogram of tokens/s per generation, and their mean (None when no generation has timings).

    The bucket is found with integer comparisons (``tokens * 1000 < high * streaming_ms``), not by
    dividing first: cheaper per row, and exact at the bounds.
    """
    streaming_ms = Generation.duration_ms - Generation.ttft_ms
    scaled = Generation.completion_tokens * 1000
    bucket = case(
        *((scaled < high * streaming_ms, index) for index, (_, _, high) in enumerate(TPS_BUCKETS) if high is not None),
        else_=len(TPS_BUCKETS) - 1,
    )
    rows = (
        select(bucket.label("bucket"), (scaled * literal(1.0, Float) / streaming_ms).label("tps"))
        .where(_in_window(start, end), _tps_usable())
        .subquery("usable")
    )
    query = select(rows.c.bucket, func.count(), func.sum(rows.c.tps)).group_by(rows.c.bucket)
    counts = [0] * len(TPS_BUCKETS)
    total = 0.0
    for index, n, tps_sum in conn.execute(query):
        counts[index] += n
        total += float(tps_sum)
    histogram = [(label, n) for (label, _, _), n in zip(TPS_BUCKETS, counts, strict=True)]
    return histogram, (total / sum(counts) if sum(counts) else None)


def cost_by_model(conn: Connection, start: datetime, end: datetime, settings: Settings) -> list[ModelCost]:
    """Per model: generations, summed tokens, and the estimated cost of those sums; costliest first."""
    query = (
        select(
            Generation.model,
            func.count(),
            func.coalesce(func.sum(Generation.prompt_tokens), 0),
            func.coalesce(func.sum(Generation.completion_tokens), 0),
        )
        .where(_in_window(start, end))
        .group_by(Generation.model)
    )
    models = [
        ModelCost(
            model=model,
            generations=int(n),
            tokens_in=int(tokens_in),
            tokens_out=int(tokens_out),
            cost=estimate_cost(settings, model, int(tokens_in), int(tokens_out)),
        )
        for model, n, tokens_in, tokens_out in conn.execute(query)
    ]
    return sorted(models, key=lambda m: (-(m.cost or 0.0), -m.generations, m.model))


def count_by_kind(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Generations by kind (recipe, question, swap, version, image), most first."""
    query = select(Generation.kind, func.count()).where(_in_window(start, end)).group_by(Generation.kind)
    counts = {str(kind): int(n) for kind, n in conn.execute(query)}
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def window_stats(window: str, *, now: datetime | None = None, settings: Settings | None = None) -> WindowStats:
    """All the figures of ``window`` ("hour", "day" or "week") up to ``now`` (default: the clock)."""
    if window not in WINDOWS:
        raise ValueError(f"unknown window {window!r}; expected one of {sorted(WINDOWS)}")
    settings = settings or get_settings()
    start, end, _ = window_bounds(window, now)
    with get_engine().connect() as conn:
        buckets = outcomes_over_time(conn, window, start, end)
        histogram = ttft_histogram(conn, start, end)
        percentiles = ttft_percentiles(conn, start, end)
        tps_histogram, tps_mean = tokens_per_second(conn, start, end)
        models = cost_by_model(conn, start, end, settings)
        kinds = count_by_kind(conn, start, end)
    outcomes = dict.fromkeys(OUTCOMES, 0)
    for target in buckets:
        for status, n in target.counts.items():
            outcomes[status] = outcomes.get(status, 0) + n
    return WindowStats(
        window=window,
        start=start,
        end=end,
        buckets=buckets,
        outcomes=outcomes,
        ttft_histogram=histogram,
        ttft_percentiles=percentiles,
        tps_histogram=tps_histogram,
        tps_mean=tps_mean,
        models=models,
        kinds=kinds,
    )
