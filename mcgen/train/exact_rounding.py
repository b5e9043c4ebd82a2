"""Round a float fit to a nearby rational point on which the constraints hold exactly.

A float solution meets its constraints only to solver tolerance. Each coordinate is replaced by
the simplest fraction within its tolerance (continued fractions via ``Fraction.limit_denominator``)
and the result is projected, in exact rationals, onto the affine set ``{A w = b}``:
``w - A^T (A A^T)^{-1} (A w - b)``. The checks that the rounded point meets every constraint are
steps of a :class:`~mcgen.proof.Derivation` (exact rational identities), not float comparisons.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp


def simplest_rational(v: float, tol: float) -> sp.Rational:
    """The fraction with the smallest denominator (searched by powers of ten) within ``tol``."""
    f = Fraction(float(v))
    for den in (1, 2, 4, 5, 8, 10, 12, 16, 20, 25, 50, 100, 10 ** 3, 10 ** 4, 10 ** 5, 10 ** 6,
                10 ** 8, 10 ** 10, 10 ** 12, 10 ** 14):
        q = f.limit_denominator(den)
        if abs(float(q) - v) <= tol:
            return sp.Rational(q.numerator, q.denominator)
    return sp.Rational(f.numerator, f.denominator)


def rationalize(values: np.ndarray, tols: np.ndarray) -> list[sp.Rational]:
    return [simplest_rational(float(v), float(t)) for v, t in zip(values, tols, strict=True)]


def project_affine(w: list[sp.Rational], A: sp.Matrix, b: sp.Matrix) -> sp.Matrix:
    """The exact orthogonal projection of ``w`` onto ``{A w = b}`` (A of full row rank after
    dropping dependent rows)."""
    wv = sp.Matrix(w)
    if A.rows == 0:
        return wv
    _, piv = A.T.rref()
    rows = list(piv)
    A1, b1 = A.extract(rows, list(range(A.cols))), b.extract(rows, [0])
    resid = A1 * wv - b1
    if resid.is_zero_matrix:
        return wv
    return wv - A1.T * (A1 * A1.T).LUsolve(resid)
