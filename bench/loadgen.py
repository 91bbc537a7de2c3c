"""Simulated browser tabs: N concurrent recipe generations against a running backend.

Modes:

``app``    Recipe Studio (Reflex). Each tab speaks the Reflex websocket protocol exactly like the
           compiled frontend (``.web/utils/state.js``): engine.io v4 over a websocket on
           ``/_event/?EIO=4&transport=websocket&token=<tab token>``, a socket.io CONNECT to namespace
           ``/_event`` whose auth payload carries the hydrate event, answering engine.io pings,
           sending back the events the server asks for (on_load), then ``add_item`` and
           ``generate`` of the studio state with their full event names, and reading deltas until
           the card's status is done / stopped / error.
``naive``  The naive Reflex app of ``bench/naive`` (``generate(tag)``), same protocol.
``floor``  The floor app of ``bench/floor`` (``generate(tag)``): its ``tail`` var carries the last
           characters of the text so far. ``--floor-timer``: the server made the tokens itself on
           the upstream's schedule from the ``t0`` it sends (``--tps``, ``--ttft``).
``sse``    The Starlette SSE passthrough (``GET /stream?tag=``) over plain HTTP/1.1.
``idle``   Connect and hydrate M app tabs, print READY, hold them ``--hold`` seconds (memory probe).

While streaming a tab only stores (receipt time, frame) pairs; everything is parsed after the run,
so the load generator spends its CPU on the sockets. Each tab puts a unique tag
(``benchtag<run><i>``) in its request, so the upstream's per-token send times
(``/bench/times``) are matched to the tab afterwards. Times are ``time.monotonic()`` on both sides.

Per token, *added latency* = receipt time of the first frame showing it - upstream send time. For
the app, "showing it" means the client-side card (deltas applied like the browser does) has reached
the card the app derives from the text up to and including that token (the app's own
``card_fields(parse_partial(prefix))``); tokens that change nothing visible (JSON punctuation,
keys) are not counted. For naive and SSE every token is visible text.

Usage: python -m bench.loadgen --mode app --url http://127.0.0.1:8000 --upstream http://127.0.0.1:8011 \
           --n 50 --app-dir . --out result.json
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import random
import re
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import psutil
from websockets.asyncio.client import connect as ws_connect

ROOT_STATE = "reflex___state____state"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"  # what state.js sends on connect (initialEvents)
STUDIO = f"{ROOT_STATE}.recipe_app___pages___studio___state____studio_state"
NAIVE = f"{ROOT_STATE}.naive_app___naive_app____naive_state"
FLOOR = f"{ROOT_STATE}.floor_app___state____floor_state"
ROUTER = {"pathname": "/", "asPath": "/"}
NS = "/_event"
TERMINAL = ("done", "stopped", "error")
SUFFIX = "_rx_state_"


def ws_frame_overhead(payload_len: int) -> int:
    """Bytes of the websocket frame header of an unmasked server frame with this payload."""
    return 2 if payload_len < 126 else 4 if payload_len < 65536 else 10


@dataclass
class Tab:
    """What one simulated tab saw."""

    index: int
    tag: str
    frames: list[tuple[float, str]] = field(default_factory=list)  # after generate was sent
    reads: list[tuple[float, bytes]] = field(default_factory=list)  # sse: raw socket reads
    t_generate: float = 0.0
    t_end: float = 0.0
    error: str = ""
    hydrate_bytes: int = 0
    ready: bool = False
    counting: bool = False  # --deflate: count the socket's raw (compressed) bytes while streaming
    raw_bytes: int = 0
    deflate: bool = False  # permessage-deflate was negotiated


def _event(name: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "payload": payload or {}, "router_data": dict(ROUTER)}


def _emit(event: dict[str, Any]) -> str:
    return f"42{NS}," + json.dumps(["event", event], separators=(",", ":"))


def _update(frame: str) -> dict[str, Any] | None:
    """The StateUpdate of a socket.io EVENT frame, else None."""
    if not frame.startswith(f"42{NS},"):
        return None
    name, update = json.loads(frame[len(NS) + 3 :])[:2]
    return update if name == "event" else None


def _status_in(frame: str, state: str) -> str | None:
    """Cheap check for the status var in a frame (no JSON parse of every frame)."""
    if '"status' + SUFFIX + '"' not in frame:
        return None
    update = _update(frame)
    if update is None:
        return None
    return (update.get("delta") or {}).get(state, {}).get("status" + SUFFIX)


class Refused(Exception):
    """The app refused the generation (its limit message); the tab fails at once."""


def _refusal_in(frame: str) -> str:
    """The studio's limit message in a frame, when it sets a non-empty one."""
    if '"limit_message' + SUFFIX + '"' not in frame:
        return ""
    update = _update(frame) or {}
    return str(_vars((update.get("delta") or {}).get(STUDIO)).get("limit_message") or "")


def _vars(delta: dict[str, Any] | None) -> dict[str, Any]:
    """A substate's delta with plain var names (deltas suffix every name with ``_rx_state_``)."""
    return {k.removesuffix(SUFFIX): v for k, v in (delta or {}).items()}


class ReflexTab:
    """One websocket tab speaking engine.io v4 / socket.io v5 the way state.js does."""

    def __init__(self, url: str, tab: Tab, deflate: bool = False) -> None:
        self.url = url.replace("http://", "ws://").rstrip("/")
        self.tab = tab
        self.token = str(uuid.uuid4())
        self.ws: Any = None
        self.deflate = deflate

    async def open(self) -> None:
        uri = f"{self.url}/_event/?EIO=4&transport=websocket&token={self.token}"
        # Browsers offer permessage-deflate. Granian never accepts it; uvicorn with `websockets` does.
        # Without --deflate it is not offered (frames are counted from their payloads); with it, the
        # bytes read off the socket while streaming are counted, compressed as they travelled.
        self.ws = await ws_connect(uri, compression="deflate" if self.deflate else None, max_size=None,
                                   ping_interval=None, open_timeout=120, subprotocols=None)
        if self.deflate:
            tab, received = self.tab, self.ws.data_received
            tab.deflate = "permessage-deflate" in (self.ws.response.headers.get("Sec-WebSocket-Extensions") or "")

            def data_received(data: bytes) -> None:
                if tab.counting:
                    tab.raw_bytes += len(data)
                received(data)

            self.ws.data_received = data_received
        opening = await self.ws.recv()
        assert opening.startswith("0"), opening
        await self.ws.send(f"40{NS}," + json.dumps({"event": _event(HYDRATE)}))

    async def recv(self) -> str:
        """Next socket.io frame; answers pings and server-requested events like the browser."""
        while True:
            frame = await self.ws.recv()
            if frame == "2":
                await self.ws.send("3")
                continue
            return frame

    async def until(self, predicate, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.recv()
                self.tab.hydrate_bytes += len(frame)
                await self.answer(frame)
                if predicate(frame):
                    return

    async def answer(self, frame: str) -> None:
        """Send back the events a state update asks for (the browser queues them)."""
        if '"events":[{' not in frame:
            return
        update = _update(frame)
        for event in (update or {}).get("events") or ():
            await self.ws.send(_emit(_event(event["name"], event.get("payload"))))

    async def hydrate(self, state: str) -> None:
        await self.open()
        # the state snapshot, then on_load runs server-side, then is_hydrated turns true
        await self.until(lambda f: '"is_hydrated_rx_state_":true' in f, 120)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def _what_came(tab: Tab) -> str:
    """For an error report: how many frames came after Generate, and the status-like vars they set."""
    seen: dict[str, Any] = {}
    for _, frame in tab.frames:
        update = _update(frame)
        delta = _vars(((update or {}).get("delta") or {}).get(STUDIO))
        seen.update({k: v for k, v in delta.items() if k in ("status", "is_streaming", "limit_message", "error", "notice")})
    return f"; {len(tab.frames)} frames after Generate, {seen}" if tab.t_generate else ""


async def app_tab(args: argparse.Namespace, tab: Tab, start_at: float, ready: asyncio.Event) -> None:
    client = ReflexTab(args.url, tab, args.deflate)
    try:
        async with args.sem:
            await client.hydrate(STUDIO)
            await client.ws.send(_emit(_event(f"{STUDIO}.add_item", {"field": "ingredients",
                                                                      "form": {"item": f"chickpeas, spinach, {tab.tag}"}})))
            await client.until(lambda f: tab.tag in f, 60)
        tab.ready = True
        await ready.wait()
        await asyncio.sleep(max(0.0, args.go[0] + start_at - time.monotonic()))
        tab.t_generate = time.monotonic()
        tab.counting = True
        await client.ws.send(_emit(_event(f"{STUDIO}.generate")))
        await read_until_terminal(client, tab, STUDIO, args.timeout)
        tab.counting = False
    except Exception as exc:  # noqa: BLE001 - reported per tab
        phase = "streaming" if tab.t_generate else "ready, before go" if tab.ready else "connecting"
        tab.error = f"{type(exc).__name__} ({phase}{_what_came(tab)}): {exc}"[:300]
    finally:
        tab.t_end = tab.t_end or time.monotonic()
        await client.close()


async def _one_event_tab(state: str, args: argparse.Namespace, tab: Tab, start_at: float, ready: asyncio.Event) -> None:
    """A tab of a design whose generation is one ``generate`` event of ``state`` (naive, floor)."""
    client = ReflexTab(args.url, tab, args.deflate)
    try:
        async with args.sem:
            await client.hydrate(state)
        tab.ready = True
        await ready.wait()
        await asyncio.sleep(max(0.0, args.go[0] + start_at - time.monotonic()))
        tab.t_generate = time.monotonic()
        tab.counting = True
        await client.ws.send(_emit(_event(f"{state}.generate", {"tag": tab.tag})))
        await read_until_terminal(client, tab, state, args.timeout)
        tab.counting = False
    except Exception as exc:  # noqa: BLE001 - reported per tab
        tab.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        tab.t_end = tab.t_end or time.monotonic()
        await client.close()


async def naive_tab(args: argparse.Namespace, tab: Tab, start_at: float, ready: asyncio.Event) -> None:
    await _one_event_tab(NAIVE, args, tab, start_at, ready)


async def floor_tab(args: argparse.Namespace, tab: Tab, start_at: float, ready: asyncio.Event) -> None:
    await _one_event_tab(FLOOR, args, tab, start_at, ready)


async def read_until_terminal(client: ReflexTab, tab: Tab, state: str, timeout: float) -> None:
    frames = tab.frames
    recv = client.ws.recv
    async with asyncio.timeout(timeout):
        while True:
            frame = await recv()
            now = time.monotonic()
            if frame == "2":
                await client.ws.send("3")
                continue
            frames.append((now, frame))
            status = _status_in(frame, state)
            if status is not None and status.split(":")[0] in TERMINAL:
                tab.t_end = now
                return
            if state == STUDIO and (refusal := _refusal_in(frame)):
                # Refused before it streamed (a limit, or "busy"): no terminal status follows, so
                # waiting for one would hold the step until its timeout.
                raise Refused(refusal)


async def sse_tab(args: argparse.Namespace, tab: Tab, start_at: float, ready: asyncio.Event) -> None:
    host, port = args.url.removeprefix("http://").rstrip("/").split(":")
    writer = None
    try:
        await ready.wait()
        await asyncio.sleep(max(0.0, args.go[0] + start_at - time.monotonic()))
        reader, writer = await asyncio.open_connection(host, int(port))
        tab.t_generate = time.monotonic()
        writer.write(f"GET /stream?tag={tab.tag} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n"
                     "Connection: close\r\n\r\n".encode())
        reads = tab.reads
        async with asyncio.timeout(args.timeout):
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                reads.append((time.monotonic(), data))
                if b"event: done" in data:
                    break
        tab.t_end = time.monotonic()
    except Exception as exc:  # noqa: BLE001
        tab.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        tab.t_end = tab.t_end or time.monotonic()
        if writer is not None:
            writer.close()


# --------------------------------------------------------------------------------------------------
# Analysis (after the run)
# --------------------------------------------------------------------------------------------------


class CardModel:
    """The card the app shows for each token prefix, computed with the app's own code."""

    def __init__(self, tokens: list[str]) -> None:
        from recipe_app.kitchen.card import card_fields, parse_partial
        from recipe_app.domain.recipe import Recipe

        self.tokens = tokens
        text = ""
        self.version_of: dict[str, int] = {}
        self.token_version: list[int] = []  # version reached once token i (0-based) is shown
        self.visible: list[bool] = []
        version, previous = 0, self.key(card_fields(parse_partial("")))
        self.version_of[previous] = 0
        for token in tokens:
            text += token
            key = self.key(card_fields(parse_partial(text)))
            changed = key != previous
            if changed:
                version += 1
                self.version_of.setdefault(key, version)
                previous = key
            self.visible.append(changed)
            self.token_version.append(version)
        self.max_version = version
        self.final_key = self.key(card_fields(Recipe.model_validate_json(text).model_dump(), final=True))

    @staticmethod
    def key(card: dict[str, Any]) -> str:
        return json.dumps(card, sort_keys=True, ensure_ascii=False)


_VAR = {"cuisine": "cuisine_label", "ingredients": "ingredient_lines"}


#: Tokens sent this long after a stream's first one count as "after the start" (app only): separates
#: the tail the simultaneous start of N streams causes from the steady state's.
LATE_S = 3.0


def analyse_app(tab: Tab, sent: list[float], model: CardModel) -> dict[str, Any]:
    """Per-token added latency, correctness and wire figures of one app tab."""
    from recipe_app.domain.card import EMPTY_CARD

    state: dict[str, Any] = {}
    shown_at: list[float] = []  # receipt time at which version v (index) was first reached
    bad = reorder = 0
    current = 0
    status = ""
    wire = 0
    for t, frame in tab.frames:
        wire += len(frame.encode()) + ws_frame_overhead(len(frame.encode()))
        update = _update(frame)
        if update is None:
            continue
        delta = _vars((update.get("delta") or {}).get(STUDIO))
        if not delta:
            continue
        state.update(delta)
        status = state.get("status", status)
        card = {k: state.get(_VAR.get(k, k), v) for k, v in EMPTY_CARD.items()}
        key = CardModel.key(card)
        if key == model.final_key:
            version = model.max_version
        elif key in model.version_of:
            version = model.version_of[key]
        else:
            bad += 1
            continue
        if version < current:
            reorder += 1
        while len(shown_at) <= version:
            shown_at.append(t)
        current = max(current, version)
    final_ok = status == "done" and CardModel.key(
        {k: state.get(_VAR.get(k, k), v) for k, v in EMPTY_CARD.items()}) == model.final_key
    lat, late, lost = [], [], 0
    for i, t_sent in enumerate(sent):
        if not model.visible[i]:
            continue
        v = model.token_version[i]
        if v < len(shown_at):
            lat.append(shown_at[v] - t_sent)
            if t_sent - sent[0] >= LATE_S:
                late.append(lat[-1])
        else:
            lost += 1
    lost += len(model.tokens) - len(sent)  # never sent by the upstream (stream closed early)
    first_visible = shown_at[1] if len(shown_at) > 1 else None
    # added TTFT: first text on the card - send time of the first token that shows text
    first_token = model.visible.index(True)
    return {"lat": lat, "late": late, "lost": lost if final_ok else max(lost, 1), "reorder": reorder, "bad": bad,
            "final_ok": final_ok, "wire": tab.raw_bytes if tab.deflate else wire, "frames": len(tab.frames),
            "ttft_added": (first_visible - sent[first_token]) if (first_visible and len(sent) > first_token) else None,
            "status": status}


def analyse_naive(tab: Tab, sent: list[float], tokens: list[str]) -> dict[str, Any]:
    ends = []
    total = 0
    for tok in tokens:
        total += len(tok)
        ends.append(total)
    full = "".join(tokens)
    shown = [None] * len(tokens)
    count = bad = reorder = 0
    status = ""
    text = ""
    wire = 0
    for t, frame in tab.frames:
        wire += len(frame.encode()) + ws_frame_overhead(len(frame.encode()))
        update = _update(frame)
        delta = _vars((update or {}).get("delta", {}).get(NAIVE)) if update else None
        if not delta:
            continue
        status = delta.get("status", status)
        if "text" in delta:
            text = delta["text"]
            if not full.startswith(text):
                bad += 1
                continue
            n = bisect.bisect_right(ends, len(text))
            if n < count:
                reorder += 1
            for i in range(count, n):
                shown[i] = t
            count = max(count, n)
    final_ok = status == "done" and text == full
    lat = [shown[i] - sent[i] for i in range(min(len(sent), len(tokens))) if shown[i] is not None]
    lost = len(tokens) - len(lat)
    return {"lat": lat, "lost": lost if final_ok else max(lost, 1), "reorder": reorder, "bad": bad,
            "final_ok": final_ok, "wire": tab.raw_bytes if tab.deflate else wire, "frames": len(tab.frames),
            "ttft_added": (shown[0] - sent[0]) if (shown and shown[0] and sent) else None, "status": status}


def analyse_floor(tab: Tab, sent: list[float] | None, tokens: list[str], tps: float, ttft: float) -> dict[str, Any]:
    """Like naive, but each frame carries only the text's tail: the shown prefix is where it ends.

    ``sent`` None (``--floor-timer``): token i was due at t0 + ttft + i / tps, t0 from the first frame.
    """
    ends, total = [], 0
    for tok in tokens:
        total += len(tok)
        ends.append(total)
    full = "".join(tokens)
    shown: list[float | None] = [None] * len(tokens)
    count = end = bad = reorder = 0
    status, t0, wire = "", None, 0
    for t, frame in tab.frames:
        wire += len(frame.encode()) + ws_frame_overhead(len(frame.encode()))
        update = _update(frame)
        delta = _vars((update or {}).get("delta", {}).get(FLOOR)) if update else None
        if not delta:
            continue
        status = delta.get("status", status)
        t0 = delta.get("t0") or t0
        tail = delta.get("tail")
        if not tail:
            continue
        found = full.find(tail, max(0, end - len(tail)))  # the first place it can end at or after `end`
        if found < 0:
            if full.find(tail) >= 0:
                reorder += 1  # a tail from before what was already shown
            else:
                bad += 1
            continue
        at = found + len(tail)
        end = at
        n = bisect.bisect_right(ends, end)
        for i in range(count, n):
            shown[i] = t
        count = max(count, n)
    if sent is None:
        sent = [t0 + ttft + i / tps for i in range(len(tokens))] if t0 else []
    final_ok = status == "done" and end == len(full)
    lat = [shown[i] - sent[i] for i in range(min(len(sent), len(tokens))) if shown[i] is not None]
    lost = len(tokens) - len(lat)
    return {"lat": lat, "lost": lost if final_ok else max(lost, 1), "reorder": reorder, "bad": bad,
            "final_ok": final_ok, "wire": tab.raw_bytes if tab.deflate else wire, "frames": len(tab.frames),
            "ttft_added": (shown[0] - sent[0]) if (shown and shown[0] and sent) else None, "status": status}


_SSE_RE = re.compile(rb"data: (\{.*?\})\n\n")


def analyse_sse(tab: Tab, sent: list[float], tokens: list[str]) -> dict[str, Any]:
    raw = b"".join(d for _, d in tab.reads)
    ends, total = [], 0
    for _, d in tab.reads:
        total += len(d)
        ends.append(total)
    times = [t for t, _ in tab.reads]
    got: list[str] = []
    shown: list[float] = []
    for m in _SSE_RE.finditer(raw):
        obj = json.loads(m.group(1))
        if "c" not in obj:
            continue
        got.append(obj["c"])
        shown.append(times[bisect.bisect_left(ends, m.end())])
    final_ok = got == tokens
    n = min(len(sent), len(shown))
    lat = [shown[i] - sent[i] for i in range(n)]
    return {"lat": lat, "lost": 0 if final_ok else max(1, len(tokens) - len(got)), "reorder": 0, "bad": 0,
            "final_ok": final_ok, "wire": len(raw), "frames": len(tab.reads),
            "ttft_added": (shown[0] - sent[0]) if (shown and sent) else None, "status": "done" if final_ok else "bad"}


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))]


# --------------------------------------------------------------------------------------------------


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


async def run_load(args: argparse.Namespace) -> dict[str, Any]:
    recipe = fetch_json(f"{args.upstream}/bench/recipe")
    tokens: list[str] = recipe["tokens"]
    run_id = uuid.uuid4().hex[:8]
    tabs = [Tab(i, f"benchtag{run_id}x{i:04d}") for i in range(args.n)]
    ready = asyncio.Event()
    me = psutil.Process()
    rng = random.Random(args.n)
    t0 = time.monotonic()
    tab_fn = {"app": app_tab, "naive": naive_tab, "floor": floor_tab, "sse": sse_tab}[args.mode]
    # Tabs open over a ramp (a hydrate is heavier than a token); generations start spread over
    # --stagger seconds once all tabs are ready, so all N streams overlap.
    args.sem = asyncio.Semaphore(args.connect_parallel)
    go_time = [0.0]

    offsets = [rng.uniform(0, args.stagger) for _ in tabs]
    args.go = go_time
    tasks = [asyncio.create_task(tab_fn(args, tab, off, ready)) for tab, off in zip(tabs, offsets)]
    # Wait until every tab is hydrated and has its ingredient (they then block on `ready`).
    if args.mode != "sse":
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline and not all(t.ready or t.error for t in tabs):
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
    t_connected = time.monotonic() - t0
    cpu0 = me.cpu_times()
    w0 = time.monotonic()
    go_time[0] = time.monotonic() + 0.2
    ready.set()
    if args.out:
        print("GO", flush=True)  # bench.run: the streaming phase starts (all tabs connected and ready)
    await asyncio.gather(*tasks)
    wall = time.monotonic() - w0
    if args.out:
        print("END", flush=True)  # every tab has its terminal status
    cpu1 = me.cpu_times()
    loadgen_cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    times = fetch_json(f"{args.upstream}/bench/times?prefix=benchtag{run_id}")
    sys.path.insert(0, args.app_dir)
    model = CardModel(tokens) if args.mode == "app" else None
    per_tab = []
    for tab in tabs:
        sent = (times.get(tab.tag) or {}).get("sent") or []
        if args.mode == "floor" and args.floor_timer:
            sent = []  # the upstream never saw this tab: analyse_floor times it from t0
        if tab.error and not tab.frames and not tab.reads:
            per_tab.append({"lat": [], "lost": len(tokens), "reorder": 0, "bad": 0, "final_ok": False, "wire": 0,
                            "frames": 0, "ttft_added": None, "status": "error", "error": tab.error})
            continue
        if args.mode == "app":
            r = analyse_app(tab, sent, model)
        elif args.mode == "naive":
            r = analyse_naive(tab, sent, tokens)
        elif args.mode == "floor":
            r = analyse_floor(tab, None if args.floor_timer else sent, tokens, args.tps, args.ttft)
        else:
            r = analyse_sse(tab, sent, tokens)
        r["error"] = tab.error
        r["duration"] = tab.t_end - tab.t_generate
        r["frame_text"] = sum(len(frame) for _, frame in tab.frames)  # engine.io text before compression
        per_tab.append(r)
    lat = [x for r in per_tab for x in r["lat"]]
    late = [x for r in per_tab for x in r.get("late", ())]  # the start burst is over
    ttft = [r["ttft_added"] for r in per_tab if r["ttft_added"] is not None]
    ok = [r for r in per_tab if r["final_ok"]]
    text_bytes = len("".join(tokens).encode())
    wires = [r["wire"] for r in ok]
    frames = [r["frames"] for r in ok]
    errors = sorted({r["error"] for r in per_tab if r.get("error")})[:5]
    statuses: dict[str, int] = {}
    for r in per_tab:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {
        "mode": args.mode,
        "n": args.n,
        "tokens_per_recipe": len(tokens),
        "recipe_text_bytes": text_bytes,
        "completed_ok": len(ok),
        "statuses": statuses,
        "errors": errors,
        "lat_p50_ms": _ms(pct(lat, 50)),
        "lat_p99_ms": _ms(pct(lat, 99)),
        "lat_max_ms": _ms(max(lat) if lat else None),
        "lat_samples": len(lat),
        "lat_p99_after_start_ms": _ms(pct(late, 99)) if late else None,
        "visible_tokens_per_recipe": (sum(model.visible) if model else len(tokens)),
        "tokens_lost": sum(r["lost"] for r in per_tab),
        "reordered_frames": sum(r["reorder"] for r in per_tab),
        "unmatched_frames": sum(r["bad"] for r in per_tab),
        "ttft_added_p50_ms": _ms(pct(ttft, 50)),
        "ttft_added_p99_ms": _ms(pct(ttft, 99)),
        "wire_bytes_per_recipe": (sum(wires) / len(wires)) if wires else None,
        "wire_ratio": (sum(wires) / len(wires) / text_bytes) if wires else None,
        "frames_per_recipe": (sum(frames) / len(frames)) if frames else None,
        "frame_text_bytes_per_recipe": (sum(r["frame_text"] for r in ok) / len(ok)) if ok else None,
        "loadgen_cpu_s": round(loadgen_cpu, 2),
        "loadgen_wall_s": round(wall, 2),
        "loadgen_cpu_pct": round(100 * loadgen_cpu / wall, 1) if wall else None,
        "connect_s": round(t_connected, 2),
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


async def run_idle(args: argparse.Namespace) -> None:
    """Connect and hydrate M tabs of the given Reflex mode, report READY, hold them open."""
    state = {"app": STUDIO, "naive": NAIVE, "floor": FLOOR}[args.mode_idle]
    tabs = [ReflexTab(args.url, Tab(i, "idle"), args.deflate) for i in range(args.n)]
    sem = asyncio.Semaphore(args.connect_parallel)

    async def one(t: ReflexTab) -> None:
        async with sem:
            await t.hydrate(state)

    results = await asyncio.gather(*(one(t) for t in tabs), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    print(json.dumps({"ready": args.n - len(failed), "failed": len(failed),
                      "hydrate_bytes_avg": sum(t.tab.hydrate_bytes for t in tabs) / max(1, len(tabs))}), flush=True)

    async def keepalive(t: ReflexTab) -> None:
        try:
            while True:
                await t.recv()
        except Exception:  # noqa: BLE001
            pass

    keepers = [asyncio.create_task(keepalive(t)) for t in tabs]
    await asyncio.sleep(args.hold)
    for k in keepers:
        k.cancel()
    await asyncio.gather(*(t.close() for t in tabs), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["app", "naive", "floor", "sse", "idle"], required=True)
    parser.add_argument("--mode-idle", choices=["app", "naive", "floor"], default="app", help="idle: which Reflex app")
    parser.add_argument("--floor-timer", action="store_true", help="floor: the server made the tokens (no upstream)")
    parser.add_argument("--tps", type=float, default=60.0, help="--floor-timer: the server's token rate")
    parser.add_argument("--ttft", type=float, default=0.25, help="--floor-timer: the server's time to first token")
    parser.add_argument("--url", required=True, help="backend base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--upstream", default="http://127.0.0.1:8011")
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--stagger", type=float, default=2.0, help="generations start spread over this many s")
    parser.add_argument("--connect-parallel", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--hold", type=float, default=10.0, help="idle: seconds to hold the sessions")
    parser.add_argument("--app-dir", default=".", help="the Recipe Studio project (for its card code)")
    parser.add_argument("--out", help="write the JSON result here (default: stdout)")
    parser.add_argument("--deflate", action="store_true",
                        help="tabs offer permessage-deflate (as browsers do) and count the compressed bytes")
    args = parser.parse_args()
    args.app_dir = os.path.abspath(args.app_dir)
    if args.mode == "idle":
        asyncio.run(run_idle(args))
        return
    result = asyncio.run(run_load(args))
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out, "w") as handle:
            handle.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
