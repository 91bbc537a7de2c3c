"""Logging of the studio's own lines: plain text, or one JSON object per line (LOG_JSON=1)."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from recipe_app.core.settings import Settings


def configure_logging(settings: Settings) -> None:
    """Send `recipe_app.*` INFO lines to stderr, as JSON when configured. Idempotent."""
    logger = logging.getLogger("recipe_app")
    logger.setLevel(logging.INFO)
    if any(getattr(h, "_recipe_studio", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._recipe_studio = True  # type: ignore[attr-defined]
    if settings.log_json:
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=True))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
