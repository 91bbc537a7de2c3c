"""A path the backend serves, as the page's own scripts reach it (another port in development)."""

from __future__ import annotations

import reflex as rx
from reflex_base.constants import Dirs
from reflex_base.utils.imports import ImportVar
from reflex_base.vars import VarData

_IMPORTS = VarData(imports={f"$/{Dirs.STATE_PATH}": "getBackendURL", "$/env.json": ImportVar(tag="env", is_default=True)})


def on_backend(src: rx.Var) -> rx.Var:
    """``src`` made absolute on the backend when it is a path (``/pictures/...``); a data URI as it is."""
    return rx.Var(
        _js_expr=f'((s) => s.startsWith("/") ? new URL(s, getBackendURL(env.PING)).href : s)({src})',
        _var_data=VarData.merge(src._get_all_var_data(), _IMPORTS),
    ).to(str)
