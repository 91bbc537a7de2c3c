"""One card update through each stage of Reflex's path, in process: the floor's state against ours.

    .venv/bin/python -m bench.split [--tabs 8] [--designs floor,app,app:KEY=VALUE,app+direct] [--env KEY=VALUE]

Runs recipes through Reflex's own event processor with its disk state manager, fed by the bench
upstream (``bench/upstream.py`` on core 1, the same schedule as ``bench.run``), for the studio's
``generate`` and for the floor's (``bench/floor``: one small string var per flush). This process is
pinned to core 0 and runs on uvloop, like the server. Two kinds of timing:

* **live**, while the recipes stream (wrapped methods, ``perf_counter``): the state lock and proxy
  with the block's body (``async with self`` from enter to exit, minus what is timed inside it),
  the delta (``BaseState._get_resolved_delta``), the disk manager's bookkeeping per update
  (``StateManagerDisk.set_state``) and its writes (the pickles of ``BaseState._serialize`` and the
  files' ``write_bytes``, every ``REFLEX_STATE_MANAGER_DISK_DEBOUNCE``, 2 s by default);
* **replayed**, after the run, over every update each tab emitted, in order: the serialisation
  (Reflex's socket.io JSON), the socket.io packet, the engine.io packet and its queue hop
  (``asyncio.wait_for`` on the queue, as python-engineio's writer does: a task per packet on
  Python 3.11), the websocket frame with permessage-deflate as the app's server negotiates it
  (2 KB window, memLevel 1, one compressor per tab) and the socket write (a local socket pair).

Before them, the design's own path alone (the floor: the bulk reader; the app: its
``GenerationSession``) streams the same recipes without Reflex, for its CPU. Everything is per
update (µs), with the process's whole CPU per update; the rest is what no stage names (Reflex's
background-task and emit coroutines, the event loop; uvicorn's ASGI send path is not run here).
``app:KEY=VALUE`` measures the app with a setting, ``app+direct`` with an in-process code lever
(``PATCHES``). Also: what a crash would lose (the age of a tab's oldest unwritten change when the
disk manager writes it). Writes ``bench/split_results.json``; the table is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.run import APP_ENV, BENCH, PY, ROOT, free_port, stop, wait_http

STAGES = [
    ("source", "the design's own path without Reflex (floor: bulk reader; app: session, reader, batches, card)"),
    ("lock", "state lock + proxy (enter, exit)"),
    ("body", "the block's body: setattr through the proxy (app: `_apply`)"),
    ("delta", "delta computation"),
    ("serialise", "serialisation (socket.io JSON)"),
    ("sio", "socket.io packet"),
    ("eio", "engine.io packet + queue hop (wait_for)"),
    ("ws", "websocket frame + permessage-deflate"),
    ("write", "socket write (syscall)"),
    ("disk_set", "disk state manager: bookkeeping per update"),
    ("disk_write", "disk state manager: pickle + file write (debounced)"),
]


#: A delta touching more substates than this is the whole state of a new tab, not a card update.
SNAPSHOT_STATES = 3


class Timers:
    """Seconds spent per stage, and counters."""

    def __init__(self) -> None:
        self.s: dict[str, float] = defaultdict(float)
        self.n: dict[str, int] = defaultdict(int)


T = Timers()


def instrument(states_dir: Path) -> None:
    """Wrap the live stages' methods with timers (this process only)."""
    from reflex.istate.manager.disk import StateManagerDisk
    from reflex.istate.proxy import StateProxy
    from reflex.state import BaseState

    enter, leave = StateProxy.__aenter__, StateProxy.__aexit__
    started: dict[int, float] = {}
    inside: dict[int, float] = {}  # stage time timed within the block, to subtract
    body: dict[int, float] = {}  # when the block's body began

    async def aenter(self: Any) -> Any:
        started[id(self)] = time.perf_counter()
        inside[id(self)] = T.s["delta"] + T.s["emit"] + T.s["disk_set"]
        entered = await enter(self)
        body[id(self)] = time.perf_counter()
        return entered

    async def aexit(self: Any, *exc: Any) -> None:
        t_body = time.perf_counter()
        try:
            await leave(self, *exc)
        finally:
            t0 = started.pop(id(self), None)
            if t0 is not None:
                timed = T.s["delta"] + T.s["emit"] + T.s["disk_set"] - inside.pop(id(self))
                spent_in_body = t_body - body.pop(id(self))
                T.s["body"] += spent_in_body
                T.s["lock"] += time.perf_counter() - t0 - timed - spent_in_body
                T.n["blocks"] += 1

    StateProxy.__aenter__, StateProxy.__aexit__ = aenter, aexit

    resolved = BaseState._get_resolved_delta

    async def get_resolved_delta(self: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await resolved(self)
        finally:
            T.s["delta"] += time.perf_counter() - t0

    BaseState._get_resolved_delta = get_resolved_delta

    set_state = StateManagerDisk.set_state

    async def disk_set(self: Any, token: Any, state: Any, **context: Any) -> None:
        starting = self._write_queue_task is None or self._write_queue_task.done()  # this call yields to the loop
        t0 = time.perf_counter()
        try:
            await set_state(self, token, state, **context)
        finally:
            if not starting:
                T.s["disk_set"] += time.perf_counter() - t0

    StateManagerDisk.set_state = disk_set

    serialize = BaseState._serialize

    def timed_serialize(self: Any) -> bytes:
        t0 = time.perf_counter()
        data = serialize(self)
        T.s["disk_write"] += time.perf_counter() - t0
        T.n["pickles"] += 1
        T.n["pickle_bytes"] += len(data)
        return data

    BaseState._serialize = timed_serialize

    write_bytes = pathlib.Path.write_bytes

    def timed_write(self: pathlib.Path, data: Any) -> int:
        t0 = time.perf_counter()
        try:
            return write_bytes(self, data)
        finally:
            if str(self).startswith(str(states_dir)):
                T.s["disk_write"] += time.perf_counter() - t0
                T.n["files"] += 1

    pathlib.Path.write_bytes = timed_write


class StalenessQueue(dict):
    """The disk manager's write queue, noting how old each tab's oldest unwritten change is when written.

    That age is what a crash (no graceful flush) would lose of a tab's state: at most about the debounce.
    """

    def pop(self, key: Any, *default: Any) -> Any:
        item = super().pop(key, *default)
        if item is not None and hasattr(item, "timestamp"):
            T.s["stale_max"] = max(T.s["stale_max"], time.time() - item.timestamp)
            T.s["stale_sum"] += time.time() - item.timestamp
            T.n["stale_writes"] += 1
        return item


class Recorder:
    """The event namespace: keeps every update per tab, in order, for the replay."""

    def __init__(self) -> None:
        self.updates: dict[str, list[Any]] = defaultdict(list)

    async def emit_update(self, update: Any, token: str) -> None:
        t0 = time.perf_counter()
        # A tab's first event sends its whole state (a browser gets that when it hydrates): not an update.
        if update.delta and len(update.delta) <= SNAPSHOT_STATES:
            self.updates[token].append(update)
        T.s["emit"] += time.perf_counter() - t0


def _event(handler: Any, token: str, **payload: Any) -> Any:
    from reflex_base.constants import RouteVar
    from reflex_base.event import Event
    from reflex_base.utils.format import format_event_handler

    return Event(name=format_event_handler(handler), payload=payload,
                 router_data={RouteVar.PATH: "/", RouteVar.ORIGIN: "/", RouteVar.CLIENT_TOKEN: token,
                              RouteVar.HEADERS: {}})


async def _tab(processor: Any, design: str, token: str, tag: str, delay: float) -> None:
    await asyncio.sleep(delay)
    if design == "app":
        from recipe_app.pages.studio.state import StudioState

        await (await processor.enqueue(token, _event(StudioState.add_item, token, field="ingredients",
                                                     form={"item": f"chickpeas, spinach, {tag}"})))
        await (await processor.enqueue(token, _event(StudioState.generate, token)))
    else:
        from floor_app.state import FloorState

        await (await processor.enqueue(token, _event(FloorState.generate, token, tag=tag)))


async def live(design: str, tabs: int) -> tuple[Recorder, dict[str, Any]]:
    """Stream ``tabs`` recipes at once through the processor; the live stages' times."""
    from reflex.istate.manager.disk import StateManagerDisk
    from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

    for key in list(T.s):
        T.s[key] = 0.0
    T.n.clear()
    recorder = Recorder()
    manager = StateManagerDisk()
    manager._write_queue = StalenessQueue()
    processor = BaseStateEventProcessor().configure(state_manager=manager, event_namespace=recorder)
    run = f"{design.replace('-', '')}{os.getpid()}x{int(time.time())}"
    cpu0, wall0 = time.process_time(), time.monotonic()
    async with processor:
        await asyncio.gather(*(_tab(processor, design, f"split-{run}-{i}", f"benchtag{run}t{i}", 0.25 * i)
                               for i in range(tabs)))
        await asyncio.sleep(manager._write_debounce_seconds + 0.5)  # the last debounced writes
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    with contextlib.suppress(Exception):
        await manager.close()
    updates = sum(len(u) for u in recorder.updates.values())
    return recorder, {"updates": updates, "updates_per_recipe": round(updates / tabs, 1), "cpu_s": round(cpu, 3),
                      "wall_s": round(wall, 1), "blocks": T.n["blocks"], "pickles": T.n["pickles"],
                      "files": T.n["files"], "crash_loses_max_s": round(T.s["stale_max"], 2),
                      "crash_loses_mean_s": round(T.s["stale_sum"] / max(1, T.n["stale_writes"]), 2), "pickle_bytes_avg": round(T.n["pickle_bytes"] / max(1, T.n["pickles"])),
                      "live_s": {k: T.s[k] for k in ("lock", "body", "delta", "disk_set", "disk_write", "emit")}}


def _protocol() -> Any:
    """A server websocket connection, opened, with permessage-deflate as the app's server negotiates it."""
    from websockets.client import ClientProtocol
    from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory, ServerPerMessageDeflateFactory
    from websockets.server import ServerProtocol
    from websockets.uri import parse_uri

    from recipe_app.web import server

    client = ClientProtocol(parse_uri("ws://127.0.0.1/_event/"), extensions=[ClientPerMessageDeflateFactory()])
    conn = ServerProtocol(extensions=[ServerPerMessageDeflateFactory(
        client_no_context_takeover=True, server_max_window_bits=server.SERVER_WINDOW_BITS,
        client_max_window_bits=server.CLIENT_WINDOW_BITS, compress_settings={"memLevel": server.MEM_LEVEL})])
    conn.send_response(conn.accept(client.connect()))
    conn.data_to_send()
    assert conn.extensions, "permessage-deflate not negotiated"
    return conn


async def replay(recorder: Recorder, rounds: int = 3) -> dict[str, Any]:
    """The wire stages over every recorded update, per tab in order; the fastest of ``rounds``."""
    import engineio.packet
    import socketio.packet
    from reflex.app import _sio_dumps, _sio_loads

    class SioPacket(socketio.packet.Packet):
        json = type("Json", (), {"dumps": staticmethod(_sio_dumps), "loads": staticmethod(_sio_loads)})

    best: dict[str, float] = {}
    sizes = {"json_bytes": 0, "wire_bytes": 0}
    left, right = socket.socketpair()
    left.setblocking(False)
    right.setblocking(False)
    queue: asyncio.Queue = asyncio.Queue()
    for _ in range(rounds):
        s: dict[str, float] = defaultdict(float)
        json_bytes = wire_bytes = 0
        for updates in recorder.updates.values():
            conn = _protocol()
            for update in updates:
                t0 = time.perf_counter()
                _sio_dumps(["event", update], separators=(",", ":"))
                t1 = time.perf_counter()
                text = SioPacket(socketio.packet.EVENT, data=["event", update], namespace="/_event").encode()
                t2 = time.perf_counter()
                packet = engineio.packet.Packet(engineio.packet.MESSAGE, data=text)
                await queue.put(packet)
                packet = await asyncio.wait_for(queue.get(), 60)
                queue.task_done()
                payload = packet.encode()
                t3 = time.perf_counter()
                conn.send_text(payload.encode())
                frames = b"".join(conn.data_to_send())
                t4 = time.perf_counter()
                left.send(frames)
                t5 = time.perf_counter()
                with contextlib.suppress(BlockingIOError):
                    right.recv(1 << 20)
                s["serialise"] += t1 - t0
                s["sio"] += (t2 - t1) - (t1 - t0)
                s["eio"] += t3 - t2
                s["ws"] += t4 - t3
                s["write"] += t5 - t4
                json_bytes += len(payload.encode())
                wire_bytes += len(frames)
        for key, value in s.items():
            best[key] = min(best.get(key, value), value)
        sizes = {"json_bytes": json_bytes, "wire_bytes": wire_bytes}
    names = [(state, var) for updates in recorder.updates.values() for u in updates
             for state, delta in u.delta.items() for var in delta]
    sizes["vars_per_update"] = round(len(names) / max(1, sum(len(u) for u in recorder.updates.values())), 2)
    sizes["vars_sent"] = sorted({f"{state.rsplit('.', 1)[-1]}.{var.removesuffix('_rx_state_')}" for state, var in names})
    left.close()
    right.close()
    return {"replay_s": best, **sizes}


async def _source_only(design: str, tag: str, delay: float) -> int:
    """What a design does per recipe without Reflex: the floor's bulk reader, or the app's session."""
    import secrets

    from recipe_app.core.settings import get_settings
    from recipe_app.domain.request import RecipeRequest
    from recipe_app.llm.batching import Pace
    from recipe_app.llm.client import get_client
    from recipe_app.llm.stream import StreamMeta, stream_recipe_text

    await asyncio.sleep(delay)
    settings, count = get_settings(), 0
    if design == "app":
        from recipe_app.generation.session import GenerationSession

        async def connected(_token: str) -> bool:
            return True

        async def notify(_changes: dict[str, Any]) -> None:
            return None

        request = RecipeRequest(ingredients=["chickpeas", "spinach", tag])
        generation = GenerationSession(settings, request, token=f"src-{tag}", run_id=secrets.token_hex(8),
                                       owner_id="split", seed=1, presence=connected, notify=notify)
        async with generation:
            async for _changes in generation.updates():
                count += 1
        return count
    pace, loop = Pace(), asyncio.get_running_loop()
    request = RecipeRequest(ingredients=[tag, "spinach"], servings=4)
    async for _piece in stream_recipe_text(get_client(settings), settings, request, StreamMeta(), pace=pace):
        count += 1
        pace.next_flush = loop.time() + int(os.environ.get("STREAM_FLUSH_MS", "65")) / 1000
    return count


async def source(design: str, tabs: int) -> dict[str, Any]:
    """CPU of the same recipes through the design's non-Reflex path alone (also warms the code up)."""
    run = f"src{design.replace('-', '')}{os.getpid()}x{int(time.time())}"
    cpu0 = time.process_time()
    counts = await asyncio.gather(*(_source_only(design, f"benchtag{run}t{i}", 0.25 * i) for i in range(tabs)))
    return {"source_cpu_s": round(time.process_time() - cpu0, 3), "source_batches": sum(counts)}


def table(results: dict[str, Any]) -> str:
    """The split as a Markdown table: µs per update per stage, the floor beside the app."""
    designs = list(results["designs"])
    lines = ["| stage | " + " | ".join(f"{d} µs/update" for d in designs) + " | app − floor µs |",
             "|---|" + "---|" * (len(designs) + 1)]
    per = {d: results["designs"][d]["per_update_us"] for d in designs}
    for key, label in [*STAGES, ("named", "**all named stages**"), ("rest", "rest: Reflex's background task and emit path, the loop"),
                       ("total", "**process CPU per update**")]:
        cells = [f"{per[d].get(key, 0):.0f}" for d in designs]
        diff = per["app"].get(key, 0) - per["floor"].get(key, 0) if {"app", "floor"} <= set(per) else None
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {'' if diff is None else f'{diff:+.0f}'} |")
    for key, label in [("updates_per_recipe", "updates per recipe"), ("json_bytes_per_update", "bytes per update (engine.io text)"),
                       ("wire_bytes_per_update", "bytes per update on the wire (deflated frame)"),
                       ("vars_per_update", "vars per update"),
                       ("crash_loses_max_s", "a crash loses at most (s of a tab's changes)"),
                       ("cpu_per_recipe_s", "process CPU per recipe (s)")]:
        lines.append(f"| {label} | " + " | ".join(str(results["designs"][d][key]) for d in designs) + " | |")
    return "\n".join(lines)


async def warm_up(designs: list[str]) -> None:
    """One recipe of each design, live and alone, not counted: imports, clients and caches are warm for all."""
    await asyncio.gather(*(live(d, 1) for d in designs), *(source(d, 1) for d in designs))


def _direct_apply() -> Any:
    """Lever: the studio sets a change set's vars without reading each one back through the proxy first
    (the session's change sets hold only what changed)."""
    from recipe_app.components.recipe_view import CARD_TO_VAR
    from recipe_app.pages.studio.state import StudioState

    original = StudioState._apply

    def apply(self: Any, changes: dict[str, Any]) -> None:
        for key, value in changes.items():
            setattr(self, CARD_TO_VAR.get(key, key), value)

    StudioState._apply = apply

    def undo() -> None:
        StudioState._apply = original

    return undo


def _plain_compare() -> Any:
    """Lever: the studio compares a change set with the plain state (not through the proxy, which wraps
    lists) and sets through the proxy only what differs."""
    from recipe_app.components.recipe_view import CARD_TO_VAR
    from recipe_app.pages.studio.state import StudioState

    original = StudioState._apply

    def apply(self: Any, changes: dict[str, Any]) -> None:
        plain = getattr(self, "__wrapped__", self)
        for key, value in changes.items():
            name = CARD_TO_VAR.get(key, key)
            if getattr(plain, name) != value:
                setattr(self, name, value)

    StudioState._apply = apply

    def undo() -> None:
        StudioState._apply = original

    return undo


#: In-process levers of the app's code, ``app+NAME``: each returns how to undo it.
PATCHES = {"direct": _direct_apply, "plain": _plain_compare}


async def measure(variant: str, tabs: int) -> dict[str, Any]:
    """Live and replayed stages of one design, per update; ``app:KEY=VALUE`` runs it with that setting."""
    from recipe_app.core.settings import get_settings

    design, _, setting = variant.partition(":")
    design, _, patch = design.partition("+")
    saved = dict(os.environ)
    undo = PATCHES[patch]() if patch else (lambda: None)
    if setting:
        key, _, value = setting.partition("=")
        os.environ[key] = value
    get_settings.cache_clear()
    try:
        return await _measure(design, tabs)
    finally:
        undo()
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


async def _measure(design: str, tabs: int) -> dict[str, Any]:
    alone = await source(design, tabs)
    recorder, figures = await live(design, tabs)
    wire = await replay(recorder)
    updates = max(1, figures["updates"])
    seconds = {**figures.pop("live_s"), **wire.pop("replay_s")}
    seconds["sio"] = max(0.0, seconds.get("sio", 0.0))  # the packet's own text beside its JSON: within noise of 0
    seconds["source"] = alone["source_cpu_s"]
    per = {key: seconds.get(key, 0.0) / updates * 1e6 for key, _ in STAGES}
    per["named"] = sum(per.values())
    per["total"] = figures["cpu_s"] / updates * 1e6
    # the replayed stages did not run during the live CPU window: the process would have spent them too
    replayed = sum(per[k] for k in ("serialise", "sio", "eio", "ws", "write"))
    per["total"] += replayed
    per["rest"] = per["total"] - per["named"]
    return {**figures, **alone, "per_update_us": {k: round(v, 1) for k, v in per.items()},
            "vars_per_update": wire["vars_per_update"], "vars_sent": wire["vars_sent"],
            "json_bytes_per_update": round(wire["json_bytes"] / updates), "wire_bytes_per_update": round(wire["wire_bytes"] / updates),
            "cpu_per_recipe_s": round(per["total"] * updates / tabs / 1e6, 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tabs", type=int, default=8, help="recipes streaming at once per design")
    ap.add_argument("--designs", default="floor,app,app:REFLEX_STATE_MANAGER_DISK_DEBOUNCE=2s,app+direct")
    ap.add_argument("--tps", type=float, default=60.0)
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra environment (both designs)")
    ap.add_argument("--out", default=str(BENCH / "split_results.json"))
    args = ap.parse_args()
    port = free_port()
    upstream = f"http://127.0.0.1:{port}"
    up = subprocess.Popen(["taskset", "-c", "1", PY, "-m", "bench.upstream", "--port", str(port), "--tps", str(args.tps)],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    work = Path(tempfile.mkdtemp(prefix="recipe-split-"))
    os.environ.update(APP_ENV, OPENAI_BASE_URL=f"{upstream}/v1", OPENAI_API_KEY="bench",
                      REFLEX_DB_URL=f"sqlite:///{work / 'split.db'}", REFLEX_STATES_WORKDIR=str(work / "states"),
                      FLOOR_SOURCE="upstream")
    os.environ.update(dict(kv.split("=", 1) for kv in args.env))
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    sys.path[:0] = [str(ROOT), str(BENCH / "floor")]
    try:
        wait_http(f"{upstream}/bench/stats", up, 30)
        import uvloop

        import recipe_app.recipe_app  # noqa: F401 - registers the app and its states
        from floor_app.state import FloorState  # noqa: F401 - the floor's state beside them
        from recipe_app.db.session import create_tables

        create_tables()
        instrument(work / "states")
        results: dict[str, Any] = {"tabs": args.tabs, "env": args.env, "designs": {}}
        designs = args.designs.split(",")

        async def everything() -> None:
            await warm_up(sorted({d.partition(":")[0] for d in designs}))
            for design in designs:
                results["designs"][design] = await measure(design, args.tabs)
                print(design, json.dumps(results["designs"][design]), flush=True)

        uvloop.run(everything())
        Path(args.out).write_text(json.dumps(results, indent=1))
        print(table(results))
    finally:
        stop(up)


if __name__ == "__main__":
    main()
