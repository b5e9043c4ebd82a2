"""Snapshots of a simulation: ``.npz`` (NumPy) or ``.nc`` (netCDF through xarray).

Both carry the fields, the cell-centre coordinates, the time, the step number and metadata
(model and condition hashes, dt, backend). The state, its time and its step count travel as one
:class:`Instant`, so a snapshot never pairs a state with another step's time. Writing goes to a
temporary file that is then renamed, so an interrupted write never destroys an earlier snapshot,
and an existing file is replaced only with ``overwrite=True``. Reading checks what it reads: a
truncated or foreign file, missing entries, a non-finite time or step, a shape that is not the
grid's, all raise one :class:`SnapshotError` naming the file and the problem.
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from mcgen.atomic_io import replace_atomically
from mcgen.errors import ModelError
from mcgen.run.grid import Grid
from mcgen.run.inputs import check_dt, real_number

AXES = ("x", "y", "z")
SUFFIXES = (".npz", ".nc")
# what a damaged or foreign file raises while it is parsed (zip, npy, JSON, netCDF/HDF5)
_READ_ERRORS = (OSError, EOFError, ValueError, KeyError, IndexError, TypeError, AttributeError,
                RuntimeError, zipfile.BadZipFile)


class SnapshotError(ModelError):
    """A snapshot file that cannot be read or resumed: the message names the file and why."""


class Instant(NamedTuple):
    """A run's fields with the time they hold and the number of steps that made them.

    A simulation keeps these as one value and replaces it in one assignment, so an interrupt
    (Ctrl-C) between two statements cannot leave a state beside another step's time."""

    state: dict[str, np.ndarray]
    t: float
    step: int


@dataclass
class Snapshot:
    fields: dict[str, np.ndarray]
    grid: Grid
    t: float
    step: int
    attrs: dict[str, Any] = field(default_factory=dict)


def check_snapshot_path(path: str | Path, overwrite: bool = False) -> Path:
    """``path`` as a Path if mcgen can write a snapshot there: a ``.npz`` or ``.nc`` name, and
    not an existing file unless ``overwrite`` (checked before a run, not after it)."""
    p = Path(path)
    if p.suffix not in SUFFIXES:
        raise ModelError(f"snapshot {p}: the extension {p.suffix or '(none)'!r} is not one "
                         "mcgen writes: use a .npz (NumPy) or .nc (netCDF) file name")
    if p.exists() and not overwrite:
        raise ModelError(f"snapshot {p}: the file exists; choose another name or pass "
                         "overwrite=True to replace it")
    return p


def numbered(path: str | Path, k: int) -> Path:
    """The ``k``-th of a series of snapshots: ``state.npz`` -> ``state_0003.npz``."""
    p = Path(path)
    return p.with_name(f"{p.stem}_{k:04d}{p.suffix}")


def snapshot_steps(every: Any, dt: float, nsteps: int, path: str | Path | None) -> int:
    """Steps between the snapshots of a run of ``nsteps`` steps of ``dt`` that writes one every
    ``every`` time units to ``numbered(path, k)``; refused before the run when ``every`` is not
    a positive number or one of those files exists (a run never overwrites them)."""
    x = real_number(every, "snapshot_every")
    if x <= 0:
        raise ModelError(f"snapshot_every = {x:g}: give a positive time between snapshots")
    steps = max(1, int(round(min(x / dt, max(nsteps, 1)))))
    if path is not None:
        p = check_snapshot_path(numbered(path, 1), overwrite=True)
        count = nsteps // steps
        for old in sorted(p.parent.glob(f"{Path(path).stem}_*{p.suffix}")):
            k = old.stem.rsplit("_", 1)[-1]
            if k.isdigit() and 1 <= int(k) <= count:
                raise ModelError(f"snapshot {old} exists and this run would write over it: "
                                 f"move it, or give another snapshot_path")
    return steps


def save_snapshot(path: str | Path, fields: dict[str, np.ndarray], grid: Grid, t: float,
                  step: int, attrs: dict[str, Any] | None = None,
                  overwrite: bool = False) -> Path:
    """Write ``fields`` on ``grid`` at time ``t`` (after ``step`` steps) to ``path``; an
    existing file is replaced only with ``overwrite=True``."""
    path = check_snapshot_path(path, overwrite)
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
        return replace_atomically(path, write)

    import xarray as xr
    dims = AXES[:grid.dim]
    ds = xr.Dataset({k: (dims, np.asarray(v)) for k, v in fields.items()},
                    coords={a: c for a, c in zip(dims, grid.centres(), strict=False)},
                    attrs={**{k: v for k, v in meta.items() if k not in ("bounds", "shape")},
                           "bounds": json.dumps(meta["bounds"]),
                           "shape": json.dumps(meta["shape"]), "time": float(t)})
    return replace_atomically(path, lambda tmp: ds.to_netcdf(tmp))


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if path.suffix == ".npz":
        with np.load(path, allow_pickle=False) as z:
            if "meta" not in z.files:
                raise SnapshotError(f"snapshot {path} has no 'meta' entry: it was not written "
                                    "by mcgen (Simulation.save)")
            meta = json.loads(str(z["meta"]))
            fields = {k[len("field_"):]: z[k].copy() for k in z.files if k.startswith("field_")}
        return meta, fields
    import xarray as xr
    with xr.open_dataset(path) as ds:
        meta = dict(ds.attrs)
        for key in ("bounds", "shape"):
            if key in meta:
                meta[key] = json.loads(meta[key])
        fields = {k: ds[k].values.copy() for k in ds.data_vars}
    return meta, fields


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot written by :func:`save_snapshot`, checking that its time, step, grid
    and fields are consistent (a :class:`SnapshotError` names the file and the problem)."""
    path = Path(path)
    if not path.is_file():
        raise SnapshotError(f"snapshot {path} does not exist")
    if path.suffix not in SUFFIXES:
        raise SnapshotError(f"snapshot {path}: expected a .npz or .nc file")
    try:
        meta, fields = _read(path)
    except SnapshotError:
        raise
    except _READ_ERRORS as err:
        raise SnapshotError(f"snapshot {path} cannot be read ({type(err).__name__}: {err}): "
                            "the file is damaged or not a snapshot written by mcgen") from None
    if not isinstance(meta, dict):
        raise SnapshotError(f"snapshot {path}: its metadata is not a record of named values")
    missing = [k for k in ("t", "step", "shape", "bounds") if k not in meta]
    if missing:
        raise SnapshotError(f"snapshot {path} lacks {missing}: it was not written by mcgen "
                            "(Simulation.save), or was edited")
    try:
        grid = Grid(tuple(meta.pop("shape")), tuple(tuple(b) for b in meta.pop("bounds")))
    except (ModelError, TypeError, ValueError) as err:
        raise SnapshotError(f"snapshot {path} has an invalid grid: {err}") from None
    t, step = meta.pop("t"), meta.pop("step")
    _check_instant(path, t, step, meta.get("dt"))
    if not fields:
        raise SnapshotError(f"snapshot {path} holds no fields")
    for name, arr in fields.items():
        if arr.shape != grid.shape or arr.dtype.kind not in "fiu":
            raise SnapshotError(f"snapshot {path}: field {name!r} has shape {arr.shape} and "
                                f"dtype {arr.dtype}, not the grid's shape {grid.shape} of real "
                                "numbers")
        if not np.all(np.isfinite(arr)):
            raise SnapshotError(f"snapshot {path}: field {name!r} holds NaN or inf")
    return Snapshot({k: np.asarray(v, dtype=float) for k, v in fields.items()}, grid,
                    float(t), int(step), meta)


def _check_instant(path: Path, t: Any, step: Any, dt: Any) -> None:
    """A finite time t >= 0, a whole step count >= 0 and (when recorded) a usable dt."""
    if isinstance(t, bool) or not isinstance(t, (int, float, np.integer, np.floating)) or \
            not math.isfinite(float(t)) or t < 0:
        raise SnapshotError(f"snapshot {path} records the time t = {t!r}: a snapshot's time is "
                            "a finite number >= 0")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 0:
        raise SnapshotError(f"snapshot {path} records the step count {step!r}: it is a whole "
                            "number >= 0")
    if dt is not None:
        try:
            check_dt(dt)
        except ModelError as err:
            raise SnapshotError(f"snapshot {path} records an unusable time step: {err}") from None
