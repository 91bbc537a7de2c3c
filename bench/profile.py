"""Read py-spy collapsed stacks (``bench.run --profile DIR``) and split the server's CPU.

    .venv/bin/python -m bench.profile DIR/app-25.txt [--top 25]

Prints (1) the share of busy samples per stage of the streaming path (each sample counts once, for
the first stage in STAGES that appears in its stack) and (2) the functions with the most self time.
Samples of threads that only wait (thread-pool workers, the CLI parent) are left out.
"""

from __future__ import annotations

import argparse
import collections
import re
from pathlib import Path

# (stage, regex on one frame "function (file:line)"), in priority order: a sample belongs to the
# first stage that matches any frame of its stack (so the reader's httpx frames count as "upstream").
STAGES: list[tuple[str, str]] = [
    ("upstream read (SDK, HTTP client, SSE lines)", r"recipe_app/llm/stream\.py|/(openai|httpx|httpx2|httpcore|h11|aiohttp)/"),
    ("card: partial JSON + fields, batching", r"recipe_app/llm/(card|batching)\.py"),
    ("db writes", r"/(sqlalchemy|sqlmodel|sqlite3|alembic)/|recipe_app/db/"),
    ("reflex: disk state manager (pickle, write, purge scan)", r"istate/manager/disk\.py"),
    ("reflex: emit (socket.io/engine.io)", r"/(socketio|engineio)/|emit_update|emit_delta"),
    ("reflex: state lock, delta, serialise", r"reflex/istate/|reflex/state\.py|reflex_base/utils/(format|serializers)"),
    ("app: studio state, presence, metrics", r"recipe_app/"),
    ("reflex: event processing", r"reflex_base/event/|reflex/app\.py"),
    ("asgi server / websocket", r"/(uvicorn|websockets|starlette|granian)/"),
    ("event loop, socket I/O", r"asyncio/|uvloop"),
]
# Frames that only dispatch (the CLI, Granian's worker, the event loop, thread pools): everything up
# to the last of them is cut before matching. Samples with nothing left are the event loop's own
# work (uvloop is C: its socket I/O and callback dispatch have no Python frame).
DISPATCH = re.compile(r"_spawn_asgi_lifespan_worker|_run_once \(|run_forever \(|run_until_complete \(|Handle\._run \("
                      r"|_WorkItem\.run \(|Thread\.run \(")
# Leaf frames of threads waiting, not working (py-spy's idle detection misses some of them).
IDLE = re.compile(r"^_worker \(concurrent/futures/thread\.py:81\)|^Condition\.wait|^EpollSelector\.select|^Event\.wait"
                  r"|^Popen\.poll|^_wait_for_tstate_lock|^process \d+:")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    compiled = [(name, re.compile(rx)) for name, rx in STAGES]
    for path in args.files:
        stages: collections.Counter[str] = collections.Counter()
        selfs: collections.Counter[str] = collections.Counter()
        total = idle = 0
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            frames = stack.split(";")
            if IDLE.search(frames[-1]):
                idle += n
                continue
            total += n
            selfs[frames[-1]] += n
            cut = max((i for i, f in enumerate(frames) if DISPATCH.search(f)), default=-1)
            work = frames[cut + 1:]
            if not work:
                stages["event loop, socket I/O"] += n
                continue
            hit = next((name for name, rx in compiled if any(rx.search(f) for f in work)), "other")
            stages[hit] += n
        print(f"== {path.name}: {total} busy samples ({idle} idle-thread samples left out)")
        for name, n in stages.most_common():
            print(f"  {100 * n / total:5.1f}%  {name}")
        print("  -- self time")
        for frame, n in selfs.most_common(args.top):
            print(f"  {100 * n / total:5.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()
