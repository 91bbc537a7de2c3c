"""State shared by every page: the anonymous id of this browser. Imports nothing else of the app."""

from __future__ import annotations

import secrets
import string

import reflex as rx

OWNER_COOKIE = "recipe_studio_browser"
#: Length of a new id (``secrets.token_urlsafe(32)``); a cookie holding anything else is replaced.
OWNER_ID_CHARS = 43
_URLSAFE = frozenset(string.ascii_letters + string.digits + "-_")


def served_over_https() -> bool:
    """True when the deployment's public address (``REFLEX_DEPLOY_URL``) is https: cookies get ``Secure``."""
    return (rx.config.get_config().deploy_url or "").lower().startswith("https://")


def valid_owner_id(value: str) -> bool:
    """An id this app could have made: the key to a whole library is never a tampered string."""
    return len(value) == OWNER_ID_CHARS and _URLSAFE.issuperset(value)


class BrowserState(rx.State):
    """Who is asking, without sign-up: a long random id kept in a cookie, shared by all tabs.

    It owns the browser's history and recipes and keys its rate limits. Only its hash is stored.
    The cookie is ``Secure`` when the app is served over https (``REFLEX_DEPLOY_URL=https://...``).
    """

    browser_id: str = rx.Cookie(
        "", name=OWNER_COOKIE, max_age=400 * 24 * 3600, same_site="lax", secure=served_over_https()
    )

    def owner_id(self) -> str:
        """This browser's id, created on first use (the cookie is set with the next update)."""
        if not valid_owner_id(self.browser_id):
            self.browser_id = secrets.token_urlsafe(32)
        return self.browser_id
