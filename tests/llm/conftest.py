from collections.abc import Iterator

import pytest

from recipe_app.llm import structured
from tests.loopclients import _close_loop_clients  # noqa: F401 - autouse fixture


@pytest.fixture(autouse=True)
def _fresh_negotiation() -> Iterator[None]:
    """Each test starts with no remembered structured-output refusals."""
    structured.forget()
    yield
    structured.forget()
