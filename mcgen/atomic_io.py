"""Writing a file so that readers see the old file or the whole new one, never a part.

Every layer writes through here (cache entries, generated modules, exports, snapshots, reports):
one temporary file in the target's folder, then ``os.replace``; the temporary file is removed
if the write fails, so nothing half-written is ever left under the final name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace_atomically(path: str | Path, write: Callable[[str], object],
                       suffix: str | None = None, fsync: bool = False,
                       mode: int | None = None) -> Path:
    """Call ``write(tmp)`` on a temporary path next to ``path``, then rename it onto ``path``.

    ``suffix`` defaults to ``path``'s own (writers such as ``np.savez`` add theirs otherwise);
    ``fsync`` flushes the data to disk before the rename; ``mode`` sets the permission bits.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                               suffix=path.suffix if suffix is None else suffix)
    os.close(fd)
    try:
        write(tmp)
        if fsync:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def write_bytes_atomically(path: str | Path, data: bytes, suffix: str | None = None,
                           fsync: bool = False, mode: int | None = None) -> Path:
    """:func:`replace_atomically` with ``data`` as the content."""
    return replace_atomically(path, lambda tmp: Path(tmp).write_bytes(data), suffix, fsync, mode)


def write_text_atomically(path: str | Path, text: str) -> Path:
    """:func:`replace_atomically` with ``text`` (UTF-8) as the content."""
    return replace_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
