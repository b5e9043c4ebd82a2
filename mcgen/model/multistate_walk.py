"""Walks that carry an internal state (a velocity): persistent and kinetic lattice chains.

One step of a :class:`MultiStateWalk` from internal state ``s`` draws a pair
``(offset, new_state)`` with probability ``table[s][(offset, new_state)]``: the walker moves by
``offset * h`` and its state becomes ``new_state``. The persistent random walk is the two-state
case where the state is the current direction; kinetic (lattice-Boltzmann-like) chains have one
state per lattice velocity. The position alone is not Markov; the pair (position, state) is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from mcgen.errors import DerivationFileError, ModelError
from mcgen.model.expressions import check_expression
from mcgen.model.names import check_name
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import h as H
from mcgen.proof import serialize

SCALINGS = ("diffusive", "hyperbolic", "none")
Move = tuple[int, str]  # (offset, new state)


@serialize.register_class("multistate_walk",  # its own encoding of the table (see to_data)
                          decode=lambda d, p, n: MultiStateWalk.from_data(d, p))
@dataclass(frozen=True)
class MultiStateWalk:
    """A 1-D walk on ``h Z`` with internal states, in discrete time (one step per ``dt``).

    Parameters
    ----------
    table : ``{state: {(offset, new_state): probability}}``; each state's probabilities sum
        to 1 and are non-negative over the declared parameter ranges.
    ranges : ``{parameter: (lo, hi)}`` (closed) or a SymPy ``Interval`` (e.g.
        ``Interval.Lopen(0, 1)``): where the parameter may lie. Every symbolic probability must
        be shown non-negative there.
    h, dt : lattice spacing and time step symbols.
    scaling : ``"diffusive"`` (dt ~ h^2), ``"hyperbolic"`` (dt ~ h) or ``"none"``.
    name : a label.
    """

    table: dict[str, dict[Move, Any]]
    ranges: dict[sp.Symbol, Any] = field(default_factory=dict)
    h: sp.Symbol = H
    dt: sp.Symbol = DT
    scaling: str = "diffusive"
    name: str = ""

    def __post_init__(self) -> None:
        check_name(self.name, "walk name")
        if self.scaling not in SCALINGS:
            raise ModelError(f"scaling={self.scaling!r}: use one of {SCALINGS}")
        if not isinstance(self.table, dict) or not self.table:
            raise ModelError("a multi-state walk needs table={state: {(offset, new_state): p}} "
                             "with at least one state")
        states = tuple(self.table)
        for s in states:
            if not isinstance(s, str):
                raise ModelError(f"state {s!r} must be named by a string (e.g. 'right', 'left')")
            check_name(s, "state name")
        ranges = {}
        for p, rng in dict(self.ranges).items():
            if not isinstance(p, sp.Symbol):
                raise ModelError(f"range key {p!r} must be a SymPy Symbol")
            if isinstance(rng, tuple) and len(rng) == 2:
                rng = sp.Interval(sp.nsimplify(rng[0]), sp.nsimplify(rng[1]))
            if not isinstance(rng, sp.Interval) or rng.is_empty:
                raise ModelError(f"range of {p} is {rng!r}: give (lo, hi) or a non-empty "
                                 "sympy Interval")
            ranges[p] = rng
        object.__setattr__(self, "ranges", ranges)
        table: dict[str, dict[Move, sp.Expr]] = {}
        for s in states:
            row = self.table[s]
            if not isinstance(row, dict) or not row:
                raise ModelError(f"state {s!r}: give {{(offset, new_state): probability}}, "
                                 f"got {row!r}")
            out: dict[Move, sp.Expr] = {}
            for move, p in row.items():
                if not (isinstance(move, tuple) and len(move) == 2 and
                        isinstance(move[0], int) and move[1] in states):
                    raise ModelError(f"state {s!r}: move {move!r} must be (integer offset, "
                                     f"new state) with the new state one of {states}")
                out[(int(move[0]), move[1])] = check_expression(
                    p, f"probability of move {move} from state {s!r}")
            table[s] = out
        object.__setattr__(self, "table", table)
        undeclared = self.free_symbols - set(ranges) - {self.h, self.dt}
        if undeclared:
            raise ModelError(f"probabilities use {sorted(map(str, undeclared))} without a "
                             "declared range: give ranges={symbol: (lo, hi)} so that "
                             "non-negativity can be checked")
        for s in states:
            total = sp.cancel(sp.Add(*table[s].values()) - 1)
            if total != 0:
                raise ModelError(f"the probabilities out of state {s!r} sum to "
                                 f"{sp.factor(total + 1)}, not 1: add the missing moves (a "
                                 "self-loop (0, state) for the rest)")
            for move, p in table[s].items():
                _check_nonnegative(p, f"probability of move {move} from state {s!r}", ranges)

    # ------------------------------------------------------------------ structure
    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.table)

    @property
    def free_symbols(self) -> set[sp.Symbol]:
        return set().union(*[p.free_symbols for row in self.table.values()
                             for p in row.values()])

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        return tuple(sorted(self.ranges, key=lambda s: s.name))

    def moment_matrix(self, m: int) -> sp.ImmutableMatrix:
        """``M_m[s, s'] = sum_k k^m p(k, s' | s)``: ``m = 0`` is the internal-state chain."""
        idx = {s: i for i, s in enumerate(self.states)}
        out = sp.zeros(len(idx), len(idx))
        for s, row in self.table.items():
            for (k, s2), p in row.items():
                out[idx[s], idx[s2]] += sp.Integer(k) ** m * p
        return sp.ImmutableMatrix(out)

    def state_matrix(self) -> sp.ImmutableMatrix:
        """The transition matrix of the internal state alone (rows sum to 1)."""
        return self.moment_matrix(0)

    def tilted_matrix(self, z: sp.Symbol) -> sp.ImmutableMatrix:
        """``P(z)[s, s'] = sum_k p(k, s' | s) exp(k z)``: E[exp(z X_n)] = pi P(z)^n 1."""
        idx = {s: i for i, s in enumerate(self.states)}
        out = sp.zeros(len(idx), len(idx))
        for s, row in self.table.items():
            for (k, s2), p in row.items():
                out[idx[s], idx[s2]] += p * sp.exp(k * z)
        return sp.ImmutableMatrix(out)

    # ------------------------------------------------------------------ presentation
    def describe(self) -> str:
        rows = "; ".join(f"{s}: {{" + ", ".join(f"({k:+d}, {s2}): {sp.sstr(p)}"
                                                for (k, s2), p in row.items()) + "}"
                         for s, row in self.table.items())
        rng = ", ".join(f"{p} in {sp.sstr(r)}" for p, r in self.ranges.items())
        return (f"{self.name or 'multi-state walk'} (states {list(self.states)}; {rows}"
                + (f"; {rng}" if rng else "") + f"; {self.scaling} scaling)")

    def latex(self) -> str:
        return self.describe()

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        table = {s: [[k, s2, serialize.to_data(p)] for (k, s2), p in row.items()]
                 for s, row in self.table.items()}
        ranges = [[serialize.to_data(p), serialize.to_data(r)] for p, r in self.ranges.items()]
        return {"table": table, "ranges": ranges, "h": serialize.to_data(self.h),
                "dt": serialize.to_data(self.dt), "scaling": self.scaling, "name": self.name}

    @classmethod
    def from_data(cls, d: dict[str, Any], path: str = "$") -> MultiStateWalk:
        try:
            table = {s: {(serialize.raw_int(k, path + ".table"), s2):
                         serialize.from_data(p, f"{path}.table.{s}") for k, s2, p in row}
                     for s, row in d["table"].items()}
            ranges = {serialize.from_data(p, path + ".ranges"):
                      serialize.from_data(r, path + ".ranges") for p, r in d["ranges"]}
            values = {"table": table, "ranges": ranges,
                      "h": serialize.from_data(d["h"], path + ".h"),
                      "dt": serialize.from_data(d["dt"], path + ".dt"),
                      "scaling": d["scaling"], "name": d["name"]}
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise DerivationFileError(f"{path}: not a multi-state walk as to_data writes it "
                                      f"({type(e).__name__}: {str(e)[:80]})") from None
        return serialize.construct_checked(cls, values, path)  # type: ignore[no-any-return]

    @property
    def hash(self) -> str:
        return serialize.stable_hash(self.to_data())


def _check_nonnegative(p: sp.Expr, where: str, ranges: dict[sp.Symbol, sp.Interval]) -> None:
    """Refuse a probability that is negative somewhere in the declared ranges (exactly, for a
    probability of one parameter; by sign assumptions otherwise)."""
    if p.is_number:
        if p.is_negative or p.is_real is False:
            raise ModelError(f"{where} is {p} < 0: probabilities must be non-negative")
        return
    syms = p.free_symbols & set(ranges)
    if p.free_symbols - set(ranges):  # h, dt: positive symbols only
        if p.is_nonnegative:
            return
        raise ModelError(f"{where} = {p} depends on the grid steps and is not evidently "
                         "non-negative: write it with a parameter of declared range")
    if len(syms) == 1:
        (v,) = syms
        try:
            bad = sp.solve_univariate_inequality(p < 0, v, relational=False)
        except (NotImplementedError, TypeError, ValueError) as err:
            raise ModelError(f"{where} = {p}: mcgen cannot decide where it is negative "
                             f"({err}); simplify it to a rational function of {v}") from None
        bad = bad.intersect(ranges[v])
        if bad.is_empty is not True:
            raise ModelError(f"{where} = {p} is negative for {v} in {bad} inside the declared "
                             f"range {ranges[v]}: narrow the range of {v}")
        return
    # several parameters: decide with the sign assumptions of their declared ranges
    pos = {s: sp.Symbol(s.name, nonnegative=True) for s in syms if ranges[s].inf >= 0}
    if len(pos) == len(syms) and p.xreplace(pos).is_nonnegative:
        return
    raise ModelError(f"{where} = {p} depends on {sorted(map(str, syms))}: mcgen decides "
                     "non-negativity exactly for one parameter at a time; fix the others to "
                     "numbers")
