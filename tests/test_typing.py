"""The typed core packages are clean under mypy (STYLE.md: type hints on public functions,
checked with mypy; settings in pyproject.toml's [tool.mypy])."""

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the packages kept fully clean; add one here only once `python -m mypy mcgen/<pkg>` passes
TYPED_PACKAGES = ["mcgen/proof", "mcgen/model", "mcgen/analysis", "mcgen/synthesis",
                  "mcgen/train", "mcgen/codegen", "mcgen/run"]


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_core_packages_are_mypy_clean():
    # the cache lives outside the working tree (it is not git-ignored) and persists between runs
    cache = Path(tempfile.gettempdir()) / "mcgen-mypy-cache"
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache),
                          *TYPED_PACKAGES], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, f"mypy found errors:\n{run.stdout[-5000:]}{run.stderr[-2000:]}"
