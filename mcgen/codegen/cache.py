"""The on-disk kernel cache: compiled objects and generated modules, keyed by everything that can
change them.

A key is the sha256 of the model hash, a hash of mcgen's code-generation *sources* (every ``.py``
file under ``mcgen/codegen`` and every template: an editable install does not change the version
string when the code changes, and a stale kernel returns a wrong answer, not a miss), the backend,
the flags and the CPU. Writers hold an inter-process lock (``fcntl.flock`` on a lock file) and
write a temporary file that ``os.replace`` renames into place, so two processes compiling the same
kernel at once both succeed and a reader never sees half a file. A reader without the lock
never removes an entry: an entry without its sidecar is also what a writer leaves for the moment
between its two renames, so only a reader holding the key's lock (no writer can be half-way
then) removes and rebuilds it (:func:`verified_or_built`). Removing it unlocked was a race: the
writer, done, loaded a ``.so`` that a reader had just deleted ("cannot open shared object file").

The directory is ``$MCGEN_CACHE_DIR`` when set, else ``~/.cache/mcgen``.

Nothing is loaded on trust (what runs from the cache is native code):

- the cache root must belong to the current user and must not be writable by group or others
  (else :class:`CacheSecurityError`, naming the folder and the fix: a shared or foreign folder
  is refused rather than silently replaced by another one, so the user learns that the
  environment points somewhere unsafe); mcgen creates it with mode 0700 and a marker file
  (:data:`MARKER`) that ``mcgen cache clear`` requires;
- every entry is written with a sidecar holding its sha256 (``.<name>.sha256``, written after
  the entry, both atomically) and is used only if the sidecar exists, the hash matches and both
  files belong to the user and are not writable by others. A truncated, bit-flipped, planted or
  foreign entry is removed and rebuilt, never loaded (:func:`read_entry`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import stat
import warnings
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from mcgen.atomic_io import write_bytes_atomically
from mcgen.errors import CodegenError

_CODEGEN_DIR = Path(__file__).resolve().parent

#: the file that marks a folder as mcgen's cache (written when mcgen creates the folder)
MARKER = ".mcgen-cache"
#: the sub-folders mcgen writes in the cache root: the only ones ``clear_cache`` deletes
BACKEND_DIRS = ("numba", "c", "llvm", "montecarlo")
_KNOWN = set(BACKEND_DIRS) | {"locks", MARKER}


class CacheSecurityError(CodegenError):
    """The cache folder is not private to this user, or is not mcgen's."""


def _unsafe(st: os.stat_result) -> str | None:
    """Why a file or folder with this stat cannot be trusted (None when it can)."""
    if st.st_uid != os.geteuid():
        return f"it belongs to user id {st.st_uid}, not to you ({os.geteuid()})"
    if st.st_mode & 0o022:
        return f"it is writable by group or others (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def ensure_root(root: Path | None = None) -> Path:
    """The cache root, created private (mode 0700, with the :data:`MARKER` file) when missing;
    raise :class:`CacheSecurityError` when it exists but belongs to someone else or is writable
    by group or others."""
    path = cache_dir() if root is None else Path(root)
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.stat()
    why = _unsafe(st)
    if why is not None or not stat.S_ISDIR(st.st_mode):
        raise CacheSecurityError(
            f"the kernel cache {path} cannot be trusted: {why or 'it is not a folder'}. mcgen "
            "loads native code from it, so it must be a folder of your own that nobody else can "
            "write: set MCGEN_CACHE_DIR to such a folder (or `chmod go-w` it if it is yours)")
    marker = path / MARKER
    if not marker.exists() and all(p.name in _KNOWN or p.name.startswith(".")
                                   for p in path.iterdir()):
        # a new folder, or one that holds only what mcgen writes (a cache made before the
        # marker existed): mark it as mcgen's. A folder with anything else is written into
        # (our own file names, atomically) but never marked, so `cache clear` leaves it alone.
        write_bytes_atomically(marker, b"mcgen kernel cache: `mcgen cache clear` may empty this "
                             b"folder's numba/, c/, llvm/ and montecarlo/\n")
    return path


def sidecar(path: Path) -> Path:
    """Where the sha256 of the entry ``path`` is recorded."""
    return path.with_name(f".{path.name}.sha256")


def write_entry(path: Path, data: bytes) -> None:
    """Write an entry and then its hash sidecar, both atomically (a crash between the two
    leaves an entry without a valid sidecar: it is rebuilt, not trusted)."""
    write_bytes_atomically(path, data, suffix=".tmp", fsync=True)
    write_bytes_atomically(sidecar(path), hashlib.sha256(data).hexdigest().encode(), suffix=".tmp",
                           fsync=True)


def distrust(path: Path) -> None:
    """Remove ``path`` when another user owns it or others can write it (an entry that is
    checked by content, like a generated module, or one written by a tool we cannot hash, like
    numba's index and data files)."""
    try:
        why = _unsafe(path.lstat())
    except FileNotFoundError:
        return
    if why is not None:
        warnings.warn(f"mcgen: the cached file {path} is not used ({why}); rebuilding it",
                      RuntimeWarning, stacklevel=2)
        path.unlink()


def read_entry(path: Path, remove: bool = True) -> bytes | None:
    """The bytes of a verified entry, or None when it is missing or cannot be trusted (owner,
    permissions, missing sidecar, hash mismatch): then the entry is removed, to be rebuilt,
    unless ``remove`` is False (a reader without the entry's lock: a writer may be between
    renaming the entry and its sidecar into place)."""
    try:
        data = path.read_bytes()
        st = path.stat()
    except FileNotFoundError:
        return None
    why = _unsafe(st)
    side = sidecar(path)
    if why is None:
        try:
            recorded = side.read_bytes().decode("ascii", "replace").strip()
            why = _unsafe(side.stat()) or (
                None if recorded == hashlib.sha256(data).hexdigest()
                else "its content does not match the sha256 recorded when it was written")
        except FileNotFoundError:
            why = "no sha256 was recorded for it"
    if why is None:
        return data
    if not remove:
        return None
    warnings.warn(f"mcgen: the cached file {path} is not used ({why}); rebuilding it",
                  RuntimeWarning, stacklevel=2)
    for p in (path, side):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
    return None


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
    lock_dir = ensure_root(root) / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / (key + ".lock"), "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def lookup(key: str, suffix: str, backend: str, root: Path | None = None) -> bytes | None:
    """The cached bytes of an entry after verification (:func:`read_entry`), or None; an
    entry that fails it is left in place (only a reader holding its lock removes it)."""
    ensure_root(root)
    return read_entry(entry_path(key, suffix, backend, root), remove=False)


def store(key: str, suffix: str, data: bytes, backend: str, root: Path | None = None) -> Path:
    """Store an entry and its hash atomically; returns its path."""
    ensure_root(root)
    path = entry_path(key, suffix, backend, root)
    write_entry(path, data)
    return path


def verified_or_built(path: Path, lock_key: str, build: Callable[[], bytes],
                      root: Path | None = None) -> tuple[bytes, bool]:
    """The verified entry at ``path``, or ``build()`` written there under the inter-process
    lock of ``lock_key``. Returns ``(data, from_cache)``.

    The first look takes no lock and removes nothing; the second, under the lock, removes an
    entry that fails verification and builds it again. A second process asking while the
    first builds waits on the lock, then reads the first one's result instead of building it
    again; once this returns, the entry stays in place (a reader can no longer find it
    half-written), so it can be loaded by its path.
    """
    data = read_entry(path, remove=False)
    if data is not None:
        return data, True
    with locked(lock_key, root):
        data = read_entry(path)
        if data is not None:
            return data, True
        data = build()
        write_entry(path, data)
        return data, False


def get_or_build(key: str, suffix: str, build: Callable[[], bytes], backend: str,
                 root: Path | None = None) -> tuple[bytes, bool]:
    """The cached entry of ``key``, or ``build()`` stored (:func:`verified_or_built`).
    Returns ``(data, from_cache)``."""
    ensure_root(root)
    return verified_or_built(entry_path(key, suffix, backend, root), key, build, root)


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
    """Remove the cached entries (of one backend, or all); returns how many files went.

    Only a folder that mcgen marked as its cache (:data:`MARKER`) is touched, and in it only
    the sub-folders mcgen writes (:data:`BACKEND_DIRS`): anything else stays. A folder without
    the marker is refused with :class:`CacheSecurityError` and nothing is deleted.
    """
    if backend is not None and backend not in BACKEND_DIRS:
        raise CodegenError(f"backend {backend!r}: the cache is kept per backend, one of "
                           f"{list(BACKEND_DIRS)} (leave it out to clear everything)")
    root = cache_dir()
    if not root.is_dir():
        return 0
    if not (root / MARKER).is_file():
        raise CacheSecurityError(
            f"{root} is not marked as mcgen's kernel cache (no {MARKER} file in it), so "
            "nothing was deleted: check MCGEN_CACHE_DIR, or delete the folder yourself if it "
            "is an old cache")
    ensure_root(root)
    removed = 0
    for name in (backend,) if backend else BACKEND_DIRS:
        sub = root / name
        if sub.is_dir() and not sub.is_symlink():
            removed += sum(1 for p in sub.rglob("*") if p.is_file()
                           and not p.name.startswith("."))
            shutil.rmtree(sub, ignore_errors=True)
    return removed
