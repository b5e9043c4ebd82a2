"""``generated/`` is what ``python -m mcgen.codegen.regenerate`` writes today, byte for byte,
whatever the hash seed; ``regenerate(check=True)`` finds stale, missing and extra files and
writes nothing.

The full regeneration runs twice, in two subprocesses started together with different
``PYTHONHASHSEED`` values (set iteration order and anything keyed on ``hash()`` then differ), so
the freshness test and the determinism test share them. Nothing is compiled: the numba modules
are printed, not imported.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcgen.codegen import regenerate as rg

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "generated"
SEEDS = ("0", "2718281")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not rg.is_by_product(p.relative_to(root))}


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(n for n in set(a) | set(b) if a.get(n) != b.get(n))


@pytest.fixture(scope="module")
def regenerated_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{seed: folder}`` of two regenerations into fresh folders, run concurrently."""
    base = tmp_path_factory.mktemp("regenerated")
    procs = {}
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                           os.environ.get("PYTHONPATH")]))}
        procs[seed] = subprocess.Popen(
            [sys.executable, "-m", "mcgen.codegen.regenerate", str(base / seed)], cwd=ROOT,
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for seed, proc in procs.items():
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"regenerate failed (PYTHONHASHSEED={seed}):\n{stderr}"
    return {seed: base / seed for seed in SEEDS}


@pytest.fixture(scope="module")
def regenerated(regenerated_dirs: dict[str, Path]) -> dict[str, dict[str, bytes]]:
    return {seed: _tree(path) for seed, path in regenerated_dirs.items()}


def _host_triple() -> str:
    import llvmlite.binding as llvm

    return llvm.get_default_triple()


def test_regeneration_writes_every_kernel_as_text(regenerated_dirs: dict[str, Path]) -> None:
    root = regenerated_dirs[SEEDS[0]]
    for spec in rg.KERNELS:
        names = {p.name for p in (root / spec.name).iterdir()}
        suffixes = {Path(n).suffix for n in names}
        assert {".py", ".ll", ".c", ".h"} <= suffixes, (spec.name, names)
        assert {"README.md", "manifest.json"} <= names
        assert not suffixes & {".o", ".so", ".pyc"}, (spec.name, names)  # no binaries
        for p in (root / spec.name).iterdir():
            p.read_bytes().decode("utf-8")  # text (raises on a binary)


def test_bytes_do_not_depend_on_the_hash_seed(regenerated: dict[str, dict[str, bytes]]) -> None:
    a, b = (regenerated[s] for s in SEEDS)
    diff = _differences(a, b)
    assert not diff, f"regeneration is not deterministic (PYTHONHASHSEED {SEEDS}): {diff}"


def test_generated_folder_is_fresh(regenerated: dict[str, dict[str, bytes]]) -> None:
    committed = _tree(COMMITTED)
    fresh = regenerated[SEEDS[0]]
    diff = _differences(fresh, committed)
    if diff and all(n.endswith(".ll") or n.endswith("manifest.json") for n in diff):
        line = next(ln for ln in committed["upwind/upwind.ll"].decode().splitlines()
                    if ln.startswith("target triple"))
        if _host_triple() not in line:
            pytest.skip(f"the committed .ll files name another target ({line}); this host "
                        f"prints {_host_triple()}")
    assert not diff, ("generated/ is stale; run `python -m mcgen.codegen.regenerate` "
                      f"and commit. Stale, missing or extra files: {diff}")


def test_no_machine_specific_text(regenerated: dict[str, dict[str, bytes]]) -> None:
    home = str(Path.home())
    for name, data in regenerated[SEEDS[0]].items():
        text = data.decode()
        assert str(ROOT) not in text and home not in text, f"{name} holds a local path"
    manifest = regenerated[SEEDS[0]]["upwind/manifest.json"].decode()
    for key in ("codegen_source_hash", "numba", "llvmlite", "python"):
        assert f'"{key}"' not in manifest, f"manifest records the host's {key}"


def test_check_reports_stale_missing_and_extra_files_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rg, "KERNELS", tuple(k for k in rg.KERNELS if k.name == "upwind"))
    out = tmp_path / "gen"
    first = rg.regenerate(out)
    assert "upwind/upwind.py" in first and "README.md" in first
    assert rg.regenerate(out, check=True) == []
    (out / "upwind" / "upwind.c").write_text("/* edited */\n")
    (out / "upwind" / "upwind.h").unlink()
    (out / "upwind" / "stray.txt").write_text("x")
    before = _tree(out)
    stale = rg.regenerate(out, check=True)
    assert stale == ["upwind/stray.txt", "upwind/upwind.c", "upwind/upwind.h"]
    assert _tree(out) == before  # check mode wrote nothing
    assert rg.regenerate(out) == stale
    assert rg.regenerate(out, check=True) == []
    assert not (out / "upwind" / "stray.txt").exists()
