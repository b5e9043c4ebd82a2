"""The amplification factor of a reflection-symmetric explicit scheme, in the cosines of the
wave numbers, and the exact L2 region when it is affine in each cosine.

If the weights are even in every axis (w_k = w_k' whenever k' flips the sign of one offset
component: the five-, nine- and 27-point heat schemes, anisotropic diffusion, any
mirror-symmetric stencil), the sine parts cancel pairwise and G is real:

    G(theta) = sum_k w_k prod_i cos(k_i theta_i) = sum_k w_k prod_i T_|k_i|(c_i),

a polynomial in c = (cos theta_1, ..., cos theta_d) on the box [-1, 1]^d (T_n the Chebyshev
polynomials). |G| <= 1 on the torus iff -1 <= G <= 1 on the box. When every |k_i| <= 1 (any
stencil inside the 3 x 3 or 3 x 3 x 3 box), G is affine in each c_i separately, so on every
segment of the box parallel to an axis it is affine and takes its extremes at the ends: the
extremes over the box are at the 2^d corners c in {-1, 1}^d, the modes theta in {0, pi}^d. The
corner conditions -1 <= G(corner) <= 1 are therefore necessary and sufficient: the region is
exact in any number of parameters and dimensions.
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy as sp

from mcgen.proof.check import register_check
from mcgen.proof.sturm import check_region_equivalent

#: the cosines c_i = cos(theta_i)
COSINES = tuple(sp.Symbol(f"c_{a}", real=True) for a in "xyz")


def symbol_weights(G: sp.Expr, thetas: tuple[sp.Symbol, ...]) -> dict[tuple[int, ...], sp.Expr]:
    """The weights w_k of G = sum_k w_k exp(i k.theta) (k integer offsets)."""
    out: dict[tuple[int, ...], sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(sp.powsimp(sp.expand(G), combine="exp"))):
        coeff, wave = term.as_independent(*thetas, as_Add=False)
        wave = sp.powsimp(wave, combine="exp")
        if wave == 1:
            k = (0,) * len(thetas)
        else:
            if not isinstance(wave, sp.exp):
                raise ValueError(f"not a Fourier term: {wave}")
            arg = sp.expand(wave.args[0] / sp.I)
            k = tuple(int(arg.coeff(t)) for t in thetas)
            if sp.expand(arg - sum(ki * t for ki, t in zip(k, thetas, strict=True))) != 0:
                raise ValueError(f"not an integer wave vector: {wave}")
        out[k] = sp.expand(out.get(k, 0) + coeff)
    return {k: w for k, w in out.items() if w != 0}


def reflection_symmetric(w: dict[tuple[int, ...], sp.Expr]) -> bool:
    """Every weight is even in every offset component (so G is real and even in each theta_i)."""
    for k, v in w.items():
        for i in range(len(k)):
            flipped = tuple(-x if j == i else x for j, x in enumerate(k))
            if sp.expand(w.get(flipped, 0) - v) != 0:
                return False
    return True


def cosine_polynomial(w: dict[tuple[int, ...], sp.Expr]) -> sp.Expr:
    """G as a polynomial in the cosines (reflection-symmetric weights)."""
    d = len(next(iter(w)))
    return sp.expand(sum(v * sp.Mul(*(sp.chebyshevt(abs(ki), c)
                                      for ki, c in zip(k, COSINES[:d], strict=True)))
                         for k, v in w.items()))


def multiaffine(Gc: sp.Expr, d: int) -> bool:
    """G has degree <= 1 in every cosine."""
    return all(sp.degree(Gc, c) <= 1 for c in COSINES[:d] if Gc.has(c))


def corner_conditions(Gc: sp.Expr, d: int) -> list[sp.Basic]:
    """-1 <= G <= 1 at every corner of the box (the modes theta in {0, pi}^d), trivial ones
    dropped."""
    out: list[sp.Basic] = []
    for signs in itertools.product((1, -1), repeat=d):
        g = sp.expand(Gc.subs(dict(zip(COSINES[:d], signs, strict=True))))
        for rel in (sp.Ge(1 - g, 0), sp.Ge(1 + g, 0)):
            if rel is not sp.true:
                out.append(rel)
    return list(dict.fromkeys(out))


def multiaffine_region(G: sp.Expr, thetas: tuple[sp.Symbol, ...]) -> sp.Basic | None:
    """The exact L2 region (the corner conditions) when G is real and affine in each cosine;
    None when it is not."""
    try:
        w = symbol_weights(G, thetas)
    except (ValueError, TypeError):
        return None
    if not w or not reflection_symmetric(w):
        return None
    Gc = cosine_polynomial(w)
    if not multiaffine(Gc, len(thetas)):
        return None
    return sp.And(*corner_conditions(Gc, len(thetas)))


@register_check("cosine_corners",
                "G is real and affine in each cos theta_i (weights even in every axis, inside "
                "the 3^d box), so |G| <= 1 on the torus iff it holds at the corners "
                "{0, pi}^d; their conditions are equivalent to the claim (exact)")
def cosine_corners(G: Any, thetas: Any, params: Any, claim: Any) -> str:
    region = multiaffine_region(sp.sympify(G), tuple(thetas))
    if region is None:
        return "unknown"
    return check_region_equivalent(region, claim, tuple(params))
