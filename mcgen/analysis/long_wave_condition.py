"""The long-wave directional condition of a 2-D scheme, decided exactly in its parameters.

Along the wave numbers theta = t d, d = (d_x, d_y), |G|^2 = sum_{k,l} w_k w_l cos(t (k - l).d)
(real weights), so

    1 - |G(t d)|^2 = sum_{n >= 1} t^(2n) F_n(d),   F_n(d) = -(-1)^n / (2n)! sum_{k,l} w_k w_l
                                                                 ((k - l).d)^(2n).

F_1 is the Hessian's quadratic form (already a necessary condition). For a scheme that is not
dissipative at second order (F_1 = 0 identically, as for Lax-Wendroff) the first non-zero F_n
decides the long waves: if F_n(d) < 0 for one direction d, the modes t d grow for small t. So
"F_n(d) >= 0 for every direction" is necessary; for unsplit 2-D Lax-Wendroff
F_2 = (d_x^4 nu_x^2 + d_y^4 nu_y^2 - (d_x nu_x + d_y nu_y)^4) / 4, non-negative for every d
exactly on the astroid |nu_x|^(2/3) + |nu_y|^(2/3) <= 1 (Hoelder), the true region, where the
Hessian, the corners and the edges only give the disc nu_x^2 + nu_y^2 <= 1.

F_n is an even form of degree 2n: it is >= 0 for every d iff it is on the two charts
d = (1 - c, 1 + c) and d = (1 - c, -1 - c), c in [-1, 1] (the closed first and fourth quadrants,
which with d -> -d give every direction). Each chart is a polynomial in c of degree 2n, so the
exact one- and two-parameter machinery of the 1-D analysis decides it (Sturm cells in one
parameter, the cylindrical decomposition of the parameter plane in two), with the same checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial
from typing import Any

import sympy as sp

from mcgen.analysis.amplification import C
from mcgen.analysis.region_presentation import set_to_condition
from mcgen.analysis.von_neumann_1d import analyse_Q
from mcgen.proof.cad2 import mirror_region
from mcgen.proof.check import Check, register_check
from mcgen.proof.sos_certificate import symbol_weights
from mcgen.proof.sturm import _domain, negative_point

MAX_ORDER = 3   # F_2 (quartic) and F_3 (sextic): charts of degree <= 6 in c
MAX_RADIUS = 3  # of the stencil, for the check (49 weights: bounded work on a recheck)

CHARTS = ((1 - C, 1 + C), (1 - C, -1 - C))


@dataclass(frozen=True)
class ChartRegion:
    """The proved set of parameters where F_n >= 0 on one chart, and the check that proves it."""

    chart: tuple[sp.Expr, sp.Expr]
    Q: sp.Expr           # F_n on the chart, a polynomial in c
    expr: sp.Basic       # parameters where Q >= 0 on [-1, 1] (exact, or a proved superset)
    words: str
    check: Check
    exact: bool


@dataclass(frozen=True)
class LongWaveCondition:
    """F_n(d) >= 0 for every direction d, decided chart by chart."""

    order: int                        # 2n: 1 - |G(t d)|^2 = t^(2n) F_n(d) + O(t^(2n + 2))
    form: sp.Expr                     # F_n in the direction symbols
    direction: tuple[sp.Symbol, sp.Symbol]
    charts: tuple[ChartRegion, ...]

    @property
    def expr(self) -> sp.Basic:
        return sp.And(*[ch.expr for ch in self.charts])


def _direction_symbols(params: tuple[sp.Symbol, ...]) -> tuple[sp.Symbol, sp.Symbol]:
    names = {str(p) for p in params}
    base = "d"
    while f"{base}_x" in names or f"{base}_y" in names:
        base += "'"
    return sp.Symbol(f"{base}_x", real=True), sp.Symbol(f"{base}_y", real=True)


def long_wave_form(weights: dict[tuple[int, int], Any], params: tuple[sp.Symbol, ...]
                   ) -> tuple[int, sp.Expr, tuple[sp.Symbol, sp.Symbol]] | None:
    """(2n, F_n, (d_x, d_y)) for the first F_n not identically zero, when n >= 2 (F_1 = 0
    identically); None when F_1 is not zero (the Hessian decides the long waves) or every
    F_n up to :data:`MAX_ORDER` vanishes."""
    direction = _direction_symbols(params)
    found = _first_form(weights, direction)
    return None if found is None or found[0] == 2 else (*found, direction)


def _first_form(weights: dict[tuple[int, int], Any], direction: tuple[sp.Symbol, sp.Symbol]
                ) -> tuple[int, sp.Expr] | None:
    """(2n, F_n) for the first F_n (n <= MAX_ORDER) that is not identically zero."""
    dx, dy = direction
    items = [((k, m), sp.sympify(w)) for (k, m), w in weights.items()]
    for n in range(1, MAX_ORDER + 1):
        F = sp.Integer(0)
        for (k1, m1), w1 in items:
            for (k2, m2), w2 in items:
                proj = (k1 - k2) * dx + (m1 - m2) * dy
                if proj != 0:
                    F += w1 * w2 * proj**(2 * n)
        F = sp.expand(-sp.Integer(-1)**n * F / factorial(2 * n))
        if F != 0:
            return 2 * n, F
    return None


@register_check("long_wave_form", "the first non-zero Taylor coefficient F(d) of 1 - |G(t d)|^2 "
                "in t (exact, from the weights of G)")
def check_long_wave_form(G: Any, thetas: tuple, direction: tuple, order: Any, form: Any) -> str:
    """``proved`` when 1 - |G(t d)|^2 = t^order form(d) + O(t^(order + 2)) with every lower
    coefficient identically zero."""
    w = symbol_weights(G, tuple(thetas), MAX_RADIUS)
    found = _first_form(w, (direction[0], direction[1]))
    if found is None or found[0] != int(order):
        return "refuted"
    return "proved" if sp.expand(found[1] - sp.sympify(form)) == 0 else "refuted"


def long_wave_condition(weights: dict[tuple[int, int], Any], params: tuple[sp.Symbol, ...]
                        ) -> LongWaveCondition | None:
    """The proved long-wave directional condition, or None when it does not apply (the scheme
    is dissipative at second order) or a chart is out of the exact machinery's reach."""
    if max(max(abs(k), abs(m)) for k, m in weights) > MAX_RADIUS:
        return None
    found = long_wave_form(weights, params)
    if found is None:
        return None
    order, F, (dx, dy) = found
    charts: list[ChartRegion] = []
    for chart in CHARTS:
        Q = sp.expand(F.subs({dx: chart[0], dy: chart[1]}, simultaneous=True))
        live = tuple(p for p in params if Q.has(p))
        region = _mirrored_region(Q, live, charts) or _chart_region(Q, live)
        if region is None:
            return None
        charts.append(ChartRegion(chart, Q, *region))
    return LongWaveCondition(order, sp.factor(F), (dx, dy), tuple(charts))


def _chart_region(Q: sp.Expr, params: tuple[sp.Symbol, ...]
                  ) -> tuple[sp.Basic, str, Check, bool] | None:
    """{params : Q >= 0 on [-1, 1]} with its check: exact, or (two parameters, cells that no
    formula separates) the proved necessary set of the same cells."""
    res = analyse_Q(Q, params, cells=True)
    method = res["method"]
    if method == "constant":
        expr = res["expr"]
        chk = Check("nonneg_on_segment", (Q, C, -1, 1, False)) if expr is sp.true else \
            Check("negative_at", (Q, {C: _negative_c(Q)}))
        return expr, "every parameter value" if expr is sp.true else "no parameter value", \
            chk, True
    if method == "cells" and res["exact"]:
        p = params[0]
        expr, words = set_to_condition(res["set"], p)
        return expr, words, Check("family_nonneg_region", (Q, C, p, expr, False)), True
    if method == "plane":
        p, q = params
        return res["expr"], res["words"], \
            Check("plane_region", (Q, C, p, q, res["expr"], res["polys"])), True
    if method == "plane_bounds":
        p, q = params
        nec, words = res["necessary"]
        return nec, words, Check("plane_region_necessary", (Q, C, p, q, nec, res["polys"])), \
            False
    return None


def _mirrored_region(Q: sp.Expr, params: tuple[sp.Symbol, ...], done: list[ChartRegion]
                     ) -> tuple[sp.Basic, str, Check, bool] | None:
    """Q's set as the mirror image of an earlier chart's exact two-parameter set, when Q is
    that chart's polynomial with the signs of some parameters flipped (unsplit Lax-Wendroff's
    second chart is its first with nu_y -> -nu_y); None otherwise."""
    for ch in done:
        if ch.check.kind != "plane_region" or set(ch.check.args[2:4]) != set(params):
            continue
        p, q, base = ch.check.args[2], ch.check.args[3], ch.check.args[5]
        for flips in ((p,), (q,), (p, q)):
            if any(_domain(v) != sp.S.Reals for v in flips) or \
                    sp.expand(ch.Q.xreplace({v: -v for v in flips}) - Q) != 0:
                continue
            expr = mirror_region(ch.expr, flips)
            names = ", ".join(f"{v} -> -{v}" for v in flips)
            return expr, f"{_formula_words(expr)} (the first chart's set with {names})", \
                Check("plane_region_mirrored", (Q, C, p, q, expr, ch.Q, ch.expr, flips, base)), \
                True
    return None


def _formula_words(expr: sp.Basic) -> str:
    """A Boolean of relations in words: (a, b) or (c) for Or(And(a, b), c)."""
    if expr is sp.true:
        return "every parameter value"
    if expr is sp.false:
        return "no parameter value"
    terms = expr.args if isinstance(expr, sp.Or) else (expr,)
    atoms = [t.args if isinstance(t, sp.And) else (t,) for t in terms]
    return " or ".join(f"({', '.join(sp.sstr(a) for a in t)})" for t in atoms)


def _negative_c(Q: sp.Expr) -> sp.Rational:
    c0 = negative_point(Q, C, sp.Integer(-1), sp.Integer(1))
    assert c0 is not None  # the constant case said "no parameter value"
    return c0
