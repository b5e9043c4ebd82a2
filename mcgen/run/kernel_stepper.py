"""Drive a compiled stencil kernel (``mcgen.codegen.compile``) with the Simulation's values.

The Simulation enforces its condition itself (it chose or checked dt against it), so the kernel
is built with ``unsafe=True`` and receives the scheme's parameters already evaluated: ``nu`` from
``a*dt/dx`` and so on, through the scheme's ``definitions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.numeric import numpy_function
from mcgen.model.symbols import t as T_SYM


class KernelStepper:
    """Same interface as :class:`~mcgen.run.numpy_stepper.NumpyStepper`:
    ``run(state, t, dt, nsteps)``."""

    def __init__(self, compile_fn: Callable[..., Any], sim: Any, backend: str) -> None:
        self.scheme = sim.scheme
        self.grid = sim.grid
        self.values = dict(sim.params)
        self.kernel = compile_fn(sim.scheme, backend=backend, bc=sim.boundary, unsafe=True)
        self.backend = backend
        spacing = {s.name: h for s, h in zip(self.scheme.spacing, self.grid.spacing, strict=False)}
        self.spacing = spacing
        defs = {k.name: v for k, v in self.scheme.definitions.items()}
        self._param_fns: list[tuple[str, Callable[..., float], list[str]]] = []
        for p in self.scheme.params:
            if p.name in self.values or p.name == T_SYM.name:  # t: the kernel's own time
                continue
            if p.name not in defs:
                raise ModelError(f"parameter {p.name!r} of scheme {self.scheme.name!r} has no "
                                 "value and no definition: pass it in params=")
            expr = defs[p.name]
            names = sorted(s.name for s in expr.free_symbols)
            fn = numpy_function(expr.xreplace({s: sp.Symbol(s.name) for s in expr.free_symbols}),
                                [sp.Symbol(n) for n in names], where=f"the definition of {p.name}")
            self._param_fns.append((p.name, fn, names))

    def _params(self, dt: float) -> dict[str, float]:
        env = {**self.values, **self.spacing, "dt": dt}
        out = {k: v for k, v in self.values.items() if k in {p.name for p in self.scheme.params}}
        for name, fn, names in self._param_fns:
            missing = [n for n in names if n not in env]
            if missing:
                raise ModelError(f"parameter {name!r} needs values for {missing}: pass them in "
                                 "params=")
            out[name] = float(fn(*[env[n] for n in names]))
        layout = getattr(self.kernel, "layout", None)
        if layout is not None:
            for name, _arg in list(layout.spacings):
                out.setdefault(name, env.get(name, 0.0))
            # coordinates of the first cell centre (variable-coefficient updates)
            for i, (name, _arg) in enumerate(list(layout.origins)):
                out.setdefault(name, self.grid.bounds[i][0] + 0.5 * self.grid.spacing[i])
        return out

    def run(self, state: dict[str, np.ndarray], t: float, dt: float, nsteps: int
            ) -> dict[str, np.ndarray]:
        fields = self.scheme.fields
        u = state[fields[0]] if len(fields) == 1 else dict(state)
        out = self.kernel.run(u, nsteps, t0=t, dt=dt, **self._params(dt))
        if len(fields) == 1:
            return {fields[0]: np.asarray(out, dtype=float)}
        return {f: np.asarray(out[f], dtype=float) for f in fields}
