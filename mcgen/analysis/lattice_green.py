"""The diagonal G_0 of the lattice Green's function of a symmetric M-matrix operator, as an exact
SymPy expression and as a certified interval (outward-rounded, :mod:`mpmath.iv`).

The operators, written with non-negative weights m_i (an M-matrix; a checkerboard flip brings a
sign pattern to this form without changing G_0):

* 2-D, the 3x3 box with the two diagonal pairs equal (five- and nine-point):
  A = m0 I - m1 (E_x + E_x^-1) - m2 (E_y + E_y^-1) - m3 (E_x + E_x^-1)(E_y + E_y^-1), or
  unequal (a mixed derivative): :func:`mixed_squares`;
* 3-D seven-point: A = m0 I - m1 (E_x + E_x^-1) - m2 (E_y + E_y^-1) - m3 (E_z + E_z^-1).

G_0 = (2 pi)^-d int 1/a(theta) over the torus, a the symbol, invertible iff
eps = a(0) = m0 - 2 m1 - 2 m2 - 4 m3 (2-D; - 2 m3 in 3-D) > 0.

**2-D.** With x = cos theta_1 the symbol is alpha(x) - beta(x) cos theta_2, alpha = m0 - 2 m1 x,
beta = 2 m2 + 4 m3 x, so the theta_2 integral is 1/sqrt(L1 L2), L1 = alpha - beta,
L2 = alpha + beta (two linear factors, positive on [-1, 1]), and
G_0 = (1/pi) int_-1^1 dx / sqrt((1 - x^2) L1(x) L2(x)): a complete elliptic integral with the
four real branch points -1, 1 and the roots of L1, L2 (Byrd-Friedman 254.00, as for five
points), K(k) = pi / (2 AGM(1, k')), i.e.

    G_0 = 1 / AGM(X, Y),  X^2 = L1(-1) L2(1) = (m0 + 4 m3)^2 - 4 (m1 - m2)^2,
                          Y^2 = L1(1) L2(-1) = (m0 - 4 m3)^2 - 4 (m1 + m2)^2

(m3 = 0: the five-point formula; Y^2 = eps (eps + 4 m1 + 4 m2), X^2 - Y^2 = 16 (m0 m3 + m1 m2)).

**3-D.** Integrating the x-y plane first (the 2-D formula with m0 -> m0 - 2 m3 cos theta_3),
G_0 = (1/(2 pi)) int_0^(2 pi) f(theta) dtheta, f(theta) = 1/AGM(X(theta), Y(theta)), an even,
2 pi-periodic function, analytic in the strip |Im theta| < eta while
m0 - 2 m1 - 2 m2 - 2 m3 cosh(eta) > 0: there Re a >= m0 - 2 m1 cos theta_1 - 2 m2 cos theta_2
- 2 m3 cosh(eta) > 0, so |f| <= M = 1/AGM(X, Y) at m0 - 2 m3 cosh(eta) (the 2-D value of a
shifted real operator). The trapezoid rule with N points then errs by at most
2 M / (e^(eta N) - 1) (Trefethen and Weideman, SIAM Review 56 (2014), Theorem 3.2, divided by
2 pi): exponentially convergent, so an enclosure about 2^-prec wide needs N ~ prec / eta points.
eta is chosen with cosh(eta) = 1 + eps / (4 m3) (half the margin eps spent on the strip).

Bounds used where the interval value cannot be formed (a singular end, p -> oo): Jensen gives
G_0 >= 1/m0 and a >= eps gives G_0 <= 1/eps; in 3-D also, from 2 (1 - cos t) >= 4 t^2 / pi^2
on [-pi, pi] and the ball of radius sqrt(3) pi around the cube,
G_0 <= sqrt(3) pi / (8 min(m1, m2, m3)) even at eps = 0 (the walk is transient).
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp
from mpmath import iv

#: 1/G_0 >= KAPPA * min(m1, m2, m3) for the 3-D seven-point operator (any eps >= 0)
KAPPA = 8 / (sp.sqrt(3) * sp.pi)
#: trapezoid points beyond which the 3-D enclosure gives up (a nearly singular operator)
MAX_POINTS = 1 << 11


def agm_interval(X: Any, Y: Any) -> Any:
    """An interval containing AGM(x, y) for every x in X, y in Y (positive intervals):
    AGM is increasing in both arguments and, after one step, b_n <= AGM <= a_n."""
    a, b = (X + Y) / 2, iv.sqrt(X * Y)
    width = a.b - b.a
    for _ in range(200):
        a, b = (a + b) / 2, iv.sqrt(a * b)
        if (a.b - b.a) <= (a.b * iv.mpf(2) ** (-iv.prec + 4)).b or a.b - b.a > width / 2:
            break  # converged, or stalled at the width the inputs' widths allow
        width = a.b - b.a
    return iv.mpf([b.a, a.b])


def planar_squares(m0: Any, m1: Any, m2: Any, m3: Any) -> tuple[Any, Any]:
    """(X^2, Y^2) of the 2-D formula G_0 = 1/AGM(X, Y) (SymPy expressions or intervals)."""
    return (m0 + 4 * m3)**2 - 4 * (m1 - m2)**2, (m0 - 4 * m3)**2 - 4 * (m1 + m2)**2


def planar_inverse(m0: Any, m1: Any, m2: Any, m3: Any) -> Any:
    """An interval holding 1/G_0 = AGM(X, Y) of the 2-D operator (interval weights), None when
    X^2, Y^2 are not certified positive."""
    x2, y2 = planar_squares(m0, m1, m2, m3)
    if not (x2 > 0 and y2 > 0):
        return None
    return agm_interval(iv.sqrt(x2), iv.sqrt(y2))


def cubic_inverse(m0: Any, m1: Any, m2: Any, m3: Any, prec: int) -> Any:
    """An interval holding 1/G_0 of the 3-D seven-point operator (interval weights, m3 > 0),
    about 2^-prec wide relative (the trapezoid rule in theta_3 with its analytic error bound);
    None when eps is not certified positive or more than :data:`MAX_POINTS` points are needed."""
    eps = m0 - 2 * (m1 + m2 + m3)
    if not eps > 0:
        return None
    m3_hi = iv.mpf(m3.b)
    if not m3_hi > 0:
        return planar_inverse(m0, m1, m2, iv.mpf(0))
    cosh_eta = 1 + iv.mpf(eps.a) / (4 * m3_hi)
    eta = iv.log(cosh_eta + iv.sqrt(cosh_eta**2 - 1)).a  # a lower bound of the strip's width
    bound = planar_inverse(m0 - 2 * m3 * iv.mpf(cosh_eta.b), m1, m2, iv.mpf(0))
    if bound is None:
        return None
    M = (1 / bound).b  # |f| <= M on |Im theta| < eta
    # N with 2 M / (e^(eta N) - 1) below 2^-prec G_0 (G_0 >= 1/m0)
    need = (prec * math.log(2) + math.log(float((2 * M * m0.b).b)) + 2) / float(eta)
    n = max(4, 2 * math.ceil(need / 2))
    if n > MAX_POINTS:
        return None
    total = iv.mpf(0)
    for k in range(n // 2 + 1):
        shifted = m0 - 2 * m3 * iv.cos(2 * iv.pi * k / n)
        inv = planar_inverse(shifted, m1, m2, iv.mpf(0))
        if inv is None:
            return None
        total += (1 if k in (0, n // 2) else 2) / inv
    err = 2 * M / (iv.exp(eta * n) - 1)
    g0 = total / n + iv.mpf([-err.b, err.b])
    if not g0 > 0:
        return None
    return 1 / g0


def mixed_squares(m0: Any, m1: Any, m2: Any, m3: Any, m4: Any) -> tuple[Any, Any]:
    """(S, P) = (X^2 + Y^2, X^2 Y^2) for any even 2-D operator on the 3x3 box, m3 the weight of
    (1, 1) and (-1, -1), m4 of (1, -1) and (-1, 1) (SymPy expressions or intervals).

    With a sin theta_1 sin theta_2 term (m3 != m4) the theta_2 integral is 1/sqrt(q(x)),
    q = (m0 - 2 m1 x)^2 - (2 m2 + 2 (m3 + m4) x)^2 - 4 (m3 - m4)^2 (1 - x^2), a quadratic in
    x = cos theta_1 whose roots may be complex; the same reduction (Byrd-Friedman 259.00 for
    complex roots, analytic continuation over the convex set where q > 0 on [-1, 1]) gives
    1/G_0 = AGM(U, V), U^2 = (S + 2 sqrt(P))/4, V^2 = sqrt(P), with P = q(1) q(-1),
    S = q(1) + q(-1) - 4 c, c = 4 m1^2 - 16 m3 m4 the leading coefficient of q (X, Y complex
    conjugate when S^2 < 4 P; m3 = m4: the X, Y of :func:`planar_squares`)."""
    q1 = (m0 - 2 * m1)**2 - (2 * m2 + 2 * (m3 + m4))**2
    qm1 = (m0 + 2 * m1)**2 - (2 * m2 - 2 * (m3 + m4))**2
    return q1 + qm1 - 4 * (4 * m1**2 - 16 * m3 * m4), q1 * qm1


def mixed_inverse(m0: Any, m1: Any, m2: Any, m3: Any, m4: Any) -> Any:
    """An interval holding 1/G_0 = AGM(U, V) of :func:`mixed_squares` (interval weights), None
    when P and U^2 are not certified positive."""
    S, P = mixed_squares(m0, m1, m2, m3, m4)
    if not P > 0:
        return None
    root = iv.sqrt(P)
    u2 = (S + 2 * root) / 4
    if not u2 > 0:
        return None
    return agm_interval(iv.sqrt(u2), iv.sqrt(root))


def mixed_diagonal(m0: sp.Expr, m1: sp.Expr, m2: sp.Expr, m3: sp.Expr, m4: sp.Expr
                   ) -> tuple[sp.Expr, sp.Expr]:
    """(K(m), U) with G_0 = 2 K(m) / (pi U), m = 1 - V^2/U^2 (:func:`mixed_squares`)."""
    S, P = (sp.factor(sp.expand(e)) for e in mixed_squares(m0, m1, m2, m3, m4))
    u2 = (S + 2 * sp.sqrt(P)) / 4
    return sp.elliptic_k(1 - sp.sqrt(P) / u2), sp.sqrt(u2)


def planar_diagonal(m0: sp.Expr, m1: sp.Expr, m2: sp.Expr, m3: sp.Expr) -> tuple[sp.Expr,
                                                                                  sp.Expr]:
    """(K(m), X) with G_0 = 2 K(m) / (pi X) for the 2-D operator, m = 1 - Y^2/X^2."""
    x2, y2 = (sp.factor(sp.expand(e)) for e in planar_squares(m0, m1, m2, m3))
    return sp.elliptic_k(sp.factor(sp.cancel(1 - y2 / x2))), sp.sqrt(x2)


def cubic_diagonal(m0: sp.Expr, m1: sp.Expr, m2: sp.Expr, m3: sp.Expr, theta: sp.Symbol
                   ) -> sp.Expr:
    """int_0^pi K(m(theta)) / X(theta) dtheta = (pi^2 / 2) G_0 for the 3-D seven-point operator,
    as a SymPy ``Integral`` (X, m of the 2-D formula at m0 - 2 m3 cos theta)."""
    x2 = (sp.factor(m0) - 2 * sp.factor(m3) * sp.cos(theta))**2 - 4 * sp.factor(m1 - m2)**2
    m = sp.factor(16 * m1 * m2) / x2
    return sp.Integral(sp.elliptic_k(m) / sp.sqrt(x2), (theta, 0, sp.pi))


__all__ = ["KAPPA", "agm_interval", "planar_squares", "planar_inverse", "cubic_inverse",
           "planar_diagonal", "cubic_diagonal", "mixed_squares", "mixed_inverse",
           "mixed_diagonal"]
