"""Issue 10, item 3: the kernel cache trusted what it found. A shared library planted by another
user was loaded and ran; a truncated or bit-flipped ``.so``/``.o`` killed every later process
(SIGBUS/SIGSEGV/SIGABRT) until ``mcgen cache clear``; the C key ignored the target CPU. Now an
entry is loaded only when its sha256 sidecar matches and both files are the user's own and not
writable by others; anything else is removed and rebuilt. Loading runs in a child process, so
a regression shows as a failed test, not a crashed suite."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mcgen.codegen import cache

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NOBODY = 65534

_RUN = textwrap.dedent("""
    import sys, warnings
    sys.path[:0] = [{repo!r}, {here!r}]
    import numpy as np
    from pathlib import Path
    from mcgen.codegen.backends.c_backend import build_c
    from mcgen.codegen.backends.llvm_backend import build_llvm
    from mcgen.codegen.backends.numba_backend import build_numba
    from hand_ir_kernels import upwind_module
    root = Path(sys.argv[1])
    warnings.simplefilter("always")
    u0 = np.concatenate([[0.0], np.linspace(0, 1, 50), [0.0]])
    c = build_c(upwind_module("up_c"), root)
    l = build_llvm(upwind_module("up_l"))
    n = build_numba(upwind_module("up_n"), root)
    for fn in (c.function("upwind_steps"), l.upwind_steps, n.function("upwind_steps")):
        u = u0.copy()
        fn(u, np.zeros_like(u), 50, 5, 0.5)
        print(repr(float(u.sum())), end=" ")
    print(c.path, l.from_cache)
""")


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    base = tmp_path_factory.mktemp("integrity")
    script = base / "run.py"
    script.write_text(_RUN.format(repo=str(REPO), here=str(HERE)))
    root = base / "cache"

    def run() -> tuple[list[str], str]:
        env = dict(os.environ, MCGEN_CACHE_DIR=str(root))
        p = subprocess.run([sys.executable, str(script), str(root)], env=env,
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"the child died ({p.returncode}):\n{p.stderr[-3000:]}"
        return p.stdout.split(), p.stderr

    first, _ = run()
    return root, run, first


def _entries(root: Path) -> list[Path]:
    """The shared library, the LLVM object, and numba's index and data files."""
    return (sorted(root.glob("c/*.so")) + sorted(root.glob("llvm/*.o"))
            + sorted(root.glob("numba/__pycache__/*.nb[ic]")))


def _flip(p: Path) -> None:
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0x40
    p.write_bytes(bytes(data))


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _foreign_or_writable_by_others(p: Path) -> None:
    if p.suffix in (".o", ".nbi"):
        os.chmod(p, 0o666)
    else:
        os.chown(p, NOBODY, NOBODY)


def _no_sidecar(p: Path) -> None:
    cache.sidecar(p).unlink()


@pytest.mark.parametrize("damage", [_flip, _truncate, _foreign_or_writable_by_others,
                                    _no_sidecar])
def test_damaged_or_foreign_entries_are_rebuilt_never_loaded(runner, damage):
    root, run, first = runner
    entries = _entries(root)
    assert [p.suffix for p in entries] == [".so", ".o", ".nbc", ".nbi"]
    for p in entries:
        damage(p)
    out, err = run()
    assert out[:3] == first[:3]  # the same numbers, from rebuilt kernels
    assert out[4] == "False"  # the LLVM object was compiled again, not read
    assert err.count("is not used") == 4
    for p in _entries(root):  # rebuilt: ours, private, hash recorded
        st = p.stat()
        assert st.st_uid == os.geteuid() and not st.st_mode & 0o022
        assert cache.sidecar(p).read_text() == hashlib.sha256(p.read_bytes()).hexdigest()
    if damage is _flip:
        out, err = run()
        assert out == first[:4] + ["True"] and "is not used" not in err  # read from the cache


def test_a_cache_root_of_another_user_or_writable_by_others_is_refused(tmp_path, monkeypatch):
    root = tmp_path / "shared"
    root.mkdir()
    monkeypatch.setenv("MCGEN_CACHE_DIR", str(root))
    os.chmod(root, 0o777)
    with pytest.raises(cache.CacheSecurityError, match="writable by group or others"):
        cache.store(cache.cache_key("m", "llvm"), ".o", b"x", "llvm")
    os.chmod(root, 0o700)
    os.chown(root, NOBODY, NOBODY)
    with pytest.raises(cache.CacheSecurityError, match=f"belongs to user id {NOBODY}"):
        cache.lookup(cache.cache_key("m", "llvm"), ".o", "llvm")
    assert list(root.iterdir()) == []  # nothing written into it


def test_a_new_cache_root_is_private_and_marked(tmp_path):
    root = cache.ensure_root(tmp_path / "new" / "cache")
    assert root.stat().st_mode & 0o777 == 0o700
    assert (root / cache.MARKER).is_file()


def test_foreign_numba_module_and_numba_cache_files_are_replaced(tmp_path):
    sys.path.insert(0, str(HERE))
    try:
        from hand_ir_kernels import upwind_module
    finally:
        sys.path.remove(str(HERE))
    from mcgen.codegen.backends.numba_backend import write_numba

    path, source = write_numba(upwind_module("up_n"), tmp_path)
    planted = path.parent / "__pycache__" / f"{path.stem}.up_n-1.py311.nbi"
    planted.parent.mkdir()
    planted.write_bytes(b"a pickle from someone else")
    for p in (path, planted):
        os.chown(p, NOBODY, NOBODY)
    with pytest.warns(RuntimeWarning, match="belongs to user id"):
        again, _ = write_numba(upwind_module("up_n"), tmp_path)
    assert again == path and path.read_text() == source
    assert path.stat().st_uid == os.geteuid() and not planted.exists()


def test_the_c_key_follows_the_compiler_and_the_target_cpu(tmp_path, monkeypatch):
    from mcgen.codegen.backends import c_backend

    ident = c_backend.compiler_identity("cc", ("-O3", "-march=native"))
    # the driver resolved -march=native to a named CPU, which is part of the key
    assert "-march=" in ident and '"-march=native"' not in ident
    sys.path.insert(0, str(HERE))
    try:
        from hand_ir_kernels import upwind_module
    finally:
        sys.path.remove(str(HERE))
    here = c_backend.build_c(upwind_module("up_k"), tmp_path).path
    monkeypatch.setattr(c_backend, "compiler_identity",
                        lambda cc, flags: ident.replace("-march=", "-march=other-cpu-"))
    assert c_backend.build_c(upwind_module("up_k"), tmp_path).path != here
