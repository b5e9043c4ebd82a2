"""The numbers a run is given, checked where they enter (``Simulation``, ``run``, the CLI).

A NaN or an infinity slips past comparisons (``nan < 0`` is False, ``inf`` satisfies any upper
bound once a tolerance scales with it), so every value is first required to be a finite real
number; then the run's cost is bounded before anything is allocated or stepped: the number of
steps ``ceil((t_end - t) / dt)`` against ``max_steps``, and the grid's arrays against the memory
this machine has.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from mcgen.errors import ModelError

MAX_STEPS = 10**9  # a run of more steps is refused unless the caller raises max_steps
#: a one-process run calls its kernel for at most this many steps at a time (progress, NaN
#: checks); call c starts at t0 + c*dt, so the time of a step depends on it, and a distributed
#: run takes the same calls' start times (mcgen/run/distributed.py)
STEPS_PER_CALL = 64
BYTES = 8          # float64
ARRAYS_PER_FIELD = 5  # the state, the copy a run keeps to locate a blow-up, two stepper
# buffers (with ghost cells), a result array: the peak of a NumPy or compiled run


def real_number(value: Any, what: str) -> float:
    """``float(value)`` for a finite real number (Python, NumPy or exact SymPy); otherwise a
    :class:`ModelError` that names ``what`` and the value."""
    try:
        if isinstance(value, (bool, np.bool_, str, bytes)) or np.ndim(value) != 0 or \
                np.iscomplexobj(value):
            raise TypeError
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ModelError(f"{what} = {value!r}: give a real number") from None
    if not math.isfinite(x):
        raise ModelError(f"{what} = {x}: give a finite number")
    return x


def check_params(params: Any) -> dict[str, float]:
    """``{"a": 1}`` or ``{a_symbol: 1}`` -> ``{"a": 1.0}``; a list, a string value, NaN or inf
    is refused with the name of the parameter."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise ModelError(f"params = {params!r} is a {type(params).__name__}: give a dict of "
                         "numbers by parameter name, e.g. params={'a': 1.0}")
    out = {}
    for k, v in params.items():
        name = k if isinstance(k, str) else getattr(k, "name", None)
        if not isinstance(name, str):
            raise ModelError(f"params key {k!r}: give parameter names (strings) or symbols")
        out[name] = real_number(v, f"params[{name!r}]")
    return out


def check_dt(dt: Any) -> float | None:
    """None (choose the step from the condition) or a finite positive step."""
    if dt is None:
        return None
    x = real_number(dt, "dt")
    if x <= 0:
        raise ModelError(f"dt = {x:g}: the time step must be positive")
    return x


def check_t_end(t_end: Any, t_now: float) -> float:
    """A finite end time not before the current time ``t_now``."""
    x = real_number(t_end, "t_end")
    if x < t_now:
        raise ModelError(f"t_end = {x:g} is before the current time {t_now:g}: give a later "
                         "end time")
    return x


def check_data_range(data_range: Any) -> tuple[float, float] | None:
    """None (taken from the data) or a pair of finite numbers ``(min, max)``."""
    if data_range is None:
        return None
    if isinstance(data_range, (str, bytes)) or np.ndim(data_range) != 1 or len(data_range) != 2:
        raise ModelError(f"data_range = {data_range!r}: give two numbers (min, max)")
    lo, hi = (real_number(v, "data_range") for v in data_range)
    return (lo, hi)


def planned_steps(total: float, dt: float, max_steps: int | None = None) -> int:
    """``ceil(total / dt)`` steps, refused above ``max_steps`` (default ``MAX_STEPS``) with the
    count and how to allow it, before the first step is taken."""
    limit = MAX_STEPS if max_steps is None else max_steps
    if total <= 0:
        return 0
    ratio = total / dt
    if not ratio <= limit:  # also inf
        shown = f"{ratio:.3g}" if math.isfinite(ratio) else "infinitely many"
        raise ModelError(f"a run over time {total:g} with dt = {dt:g} takes {shown} steps, more "
                         f"than max_steps = {limit}: give a larger dt, or raise the limit "
                         f"(run(t_end, max_steps=...), mcgen run --max-steps)")
    return int(math.ceil(ratio - 1e-12))


def available_memory() -> int | None:
    """Bytes of memory this machine can still give (Linux MemAvailable, else free pages), or
    None when it cannot be told."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def check_fits_in_memory(shape: tuple[int, ...], fields: int, ghost: int = 1,
                         arrays_per_field: int = ARRAYS_PER_FIELD) -> int:
    """The bytes a run on a grid of ``shape`` with ``fields`` fields needs (with ``ghost``
    cells a side); a :class:`ModelError` naming the sizes when that is more than the memory
    available, before anything is allocated."""
    cells = math.prod(shape)
    padded = math.prod(n + 2 * ghost for n in shape)
    need = fields * BYTES * (padded * 2 + cells * (arrays_per_field - 2))
    have = available_memory()
    if have is not None and need > have:
        raise ModelError(f"a grid of {' x '.join(map(str, shape))} = {cells:.3g} cells with "
                         f"{fields} field(s) needs about {need / 2**30:.3g} GiB ({arrays_per_field}"
                         f" arrays of {BYTES}-byte values per field: state, kernel buffers, "
                         f"copies) and this machine has {have / 2**30:.3g} GiB available: use "
                         "fewer cells")
    return need


def check_cells(n: Any, what: str = "cells") -> int:
    """A whole, positive number of cells (``200.0`` accepted; ``50.5``, ``True``, NaN
    refused)."""
    whole = isinstance(n, numbers.Integral) or (isinstance(n, (float, np.floating)) and
                                                 float(n).is_integer())
    if isinstance(n, (bool, np.bool_)) or not whole or n < 1:
        raise ModelError(f"{what} = {n!r}: give a whole number of cells >= 1")
    return int(n)
