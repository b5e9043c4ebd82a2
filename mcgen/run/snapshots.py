"""Snapshots of a simulation: ``.npz`` (NumPy) or ``.nc`` (netCDF through xarray).

Both carry the fields, the cell-centre coordinates, the time, the step number and metadata
(model and condition hashes, dt, backend). Writing goes to a temporary file that is then renamed,
so an interrupted write never destroys an earlier snapshot.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mcgen.errors import ModelError
from mcgen.run.grid import Grid

AXES = ("x", "y", "z")
SUFFIXES = (".npz", ".nc")


@dataclass
class Snapshot:
    fields: dict[str, np.ndarray]
    grid: Grid
    t: float
    step: int
    attrs: dict[str, Any] = field(default_factory=dict)


def _atomic(path: Path, write: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def save_snapshot(path: str | Path, fields: dict[str, np.ndarray], grid: Grid, t: float,
                  step: int, attrs: dict[str, Any] | None = None) -> Path:
    """Write ``fields`` on ``grid`` at time ``t`` (after ``step`` steps) to ``path``."""
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise ModelError(f"snapshot {path}: use a .npz or .nc (netCDF) file name")
    attrs = {k: (v if isinstance(v, (int, float, str)) else str(v))
             for k, v in (attrs or {}).items()}
    meta = {**attrs, "t": float(t), "step": int(step), "bounds": [list(b) for b in grid.bounds],
            "shape": list(grid.shape)}
    if path.suffix == ".npz":
        def write(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                # typed Any: savez's stubs would match a ** of arrays against allow_pickle
                arrays: dict[str, Any] = {
                    **{f"field_{k}": v for k, v in fields.items()},
                    **{f"coord_{a}": c for a, c in zip(AXES, grid.centres(), strict=False)},
                    "meta": np.array(json.dumps(meta))}
                np.savez(fh, **arrays)
        return _atomic(path, write)

    import xarray as xr
    dims = AXES[:grid.dim]
    ds = xr.Dataset({k: (dims, np.asarray(v)) for k, v in fields.items()},
                    coords={a: c for a, c in zip(dims, grid.centres(), strict=False)},
                    attrs={**{k: v for k, v in meta.items() if k not in ("bounds", "shape")},
                           "bounds": json.dumps(meta["bounds"]),
                           "shape": json.dumps(meta["shape"]), "time": float(t)})
    return _atomic(path, lambda tmp: ds.to_netcdf(tmp))


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot written by :func:`save_snapshot`."""
    path = Path(path)
    if not path.exists():
        raise ModelError(f"snapshot {path} does not exist")
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            fields = {k[len("field_"):]: z[k].copy() for k in z.files if k.startswith("field_")}
    elif path.suffix == ".nc":
        import xarray as xr
        with xr.open_dataset(path) as ds:
            meta = dict(ds.attrs)
            meta["bounds"] = json.loads(meta["bounds"])
            meta["shape"] = json.loads(meta["shape"])
            fields = {k: ds[k].values.copy() for k in ds.data_vars}
    else:
        raise ModelError(f"snapshot {path}: expected a .npz or .nc file")
    grid = Grid(tuple(meta.pop("shape")), tuple(tuple(b) for b in meta.pop("bounds")))
    t, step = float(meta.pop("t")), int(meta.pop("step"))
    return Snapshot(fields, grid, t, step, meta)
