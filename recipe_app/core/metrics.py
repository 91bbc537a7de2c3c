"""Prometheus metrics of the studio. Served at /metrics (see recipe_app/api.py).

With several worker processes on one host, set PROMETHEUS_MULTIPROC_DIR to an empty directory:
each worker writes its samples there and /metrics sums them. Without it, figures are per process.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

GENERATIONS = Counter("recipe_generations_total", "Generations by final outcome.", ["outcome"])
GENERATIONS_BY_KIND = Counter(
    "recipe_generations_by_kind_total", "Generations by kind (recipe, question, swap, version, image) and outcome.",
    ["kind", "outcome"],
)
UPSTREAM_ERRORS = Counter("recipe_upstream_errors_total", "Failed generations by error type.", ["error_type"])
RETRIES = Counter("recipe_upstream_retries_total", "Upstream retries before the first text.")
ACTIVE_STREAMS = Gauge("recipe_active_streams", "Generations streaming now.", multiprocess_mode="livesum")
RATE_LIMITED = Counter("recipe_rate_limited_total", "Generations refused before any upstream call.", ["reason"])
TTFT = Histogram(
    "recipe_time_to_first_token_seconds",
    "From Generate to the first text from the model.",
    buckets=(0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20),
)
DURATION = Histogram(
    "recipe_generation_duration_seconds",
    "From Generate to the end of the stream.",
    buckets=(1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120),
)
TOKENS = Counter("recipe_tokens_total", "Tokens by direction (in = prompt, out = completion).", ["direction"])
UPDATES = Counter("recipe_card_updates_total", "State updates sent to browsers while streaming.")
UPDATE_BYTES = Counter("recipe_card_update_bytes_total", "JSON bytes of those updates (card values only).")
WATCHDOG_ERRORS = Counter(
    "recipe_watchdog_errors_total", "Failed rounds of the generation watchdog, by check (presence, lease).", ["check"]
)
