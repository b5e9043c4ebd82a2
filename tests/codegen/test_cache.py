"""The kernel cache: keys cover everything that changes the output, writers lock and write
atomically, and two processes compiling the same kernel at once both succeed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mcgen.codegen import cache

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MCGEN_CACHE_DIR", str(tmp_path / "cache"))


def test_cache_dir_follows_the_environment(tmp_path):
    assert cache.cache_dir() == tmp_path / "cache"


def test_key_changes_with_each_ingredient():
    base = cache.cache_key("m", "llvm", "O3", "znver3")
    others = [cache.cache_key("m2", "llvm", "O3", "znver3"),
              cache.cache_key("m", "c", "O3", "znver3"),
              cache.cache_key("m", "llvm", "O2", "znver3"),
              cache.cache_key("m", "llvm", "O3", "skylake")]
    assert len({base, *others}) == 5
    assert base == cache.cache_key("m", "llvm", "O3", "znver3")


def test_key_changes_when_a_codegen_source_changes(tmp_path, monkeypatch):
    # An editable install keeps its version string when the code changes: the key must follow
    # the bytes of the sources instead.
    fake = tmp_path / "printer.py"
    fake.write_text("A = 1\n")
    real = cache._source_files()
    assert any(p.name == "cache.py" for p in real)
    monkeypatch.setattr(cache, "_source_files", lambda: [*real, fake])
    before = cache.cache_key("m", "llvm")
    fake.write_text("A = 2\n")  # same size: only the bytes differ
    os.utime(fake, ns=(1, 1))
    assert cache.cache_key("m", "llvm") != before


def test_store_lookup_info_and_clear():
    key = cache.cache_key("model", "llvm")
    assert cache.lookup(key, ".o", "llvm") is None
    cache.store(key, ".o", b"abc", "llvm")
    assert cache.lookup(key, ".o", "llvm") == b"abc"
    info = cache.cache_info()
    assert info["backends"]["llvm"] == {"entries": 1, "bytes": 3}
    assert cache.clear_cache() == 1
    assert cache.lookup(key, ".o", "llvm") is None
    assert cache.cache_info()["entries"] == 0


def test_keys_that_could_escape_the_directory_are_refused():
    with pytest.raises(Exception, match="hex digest"):
        cache.entry_path("../etc", ".o", "llvm")
    with pytest.raises(Exception, match="separator"):
        cache.entry_path("ab", "/../x", "llvm")


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    from mcgen import atomic_io
    target = tmp_path / "out" / "entry.bin"
    atomic_io.write_bytes_atomically(target, b"x" * 10, fsync=True)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_io.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        atomic_io.write_bytes_atomically(target, b"y" * 20, fsync=True)
    assert target.read_bytes() == b"x" * 10
    assert [p.name for p in target.parent.iterdir()] == ["entry.bin"]


_RACE = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [{repo!r}, {here!r}]
    from pathlib import Path
    from mcgen.codegen import cache
    from mcgen.codegen.backends.llvm_backend import build_llvm
    from hand_ir_kernels import upwind_module
    import numpy as np
    go = Path(sys.argv[1])
    while not go.exists():          # start both compilations at the same moment
        time.sleep(0.001)
    builds = Path(sys.argv[2])
    def slow_build():
        with open(builds, "a") as fh:
            fh.write("built\\n")
        time.sleep(0.3)             # hold the lock long enough for the other to queue
        return b"payload"
    data, hit = cache.get_or_build("ab" * 32, ".bin", slow_build, backend="race")
    assert data == b"payload"
    k = build_llvm(upwind_module())
    u = np.concatenate([[0.0], np.linspace(0, 1, 50), [0.0]])
    k.upwind_steps(u, np.zeros_like(u), 50, 5, 0.5)
    print(repr(float(u.sum())), k.from_cache)
""")


def test_two_processes_compiling_the_same_kernel_both_succeed(tmp_path):
    script = tmp_path / "race.py"
    script.write_text(_RACE.format(repo=str(REPO), here=str(HERE)))
    go, builds = tmp_path / "go", tmp_path / "builds.txt"
    env = dict(os.environ, MCGEN_CACHE_DIR=str(tmp_path / "shared-cache"))
    procs = [subprocess.Popen([sys.executable, str(script), str(go), str(builds)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    go.touch()
    results = [p.communicate(timeout=60) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
    sums = {out.split()[0] for out, _ in results}
    assert len(sums) == 1  # both got the same kernel and the same numbers
    # the lock serialised the builders: the second found the first one's entry
    assert builds.read_text().count("built") == 1
    objects = sorted((tmp_path / "shared-cache" / "llvm").iterdir())
    # one object and its hash sidecar, no temporary file left
    assert [p.name for p in objects] == [f".{objects[1].name}.sha256", objects[1].name]


def test_a_reader_without_the_lock_never_removes_an_entry_being_written():
    """Issue 15 (a flaky Dask test, cold cache): a writer renames the entry into place, then
    its sha256 sidecar. A worker process that looked between the two renames found "no sha256
    recorded", removed the entry and rebuilt it; the writer, done, then loaded a ``.so`` that
    was gone ("cannot open shared object file"). Now a reader without the key's lock removes
    nothing; under the lock (no writer half-way) an entry without a sidecar is still rebuilt."""
    import warnings

    from mcgen.atomic_io import write_bytes_atomically

    key = "cd" * 32
    path = cache.entry_path(key, ".so", "race")
    cache.ensure_root()

    def must_not_build() -> bytes:
        raise AssertionError("built again: the writer's entry was lost")

    with cache.locked(key):  # the writer, between renaming the entry and its sidecar
        write_bytes_atomically(path, b"library")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # and no "is not used" warning either
            assert cache.lookup(key, ".so", "race") is None
            assert cache.read_entry(path, remove=False) is None
        assert path.read_bytes() == b"library"
        cache.write_entry(path, b"library")  # the writer finishes (entry, then sidecar)
    assert cache.get_or_build(key, ".so", must_not_build, "race") == (b"library", True)
    # an entry left without a sidecar (a writer that crashed) is rebuilt under the lock
    cache.sidecar(path).unlink()
    with pytest.warns(RuntimeWarning, match="no sha256 was recorded"):
        assert cache.get_or_build(key, ".so", lambda: b"rebuilt", "race") == (b"rebuilt", False)
    assert cache.read_entry(path) == b"rebuilt"
