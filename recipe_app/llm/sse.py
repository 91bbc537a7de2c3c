"""An incremental Server-Sent Events decoder, after the WHATWG spec (the ``text/event-stream`` format).

Lines end with CRLF, LF or CR (a CRLF may be cut between two reads); a ``data:`` field may span
several lines, joined with LF; lines starting with ``:`` are comments (keep-alives); ``event:``
names the event; an event is dispatched at the blank line that ends it. Bytes in, whole events
out: no per-line objects, so a batch of events costs one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Event:
    """One dispatched event: its type (``message`` unless named) and its data."""

    data: bytes
    event: str = "message"


@dataclass
class SSEDecoder:
    """Feed bytes as they arrive; get the events they complete."""

    _rest: bytes = b""
    _data: list[bytes] = field(default_factory=list)
    _event: str = ""
    _skip_lf: bool = False  # the last read ended with CR: an LF first in the next read ends no line

    def feed(self, chunk: bytes) -> list[Event]:
        """The events completed by ``chunk``."""
        if self._skip_lf and chunk.startswith(b"\n"):
            chunk = chunk[1:]
        self._skip_lf = False
        if b"\r" in chunk:
            self._skip_lf = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = (self._rest + chunk).split(b"\n")
        self._rest = lines.pop()
        return self._events(lines)

    def flush(self, partial_line: bool = True) -> list[Event]:
        """Events still pending when the body ends without their blank line.

        The spec drops them; we keep a complete ``data:`` line (the answer's last bytes before a
        dropped connection are shown), and the unterminated last line too when ``partial_line``.
        """
        lines = [self._rest] if partial_line and self._rest else []
        self._rest = b""
        return self._events([*lines, b""])

    @property
    def pending(self) -> bool:
        """Whether bytes of an event that has not ended are buffered."""
        return bool(self._rest or self._data)

    def _events(self, lines: list[bytes]) -> list[Event]:
        events: list[Event] = []
        for line in lines:
            if not line:
                if self._data:
                    events.append(Event(b"\n".join(self._data), self._event or "message"))
                self._data, self._event = [], ""
                continue
            if line.startswith(b"data:"):  # the common case first
                value = line[5:]
                self._data.append(value[1:] if value.startswith(b" ") else value)
                continue
            if line.startswith(b":"):
                continue  # a comment: keep-alive
            name, colon, value = line.partition(b":")
            if colon and value.startswith(b" "):
                value = value[1:]
            if name == b"data":
                self._data.append(value)  # "data" with no colon: an empty data line
            elif name == b"event":
                self._event = value.decode("utf-8", "replace")
            # id and retry concern reconnecting, which a chat completion never does
        return events
