"""Training data: snapshots u^n on a grid (time first), read and checked before any fit.

Accepted: a NumPy array ``(T, N)`` or ``(T, N_x, N_y)``; a ``.npz`` file (array ``u`` or its only
array, optional scalars ``dx``, ``dt``); an ``xarray.DataArray`` (or a netCDF file holding one)
whose first dimension is time and whose space coordinates, when present, are checked to be
uniform and to match ``dx``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mcgen.errors import ModelError


class DataError(ModelError):
    """Training data cannot be used as given; the message names the defect and the fix."""


@dataclass(frozen=True)
class Snapshots:
    """Checked snapshots: ``u[n, i(, j)]`` at steps of ``dt`` on a grid of steps ``dx``."""

    u: np.ndarray
    dx: tuple[float, ...]
    dt: float

    @property
    def dim(self) -> int:
        return self.u.ndim - 1

    @property
    def steps(self) -> int:
        return self.u.shape[0]


def _uniform_step(coord: np.ndarray, name: str) -> float:
    d = np.diff(np.asarray(coord, dtype=float))
    if d.size == 0:
        raise DataError(f"coordinate {name!r} has one point: a stencil needs a grid")
    if not np.allclose(d, d[0], rtol=1e-9, atol=0.0):
        raise DataError(f"coordinate {name!r} is not uniform (steps from {d.min()} to {d.max()}):"
                        " fit_scheme learns lattice updates; resample onto a uniform grid")
    return float(d[0])


def _from_xarray(da: Any, dx: Any, dt: Any) -> tuple[np.ndarray, Any, Any]:
    dims = list(da.dims)
    steps: list[float | None] = []
    for name in dims[1:]:
        if name in da.coords:
            steps.append(_uniform_step(da.coords[name].values, name))
        else:
            steps.append(None)
    if dt is None and dims[0] in da.coords:
        dt = _uniform_step(da.coords[dims[0]].values, dims[0])
    if all(s is not None for s in steps):
        if dx is None:
            dx = tuple(steps)
        else:
            given = (dx,) * len(steps) if isinstance(dx, (int, float, np.number)) else tuple(dx)
            for name, s, g in zip(dims[1:], steps, given, strict=False):
                if s is not None and not np.isclose(s, float(g), rtol=1e-9):
                    raise DataError(f"coordinate {name!r} has step {s} but dx={g!r} was given: the "
                                    "grid does not match; drop dx= (it is read from the "
                                    "coordinates) or pass the data's own step")
    return np.asarray(da.values, dtype=float), dx, dt


def load_snapshots(data: Any, dx: Any = None, dt: float | None = None) -> Snapshots:
    """Read and check training snapshots (see the module docstring)."""
    if isinstance(data, Snapshots):
        return data
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.exists():
            raise DataError(f"no data file {path}")
        if path.suffix == ".npz":
            with np.load(path) as z:
                names = [k for k in z.files if z[k].ndim >= 2]
                key = "u" if "u" in z.files else (names[0] if len(names) == 1 else None)
                if key is None:
                    raise DataError(f"{path} holds arrays {z.files}: name the snapshot array 'u'")
                arr = np.asarray(z[key], dtype=float)
                dx = dx if dx is not None else (float(z["dx"]) if "dx" in z.files else None)
                dt = dt if dt is not None else (float(z["dt"]) if "dt" in z.files else None)
            data = arr
        elif path.suffix == ".nc":
            import xarray as xr
            data = xr.open_dataarray(path)
        else:
            raise DataError(f"data file {path}: use .npz (array 'u', time first) or .nc")
    if hasattr(data, "dims") and hasattr(data, "coords"):
        arr, dx, dt = _from_xarray(data, dx, dt)
    else:
        arr = np.asarray(data, dtype=float)
    if arr.ndim not in (2, 3):
        raise DataError(f"snapshots have shape {arr.shape}: give (time, x) or (time, x, y)")
    if dx is None or dt is None:
        raise DataError("the grid step dx and the time step dt are needed (give dx=, dt=, or "
                        "coordinates in an xarray DataArray, or scalars 'dx', 'dt' in the .npz)")
    dim = arr.ndim - 1
    dxs: tuple[float, ...] = (float(dx),) * dim if isinstance(dx, (int, float, np.number)) else \
        tuple(float(v) for v in dx)
    if len(dxs) != dim or min(dxs) <= 0 or float(dt) <= 0:
        raise DataError(f"dx={dx!r}, dt={dt!r}: give {dim} positive grid step(s) and a positive dt")
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(f"snapshots contain {int(bad.sum())} NaN/inf values (first at index "
                        f"{where}): remove or fill those samples before fitting")
    if arr.shape[0] < 2:
        raise DataError(f"{arr.shape[0]} snapshot(s): a one-step update needs at least two "
                        "consecutive snapshots")
    return Snapshots(arr, dxs, float(dt))
