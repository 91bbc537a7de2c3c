"""axe-core in the browser suite: installed from the npm registry by `package.json` beside this file
(`npm ci` on first use), injected into a page with Playwright's add_script_tag, and run there."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
#: axe impacts that fail a page; "moderate" and "minor" are reported by axe but not gated here.
BLOCKING = ("serious", "critical")


def axe_script() -> Path:
    """axe.min.js, installed with `npm ci` from package-lock.json when it is not there yet."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            reason = "axe-core is not installed and npm is missing (apt-get install npm, then npm ci in tests/browser)"
            if os.environ.get("CI"):
                pytest.fail(reason, pytrace=False)
            pytest.skip(reason)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, capture_output=True, timeout=300)
    return AXE


def blocking_violations(page: Any) -> list[str]:
    """Run axe on the page as it is now: one line per serious or critical violation and node."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document, { resultTypes: ['violations'] });
          return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(1, 3).join(' ')) }));
        }"""
    )
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {node}" for v in result if v["impact"] in BLOCKING for node in v["nodes"]
    ]
