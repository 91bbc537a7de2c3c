"""State shared by every page: the anonymous id of this browser. Imports nothing else of the app."""

from __future__ import annotations

import secrets

import reflex as rx

OWNER_COOKIE = "recipe_studio_browser"


class BrowserState(rx.State):
    """Who is asking, without sign-up: a long random id kept in a cookie, shared by all tabs.

    It owns the browser's history and recipes and keys its rate limits. Only its hash is stored.
    """

    browser_id: str = rx.Cookie("", name=OWNER_COOKIE, max_age=400 * 24 * 3600, same_site="lax")

    def owner_id(self) -> str:
        """This browser's id, created on first use (the cookie is set with the next update)."""
        if len(self.browser_id) < 32:
            self.browser_id = secrets.token_urlsafe(32)
        return self.browser_id
