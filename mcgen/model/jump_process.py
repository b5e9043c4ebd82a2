"""Jump processes on a lattice: offsets -> probabilities (discrete time) or rates (continuous)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.expressions import check_expression
from mcgen.model.names import check_name
from mcgen.model.readings import FORWARD, normalize_reading
from mcgen.model.symbols import COORDS
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import h as H
from mcgen.model.symbols import t as T_SYM
from mcgen.proof import serialize

TIMES = ("discrete", "continuous")
SCALINGS = ("hyperbolic", "diffusive", "none")


@serialize.register_class("jump_process")
@dataclass(frozen=True)
class JumpProcess:
    """A walker on ``h Z^d`` that jumps from x to x + k h.

    Parameters
    ----------
    jumps : ``{offset: p_k}`` (probabilities, ``time="discrete"``; the self-loop 1 - sum p_k is
        implied unless offset 0 is given) or ``{offset: rate}`` (``time="continuous"``). Entries
        may depend on position (``coords``), time ``t``, ``h`` and parameters.
    time : ``"discrete"`` (one jump attempt per step dt) or ``"continuous"``.
    scaling : ``"hyperbolic"`` (dt ~ h), ``"diffusive"`` (dt ~ h^2, asymmetry O(h)) or ``"none"``
        (fixed lattice: cumulant coefficients only).
    reading : ``"forward"`` (the density of the walker) or ``"backward"`` (expectations).
    asymmetry_order : under diffusive scaling, the declared order in h of the mean jump
        (1 for the usual drift-diffusion limit).
    time_step : dt as a function of h under the scaling (``h**2/(2*D)``); None keeps dt free
        (discrete time) or means rates carry the scaling (continuous time).
    """

    jumps: dict[tuple[int, ...], Any]
    time: str = "discrete"
    scaling: str = "none"
    reading: str = FORWARD
    coords: tuple[sp.Symbol, ...] = ()
    h: tuple[sp.Symbol, ...] = ()
    dt: sp.Symbol = DT
    t: sp.Symbol = T_SYM
    asymmetry_order: int | None = None
    time_step: Any = None
    params: tuple[sp.Symbol, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.jumps, dict):
            raise ModelError(f"jumps={self.jumps!r}: give a dict {{offset: probability or rate}}")
        if not self.jumps:
            raise ModelError("a jump process needs at least one jump: jumps={offset: prob}")
        check_name(self.name, "jump process name")
        jumps: dict[tuple[int, ...], sp.Expr] = {}
        dims = set()
        for k, v in self.jumps.items():
            off = (int(k),) if isinstance(k, (int, sp.Integer)) else tuple(int(c) for c in k)
            dims.add(len(off))
            jumps[off] = check_expression(v, f"the rate of the jump {off}")
        if len(dims) != 1:
            raise ModelError(f"jump offsets {list(jumps)} mix dimensions: give every offset "
                             "the same number of components")
        dim = dims.pop()
        if not 1 <= dim <= 3:
            raise ModelError(f"{dim}-D jumps: mcgen handles 1-3 D")
        if self.time not in TIMES:
            raise ModelError(f"time={self.time!r}: use 'discrete' or 'continuous'")
        if self.scaling not in SCALINGS:
            raise ModelError(f"scaling={self.scaling!r}: use 'hyperbolic', 'diffusive' or 'none'")
        object.__setattr__(self, "reading", normalize_reading(self.reading))
        coords = tuple(self.coords) or COORDS[:dim]
        hs = tuple(self.h) or ((H,) if dim == 1 else
                               tuple(sp.Symbol(f"h{i + 1}", positive=True) for i in range(dim)))
        if len(coords) != dim or len(hs) != dim:
            raise ModelError(f"coords {coords} and h {hs} must have {dim} entries, one per "
                             "dimension of the offsets")
        object.__setattr__(self, "coords", coords)
        object.__setattr__(self, "h", hs)
        if self.time == "discrete":
            if (0,) * dim not in jumps:
                stay = 1 - sum(jumps.values())
                if stay.is_number and stay < 0:
                    raise ModelError(f"the jump probabilities {dict(jumps)} sum to "
                                     f"{sp.simplify(1 - stay)} > 1, so the self-loop 1 - sum "
                                     f"would be {sp.simplify(stay)}, which is negative: the "
                                     "probabilities out of a site must sum to at most one; for "
                                     "jump rates use time='continuous'")
                jumps[(0,) * dim] = stay
            total = sp.simplify(sum(jumps.values()) - 1)
            if total != 0:
                raise ModelError(f"probabilities of the jump process sum to 1 + ({total}): the "
                                 "probabilities out of a site must sum to one (drop offset 0 to "
                                 "let mcgen fill the self-loop)")
        else:
            jumps.pop((0,) * dim, None)
        for k, v in jumps.items():
            if v.is_negative or (v.is_number and v < 0):
                what = "probability" if self.time == "discrete" else "rate"
                raise ModelError(f"{what} of jump {k} is {v}, which is negative: every "
                                 f"{what} must be >= 0 (the self-loop at 0 is 1 - sum of the "
                                 "others)")
        object.__setattr__(self, "jumps", jumps)
        if self.time_step is not None:
            object.__setattr__(self, "time_step", check_expression(self.time_step, "time_step"))
        known = set(coords) | set(hs) | {self.dt, self.t}
        free = set().union(*[v.free_symbols for v in jumps.values()])
        if self.time_step is not None:
            free |= self.time_step.free_symbols
        params = tuple(self.params) or tuple(sorted(free - known, key=lambda s: s.name))
        undefined = free - known - set(params)
        if undefined:
            raise ModelError(f"undefined symbols {sorted(map(str, undefined))} in jump process "
                             f"{self.name!r}: list them in params=")
        object.__setattr__(self, "params", params)

    @property
    def dim(self) -> int:
        return len(self.coords)

    @property
    def is_state_dependent(self) -> bool:
        return any(v.free_symbols & (set(self.coords) | {self.t}) for v in self.jumps.values())

    def describe(self) -> str:
        kind = "probabilities" if self.time == "discrete" else "rates"
        body = ", ".join(f"{k}: {sp.sstr(v)}" for k, v in self.jumps.items())
        return (f"{self.name or 'jump process'} ({self.time} time, {kind} {{{body}}}, "
                f"{self.scaling} scaling, {self.reading} reading)")

    def latex(self) -> str:
        return ", ".join(f"$p_{{{k}}} = {sp.latex(v)}$" for k, v in self.jumps.items())

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        return {k: serialize.to_data(getattr(self, k)) for k in
                ("jumps", "time", "scaling", "reading", "coords", "h", "dt", "t",
                 "asymmetry_order", "time_step", "params", "name")}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> JumpProcess:
        # each field checked against its type hint before the constructor parses anything
        return serialize.decode_dataclass(cls, d)  # type: ignore[no-any-return]

    @property
    def hash(self) -> str:
        return serialize.stable_hash(self.to_data())
