"""The on-disk kernel cache: compiled objects and generated modules, keyed by everything that can
change them.

A key is the sha256 of the model hash, a hash of mcgen's code-generation *sources* (every ``.py``
file under ``mcgen/codegen`` and every template: an editable install does not change the version
string when the code changes, and a stale kernel returns a wrong answer, not a miss), the backend,
the flags and the CPU. Writers hold an inter-process lock (``fcntl.flock`` on a lock file) and
write a temporary file that ``os.replace`` renames into place, so two processes compiling the same
kernel at once both succeed and a reader never sees half a file.

The directory is ``$MCGEN_CACHE_DIR`` when set, else ``~/.cache/mcgen``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from mcgen.errors import CodegenError

_CODEGEN_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """The cache directory (created on demand): ``$MCGEN_CACHE_DIR`` or ``~/.cache/mcgen``."""
    env = os.environ.get("MCGEN_CACHE_DIR")
    path = Path(env).expanduser() if env else Path.home() / ".cache" / "mcgen"
    return path


def template_dir() -> Path | None:
    """Where the jinja2 templates are (the folder the numba backend loads them from: the
    package ``mcgen._templates`` in a wheel, the top-level ``templates/`` of a source tree);
    None if there are none."""
    try:
        from mcgen.codegen.backends import templates_dir

        return templates_dir()
    except (ImportError, CodegenError):
        pass
    package = _CODEGEN_DIR.parent
    for candidate in (package / "_templates", package.parent / "templates"):
        if candidate.is_dir() and any(candidate.glob("*.jinja")):
            return candidate
    return None


def _source_files() -> list[Path]:
    files = sorted(_CODEGEN_DIR.rglob("*.py"))
    tdir = template_dir()
    if tdir is not None:
        files += sorted(p for p in tdir.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return files


@lru_cache(maxsize=1)
def _cached_source_hash(stamp: tuple[tuple[str, int, int], ...]) -> str:
    h = hashlib.sha256()
    for name, _, _ in stamp:
        path = Path(name)
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def source_hash() -> str:
    """sha256 of the bytes of mcgen's code-generation sources (codegen ``.py`` files and
    templates). Recomputed whenever a file's size or modification time changes."""
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in _source_files())
    return _cached_source_hash(stamp)


def cache_key(model_hash: str, backend: str, flags: str = "", cpu: str = "") -> str:
    """The cache key: sha256 of model hash, code-generation source hash, backend, flags, CPU."""
    parts = [model_hash, source_hash(), backend, flags, cpu]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _entry_dir(backend: str, root: Path | None = None) -> Path:
    if not backend.isidentifier():
        raise CodegenError(f"cache backend name {backend!r} must be an identifier")
    return (cache_dir() if root is None else Path(root)) / backend


def entry_path(key: str, suffix: str, backend: str, root: Path | None = None) -> Path:
    """Where the entry ``key`` + ``suffix`` of ``backend`` lives (it may not exist); ``root``
    overrides :func:`cache_dir` (every function below takes it too)."""
    if not all(c in "0123456789abcdef" for c in key) or not key:
        raise CodegenError(f"cache key {key!r} must be a hex digest (use cache_key())")
    if "/" in suffix or "\\" in suffix or ".." in suffix:
        raise CodegenError(f"cache suffix {suffix!r} must not contain a path separator")
    return _entry_dir(backend, root) / (key + suffix)


@contextlib.contextmanager
def locked(key: str, root: Path | None = None) -> Iterator[None]:
    """Hold the inter-process lock of ``key`` (an exclusive ``flock`` on a lock file)."""
    lock_dir = (cache_dir() if root is None else Path(root)) / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / (key + ".lock"), "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and
    ``os.replace``: readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def lookup(key: str, suffix: str, backend: str, root: Path | None = None) -> bytes | None:
    """The cached bytes of an entry, or None."""
    try:
        return entry_path(key, suffix, backend, root).read_bytes()
    except FileNotFoundError:
        return None


def store(key: str, suffix: str, data: bytes, backend: str, root: Path | None = None) -> Path:
    """Store an entry atomically; returns its path."""
    path = entry_path(key, suffix, backend, root)
    atomic_write(path, data)
    return path


def get_or_build(key: str, suffix: str, build: Callable[[], bytes], backend: str,
                 root: Path | None = None) -> tuple[bytes, bool]:
    """The cached entry, or ``build()`` stored under the lock. Returns ``(data, from_cache)``.

    A second process asking for the same key while the first builds waits on the lock and
    then reads the first one's result instead of building it again.
    """
    data = lookup(key, suffix, backend, root)
    if data is not None:
        return data, True
    with locked(key, root):
        data = lookup(key, suffix, backend, root)
        if data is not None:
            return data, True
        data = build()
        store(key, suffix, data, backend, root)
        return data, False


def cache_info() -> dict[str, object]:
    """What the cache holds: directory, entries and bytes per backend, and the source hash."""
    root = cache_dir()
    backends: dict[str, dict[str, int]] = {}
    if root.is_dir():
        for sub in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "locks"):
            files = [p for p in sub.rglob("*") if p.is_file() and not p.name.startswith(".")]
            backends[sub.name] = {"entries": len(files),
                                  "bytes": sum(p.stat().st_size for p in files)}
    return {"directory": str(root), "backends": backends,
            "entries": sum(b["entries"] for b in backends.values()),
            "bytes": sum(b["bytes"] for b in backends.values()),
            "source_hash": source_hash()}


def clear_cache(backend: str | None = None) -> int:
    """Remove the cached entries (of one backend, or all); returns how many files went."""
    root = cache_dir()
    if not root.is_dir():
        return 0
    targets = [_entry_dir(backend)] if backend else \
        [p for p in root.iterdir() if p.is_dir() and p.name != "locks"]
    removed = 0
    for sub in targets:
        if sub.is_dir():
            removed += sum(1 for p in sub.rglob("*") if p.is_file())
            shutil.rmtree(sub, ignore_errors=True)
    return removed
