"""A real-HTTP fake of the OpenAI Chat Completions API (incl. SSE streaming) for tests.

``FakeOpenAI`` runs an asyncio HTTP/1.1 server on 127.0.0.1 in a background thread, so
the real ``openai`` SDK / ``httpx`` talk to it unchanged. ``Reply`` objects script each
response (pacing, HTTP errors, stalls, drops, malformed events); every chat request is
recorded as a ``RequestRecord`` readable from the test thread.
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
import uuid
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

_POLL_S = 0.02  # how often waits check whether the client has gone away
IMAGES_PATH = "/v1/images/generations"  # the Images API (image_generation.* events when streamed)
_PHRASES = {s.value: s.phrase for s in HTTPStatus}


def _error(message: str, type_: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    """Build an error body shaped like the real API's."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


_BAD = "invalid_request_error"
DEFAULT_ERRORS: dict[int, dict[str, Any]] = {
    400: _error("Invalid request.", _BAD),
    401: _error("Incorrect API key provided: test.", _BAD, "invalid_api_key"),
    403: _error("You are not allowed to access this resource.", _BAD, "unsupported_country_region_territory"),
    404: _error("The model does not exist or you do not have access to it.", _BAD, "model_not_found"),
    500: _error("The server had an error while processing your request. Sorry about that!", "server_error"),
    503: _error("The engine is currently overloaded, please try again later.", "server_error"),
}
RATE_LIMIT_ERRORS: dict[str, dict[str, Any]] = {  # 429 bodies, selected by Reply.error_code
    "rate_limit_exceeded": _error("Rate limit reached for requests. Please try again in 20s.", "requests",
                                  "rate_limit_exceeded"),
    "insufficient_quota": _error("You exceeded your current quota, please check your plan and billing details.",
                                 "insufficient_quota", "insufficient_quota"),
}
JSON_SCHEMA_REJECTION = _error("Invalid parameter: 'response_format' of type 'json_schema' is not supported "
                               "with this model", _BAD, None, "response_format")
#: What llama-cpp-python 0.3.36 answers to a json_schema response_format: a pydantic literal error
#: turned into a 500, no param and no code; only the text names the field.
LLAMA_CPP_JSON_SCHEMA_500 = _error(
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': "
    "\"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}", "internal_server_error")


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


@dataclass
class Reply:
    """One scripted response. Stream faults (``*_after``) count content chunks already sent."""

    content: str = "Hello from the fake OpenAI server!"
    tokens: list[str] | None = None  # explicit stream pieces; default: 4-char slices of the text
    ttft: float = 0.0  # seconds between the role chunk and the first content chunk
    tokens_per_s: float | None = None  # None = as fast as possible
    delay: float = 0.0  # seconds before the status line/headers are sent at all
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers (e.g. Retry-After)
    error_body: dict[str, Any] | None = None  # non-200 body; default from DEFAULT_ERRORS
    error_code: str = "rate_limit_exceeded"  # 429 flavour, or "insufficient_quota"
    finish_reason: str | None = "stop"  # None: no finish reason at all (an interrupted llama.cpp stream)
    refusal: str | None = None  # stream this as delta.refusal instead of content
    stall_after: int | None = None  # stop sending after N chunks, keep the connection open
    resume: threading.Event | None = None  # images: a stall ends when the test sets this, then the rest is sent
    drop_after: int | None = None  # close the TCP connection after N chunks (incomplete body)
    malformed_after: int | None = None  # inject one "data: {not json" event after N chunks
    reject_json_schema: bool = False  # 400 if response_format.type == "json_schema"
    # Structured-output forms refused before the stream opens: form -> (status, error body); forms
    # are "json_schema", "json_object+schema" (llama.cpp's {"type": "json_object", "schema": ...}),
    # "json_object". Applies to every request answered with this reply.
    refuse_forms: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    split_events: bool = False  # write every event in two halves, 5 ms apart (split lines and UTF-8)
    gzip: bool = False  # Content-Encoding: gzip, flushed after every event
    # --- how other servers speak the same format (llama.cpp, proxies) ---
    usage: bool = True  # send the usage chunk when asked (llama.cpp ignores stream_options)
    done: bool = True  # end with data: [DONE] (False: the body just ends)
    line_ending: str = "\n"  # "\r\n" or "\r": every SSE line ends so
    multiline_data: bool = False  # each event's JSON split over two data: lines (joined with LF)
    keepalives: bool = False  # ": keep-alive" comments and "event: message" fields between events
    context: int | None = None  # llama.cpp-like context in tokens: a longer prompt gets an empty 200
    # body, and the answer stops (finish_reason "length") when prompt + answer fill the context
    content_type: str | None = None  # a 200 that is no event stream: this media type, ``content`` as body

    def pieces(self) -> list[str]:
        """The streamed pieces: ``tokens`` or deterministic 4-character slices of the text."""
        if self.tokens is not None:
            return list(self.tokens)
        text = self.refusal if self.refusal is not None else self.content
        return [text[i:i + 4] for i in range(0, len(text), 4)]

    def error_payload(self) -> dict[str, Any]:
        """The JSON body sent for a non-200 status."""
        if self.error_body is not None:
            return self.error_body
        if self.status == 429:
            return RATE_LIMIT_ERRORS[self.error_code]
        fallback = _error(f"HTTP {self.status}", "server_error" if self.status >= 500 else _BAD)
        return DEFAULT_ERRORS.get(self.status, fallback)


@dataclass
class RequestRecord:
    """What the server saw and did for one chat completion request (times are monotonic)."""

    headers: dict[str, str]  # lower-case names
    body: dict[str, Any]  # parsed JSON request body
    reply: Reply
    stream: bool = False
    status: int = 200
    started_at: float = field(default_factory=time.monotonic)
    chunks_sent: int = 0  # content (or refusal) chunks written
    token_times: list[float] = field(default_factory=list)  # send time of each content chunk
    completed: bool = False  # data: [DONE] (or the full JSON body) was sent
    client_closed: bool = False  # the client went away before the response finished
    dropped: bool = False  # the server cut the connection on purpose (drop_after)
    closed_at: float | None = None  # set once the response is over, for any reason (incl. server stop)


class _Conn:
    """One HTTP/1.1 connection: request parsing, writes and disconnect detection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def gone(self) -> bool:
        """True if the peer closed or reset the connection (checked without consuming input)."""
        r = self.reader
        return r.at_eof() or r.exception() is not None or self.writer.transport.is_closing()

    async def read_request(self) -> tuple[str, str, dict[str, str], bytes] | None:
        """Read one request (Content-Length bodies only); None on clean EOF."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return method, target.split("?", 1)[0], headers, body

    async def pause(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (may be ``inf``); return True as soon as the client is gone."""
        deadline = time.monotonic() + seconds
        while not self.gone():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            await asyncio.sleep(min(left, _POLL_S))
        return True

    async def send(self, data: bytes) -> bool:
        """Write and drain; False if the client is gone."""
        if self.gone():
            return False
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, OSError):
            return False
        return True

    async def head(self, status: int, headers: dict[str, str]) -> bool:
        """Send the status line and headers (plus a request id)."""
        merged = {"x-request-id": f"req_{uuid.uuid4().hex}", "openai-processing-ms": "1"}
        merged.update((k.lower(), v) for k, v in headers.items())
        lines = [f"HTTP/1.1 {status} {_PHRASES.get(status, 'Status')}", *(f"{k}: {v}" for k, v in merged.items())]
        return await self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    async def respond(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> bool:
        """Send a complete JSON response."""
        data = _dumps(payload)
        hdrs = {"content-type": "application/json", "content-length": str(len(data)), **(headers or {})}
        return await self.head(status, hdrs) and await self.send(data)

    async def chunk(self, data: bytes) -> bool:
        """Send one HTTP/1.1 chunk (empty ``data`` ends the chunked body)."""
        return await self.send(b"%x\r\n%s\r\n" % (len(data), data))


class FakeOpenAI:
    """Scriptable OpenAI-compatible HTTP server running in a background thread."""

    def __init__(self, default: Reply | None = None, models: list[str] | None = None) -> None:
        self.default = default or Reply()  # used when the script queue is empty
        self.models = models or ["gpt-4o-mini", "gpt-4o"]  # served by GET /v1/models
        self.port = 0
        self.errors: list[BaseException] = []  # unexpected server-side exceptions (bugs in the fake)
        self._queue: deque[Reply] = deque()
        self.image_default: Reply | None = None  # images requests: their own script, else ``default``
        self._image_queue: deque[Reply] = deque()
        self._records: list[RequestRecord] = []
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop_event: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def base_url(self) -> str:
        """The ``base_url`` for the SDK, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        """Start the server thread; returns once the port is bound."""
        if self._thread is None:
            ready, self._loop = threading.Event(), asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._serve(ready),),
                                            name="fake-openai", daemon=True)
            self._thread.start()
            if not ready.wait(5) or not self.port:
                self.stop()
                raise RuntimeError("FakeOpenAI failed to start")
        return self

    def stop(self) -> None:
        """Stop the server and cut open streams; quick even while streams are stalled."""
        if self._thread is None or self._loop is None:
            return
        if self._thread.is_alive() and self._stop_event is not None:
            self._loop.call_soon_threadsafe(self._stop_event.set)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()
        self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _serve(self, ready: threading.Event) -> None:
        self._stop_event = asyncio.Event()
        try:
            server = await asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=512)
            self.port = server.sockets[0].getsockname()[1]
        finally:
            ready.set()
        await self._stop_event.wait()
        server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await server.wait_closed()

    def script(self, *replies: Reply) -> None:
        """Queue replies, consumed one per chat completion request, in order."""
        with self._cond:
            self._queue.extend(replies)

    def script_images(self, *replies: Reply) -> None:
        """Queue replies for Images API requests only (so a picture never takes a chat reply)."""
        with self._cond:
            self._image_queue.extend(replies)

    def reset(self) -> None:
        """Drop queued replies and recorded requests (``default`` is kept)."""
        with self._cond:
            self._queue.clear()
            self._image_queue.clear()
            self._records.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        """Snapshot list of recorded chat completion requests (the records themselves are live)."""
        with self._cond:
            return list(self._records)

    @property
    def request_count(self) -> int:
        """Number of chat completion requests received so far."""
        return len(self.requests)

    def _wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        with self._cond:
            if not self._cond.wait_for(predicate, max(timeout, 0.0)):
                raise TimeoutError(f"FakeOpenAI: timed out waiting for {what}")

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> list[RequestRecord]:
        """Block until at least ``n`` chat requests arrived; raise TimeoutError otherwise."""
        self._wait(lambda: len(self._records) >= n, timeout, f"{n} request(s)")
        return self.requests

    def wait_closed(self, index: int = -1, timeout: float = 5.0) -> RequestRecord:
        """Block until request ``index`` has ended (completed, client closed, dropped, stopped)."""
        deadline = time.monotonic() + timeout
        rec = self.wait_for_requests(index + 1 if index >= 0 else -index, timeout)[index]
        self._wait(lambda: rec.closed_at is not None, deadline - time.monotonic(), f"request {index} to end")
        return rec

    async def await_requests(self, n: int, timeout: float = 5.0) -> list[RequestRecord]:
        """``wait_for_requests`` for async tests (does not block the event loop)."""
        return await asyncio.to_thread(self.wait_for_requests, n, timeout)

    async def await_closed(self, index: int = -1, timeout: float = 5.0) -> RequestRecord:
        """``wait_closed`` for async tests (does not block the event loop)."""
        return await asyncio.to_thread(self.wait_closed, index, timeout)

    def _update(self, rec: RequestRecord, **changes: Any) -> None:
        with self._cond:
            for name, value in changes.items():
                setattr(rec, name, value)
            self._cond.notify_all()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = _Conn(reader, writer)
        try:
            while (req := await conn.read_request()) is not None and await self._dispatch(conn, *req):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass  # CancelledError comes only from stop(); swallowing it avoids a Python 3.11 log message
        except Exception as exc:  # a bug in the fake: keep it visible to tests
            self.errors.append(exc)
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _dispatch(self, conn: _Conn, method: str, path: str, headers: dict[str, str], raw: bytes) -> bool:
        """Serve one request; return whether the connection may be reused."""
        keep = headers.get("connection", "").lower() != "close"
        if method == "GET" and path == "/v1/models":
            data = [{"id": m, "object": "model", "created": 1700000000, "owned_by": "openai"} for m in self.models]
            return await conn.respond(200, {"object": "list", "data": data}) and keep
        if method != "POST" or path not in ("/v1/chat/completions", IMAGES_PATH):
            return await conn.respond(404, _error(f"Invalid URL ({method} {path})", _BAD)) and keep
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return await conn.respond(400, _error("We could not parse the JSON body of your request.", _BAD)) and keep
        with self._cond:
            if path == IMAGES_PATH and (self._image_queue or self.image_default is not None):
                reply = self._image_queue.popleft() if self._image_queue else self.image_default or self.default
            else:
                reply = self._queue.popleft() if self._queue else self.default
            rec = RequestRecord(headers, body, reply, stream=bool(body.get("stream")))
            self._records.append(rec)
            self._cond.notify_all()
        try:
            if path == IMAGES_PATH:
                return await self._image(conn, rec, reply) and keep
            return await self._complete(conn, rec, reply) and keep
        finally:
            self._update(rec, closed_at=time.monotonic())

    async def _image(self, conn: _Conn, rec: RequestRecord, reply: Reply) -> bool:
        """Answer the Images API like OpenAI's: JSON, or with ``stream`` SSE events
        ``image_generation.partial_image`` (``reply.tokens``: their base64 images, at most the
        request's ``partial_images``) then ``image_generation.completed`` (``reply.content``).
        Faults: ``status``, ``delay``, ``drop_after`` (partial images sent before the cut),
        ``stall_after`` (until ``resume`` is set, if ever); ``tokens_per_s`` paces the events."""
        if await conn.pause(reply.delay):
            return self._gone(rec)
        if reply.status != 200:
            self._update(rec, status=reply.status)
            return await conn.respond(reply.status, reply.error_payload(), reply.headers)
        usage = {"input_tokens": 50, "output_tokens": 272, "total_tokens": 322,
                 "input_tokens_details": {"text_tokens": 50, "image_tokens": 0}}
        common = {"created_at": int(time.time()), "size": rec.body.get("size", "1024x1024"),
                  "quality": rec.body.get("quality", "low"), "background": "opaque",
                  "output_format": rec.body.get("output_format", "png")}
        if not rec.stream:
            payload = {"created": common["created_at"], "data": [{"b64_json": reply.content}], "usage": usage}
            ok = await conn.respond(200, payload, reply.headers)
            self._update(rec, completed=ok)
            return ok
        hdrs = {"content-type": "text/event-stream; charset=utf-8", "transfer-encoding": "chunked", **reply.headers}
        if not await conn.head(200, hdrs):
            return self._gone(rec)
        partials = list(reply.tokens or [])[: int(rec.body.get("partial_images") or 0)]
        interval = 1.0 / reply.tokens_per_s if reply.tokens_per_s else 0.0
        for i in range(len(partials) + 1):
            if i == reply.drop_after:
                self._update(rec, dropped=True)
                return False
            if i == reply.stall_after:
                while reply.resume is None or not reply.resume.is_set():
                    if await conn.pause(_POLL_S):
                        return self._gone(rec)
            if await conn.pause(reply.ttft if i == 0 else interval):
                return self._gone(rec)
            if i == len(partials):
                break
            event = {"type": "image_generation.partial_image", "b64_json": partials[i], "partial_image_index": i, **common}
            if not await conn.chunk(b"event: image_generation.partial_image\ndata: " + _dumps(event) + b"\n\n"):
                return self._gone(rec)
            self._update(rec, chunks_sent=rec.chunks_sent + 1, token_times=[*rec.token_times, time.monotonic()])
        done = {"type": "image_generation.completed", "b64_json": reply.content, "usage": usage, **common}
        if not await conn.chunk(b"event: image_generation.completed\ndata: " + _dumps(done) + b"\n\n"):
            return self._gone(rec)
        self._update(rec, completed=True)
        return await conn.chunk(b"")

    def _gone(self, rec: RequestRecord) -> bool:
        """Mark the client as gone; return False (the connection must close)."""
        self._update(rec, client_closed=True)
        return False

    async def _complete(self, conn: _Conn, rec: RequestRecord, reply: Reply) -> bool:
        """Answer a chat completion (error, JSON or stream); False = close the connection."""
        if await conn.pause(reply.delay):
            return self._gone(rec)
        fmt = rec.body.get("response_format")
        form = _form(fmt)
        if reply.reject_json_schema and form == "json_schema":
            status, error = 400, JSON_SCHEMA_REJECTION
        elif form in reply.refuse_forms:
            status, error = reply.refuse_forms[form]
        else:
            status, error = reply.status, reply.error_payload()
        if status != 200:
            self._update(rec, status=status)
            return await conn.respond(status, error, reply.headers)
        base = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "created": int(time.time()),
                "model": rec.body.get("model", self.models[0]), "system_fingerprint": "fp_fake"}
        if reply.content_type is not None:  # a proxy's HTML page, a plain-text answer
            data = reply.content.encode()
            hdrs = {"content-type": reply.content_type, "content-length": str(len(data))}
            ok = await conn.head(200, hdrs) and await conn.send(data)
            self._update(rec, completed=ok)
            return ok
        if rec.stream:
            return await self._stream(conn, rec, reply, base)
        pieces = reply.pieces()  # non-stream: faults do not apply; use delay=math.inf to hang
        if await conn.pause(reply.ttft):
            return self._gone(rec)
        text, refused = "".join(pieces), reply.refusal is not None
        message = {"role": "assistant", "content": None if refused else text, "refusal": text if refused else None}
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish_reason}
        payload = {**base, "object": "chat.completion", "choices": [choice], "usage": self._usage(rec, pieces)}
        if not await conn.respond(200, payload, reply.headers):
            return self._gone(rec)
        self._update(rec, completed=True, chunks_sent=len(pieces))
        return True

    async def _stream(self, conn: _Conn, rec: RequestRecord, reply: Reply, base: dict[str, Any]) -> bool:
        """Stream SSE chunks exactly like the real API, applying pacing and faults."""
        with_usage = bool((rec.body.get("stream_options") or {}).get("include_usage"))
        extra: dict[str, Any] = {"usage": None} if with_usage else {}  # the real API adds usage: null

        with_usage = with_usage and reply.usage
        extra = extra if reply.usage else {}
        eol = reply.line_ending.encode()

        def sse(data: bytes) -> bytes:
            lines = [data]
            if reply.multiline_data and data.startswith(b"{"):
                cut = data.index(b",") + 1  # JSON may break a line between members
                lines = [data[:cut], data[cut:]]
            text = b"".join(b"data: " + line + eol for line in lines) + eol
            if reply.keepalives:
                text = b": keep-alive" + eol + eol + b"event: message" + eol + text
            return text

        def event(choices: list[dict[str, Any]], **more: Any) -> bytes:
            obj = {**base, "object": "chat.completion.chunk", "choices": choices, **extra, **more}
            return sse(_dumps(obj))

        def delta(d: dict[str, Any], finish: str | None = None) -> bytes:
            return event([{"index": 0, "delta": d, "logprobs": None, "finish_reason": finish}])

        hdrs = {"content-type": "text/event-stream; charset=utf-8", "transfer-encoding": "chunked",
                "cache-control": "no-cache", **reply.headers}
        packer = zlib.compressobj(wbits=31) if reply.gzip else None
        if packer is not None:
            hdrs["content-encoding"] = "gzip"

        async def out(data: bytes) -> bool:
            if packer is not None:
                data = packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH)
            if reply.split_events:
                half = len(data) // 2
                return await conn.chunk(data[:half]) and not await conn.pause(0.005) and await conn.chunk(data[half:])
            return await conn.chunk(data)

        key = "content" if reply.refusal is None else "refusal"
        if not (await conn.head(200, hdrs) and await out(delta({"role": "assistant", "content": ""}))):
            return self._gone(rec)
        pieces = reply.pieces()
        finish_reason: str | None = reply.finish_reason
        room = int(rec.body.get("max_tokens") or len(pieces))
        if reply.context is not None:
            prompt = self._usage(rec, [])["prompt_tokens"]
            if prompt >= reply.context:  # llama.cpp: a 200 whose body ends at once
                self._update(rec, completed=True)
                return await conn.chunk(b"")
            room = min(room, reply.context - prompt)  # a larger max_tokens is silently capped
        if len(pieces) > room:
            pieces, finish_reason = pieces[:room], "length"
        interval = 1.0 / reply.tokens_per_s if reply.tokens_per_s else 0.0
        for i in range(len(pieces) + 1):
            if i == reply.stall_after:
                await conn.pause(math.inf)  # until the client leaves (or stop() cancels us)
                return self._gone(rec)
            if i == reply.drop_after:
                self._update(rec, dropped=True)
                return False  # _handle closes the socket mid-body
            if i == reply.malformed_after and not await out(sse(b"{not json")):
                return self._gone(rec)
            if i == len(pieces):
                break
            if await conn.pause(reply.ttft if i == 0 else interval) or not await out(delta({key: pieces[i]})):
                return self._gone(rec)
            self._update(rec, chunks_sent=rec.chunks_sent + 1, token_times=[*rec.token_times, time.monotonic()])
        tail = [delta({}, finish_reason)] if finish_reason else []  # None: ended like an interrupted llama.cpp
        if with_usage:
            tail.append(event([], usage=self._usage(rec, pieces)))
        if reply.done:
            tail.append(sse(b"[DONE]"))
        for data in tail:
            if not await out(data):
                return self._gone(rec)
        if packer is not None and not await conn.chunk(packer.flush()):
            return self._gone(rec)
        self._update(rec, completed=True)
        return await conn.chunk(b"")

    @staticmethod
    def _usage(rec: RequestRecord, pieces: list[str]) -> dict[str, int]:
        """Rough usage: ~4 bytes of JSON messages per prompt token, one completion token per piece."""
        prompt = max(1, len(_dumps(rec.body.get("messages"))) // 4)
        return {"prompt_tokens": prompt, "completion_tokens": len(pieces), "total_tokens": prompt + len(pieces)}


def _form(response_format: Any) -> str | None:
    """The structured-output form of a request's ``response_format`` (see ``Reply.refuse_forms``)."""
    if not isinstance(response_format, dict):
        return None
    if response_format.get("type") == "json_object":
        return "json_object+schema" if "schema" in response_format else "json_object"
    return response_format.get("type")


def fake_openai_server() -> Iterator[FakeOpenAI]:
    """Fixture body: ``yield`` a started FakeOpenAI and stop it afterwards."""
    with FakeOpenAI() as fake:
        yield fake
