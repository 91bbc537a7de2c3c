"""The one AsyncOpenAI client per event loop: the real provider, any compatible server, or the demo.

Clients live at module level, never on state (states are pickled). The demo model is reached
through the same SDK and wire format: only the httpx transport differs.
"""

from __future__ import annotations

import httpx
import httpx2
from openai import AsyncOpenAI, DefaultAioHttpClient

from recipe_app.core.loopcache import per_loop
from recipe_app.core.settings import Settings

DEMO_BASE_URL = "http://demo.invalid/v1"



def _timeout(settings: Settings) -> httpx.Timeout:
    # The read timeout is the stall detector: no bytes for this long mid-stream ends the stream.
    return httpx.Timeout(settings.openai_timeout_s, connect=10.0, read=settings.stall_timeout_s)


def build_client(settings: Settings) -> AsyncOpenAI:
    """A new client for these settings (tests and the benchmark build their own)."""
    if settings.demo_mode:
        from recipe_app.llm.demo import DemoTransport  # the demo model is only loaded when used

        rate = settings.demo_tokens_per_s
        transport = DemoTransport(tokens_per_s=(rate * 0.8, rate * 1.2))
        return AsyncOpenAI(
            api_key="demo",
            base_url=DEMO_BASE_URL,
            max_retries=0,
            http_client=httpx.AsyncClient(transport=transport, timeout=_timeout(settings)),
        )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    # Many concurrent streams share one pool; the default limit of 100 would queue them.
    if settings.upstream_http == "aiohttp":
        # aiohttp's C parser: about half the CPU per streamed chunk of httpx/h11 (bench/reader.py).
        timeout = httpx2.Timeout(settings.openai_timeout_s, connect=10.0, read=settings.stall_timeout_s)
        http_client = DefaultAioHttpClient(
            timeout=timeout, limits=httpx2.Limits(max_connections=1000, max_keepalive_connections=100)
        )
    else:
        http_client = httpx.AsyncClient(
            timeout=_timeout(settings), limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100)
        )
    return AsyncOpenAI(
        api_key=key,
        base_url=settings.openai_base_url or None,
        max_retries=0,  # retries are ours (llm/run.py): the cook sees them, and none after text was shown
        timeout=_timeout(settings),
        http_client=http_client,
    )


def get_client(settings: Settings) -> AsyncOpenAI:
    """The shared client for the running event loop (httpx pools are bound to their loop)."""
    return per_loop("openai", settings, build_client)
