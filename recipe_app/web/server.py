"""The production server's worker: uvicorn on uvloop, websockets with lean compression state.

rxconfig.py names :class:`Worker` for gunicorn. Its websocket protocol is uvicorn's own
(``websockets`` sans-I/O), negotiating permessage-deflate with smaller zlib state: each open tab
keeps a compressor for as long as it is connected, and its size was most of what an idle tab costs.

* the server compresses with a 2 KB window (uvicorn: 4 KB) and zlib's smallest hash table
  (memLevel 1; uvicorn: 5). A card update repeats most of the one before it, which fits;
* the browser's messages (a few events per recipe) are compressed without context takeover, so the
  server keeps no decompressor between them.

Measured with 300 idle tabs (bench/BENCHMARKS.md): 126 -> 94 KB per tab; on the wire 2.1x the
recipe text instead of 1.3x (4 KB windows, 102 KB per tab), both within the targets.

Replacing uvicorn's connection is a private reach (core/compat.py): when it moves, the worker keeps
uvicorn's own connection (default windows) and the feature is reported degraded.
"""

from __future__ import annotations

from typing import Any

from uvicorn_worker import UvicornWorker
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.server import ServerProtocol

from recipe_app.core.compat import replace_connection, sansio_protocol

#: uvicorn's sans-I/O websocket protocol; uvicorn's generic base if it is gone (then not used).
_Base: type = sansio_protocol() or object

#: History of the server's compressor: 2**11 bytes. 1 KB (10) measured 3.5x the text on the wire.
SERVER_WINDOW_BITS = 11
#: The browser's window: 512 bytes, for small events compressed one by one.
CLIENT_WINDOW_BITS = 9
#: zlib's hash table at 2**(MEM_LEVEL + 7) entries.
MEM_LEVEL = 1


class CompactDeflateProtocol(_Base):  # type: ignore[misc,valid-type]
    """uvicorn's websocket protocol, negotiating smaller permessage-deflate windows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config.ws_per_message_deflate:
            # Replaces the connection uvicorn just built with its defaults (nothing was negotiated yet).
            replace_connection(self, self._compact)

    def _compact(self, old: ServerProtocol) -> ServerProtocol:
        """A connection like uvicorn's, with the lean deflate settings above."""
        deflate = ServerPerMessageDeflateFactory(
            client_no_context_takeover=True,
            server_max_window_bits=SERVER_WINDOW_BITS,
            client_max_window_bits=CLIENT_WINDOW_BITS,
            compress_settings={"memLevel": MEM_LEVEL},
        )
        return ServerProtocol(extensions=[deflate], max_size=self.config.ws_max_size, logger=old.logger)


class Worker(UvicornWorker):
    """gunicorn worker: uvicorn on uvloop (``uvicorn-worker``) with :class:`CompactDeflateProtocol`."""

    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        "ws": "recipe_app.web.server:CompactDeflateProtocol" if _Base is not object else "websockets",
    }
