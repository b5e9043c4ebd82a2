"""Conditions: a SymPy Boolean with the variables it constrains, its kind and how well it is known.

``status`` is ``proved`` only when a proved sufficient set and a proved necessary set coincide;
otherwise ``sufficient`` and ``necessary`` show the gap.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sympy as sp
from sympy.logic.boolalg import Boolean

from mcgen.errors import ConditionError, StabilityError
from mcgen.proof import numeric, serialize
from mcgen.proof.check import STATUSES

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
        for part in ("sufficient", "necessary"):
            if getattr(self, part) is not None:
                object.__setattr__(self, part, sp.sympify(getattr(self, part)))
        for part in ("expr", "sufficient", "necessary"):
            v = getattr(self, part)
            if v is not None and not isinstance(v, Boolean):
                raise ValueError(f"Condition.{part} must be a SymPy Boolean (a relation such as "
                                 f"nu <= 1, And/Or/Not of relations, true or false), got "
                                 f"{type(v).__name__} {sp.sstr(v)[:60]}")
        if self.status not in STATUSES:
            raise ValueError(f"Condition.status {self.status!r} is not one of {STATUSES}")

    # ------------------------------------------------------------------ numeric predicate
    @cached_property
    def _pred(self) -> tuple[tuple[sp.Symbol, ...], numeric.Predicate]:
        syms = tuple(sorted(self.expr.free_symbols, key=lambda s: s.name))
        return syms, numeric.compile_predicate(self.expr, syms)

    @cached_property
    def _defined(self) -> list[tuple[str, tuple[str, ...], numeric.RealFn]]:
        out = []
        for sym, rhs in self.definitions.items():
            syms = tuple(sorted(rhs.free_symbols, key=lambda s: s.name))
            if syms:
                out.append((sym.name, tuple(s.name for s in syms),
                            numeric.compile_real(rhs, syms)))
        return out

    @cached_property
    def names(self) -> frozenset[str]:
        """Every name :meth:`holds` accepts: the variables and the physical parameters of the
        definitions."""
        syms = set(self.expr.free_symbols) | set(self.variables) | set(self.definitions)
        for rhs in self.definitions.values():
            syms |= rhs.free_symbols
        return frozenset(s.name for s in syms if isinstance(s, sp.Symbol))

    def holds(self, rtol: float = 8 * 2.0**-52, **values: float) -> bool:
        """Numeric membership test with a few ulp of tolerance at the boundary.

        Values may be given for the variables or, through ``definitions``, for the physical
        parameters they are defined from (``a=1, dt=0.1, dx=0.1`` for ``nu``).

        Raises
        ------
        ConditionError : a value is not a finite real number, a needed value is missing (the
            message also names given values that are not among :attr:`names`), or a part of
            the condition has no numeric meaning.
        """
        if not (isinstance(rtol, (int, float)) and 0.0 <= rtol < 1e-3):
            raise ConditionError(f"rtol={rtol!r}: a tolerance from 0 to 1e-3 (a few ulp)")
        vals = finite_values(values)
        for name, args, define in self._defined:
            if name not in vals and all(a in vals for a in args):
                vals[name] = define([vals[a] for a in args])
        syms, pred = self._pred
        missing = [s.name for s in syms if s.name not in vals]
        if missing:
            # names the condition does not use are passed on by callers holding a model's whole
            # parameter set (D beside D_x, D_y); they are only an error when one is missing,
            # as the likely misspelling
            extra = sorted(set(values) - self.names)
            raise ConditionError(f"condition {sp.sstr(self.expr)[:80]} needs values for "
                                 f"{missing}" + (f"; it has no parameters {extra} (it uses "
                                                 f"{sorted(self.names)})" if extra else ""))
        return bool(pred(float(rtol), [vals[s.name] for s in syms]))

    def max_stable_dt(self, dt: sp.Symbol | str = "dt", dt_max: float = 1e6,
                      **values: float) -> float:
        """The largest dt such that the condition holds for every step in (0, dt].

        ``values`` give every other physical parameter (and data-range bounds). Solved exactly for
        dt when SymPy can, by bisection on the predicate otherwise.
        """
        if not (isinstance(dt_max, (int, float)) and 0 < dt_max < math.inf):
            raise ConditionError(f"dt_max={dt_max!r} is not a positive finite number")
        finite_values(values)
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
        from mcgen.proof import render
        return render.condition_latex(self)

    def _repr_latex_(self) -> str:
        return self.latex()

    def _repr_html_(self) -> str:
        from mcgen.proof import render
        return render.condition_html(self)

    def __str__(self) -> str:
        return self.describe()

    def to_data(self) -> dict[str, Any]:
        return {k: serialize.to_data(getattr(self, k)) for k in
                ("expr", "variables", "kind", "status", "sufficient", "necessary", "name",
                 "scope", "description", "definitions")}

    @classmethod
    def from_data(cls, d: Any, path: str = "$", depth: int = 0) -> Condition:
        """Rebuild from :meth:`to_data` output, each field checked against its type (safe on
        data read from a file: see :mod:`mcgen.proof.serialize`)."""
        return serialize.decode_dataclass(cls, d, path, depth)


def finite_values(values: dict[str, Any]) -> dict[str, float]:
    """``values`` as floats, refusing anything that is not a finite real number (with the name
    and the number in the message)."""
    out = {}
    for name, v in values.items():
        if isinstance(v, sp.Basic) and v.is_number and v.is_extended_real:
            v = float(v)
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ConditionError(f"{name}={v!r} is not a real number")
        x = float(v)
        if not math.isfinite(x):
            raise ConditionError(f"{name}={x!r} is not a finite number: a stability condition "
                                 "is only decided for finite values")
        out[name] = x
    return out


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
