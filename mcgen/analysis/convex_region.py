"""The L2 region of a 2-D scheme whose weights are affine in its one parameter: an interval,
decided by its ends.

With G(p, theta) = A(theta) + p B(theta), |G|^2 is a convex quadratic in p at every mode, so
{p : |G(p, theta)| <= 1} is an interval for each theta and the L2 region, their intersection, is
an interval too. So two exact point decisions settle it: when both ends of the (proved)
necessary interval are stable, the whole interval is, and the necessary set is the region. When
an end is unstable, the true end point lies between a rational stable point a and a rational
unstable point b found by bisection (each decided exactly: N >= 0 on the plane, or a growing
mode): [.., a] is a proved sufficient set and the region excludes everything beyond b (a stable
point there would make b stable by convexity).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from mcgen.proof.check import register_check
from mcgen.proof.sturm import _domain, relational_set

#: relative width of the bracket around an end point that is not decided exactly
BRACKET = sp.Rational(1, 10**9)


def affine_in(G: sp.Expr, params: tuple[sp.Symbol, ...]) -> bool:
    """G is a polynomial of degree <= 1 in the parameters (jointly)."""
    G = sp.expand(G)
    return all(sp.expand(sp.diff(G, p, q)) == 0 for p in params for q in params) and \
        all(not sp.diff(G, p).has(p) for p in params)


@register_check("affine_in_parameters",
                "G is affine in the parameters, so |G|^2 is convex in them at every mode and "
                "the L2 region {|G| <= 1 at every mode} is convex")
def check_affine_in_parameters(G: Any, params: Any) -> str:
    return "proved" if affine_in(sp.sympify(G), tuple(params)) else "refuted"


@dataclass(frozen=True)
class IntervalEnds:
    """The necessary interval [lo, hi] and, per end, None when the end is stable (exact), else
    (stable a, unstable b, growing mode at b) bracketing the true end point."""

    lo: sp.Rational
    hi: sp.Rational
    low_bracket: tuple[sp.Rational, sp.Rational, tuple] | None
    high_bracket: tuple[sp.Rational, sp.Rational, tuple] | None


def necessary_interval(nec: sp.Basic, p: sp.Symbol) -> tuple[sp.Rational, sp.Rational] | None:
    """The necessary set as a bounded closed interval with rational ends (None otherwise)."""
    try:
        s = relational_set(nec, p).intersect(_domain(p))
    except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
        return None
    if not isinstance(s, sp.Interval) or s.left_open or s.right_open:
        return None
    if not (s.start.is_Rational and s.end.is_Rational):
        return None
    return s.start, s.end


def decide_interval(lo: sp.Rational, hi: sp.Rational,
                    decide: Callable[[sp.Rational], tuple[bool, tuple | None]],
                    max_abs_G: Callable[[float], float]) -> IntervalEnds | None:
    """Decide the ends of [lo, hi] exactly; bracket an unstable end between a stable and an
    unstable rational (None when no stable point is found)."""
    ok_lo, wit_lo = decide(lo)
    ok_hi, wit_hi = decide(hi) if hi != lo else (ok_lo, wit_lo)
    if ok_lo and ok_hi:
        return IntervalEnds(lo, hi, None, None)
    inner = lo if ok_lo else hi if ok_hi else _stable_inside(lo, hi, decide, max_abs_G)
    if inner is None:
        return None
    brackets: list[tuple[sp.Rational, sp.Rational, tuple] | None] = []
    for end, ok in ((lo, ok_lo), (hi, ok_hi)):
        if ok:
            brackets.append(None)
            continue
        got = _bracket(inner, end, decide, max_abs_G)
        if got is None:
            return None
        brackets.append(got)
    return IntervalEnds(lo, hi, brackets[0], brackets[1])


def _stable_inside(lo: sp.Rational, hi: sp.Rational, decide: Callable, max_abs_G: Callable
                   ) -> sp.Rational | None:
    xs = np.linspace(float(lo), float(hi), 41)[1:-1]
    for x in sorted(xs, key=max_abs_G)[:3]:
        q = sp.nsimplify(float(x), rational=True, tolerance=1e-6 * (float(hi - lo) or 1))
        if lo < q < hi and decide(q)[0]:
            return q
    return None


def _bracket(inner: sp.Rational, end: sp.Rational, decide: Callable, max_abs_G: Callable
             ) -> tuple[sp.Rational, sp.Rational, tuple] | None:
    """A stable a and an unstable b (with its growing mode) between inner and end, |b - a|
    about BRACKET |end - inner|, from a numeric bisection confirmed exactly."""
    x0, x1 = float(inner), float(end)
    for _ in range(60):
        mid = (x0 + x1) / 2
        if max_abs_G(mid) <= 1 + 1e-13:
            x0 = mid
        else:
            x1 = mid
    scale = abs(end - inner)
    for widen in (1, 10**3, 10**6):
        step = BRACKET * scale * widen
        digits = max(1, -int(math.floor(math.log10(float(step)))) + 2)
        guess = sp.Rational(round((x0 + x1) / 2 * 10**digits), 10**digits)
        direction = 1 if end > inner else -1
        a = guess - direction * step
        b = guess + direction * step
        low, high = min(inner, end), max(inner, end)
        if not (low <= a <= high and low <= b <= high):
            continue
        ok_a, _ = decide(a)
        ok_b, wit = decide(b)
        if ok_a and not ok_b and wit is not None:
            return a, b, wit
    return None
