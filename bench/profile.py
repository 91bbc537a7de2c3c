"""Read py-spy collapsed stacks (``bench.run --profile DIR``) and split the server's CPU.

    .venv/bin/python -m bench.profile DIR/app-25.txt [--top 25]

Prints (1) the share of samples per stage of the streaming path, attributed to the *innermost*
matching stage of each stack, so every sample counts once, and (2) the functions with the most
self time. Idle samples (py-spy drops idle threads) are not in the file.
"""

from __future__ import annotations

import argparse
import collections
import re
from pathlib import Path

# (stage, regex on one frame "function (file:line)"); the innermost frame that matches decides.
STAGES: list[tuple[str, str]] = [
    ("upstream: SSE lines + JSON per chunk", r"recipe_app/llm/stream\.py"),
    ("upstream: httpx/httpcore/h11/anyio reading", r"/(httpx|httpcore|h11|anyio|sniffio)/"),
    ("upstream: openai SDK", r"/openai/"),
    ("card: partial JSON + fields", r"recipe_app/llm/(card|batching)\.py|recipe_app/pages/studio/card_view\.py"),
    ("db writes (threads)", r"/(sqlalchemy|sqlmodel|sqlite3)/|recipe_app/db/"),
    ("reflex: delta + serialise", r"reflex/istate/|reflex/state\.py|get_delta|_dirty|/json/|format\.py|serializers"),
    ("reflex: emit (socket.io/engine.io)", r"/(socketio|engineio)/|emit_update|reflex/app\.py"),
    ("reflex: state lock / manager", r"state_manager|istate/manager|modify_state|_lock"),
    ("asgi server / websocket", r"/(granian|uvicorn|websockets|starlette)/"),
    ("app: studio state", r"recipe_app/pages/studio/"),
    ("app: other", r"recipe_app/"),
    ("asyncio event loop", r"asyncio/"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    compiled = [(name, re.compile(rx)) for name, rx in STAGES]
    for path in args.files:
        stages: collections.Counter[str] = collections.Counter()
        selfs: collections.Counter[str] = collections.Counter()
        total = 0
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = stack.split(";")
            selfs[frames[-1]] += n
            for frame in reversed(frames):
                hit = next((name for name, rx in compiled if rx.search(frame)), None)
                if hit:
                    stages[hit] += n
                    break
            else:
                stages["other"] += n
        print(f"== {path.name}: {total} samples")
        for name, n in stages.most_common():
            print(f"  {100 * n / total:5.1f}%  {name}")
        print("  -- self time")
        for frame, n in selfs.most_common(args.top):
            print(f"  {100 * n / total:5.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()
