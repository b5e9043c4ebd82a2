"""Conditions: a SymPy Boolean with the variables it constrains, its kind and how well it is known.

``status`` is ``proved`` only when a proved sufficient set and a proved necessary set coincide;
otherwise ``sufficient`` and ``necessary`` show the gap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sympy as sp
from sympy.core.relational import Relational

from mcgen.errors import StabilityError
from mcgen.proof import serialize

CAUCHY_LABEL = "periodic/Cauchy problem; boundary stability not analysed"


@serialize.register_class("condition")
@dataclass(frozen=True)
class Condition:
    """A region in parameter space, e.g. ``0 <= nu <= 1`` (kind ``positivity``, status ``proved``).

    Attributes
    ----------
    expr : the region (a SymPy Boolean over ``variables``; ``true``/``false`` allowed).
    variables : the symbols the region constrains.
    kind : what it guarantees: ``positivity``, ``l2``, ``monotone``, ``tvd``, ``e-scheme``,
        ``consistency``, ``validity``, ...
    status : ``proved``, ``sampled``, ``unknown`` or ``refuted``.
    sufficient, necessary : proved inner and outer sets when they differ from ``expr``.
    name : what the region is called (``CFL``, ``cell-Peclet``, ``diffusion number``).
    scope : the problem it is stated for (default: periodic/Cauchy problem).
    description : a plain-words form (``measure zero: nu in {-1, 0, 1}``).
    definitions : how derived parameters relate to physical ones (``nu = a*dt/dx``).
    """

    expr: Any
    variables: tuple[sp.Symbol, ...]
    kind: str
    status: str = "proved"
    sufficient: Any = None
    necessary: Any = None
    name: str = ""
    scope: str = CAUCHY_LABEL
    description: str = ""
    definitions: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "expr", sp.sympify(self.expr))

    # ------------------------------------------------------------------ numeric predicate
    @cached_property
    def _pred(self) -> tuple[tuple[sp.Symbol, ...], Callable[..., bool]]:
        syms = tuple(sorted(self.expr.free_symbols, key=lambda s: s.name))
        return syms, _compile_boolean(self.expr, syms)

    def holds(self, rtol: float = 8 * 2.0**-52, **values: float) -> bool:
        """Numeric membership test with a few ulp of tolerance at the boundary.

        Values may be given for the variables or, through ``definitions``, for the physical
        parameters they are defined from (``a=1, dt=0.1, dx=0.1`` for ``nu``).
        """
        vals = dict(values)
        for sym, rhs in self.definitions.items():
            if sym.name not in vals and rhs.free_symbols and \
                    all(s.name in vals for s in rhs.free_symbols):
                vals[sym.name] = float(rhs.subs({s: vals[s.name] for s in rhs.free_symbols}))
        syms, fn = self._pred
        missing = [s.name for s in syms if s.name not in vals]
        if missing:
            raise ValueError(f"condition {self.expr} needs values for {missing}")
        return bool(fn(rtol, *[vals[s.name] for s in syms]))

    def max_stable_dt(self, dt: sp.Symbol | str = "dt", dt_max: float = 1e6,
                      **values: float) -> float:
        """The largest dt such that the condition holds for every step in (0, dt].

        ``values`` give every other physical parameter (and data-range bounds). Solved exactly for
        dt when SymPy can, by bisection on the predicate otherwise.
        """
        dt_sym = sp.Symbol(dt, positive=True) if isinstance(dt, str) else dt
        expr = self.expr.subs(self.definitions)
        by_name = {s.name: s for s in expr.free_symbols}
        if dt_sym.name not in by_name:
            fixed = expr.subs({s: values[n] for n, s in by_name.items() if n in values})
            if fixed is sp.true or (fixed is not sp.false and self.holds(**values)):
                return math.inf
            raise StabilityError(f"no time step satisfies {self.kind} condition {self.expr} "
                                 f"for {values}: it does not depend on dt")
        d = by_name[dt_sym.name]
        subs = {s: sp.nsimplify(values[s.name], rational=True)
                for n, s in by_name.items() if n != d.name and n in values}
        missing = [n for n in by_name if n != d.name and n not in values]
        if missing:
            raise ValueError(f"max_stable_dt needs values for {missing}")
        e = expr.subs(subs)
        try:
            region = e.as_set().intersect(sp.Interval.Lopen(0, sp.oo))
            comp = _component_from_zero(region)
            if comp is not None:
                return float(comp)
        except (NotImplementedError, TypeError, ValueError, AttributeError):
            pass
        # exact predicate here: a few ulp of slack would make measure-zero regions such as
        # nu = 0 look satisfied by dt ~ 1e-17
        return _bisect_dt(lambda t: self.holds(rtol=0.0, **{**values, d.name: t}), dt_max)

    # ------------------------------------------------------------------ presentation
    def describe(self) -> str:
        words = self.description or sp.sstr(self.expr)
        name = f"{self.name}: " if self.name else ""
        return f"{name}{words} [{self.kind}, {self.status}; {self.scope}]"

    def latex(self) -> str:
        return f"${sp.latex(self.expr)}$ ({self.kind}, {self.status})"

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        return {k: serialize.to_data(getattr(self, k)) for k in
                ("expr", "variables", "kind", "status", "sufficient", "necessary", "name",
                 "scope", "description", "definitions")}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> Condition:
        return cls(**{k: serialize.from_data(v) for k, v in d.items()})


def _component_from_zero(region: sp.Set) -> sp.Expr | None:
    """sup of the connected part of ``region`` that starts at 0+ (None when 0+ is not in it)."""
    parts = region.args if isinstance(region, sp.Union) else (region,)
    for part in parts:
        if isinstance(part, sp.Interval) and part.start == 0:
            return part.end
    if region is sp.S.EmptySet or isinstance(region, sp.FiniteSet):
        raise StabilityError("no positive time step satisfies the condition (only isolated "
                             f"points {region} or none)")
    return None


def _bisect_dt(ok: Callable[[float], bool], dt_max: float) -> float:
    lo = None
    t = 1.0
    for _ in range(200):  # find a stable step by halving
        if ok(t):
            lo = t
            break
        t /= 2
    if lo is None:
        raise StabilityError("no positive time step satisfies the condition")
    hi = lo * 2
    while ok(hi) and hi < dt_max:
        lo, hi = hi, hi * 2
    if hi >= dt_max:
        return dt_max
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
        if hi - lo <= 1e-15 * hi:
            break
    return lo


def _compile_boolean(expr: Any, syms: tuple[sp.Symbol, ...]) -> Callable[..., bool]:
    """A Python predicate ``f(rtol, *values)`` for a Boolean of relationals (with tolerance)."""
    if expr is sp.true:
        return lambda rtol, *v: True
    if expr is sp.false:
        return lambda rtol, *v: False
    if isinstance(expr, sp.And):
        fs = [_compile_boolean(a, syms) for a in expr.args]
        return lambda rtol, *v: all(f(rtol, *v) for f in fs)
    if isinstance(expr, sp.Or):
        fs = [_compile_boolean(a, syms) for a in expr.args]
        return lambda rtol, *v: any(f(rtol, *v) for f in fs)
    if isinstance(expr, sp.Not):
        f = _compile_boolean(expr.args[0], syms)
        return lambda rtol, *v: not f(rtol, *v)
    if isinstance(expr, sp.Contains):
        x, s = expr.args
        if isinstance(s, sp.FiniteSet):
            return _compile_boolean(sp.Or(*[sp.Eq(x, e) for e in s]), syms)
        return _compile_boolean(s.as_relational(x), syms)
    if isinstance(expr, Relational):
        lhs = sp.lambdify(syms, expr.lhs, "math")
        rhs = sp.lambdify(syms, expr.rhs, "math")
        op = expr.rel_op

        def rel(rtol: float, *v: float) -> bool:
            a, b = float(lhs(*v)), float(rhs(*v))
            tol = rtol * max(abs(a), abs(b), 1.0)
            if op in ("<=", "<"):
                return a <= b + tol if op == "<=" else a < b + tol
            if op in (">=", ">"):
                return a >= b - tol if op == ">=" else a > b - tol
            if op == "==":
                return abs(a - b) <= tol
            return abs(a - b) > tol

        return rel
    raise TypeError(f"cannot evaluate condition part {expr!r} numerically")
