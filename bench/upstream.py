"""A lean OpenAI-compatible streaming server for load tests, with a fixed schedule per stream.

Every ``POST /v1/chat/completions`` with ``stream: true`` is answered with the same recipe JSON
(a valid :class:`recipe_app.domain.recipe.Recipe`, ~700 tokens by default) as real
``chat.completion.chunk`` SSE events: a role chunk, then one content chunk per token, time to first
token ``--ttft`` after the request, then ``--tps`` tokens per second, a finish chunk, a usage chunk
(if asked for) and ``data: [DONE]``.

One scheduler task paces all streams from a heap of due times (no task or timer per stream), so the
server stays cheap at hundreds of streams. The send time of every content chunk is recorded with
``time.monotonic()`` (CLOCK_MONOTONIC: comparable across processes on the same Linux host).

Streams are keyed by a *tag*: the first ``benchtag[0-9a-z]+`` found in the request body (the load
generator puts it in an ingredient or a prompt), else a serial number. ``GET /bench/times?prefix=P``
returns ``{tag: {"sent": [t0, t1, ...], "requested": t, "closed_early": bool}}`` for tags starting
with P; ``GET /bench/stats`` the server's own figures.

Usage: python -m bench.upstream --port 8011 [--tps 60] [--ttft 0.25] [--tokens 700]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import re
import time
import urllib.parse
from typing import Any

# --------------------------------------------------------------------------------------------------
# The recipe and its tokens
# --------------------------------------------------------------------------------------------------

_INGREDIENTS = [
    (2, "tbsp", "olive oil", ""),
    (1, "piece", "large red onion", "finely chopped"),
    (3, "clove", "garlic", "crushed"),
    (1, "tbsp", "fresh ginger", "grated"),
    (2, "tsp", "ground cumin", ""),
    (1, "tsp", "ground coriander", ""),
    (0.5, "tsp", "smoked paprika", ""),
    (400, "g", "chickpeas", "drained and rinsed"),
    (400, "g", "chopped tomatoes", "tinned"),
    (250, "ml", "vegetable stock", "hot"),
    (200, "g", "baby spinach", "washed"),
    (150, "g", "basmati rice", "rinsed until the water runs clear"),
    (1, "piece", "lemon", "juiced"),
    (None, "", "salt and black pepper", "to taste"),
    (2, "tbsp", "plain yoghurt", "to serve"),
]
_STEPS = [
    "Rinse the rice, then simmer it in 300 ml of salted water with the lid on for 12 minutes; take it off the heat and leave it covered.",
    "Meanwhile, heat the olive oil in a wide pan over a medium heat and cook the onion with a pinch of salt for 8 minutes, until soft and golden.",
    "Stir in the garlic and ginger and cook for 1 minute, then add the cumin, coriander and smoked paprika and toast for 30 seconds, stirring.",
    "Tip in the chickpeas, chopped tomatoes and hot stock, bring to a simmer and cook for 15 minutes, until the sauce has thickened.",
    "Lightly crush a third of the chickpeas with the back of a spoon so the sauce becomes creamy.",
    "Add the spinach a handful at a time, letting each handful wilt before adding the next.",
    "Season with lemon juice, salt and pepper, tasting as you go.",
    "Fluff the rice with a fork and divide between warm bowls, spoon the chickpeas over and finish with a spoonful of yoghurt.",
    "Leftovers keep in a covered container in the fridge for up to 3 days; reheat until piping hot.",
    "To make ahead, cool the chickpeas quickly, then chill them separately from the rice and reheat each until steaming.",
    "For a crisp finish, scatter a few chickpeas on a tray with oil and roast at 220C for 15 minutes while the sauce simmers.",
]
_TIPS = [
    "Swap the spinach for kale; give it 3 extra minutes to soften.",
    "A pinch of chilli flakes with the spices adds gentle heat.",
    "For a vegan version, serve with coconut yoghurt.",
    "Cook a double batch of the sauce and freeze half for a busy evening.",
    "Toast a handful of flaked almonds for crunch on top.",
    "Brown rice works too; simmer it for 25 minutes instead.",
    "Warm naan or flatbreads are good for mopping up the sauce.",
    "Chopped coriander and a few slices of green chilli make a fresh garnish.",
]

# Roughly how a BPE tokenizer splits English and JSON: words with their leading space, short
# number runs, runs of punctuation.
_TOKEN_RE = re.compile(r" ?[A-Za-z]+| ?\d{1,3}|[^\sA-Za-z\d]+|\s+")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into token-sized pieces whose concatenation is ``text``."""
    pieces = _TOKEN_RE.findall(text)
    assert "".join(pieces) == text
    return pieces


def build_recipe(target_tokens: int = 700) -> dict[str, Any]:
    """A realistic recipe whose compact JSON is about ``target_tokens`` tokens long."""
    recipe: dict[str, Any] = {
        "name": "Chickpea, Spinach & Lemon Pilaf Bowls",
        "description": "Warmly spiced chickpeas in a quick tomato sauce with wilted spinach, over fluffy basmati rice.",
        "recipeYield": 4,
        "prepTime": "PT10M",
        "cookTime": "PT30M",
        "totalTime": "PT40M",
        "recipeCuisine": "Indian-inspired",
        "recipeIngredient": [],
        "recipeInstructions": [],
        "tips": [],
        "nutrition": {"calories": 455, "proteinContent": 17, "fatContent": 12, "carbohydrateContent": 68},
    }

    def size() -> int:
        return len(tokenize(json.dumps(recipe, separators=(",", ":"))))

    pools = [
        (recipe["recipeIngredient"], [dict(zip(("quantity", "unit", "item", "note"), i)) for i in _INGREDIENTS]),
        (recipe["recipeInstructions"], [{"text": s} for s in _STEPS]),
        (recipe["tips"], list(_TIPS)),
    ]
    for items, pool in pools:  # a minimum of each section
        items.extend(pool[:3])
        del pool[:3]
    for items, pool in itertools.cycle(pools):
        if size() >= target_tokens or not any(p for _, p in pools):
            break
        if pool:
            items.append(pool.pop(0))
    return recipe


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------

_MODEL = "gpt-4.1-mini-2025-04-14"
_TAG_RE = re.compile(rb"benchtag[0-9a-z]+", re.IGNORECASE)


def _chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _event(obj: dict[str, Any]) -> bytes:
    return _chunked(b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n")


class Stream:
    """One streaming answer in progress."""

    __slots__ = ("conn", "tag", "index", "due0", "sent", "requested", "closed_early", "cid", "usage")

    def __init__(self, conn: Conn, tag: str, due0: float, usage: bool) -> None:
        self.conn, self.tag, self.due0, self.usage = conn, tag, due0, usage
        self.index = 0
        self.sent: list[float] = []
        self.requested = time.monotonic()
        self.closed_early = False
        self.cid = f"chatcmpl-{tag}"


class Upstream:
    """The shared schedule and records."""

    def __init__(self, tps: float, ttft: float, target_tokens: int) -> None:
        self.tps, self.ttft = tps, ttft
        self.recipe = build_recipe(target_tokens)
        self.text = json.dumps(self.recipe, separators=(",", ":"))
        self.tokens = tokenize(self.text)
        # Pre-encoded JSON strings of the token contents (the chunk around them is built per stream).
        self.token_json = [json.dumps(t).encode() for t in self.tokens]
        self.heap: list[tuple[float, int, Stream]] = []
        self.wake = asyncio.Event()
        self.streams: dict[str, Stream] = {}
        self.serial = itertools.count()
        self.lag_max = 0.0
        self.chunks_sent = 0

    def start_stream(self, conn: Conn, tag: str, usage: bool) -> None:
        now = time.monotonic()
        stream = Stream(conn, tag, now + self.ttft, usage)
        self.streams[tag] = stream
        created = int(time.time())
        conn.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            b"transfer-encoding: chunked\r\ncache-control: no-cache\r\n"
            b"x-request-id: req_" + tag.encode() + b"\r\nopenai-processing-ms: 1\r\n\r\n"
        )
        head = {"id": stream.cid, "object": "chat.completion.chunk", "created": created, "model": _MODEL,
                "system_fingerprint": "fp_bench"}
        conn.write(_event({**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "", "refusal": None},
                                                "logprobs": None, "finish_reason": None}]}))
        prefix = json.dumps(head, separators=(",", ":"))[:-1].encode()
        conn.chunk_prefix = b'data: ' + prefix + b',"choices":[{"index":0,"delta":{"content":'
        conn.chunk_suffix = b'},"logprobs":null,"finish_reason":null}]' + (b',"usage":null' if usage else b"") + b"}\n\n"
        conn.head = head
        heapq.heappush(self.heap, (stream.due0, next(self.serial), stream))
        self.wake.set()

    async def run(self) -> None:
        """Send every due token, then sleep to the next due time (at most one tick).

        Tokens due within the same tick are written in one pass, so the cost is one wake-up per
        tick plus one socket write per token, whatever the number of streams.
        """
        heap = self.heap
        tick = 0.002
        while True:
            if not heap:
                self.wake.clear()
                await self.wake.wait()
                continue
            now = time.monotonic()
            while heap and heap[0][0] <= now + tick / 2:
                due, _, stream = heapq.heappop(heap)
                conn = stream.conn
                if conn.closed:
                    stream.closed_early = True
                    continue
                body = conn.chunk_prefix + self.token_json[stream.index] + conn.chunk_suffix
                conn.write(b"%x\r\n%s\r\n" % (len(body), body))
                sent = time.monotonic()
                stream.sent.append(sent)
                self.chunks_sent += 1
                lag = sent - due
                if lag > self.lag_max:
                    self.lag_max = lag
                stream.index += 1
                if stream.index < len(self.tokens):
                    heapq.heappush(heap, (stream.due0 + stream.index / self.tps, next(self.serial), stream))
                else:
                    self.finish(stream)
            wait = (heap[0][0] - time.monotonic()) if heap else tick
            await asyncio.sleep(min(max(wait, 0.0), tick * 5))

    def finish(self, stream: Stream) -> None:
        conn, head = stream.conn, stream.conn.head
        conn.write(_event({**head, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}],
                           **({"usage": None} if stream.usage else {})}))
        if stream.usage:
            n = len(self.tokens)
            conn.write(_event({**head, "choices": [], "usage": {"prompt_tokens": 512, "completion_tokens": n,
                                                                 "total_tokens": 512 + n}}))
        conn.write(_chunked(b"data: [DONE]\n\n") + b"0\r\n\r\n")
        conn.streaming = False

    def times(self, prefix: str) -> dict[str, Any]:
        return {
            tag: {"sent": s.sent, "requested": s.requested, "closed_early": s.closed_early}
            for tag, s in self.streams.items()
            if tag.startswith(prefix)
        }


class Conn(asyncio.Protocol):
    """One HTTP/1.1 keep-alive connection (Content-Length request bodies only)."""

    def __init__(self, upstream: Upstream) -> None:
        self.upstream = upstream
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.streaming = False
        self.chunk_prefix = self.chunk_suffix = b""
        self.head: dict[str, Any] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True

    def write(self, data: bytes) -> None:
        if not self.closed and self.transport is not None:
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in head[1:])}
            length = int(headers.get("content-length", "0"))
            if len(self.buf) < end + 4 + length:
                return
            body = self.buf[end + 4 : end + 4 + length]
            self.buf = self.buf[end + 4 + length :]
            method, target, _ = head[0].split(" ", 2)
            self.handle(method, target, body)

    def respond(self, status: str, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.write(f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n".encode()
                   + data)

    def handle(self, method: str, target: str, body: bytes) -> None:
        path, _, query = target.partition("?")
        up = self.upstream
        if method == "POST" and path.endswith("/chat/completions"):
            request = json.loads(body or b"{}")
            match = _TAG_RE.search(body)
            tag = match.group(0).decode().lower() if match else f"anon{next(up.serial)}"
            if not request.get("stream"):
                self.respond("200 OK", {"id": f"chatcmpl-{tag}", "object": "chat.completion", "created": int(time.time()),
                                        "model": _MODEL, "choices": [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": up.text}}]})
                return
            usage = bool((request.get("stream_options") or {}).get("include_usage"))
            self.streaming = True
            up.start_stream(self, tag, usage)
        elif path.endswith("/models"):
            self.respond("200 OK", {"object": "list", "data": [{"id": "gpt-4.1-mini", "object": "model"}]})
        elif path == "/bench/times":
            prefix = urllib.parse.parse_qs(query).get("prefix", [""])[0]
            self.respond("200 OK", up.times(prefix))
        elif path == "/bench/recipe":
            self.respond("200 OK", {"text": up.text, "tokens": up.tokens, "tps": up.tps, "ttft": up.ttft})
        elif path == "/bench/stats":
            self.respond("200 OK", {"streams": len(up.streams), "chunks_sent": up.chunks_sent, "lag_max_s": up.lag_max})
        else:
            self.respond("404 Not Found", {"error": {"message": "not found", "type": "invalid_request_error"}})


async def serve(port: int, tps: float, ttft: float, tokens: int, ready: asyncio.Event | None = None) -> None:
    """Serve until cancelled."""
    loop = asyncio.get_running_loop()
    upstream = Upstream(tps, ttft, tokens)
    server = await loop.create_server(lambda: Conn(upstream), "127.0.0.1", port, backlog=4096)
    print(f"upstream on 127.0.0.1:{port}: {len(upstream.tokens)} tokens, {len(upstream.text)} chars, "
          f"{tps} tok/s, ttft {ttft}s", flush=True)
    if ready is not None:
        ready.set()
    async with server:
        await upstream.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--tps", type=float, default=60.0, help="tokens per second per stream")
    parser.add_argument("--ttft", type=float, default=0.25, help="seconds from request to first token")
    parser.add_argument("--tokens", type=int, default=700, help="approximate answer length in tokens")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.tps, args.ttft, args.tokens))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
