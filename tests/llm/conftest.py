from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from recipe_app import loopcache


@pytest.fixture(autouse=True)
async def _close_loop_clients() -> AsyncIterator[None]:
    """Close the test loop's HTTP pools (aiohttp warns about sessions left open) after each test."""
    yield
    await loopcache.close_all()
