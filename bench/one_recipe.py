"""Deltas and bytes the studio sends for one demo recipe, per flush interval.

Runs the real page state through Reflex's event processor on the built-in demo model (fast pace)
and records every delta a browser would receive. Usage: python -m bench.one_recipe
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recipe_app.db.session import create_tables  # noqa: E402
from recipe_app.core.settings import get_settings  # noqa: E402


async def measure(flush_ms: int) -> dict[str, float]:
    """One recipe with the given flush interval; returns its figures."""
    os.environ["STREAM_FLUSH_MS"] = str(flush_ms)
    get_settings.cache_clear()
    from recipe_app.pages.studio.state import StudioState
    from tests.pages.harness import Browser, DeltaRecorder, make_processor

    recorder = DeltaRecorder()
    async with make_processor(recorder) as processor:
        browser = Browser(processor, token=f"bench-{flush_ms}")
        await (await browser.send(StudioState.add_item, field="ingredients", form={"item": "chickpeas, spinach, rice"}))
        start, start_bytes = len(recorder.updates), recorder.bytes
        await (await browser.send(StudioState.generate))
        state = await browser.state(StudioState)
    from recipe_app.db.generations import recent_generations

    row = recent_generations(1)[0]
    deltas = len(recorder.updates) - start
    sent = recorder.bytes - start_bytes
    text = len(row.recipe_json.encode())
    return {
        "flush_ms": flush_ms,
        "status": state.status,
        "tokens": row.completion_tokens,
        "seconds": round((row.duration_ms or 0) / 1000, 1),
        "deltas": deltas,
        "delta_bytes": sent,
        "with_frame_bytes": sent + 100 * deltas,  # ~100 B of socket.io/engine.io wrapper per update
        "recipe_json_bytes": text,
        "ratio": round(sent / text, 2),
    }


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("OPENAI_API_KEY", None)
        os.environ.pop("OPENAI_BASE_URL", None)
        os.environ["REFLEX_DB_URL"] = f"sqlite:///{tmp}/bench.db"
        os.environ["DEMO_TOKENS_PER_S"] = os.environ.get("DEMO_TOKENS_PER_S", "65")
        os.environ["TAB_GRACE_S"] = "3600"  # no websocket here: no tab ever looks connected
        get_settings.cache_clear()
        create_tables()
        for flush_ms in (0, 50, 100):
            print(json.dumps(await measure(flush_ms)))


if __name__ == "__main__":
    asyncio.run(main())
