"""Interacting particle systems: chains on configurations, not stencils (DESIGN section 1)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.expressions import check_expression
from mcgen.model.names import check_name
from mcgen.model.symbols import N_AHEAD, N_BEHIND, N_FROM, N_TO
from mcgen.proof import serialize

KINDS = ("exclusion", "zero_range", "local")
UPDATES = ("continuous", "random_sequential", "parallel")
BOUNDARIES = ("periodic", "open")
OCCUPATIONS = frozenset({N_FROM, N_TO, N_BEHIND, N_AHEAD})


@serialize.register_class("particle_system")
@dataclass(frozen=True)
class ParticleSystem:
    """Particles on Z hopping by ``offset`` with a rate that depends on the occupations
    ``n_from`` (departure site) and ``n_to`` (target site).

    Parameters
    ----------
    kind : ``"exclusion"`` (at most one particle a site), ``"zero_range"`` (rate depends on
        ``n_from`` only) or ``"local"`` (any rate of ``n_from`` and ``n_to``).
    rates : ``{offset: rate(n_from, n_to)}``. For exclusion the target-empty factor is part of the
        rule: write just ``p`` and mcgen multiplies by ``(1 - n_to)``. A rate may also read
        ``n_behind`` (the site behind the departure site, x - sign k) and ``n_ahead`` (the site
        beyond the target, x + k + sign k): nearest-neighbour interactions such as the
        Katz-Lebowitz-Spohn rule (periodic boundary, random-sequential or continuous update).
    update : ``"continuous"`` (independent exponential clocks), ``"random_sequential"`` (one
        random site per attempt) or ``"parallel"`` (every site at once each step).
    max_occupancy : 1 for exclusion, None (unbounded) for zero-range.
    scaling : ``"euler"`` (hyperbolic) or ``"diffusive"``.
    lattice_size : the symbol ``N`` of sites per unit length when the rates depend on it (weak
        asymmetry: rates ``1/2 +- E/(2N)`` under diffusive scaling give viscous Burgers).
    boundary : ``"periodic"`` or ``"open"`` with ``reservoirs`` rates
        ``{"alpha": entry at the left, "beta": exit at the right, ...}``.
    """

    kind: str
    rates: dict[int, Any]
    update: str = "continuous"
    max_occupancy: int | None = None
    scaling: str = "euler"
    boundary: str = "periodic"
    reservoirs: dict[str, Any] | None = None
    params: tuple[sp.Symbol, ...] = ()
    name: str = ""
    lattice_size: sp.Symbol | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ModelError(f"kind={self.kind!r}: use one of {KINDS}")
        if self.update not in UPDATES:
            raise ModelError(f"update={self.update!r}: use one of {UPDATES} (the update rule is "
                             "part of the model: it changes the macroscopic flux)")
        if self.boundary not in BOUNDARIES:
            raise ModelError(f"boundary={self.boundary!r}: use 'periodic' or 'open'")
        if self.scaling not in ("euler", "diffusive"):
            raise ModelError(f"scaling={self.scaling!r}: use 'euler' or 'diffusive'")
        if not self.rates:
            raise ModelError("a particle system needs at least one move: rates={1: p}")
        check_name(self.name, "particle system name")
        if self.lattice_size is not None and not (isinstance(self.lattice_size, sp.Symbol)
                                                  and self.lattice_size.is_positive):
            raise ModelError(f"lattice_size={self.lattice_size!r}: give a positive SymPy "
                             "Symbol, e.g. sp.Symbol('N', positive=True)")
        if self.lattice_size is not None and self.scaling != "diffusive":
            raise ModelError("lattice_size is for weak asymmetry under diffusive scaling: "
                             "declare scaling='diffusive'")
        rates = {}
        for k, v in self.rates.items():
            k = int(k)
            if k == 0:
                raise ModelError("a move by offset 0 does nothing: remove it")
            v = check_expression(v, f"rate of move {k}")
            if self.kind == "exclusion" and N_TO not in v.free_symbols:
                v = v * (1 - N_TO)
            if self.kind == "zero_range" and v.free_symbols & (OCCUPATIONS - {N_FROM}):
                raise ModelError(f"zero-range rate {v} depends on an occupation other than "
                                 "n_from: use kind='local' for such rules")
            rates[k] = v
        object.__setattr__(self, "rates", rates)
        mo = self.max_occupancy
        if self.kind == "exclusion":
            mo = 1
        object.__setattr__(self, "max_occupancy", mo)
        # lattice_size stays a parameter: a simulation gives its value (the sites per unit
        # length of the ring it runs)
        free = set().union(*[v.free_symbols for v in rates.values()]) - OCCUPATIONS
        if self.neighbours and (self.boundary != "periodic" or self.update == "parallel"):
            raise ModelError("rates that read n_behind/n_ahead (nearest-neighbour interaction) "
                             "are supported on a ring (boundary='periodic') with "
                             "random-sequential or continuous update")
        if self.reservoirs:
            object.__setattr__(self, "reservoirs",
                               {k: check_expression(v, f"reservoir rate {k}")
                                for k, v in self.reservoirs.items()})
            free |= set().union(*[v.free_symbols for v in self.reservoirs.values()])
        elif self.boundary == "open":
            raise ModelError("an open boundary needs reservoirs={'alpha': entry rate, "
                             "'beta': exit rate}")
        params = tuple(self.params) or tuple(sorted(free, key=lambda s: s.name))
        undefined = free - set(params)
        if undefined:
            raise ModelError(f"undefined symbols {sorted(map(str, undefined))} in particle "
                             f"system {self.name!r}: list them in params=")
        object.__setattr__(self, "params", params)
        # the sign check runs over the occupations that can occur: up to max_occupancy (a
        # capacity-2 rule such as (2 - n_to) is negative only at n_to = 3, which cannot occur)
        top = 3 if mo is None else int(mo)
        nb = range(0, top + 1) if self.neighbours else (0,)
        for k, v in rates.items():
            for nf, nt, b, a in itertools.product(range(1, top + 1), range(0, top + 1), nb, nb):
                val = v.subs({N_FROM: nf, N_TO: nt, N_BEHIND: b, N_AHEAD: a})
                if val.is_number and val < 0:
                    at = f", n_behind={b}, n_ahead={a}" if self.neighbours else ""
                    raise ModelError(f"rate of move {k:+d} is {val} < 0 at n_from={nf}, "
                                     f"n_to={nt}{at}: rates must be non-negative")

    @property
    def neighbours(self) -> bool:
        """Whether a rate reads the occupations next to the move (n_behind, n_ahead)."""
        return any(v.free_symbols & {N_BEHIND, N_AHEAD} for v in self.rates.values())

    def rate(self, offset: int, n_from: int, n_to: int, n_behind: int = 0,
             n_ahead: int = 0) -> sp.Expr:
        """The rate of one particle move (0 when the departure site is empty)."""
        if n_from == 0:
            return sp.S.Zero
        return self.rates[offset].subs({N_FROM: n_from, N_TO: n_to, N_BEHIND: n_behind,
                                        N_AHEAD: n_ahead})

    def describe(self) -> str:
        body = ", ".join(f"{k:+d}: {sp.sstr(v)}" for k, v in self.rates.items())
        size = f", {self.lattice_size} sites per unit length" if self.lattice_size else ""
        return (f"{self.name or self.kind} ({self.kind}, moves {{{body}}}, {self.update} "
                f"update, {self.boundary} boundary, {self.scaling} scaling{size})")

    def latex(self) -> str:
        return self.describe()

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        keys = ("kind", "rates", "update", "max_occupancy", "scaling", "boundary", "reservoirs",
                "params", "name") + (("lattice_size",) if self.lattice_size is not None else ())
        # lattice_size only when declared: the hashes of other systems stay as they were
        return {k: serialize.to_data(getattr(self, k)) for k in keys}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> ParticleSystem:
        # each field checked against its type hint before the constructor parses anything
        return serialize.decode_dataclass(cls, d)  # type: ignore[no-any-return]

    @property
    def hash(self) -> str:
        return serialize.stable_hash(self.to_data())
