"""Property (issue 12): on random two-parameter 1-D stencils (radius 1-2, weights in nu, mu,
nu*mu, nu^2, mu^2 with small rational coefficients), the plane decomposition never crashes; where
it gives the region, the region agrees with exact decisions of max|G| <= 1 at rational points
inside and outside; where it gives only proved inner and outer sets, inner <= true <= outer at
those points, and the analysis reports a region that contains its own proved sufficient set.
20 stencils in the suite, 100 with MCGEN_SLOW=1."""

import os
import random

import pytest
import sympy as sp

from mcgen.analysis.amplification import C, abs2_in_c, split_powers
from mcgen.proof import cad2
from mcgen.proof.sturm import negative_point

SLOW = os.environ.get("MCGEN_SLOW") == "1"
NU, MU = sp.symbols("nu mu", real=True)
MONOMIALS = (NU, MU, NU * MU, NU**2, MU**2)
GRID = [sp.Rational(k, 2) for k in range(-4, 5, 2)] + [sp.Rational(k, 7) for k in (-3, 1, 5)]


def _stencil(rng: random.Random) -> dict:
    radius = rng.randint(1, 2)
    w = {}
    for k in range(-radius, radius + 1):
        if k and rng.random() < 0.6:
            w[k] = sum(sp.Rational(rng.randint(-2, 2), rng.choice([1, 2, 4])) * m
                       for m in MONOMIALS[:rng.randint(2, 5)])
    w[0] = 1 - sum(w.values())
    return w


def _stable(w: dict, pt: dict) -> bool:
    """max |G| <= 1 at an exact rational point (exact root isolation in c = cos(theta))."""
    P = sp.expand(1 - abs2_in_c({k: sp.sympify(wk).subs(pt) for k, wk in w.items()}))
    return negative_point(P, C, sp.Integer(-1), sp.Integer(1)) is None


CASES = [_stencil(random.Random(seed)) for seed in range(100 if SLOW else 20)]


@pytest.mark.parametrize("w", CASES, ids=[f"seed{i}" for i in range(len(CASES))])
def test_plane_region_agrees_with_exact_point_decisions(w):
    _, Q = split_powers(sp.expand(1 - abs2_in_c(w)), C)
    if not (Q.has(NU) and Q.has(MU)):
        return  # one parameter or none: the 1-D decisions (their own property test)
    try:
        with cad2.budget(4):
            cells, formula = cad2.decide_region(Q, C, NU, MU, 4)
            bounds = cad2.region_bounds(cells, NU, MU) if formula is None else None
    except cad2.BudgetExceeded:
        return  # out of reach: the analysis falls back (status sampled), no claim to test
    for a in GRID:
        for b in GRID:
            pt = {NU: a, MU: b}
            truth = _stable(w, pt)
            if formula is not None:
                assert bool(formula.subs(pt)) is truth, (w, pt, formula)
            elif bounds is not None:
                inner, outer = bounds
                assert not bool(inner.subs(pt)) or truth, (w, pt, inner)
                assert not truth or bool(outer.subs(pt)), (w, pt, outer)
