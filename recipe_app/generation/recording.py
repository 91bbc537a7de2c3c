"""The outcome of each generation: one database row update and one structured log line."""

from __future__ import annotations

import asyncio
import json
import logging

from recipe_app.core import metrics
from recipe_app.db import generations
from recipe_app.llm.errors import GenerationError
from recipe_app.generation.run import RecipeRun
from recipe_app.core.pricing import estimate_cost, format_cost
from recipe_app.core.settings import Settings

logger = logging.getLogger("recipe_app.generation")

#: How often the text of running generations is written to the database.
PROGRESS_EVERY_S = 3.0

# Running generations of each event loop, and the one task per loop that writes their text.
_tracked: dict[asyncio.AbstractEventLoop, dict[int, RecipeRun]] = {}
_writers: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def track_progress(generation_id: int, run: RecipeRun) -> None:
    """Write this generation's text every few seconds until :func:`untrack_progress`.

    All generations running in the process are written together, one transaction per interval,
    instead of one commit per stream.
    """
    loop = asyncio.get_running_loop()
    _tracked.setdefault(loop, {})[generation_id] = run
    writer = _writers.get(loop)
    if writer is None or writer.done():
        _writers[loop] = loop.create_task(_write_progress(_tracked[loop]))


def untrack_progress(generation_id: int) -> None:
    """Stop writing this generation's text (its end is written by :func:`record_outcome`)."""
    runs = _tracked.get(asyncio.get_running_loop())
    if runs is not None:
        runs.pop(generation_id, None)


async def _write_progress(runs: dict[int, RecipeRun]) -> None:
    saved: dict[int, int] = {}  # text length last written, by generation
    while runs:
        await asyncio.sleep(PROGRESS_EVERY_S)
        saved = {gid: n for gid, n in saved.items() if gid in runs}
        changed = {gid: run.text for gid, run in list(runs.items()) if len(run.text) != saved.get(gid, 0)}
        if not changed:
            continue
        try:
            await asyncio.to_thread(generations.save_progress, changed)
        except Exception:  # a busy or lost database must not end the writing for good
            logger.exception("saving the progress of %d generations failed", len(changed))
            continue
        saved.update((gid, len(text)) for gid, text in changed.items())
    loop = asyncio.get_running_loop()  # nothing left to write: forget this loop until the next one
    if _tracked.get(loop) is runs:
        del _tracked[loop]
        _writers.pop(loop, None)


def record_outcome(
    generation_id: int, run: RecipeRun, status: str, error_type: str, failure: GenerationError | None
) -> None:
    """Write the outcome row, the metrics and the one log line of this generation (no secrets)."""
    generations.finish_generation(
        generation_id,
        status=status,
        error_type=error_type,
        response_format=run.meta.response_format,
        ttft_ms=run.ttft_ms,
        duration_ms=run.duration_ms,
        prompt_tokens=run.meta.prompt_tokens,
        completion_tokens=run.meta.billed_out,
        tokens_estimated=run.meta.usage_estimated,
        updates_sent=run.batches,
        attempts=run.attempts,
        recipe_json=run.recipe.model_dump_json() if run.recipe else run.text,
    )
    metrics.GENERATIONS.labels(status).inc()
    metrics.GENERATIONS_BY_KIND.labels(run.kind, status).inc()
    if error_type:
        metrics.UPSTREAM_ERRORS.labels(error_type).inc()
    if run.ttft_ms is not None:
        metrics.TTFT.observe(run.ttft_ms / 1000)
    metrics.DURATION.observe(run.duration_ms / 1000)
    metrics.TOKENS.labels("in").inc(run.meta.prompt_tokens)
    metrics.TOKENS.labels("out").inc(run.meta.billed_out)
    fields = {
        "generation_id": generation_id,
        "model": run.settings.model_name,
        "kind": run.kind,
        "outcome": status,
        "error_type": error_type,
        "detail": failure.detail if failure else "",
        "attempts": run.attempts,
        "ttft_ms": run.ttft_ms,
        "duration_ms": run.duration_ms,
        "tokens_in": run.meta.prompt_tokens,
        "tokens_out": run.meta.billed_out,
        "tokens_estimated": run.meta.usage_estimated,
        "batches": run.batches,
    }
    # Plain logs read "generation {json}"; with LOG_JSON the fields are top-level keys of the line.
    logger.info("generation %s", json.dumps(fields), extra=fields)


def usage_text(settings: Settings, run: RecipeRun) -> str:
    """What the generation used, for the card: '812 tokens in · 640 out · ~$0.0013'.

    Counts the provider did not send are the studio's estimate: '~812 tokens in · ~640 out (estimated)'.
    """
    tokens_in, tokens_out = run.meta.prompt_tokens, run.meta.billed_out
    if not tokens_in and not tokens_out:
        return ""
    about = "~" if run.meta.usage_estimated else ""
    text = f"{about}{tokens_in} tokens in · {about}{tokens_out} out" + (" (estimated)" if about else "")
    if settings.demo_mode:
        return text + " · free (demo model)"
    cost = format_cost(estimate_cost(settings, settings.model_name, tokens_in, tokens_out))
    return f"{text} · ~{cost}" if cost else text
