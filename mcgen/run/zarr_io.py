"""Zarr stores of chunked fields, written in parallel by the workers that hold the chunks.

The store is written under a temporary name beside the target and renamed into place when every
chunk is on disk, so a failed or interrupted write leaves no half-written store at the target
(a store already there is replaced only after the new one is complete). The workers write the
files themselves: with a remote cluster the path must be on storage they share with the client.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from mcgen.errors import ModelError
from mcgen.run.grid import Grid
from mcgen.run.snapshots import AXES


def save_zarr(path: str | Path, fields: dict[str, Any], grid: Grid, t: float, step: int,
              attrs: dict[str, Any] | None = None, client: Any = None,
              overwrite: bool = False) -> Path:
    """Write ``fields`` (dask or NumPy arrays of the grid's shape) to the Zarr store ``path``
    with cell-centre coordinates, ``t``, ``step`` and ``attrs``; returns the path. An existing
    store is replaced only with ``overwrite=True``."""
    import xarray as xr

    path = Path(path)
    if path.exists() and not overwrite:
        raise ModelError(f"Zarr store {path}: it exists; choose another name or pass "
                         "overwrite=True to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    axes = AXES[: grid.dim]
    meta = {k: (v if isinstance(v, (int, float, str)) else str(v))
            for k, v in (attrs or {}).items()}
    meta.update(t=float(t), step=int(step))
    ds = xr.Dataset({f: (axes, a) for f, a in fields.items()},
                    coords={ax: c for ax, c in zip(axes, grid.centres(), strict=True)},
                    attrs=meta)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        pending = ds.to_zarr(tmp, mode="w-", compute=False, consolidated=True,
                             zarr_format=2)
        if client is not None:
            client.compute(pending).result()
        else:
            pending.compute()
        _replace_dir(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


def _replace_dir(new: Path, target: Path) -> None:
    """Move the complete store ``new`` to ``target``; an existing one is moved aside first and
    removed only after the new one is in place."""
    if not target.exists():
        os.rename(new, target)
        return
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old, target)
        raise
    if old.is_dir():
        shutil.rmtree(old)
    else:
        old.unlink()


def load_zarr(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The fields and attributes of a store written by :func:`save_zarr`."""
    import xarray as xr

    with xr.open_zarr(path, consolidated=True) as ds:
        return {f: np.asarray(ds[f].values) for f in ds.data_vars}, dict(ds.attrs)
