"""CPU of the app's own path per batch, with no network and no Reflex: generation session, recipe run, card.

    .venv/bin/python -m bench.own_path [--before DIR] [--rounds 7] [--recipes 100] [--tokens-per-batch 4]

What the floor design does not do per update, measured alone: the benchmark's recipe (``bench/upstream.py``,
the same text the server benchmark streams) is cut into batches of ``--tokens-per-batch`` tokens (the
server's 65 ms at 60 tok/s) and fed to a real :class:`~recipe_app.generation.session.GenerationSession`
as its upstream's bulk reader would yield them; the session records its row in SQLite (start and
outcome, through threads as in the server) and builds the card, its changes and the final card.
Prints the process CPU (threads included) per batch, the median of ``--rounds`` rounds of
``--recipes`` recipes, pinned to core 0. With ``--before DIR`` (another checkout, e.g. ``git worktree
add``) the same runs there, alternating round by round, so the two figures are comparable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent


def _setup(db_dir: str) -> None:
    os.environ.update(
        REFLEX_DB_URL=f"sqlite:///{db_dir}/own_path.db",
        OPENAI_API_KEY="bench",
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",  # never contacted: the upstream is replaced below
        STREAM_FLUSH_MS="65",
    )
    import logging

    logging.disable(logging.INFO)  # one log line per recipe is not what is measured


async def _rounds(recipes: int, rounds: int, per_batch: int, one_round: bool) -> list[float]:
    from bench.upstream import build_recipe, tokenize
    from recipe_app.core.settings import get_settings
    from recipe_app.db.session import create_tables
    from recipe_app.domain.request import RecipeRequest
    from recipe_app.generation import run as run_module
    from recipe_app.generation.session import GenerationSession

    create_tables()
    text = json.dumps(build_recipe(700))
    tokens = tokenize(text)
    batches = ["".join(tokens[i : i + per_batch]) for i in range(0, len(tokens), per_batch)]

    async def source(self: Any, pace: Any) -> Any:
        pace.followed = True  # as the bulk reader over aiohttp: whole batches, paced by the consumer
        self.meta.finish_reason = "stop"
        for batch in batches:
            yield batch

    run_module.RecipeRun._source = source  # type: ignore[method-assign]
    settings = get_settings()

    async def one(i: int) -> None:
        request = RecipeRequest(ingredients=["chickpeas", "spinach"])
        session = GenerationSession(settings, request, token=f"own-{i}", run_id=f"run-{i}", owner_id="bench", seed=1)
        async with session:
            async for _changes in session.updates():
                pass
        assert session.final["status"] == "done", session.final

    for i in range(10):  # warm up: imports, caches, the database file
        await one(i)
    out = []
    for _ in range(1 if one_round else rounds):
        cpu = time.process_time()
        for i in range(recipes):
            await one(i)
        out.append((time.process_time() - cpu) / (recipes * len(batches)) * 1e6)
    return out


def _child(args: argparse.Namespace) -> None:
    """One round in this process (run from the checkout under test)."""
    import uvloop

    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        result = uvloop.run(_rounds(args.recipes, 1, args.tokens_per_batch, True))
    print(json.dumps({"us_per_batch": result[0]}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", help="another checkout of the app, run round by round beside this one")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--recipes", type=int, default=100)
    ap.add_argument("--tokens-per-batch", type=int, default=4)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args)
        return
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    here = BENCH.parent
    trees = {"app": here} | ({"app-before": Path(args.before).resolve()} if args.before else {})
    figures: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            # Each round in a fresh process, importing the app from its tree (this file runs from here).
            child = (f"import runpy, sys; sys.argv = ['own_path', '--child', '--recipes', '{args.recipes}', "
                     f"'--tokens-per-batch', '{args.tokens_per_batch}']; "
                     f"runpy.run_path({str(BENCH / 'own_path.py')!r}, run_name='__main__')")
            env = {**os.environ, "PYTHONPATH": str(tree)}
            done = subprocess.run([sys.executable, "-c", child], cwd=tree, env=env, check=True, capture_output=True, text=True)
            figures[name].append(json.loads(done.stdout.strip().splitlines()[-1])["us_per_batch"])
    for name, values in figures.items():
        print(f"{name:10s} µs per batch: median {statistics.median(values):6.2f}  "
              f"(rounds: {', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
