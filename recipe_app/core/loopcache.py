"""One object per (event loop, settings): HTTP and Redis clients are bound to the loop they start on."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from recipe_app.core.settings import Settings

T = TypeVar("T")

_objects: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, int], tuple[Settings, Any]]] = (
    weakref.WeakKeyDictionary()
)


def per_loop(kind: str, settings: Settings, factory: Callable[[Settings], T]) -> T:
    """The ``kind`` object built by ``factory`` for these settings on the running loop."""
    objects = _objects.setdefault(asyncio.get_running_loop(), {})
    cached = objects.get((kind, id(settings)))
    if cached is None or cached[0] is not settings:
        cached = objects[(kind, id(settings))] = (settings, factory(settings))
    return cached[1]


async def close_all() -> None:
    """Close the objects built for the running loop (HTTP pools, Redis clients) and forget them."""
    objects = _objects.pop(asyncio.get_running_loop(), {})
    for _settings, obj in objects.values():
        close = getattr(obj, "aclose", None) or getattr(obj, "close", None)
        if close is not None:
            result = close()
            if asyncio.iscoroutine(result):
                await result
