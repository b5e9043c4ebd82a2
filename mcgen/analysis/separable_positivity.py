"""Exact positivity of a separable 2-D implicit scheme (ADI / approximate factorisation):
A(z1, z2) = A_x(z1) A_y(z2) and B(z1, z2) = B_x(z1) B_y(z2), up to constants.

A Laurent polynomial is such a product iff it has rank one, A(z1, z2) A(1, 1) =
A(z1, 1) A(1, z2): an exact polynomial identity, so the factors are taken as A_x = A(z1, 1) (the
weights summed over the y-offsets) and A_y = A(1, z2). With equal row sums A(1, 1) = B(1, 1)
(a consistent scheme), the solution operator is the tensor product

    A^{-1} B = (A_x^{-1} B_x) (x) (A_y^{-1} B_y),

each factor a 1-D solution operator whose rows sum to B(1, 1)/A(1, 1) = 1. Its entries are the
products S_x(i) S_y(j). If both factors are >= 0 so is the product; conversely a negative entry
of S_x times a positive entry of S_y (one exists: its row sums to 1) is a negative entry of the
product. So A^{-1} B >= 0 iff S_x >= 0 and S_y >= 0: the intersection of the two 1-D exact
regions (:func:`mcgen.analysis.implicit_positivity.decide`).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.proof.check import register_check

Weights2 = dict[tuple[int, int], Any]
Weights = dict[int, Any]

_Z1, _Z2 = sp.symbols("z_1 z_2")


def _symbol(W: Weights2) -> sp.Expr:
    return sp.expand(sum(sp.sympify(w) * _Z1**k[0] * _Z2**k[1] for k, w in W.items()))


def marginals(W: Weights2) -> tuple[Weights, Weights]:
    """(W_x, W_y): the weights summed over the other direction's offsets (W(z1, 1), W(1, z2))."""
    wx: Weights = {}
    wy: Weights = {}
    for (i, j), w in W.items():
        wx[i] = sp.expand(wx.get(i, 0) + w)
        wy[j] = sp.expand(wy.get(j, 0) + w)
    return ({k: v for k, v in wx.items() if v != 0}, {k: v for k, v in wy.items() if v != 0})


def is_separable(W: Weights2) -> bool:
    """W(z1, z2) W(1, 1) == W(z1, 1) W(1, z2) (rank one), exactly."""
    s = _symbol(W)
    one = s.subs({_Z1: 1, _Z2: 1})
    return sp.expand(s * one - s.subs(_Z2, 1) * s.subs(_Z1, 1)) == 0


def separable_factors(A: Weights2, B: Weights2
                      ) -> tuple[tuple[Weights, Weights], tuple[Weights, Weights]] | None:
    """((A_x, B_x), (A_y, B_y)) when A and B are both separable and A(1, 1) = B(1, 1) is not
    identically 0, else None."""
    if not all(isinstance(k, tuple) and len(k) == 2 for k in (*A, *B)):
        return None
    sa = sp.expand(sum(sp.sympify(w) for w in A.values()))
    sb = sp.expand(sum(sp.sympify(w) for w in B.values()))
    if sa == 0 or sp.expand(sa - sb) != 0 or not (is_separable(A) and is_separable(B)):
        return None
    (ax, ay), (bx, by) = marginals(A), marginals(B)
    return (ax, bx), (ay, by)


@register_check("separable_operator",
                "A(z1, z2) A(1, 1) = A(z1, 1) A(1, z2) and the same for B, with A(1, 1) = B(1, 1): "
                "the 2-D solution operator is the tensor product of the two 1-D ones")
def check_separable_operator(A: Any, B: Any) -> str:
    A = {tuple(int(i) for i in k): sp.sympify(v) for k, v in dict(A).items()}
    B = {tuple(int(i) for i in k): sp.sympify(v) for k, v in dict(B).items()}
    return "proved" if separable_factors(A, B) is not None else "refuted"


__all__ = ["marginals", "is_separable", "separable_factors"]
