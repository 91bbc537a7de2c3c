"""Close the test loop's HTTP pools after each async test (aiohttp warns about sessions left open).

Imported by the conftest of the async test packages only: an async autouse fixture in the top-level
conftest would also wrap the synchronous Playwright tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from recipe_app.core import loopcache


@pytest.fixture(autouse=True)
async def _close_loop_clients() -> AsyncIterator[None]:
    yield
    await loopcache.close_all()
