"""The production server's worker: uvicorn on uvloop, websockets with small compression windows.

rxconfig.py names :class:`Worker` for gunicorn. Its websocket protocol is uvicorn's own
(``websockets`` sans-I/O) with one change: permessage-deflate uses 1 KB windows instead of 4 KB, and
a smaller zlib hash table. Each open tab holds one compressor and one decompressor for as long as it
is connected, so their size is most of the memory an idle tab costs, while a card update (a few
hundred bytes, repeating the last one) compresses as well in 1 KB as in 4 KB (bench/BENCHMARKS.md).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn_worker import UvicornWorker
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.server import ServerProtocol

#: 2**10 bytes of history each way: a card update and the one before it fit.
WINDOW_BITS = 10
#: zlib's hash table at 2**(3 + 7) entries (memLevel 5 in uvicorn: 4x larger).
MEM_LEVEL = 3


class CompactDeflateProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websocket protocol, negotiating smaller permessage-deflate windows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.config.ws_per_message_deflate:
            # Replaces the connection uvicorn built with 4 KB windows (nothing was negotiated yet).
            self.conn = ServerProtocol(
                extensions=[
                    ServerPerMessageDeflateFactory(
                        server_max_window_bits=WINDOW_BITS,
                        client_max_window_bits=WINDOW_BITS,
                        compress_settings={"memLevel": MEM_LEVEL},
                    )
                ],
                max_size=self.config.ws_max_size,
                logger=self.conn.logger,
            )


class Worker(UvicornWorker):
    """gunicorn worker: uvicorn on uvloop (``uvicorn-worker``) with :class:`CompactDeflateProtocol`."""

    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "ws": "recipe_app.server:CompactDeflateProtocol"}
