"""The layers of the package hold: import-linter contracts (tests/importlinter.ini), run as a test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
         str(ROOT / "tests" / "importlinter.ini"), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_studio_state_declares_exactly_the_card_fields() -> None:
    from recipe_app.components.recipe_view import CARD_TO_VAR
    from recipe_app.domain.card import EMPTY_CARD
    from recipe_app.pages.studio.state import StudioState

    declared = set(StudioState.get_fields())
    for key, empty in EMPTY_CARD.items():
        name = CARD_TO_VAR.get(key, key)
        assert name in declared, f"card field {key} has no state var {name}"
        field = StudioState.get_fields()[name]
        default = field.default_factory() if field.default_factory is not None else field.default
        assert default == empty, key
