"""The solution operator S = A^{-1} B of an implicit 1-D scheme with tridiagonal A, entry by entry.

(A u)_j = a_{-1} u_{j-1} + a_0 u_j + a_1 u_{j+1}: on the lattice its inverse is the convolution by
g (symbol 1/A(z), A(z) = a_{-1}/z + a_0 + a_1 z) where A has no zero on the unit circle. When
A(1) A(-1) > 0 (exactly one root of z A(z) inside the unit circle) the kernel is two-sided and
geometric:

    g_m = g_0 lp^m (m >= 0),    g_m = g_0 lm^-m (m < 0),    g_0 = 1 / (a_0 + a_{-1} lp + a_1 lm),

lp the root of modulus < 1 of a_{-1} l^2 + a_0 l + a_1 and lm that of a_1 l^2 + a_0 l + a_{-1};
they are tied by a_1 lm = a_{-1} lp, so one algebraic number lambda carries both (lp when
a_1 != 0, else lm, with lp = 0). With B(z) = sum_j b_j z^j of radius R the entries of S are
h_m = sum_j b_j g_{m-j}; beyond the stencil h_{m+2} = lp^2 h_m (m >= R) and h_{m-2} = lm^2 h_m
(m <= -R), so S >= 0 iff h_m >= 0 for |m| <= R + 1: finitely many polynomials in lambda.

On N periodic cells S is the circulant of the periodised kernel h^N_m = sum_q h_{m+qN}; with the
geometric tails summed, (1 - lp^N)(1 - lm^N) g^N_m / g_0 = lp^m (1 - lm^N) + lm^(N-m) (1 - lp^N)
(0 <= m < N), again a polynomial in lambda. Between the stencil's reach from 0 and from N
the entries are K+ lp^m + K- lm^(N-m), two exponentials per parity of m with at most one
zero, so S_N >= 0 iff the entries that reach around and the two first and two last of that
middle range are >= 0: at most R + 4 entries whatever N (:func:`middle_range`). The wrapped
terms are O(|lambda|^N): the periodic entries tend to the lattice ones as N grows.

Each entry is returned as a polynomial E(p, lambda) with sign(E) = sign(h_m) (the positive
factors (1 - lp^N)(1 - lm^N) and an even power of a_1 multiplied in, g_0 replaced by its
denominator).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.proof.sturm import real_roots, sign_at

LAM = sp.Symbol("lambda", real=True)
_LP, _LM = sp.symbols("l_p l_m")  # the two decay rates before they are tied together

Weights = dict[int, Any]


def tridiagonal(A: Weights) -> tuple[sp.Expr, sp.Expr, sp.Expr] | None:
    """(a_{-1}, a_0, a_1), or None when A reaches beyond the nearest neighbours."""
    if not A or set(A) - {-1, 0, 1}:
        return None
    return tuple(sp.expand(sp.sympify(A.get(k, 0))) for k in (-1, 0, 1))  # type: ignore


def characteristic(A: Weights) -> tuple[str, sp.Expr | None]:
    """Which decay rate lambda stands for ('+': lp, '-': lm with lp = 0, '0': A diagonal) and
    the polynomial F(lambda) it is a root of (modulus < 1)."""
    am, a0, ap = tridiagonal(A) or (0, 0, 0)
    if ap != 0:
        return "+", sp.expand(am * LAM**2 + a0 * LAM + ap)
    if am != 0:
        return "-", sp.expand(a0 * LAM + am)
    return "0", None


def _tie(P: sp.Expr, A: Weights, side: str) -> sp.Expr:
    """P(lp, lm) as a polynomial in lambda with the same sign (lm = a_{-1}/a_1 lp, cleared by
    an even power of its denominator). Polynomial arithmetic (degree ~N on N cells)."""
    am, _, ap = tridiagonal(A)  # type: ignore[misc]
    P = sp.expand(P)
    if side != "+":
        return sp.expand(P.subs({_LP: 0, _LM: LAM} if side == "-" else {_LP: 0, _LM: 0}))
    num, den = sp.fraction(sp.cancel(am / ap))  # lm = (num/den) lp; den^(2k) > 0
    params = sorted((P.free_symbols | num.free_symbols | den.free_symbols) - {_LP, _LM},
                    key=str)
    gens = (LAM, *params)
    PP = sp.Poly(P, _LP, _LM, *params)
    k = PP.degree(_LM)
    nP, dP = sp.Poly(num, *gens), sp.Poly(den, *gens)
    npow, dpow = [sp.Poly(1, *gens)], [sp.Poly(1, *gens)]
    for _ in range(2 * k):
        npow.append(npow[-1] * nP)
        dpow.append(dpow[-1] * dP)
    by_j: dict[int, dict[tuple[int, ...], Any]] = {}
    for mono, c in PP.terms():
        i, j, rest = mono[0], mono[1], tuple(mono[2:])
        by_j.setdefault(j, {})[(i + j,) + rest] = c
    out = sp.Poly(0, *gens)
    for j, terms in by_j.items():
        out += sp.Poly.from_dict(terms, *gens) * npow[j] * dpow[2 * k - j]
    return out.as_expr()


def _g(n: int, N: int | None) -> sp.Expr:
    """g_n / g_0 on the lattice, or (1 - lp^N)(1 - lm^N) g^N_n / g_0 on N periodic cells."""
    if N is None:
        return _LP**n if n >= 0 else _LM**(-n)
    n %= N
    return _LP**n * (1 - _LM**N) + _LM**(N - n) * (1 - _LP**N)


def offsets(B: Weights, N: int | None) -> list[int]:
    """The offsets m whose entries h_m decide S >= 0: |m| <= R + 1 on the lattice; on N cells
    the entries near 0 and N that reach around, and the two first and two last of the middle
    range, whatever N (see :func:`middle_range`)."""
    if N is not None:
        mid = middle_range(B, N)
        if mid is None:
            return list(range(N))
        m1, m2 = mid
        return sorted({*range(m1), *range(m2 + 1, N), m1, m1 + 1, m2 - 1, m2})
    R = max((abs(int(j)) for j in B), default=0)
    return list(range(-R - 1, R + 2))


def middle_range(B: Weights, N: int) -> tuple[int, int] | None:
    """(m1, m2): on N cells, for m1 <= m <= m2 every m - j (j in B) lies in [0, N), so
    h^N_m = K+ lp^m + K- lm^(N-m) with constants K+-. Per parity of m (m = m' + 2k) that is
    K+ lp^m' (lp^2)^k + K- lm^(N-m') (lm^-2)^k, a sum of two exponentials in k with positive
    bases: it has at most one zero (Descartes' rule for exponential sums), so it is >= 0 on
    the range iff it is at both ends. None when the range is too short to gain anything."""
    js = [int(j) for j in B] or [0]
    m1, m2 = max(0, max(js)), N - 1 - max(0, -min(js))
    return (m1, m2) if m2 - m1 >= 4 else None


def entry_polys(A: Weights, B: Weights, N: int | None = None) -> list[tuple[int, sp.Expr]]:
    """``[(m, E_m)]``: polynomials in the parameters and :data:`LAM` with sign(E_m) = sign(h_m)
    where the two-sided kernel exists (``A(1) A(-1) > 0``)."""
    am, a0, ap = tridiagonal(A)  # type: ignore[misc]
    side, _ = characteristic(A)
    d0 = a0 + am * _LP + ap * _LM  # 1/g_0
    out = []
    for m in offsets(B, N):
        P = sum((sp.sympify(b) * _g(m - int(j), N) for j, b in B.items()), sp.Integer(0))
        out.append((m, _tie(d0 * P, A, side)))
    return out


def kernel_root(A: Weights) -> sp.Expr | str | None:
    """At numeric (rational) A: the decay rate lambda (exact), ``"singular"`` when A vanishes on
    the unit circle (no bounded inverse: the scheme is not defined), or None when the kernel is
    one-sided (both roots on one side of the circle; not analysed)."""
    am, a0, ap = tridiagonal(A)  # type: ignore[misc]
    s1, sm1 = a0 + am + ap, a0 - am - ap  # A(1), A(-1)
    if s1 * sm1 > 0:
        side, F = characteristic(A)
        if side == "0":
            return sp.Integer(0)
        roots = [x for x in real_roots(sp.Poly(F, LAM)) if bool(x > -1) and bool(x < 1)]
        return roots[0]
    if s1 * sm1 == 0 or (am == ap and abs(a0) <= 2 * abs(ap)):
        return "singular"
    return None


def _sign_linear_at_root(u: Any, v: Any, F: sp.Expr, lam: Any) -> int:
    """sign(u + v lambda), lambda an irrational root of F = a l^2 + b l + c (rationals u, v):
    lambda = (-b + e sqrt(D)) / (2a), e = sign(a) sign(lambda + b/(2a)) (the midpoint of the
    roots is rational and no root), and the sign of X + e sqrt(D) compares X^2 with D."""
    u, v = sp.Rational(u), sp.Rational(v)
    if v == 0:
        return int(sp.sign(u))
    a, b, c = (sp.Rational(x) for x in sp.Poly(F, LAM).all_coeffs())
    D = b**2 - 4 * a * c
    mid = -b / (2 * a)
    e = int(sp.sign(a)) * sign_at(LAM - mid, LAM, lam)
    # u + v lambda = v (lambda - rho), rho = -u/v; lambda - rho = (X + e sqrt D) / (2a)
    X = -b - 2 * a * (-u / v)
    if X == 0 or int(sp.sign(X)) == e:
        s = e
    else:
        s = int(sp.sign(X)) if X**2 > D else (e if X**2 < D else 0)
    return s * int(sp.sign(v)) * int(sp.sign(a))


def entry_signs_at(A: Weights, Bs: list[Weights], N: int | None = None
                   ) -> list[list[tuple[int, int]]] | str | None:
    """Signs of the decisive entries ``[[(m, sign h_m)] per block]`` at numeric A, B (exact), or
    ``"singular"`` / None as :func:`kernel_root`."""
    lam = kernel_root(A)
    if lam is None or isinstance(lam, str):
        return lam
    _, F = characteristic(A)

    def sign(E: sp.Expr) -> int:
        # E(lambda) = (E mod F)(lambda) = u + v lambda: signed in rational arithmetic (degree
        # ~N on N cells otherwise, and a Sturm sequence per refinement)
        if F is not None and E.has(LAM) and not lam.is_Rational:
            r = sp.Poly(E, LAM).rem(sp.Poly(F, LAM))
            if r.degree() == 1 and sp.degree(F, LAM) == 2:
                return _sign_linear_at_root(r.coeff_monomial(1), r.coeff_monomial(LAM), F, lam)
            E = r.as_expr()
        return sign_at(E, LAM, lam)
    return [[(m, sign(E)) for m, E in entry_polys(A, B, N)] for B in Bs]


def entry_value(A: Weights, B: Weights, m: int, N: int | None = None) -> sp.Expr:
    """h_m (or h^N_m) at numeric A, B as an exact number (lambda a real algebraic number)."""
    lam = kernel_root(A)
    if lam is None or isinstance(lam, str):
        raise ValueError("no two-sided inverse kernel at these values")
    am, a0, ap = tridiagonal(A)  # type: ignore[misc]
    side, _ = characteristic(A)
    lp = lam if side == "+" else sp.Integer(0)
    lm = (am * lam / ap if side == "+" else lam) if side != "0" else sp.Integer(0)
    g0 = 1 / (a0 + am * lp + ap * lm)
    P = sum((sp.sympify(b) * _g(m - int(j), N) for j, b in B.items()), sp.Integer(0))
    val = g0 * P.subs({_LP: lp, _LM: lm})
    if N is not None:
        val = val / ((1 - lp**N) * (1 - lm**N))
    return val


__all__ = ["LAM", "tridiagonal", "characteristic", "entry_polys", "kernel_root",
           "entry_signs_at", "entry_value", "offsets", "middle_range"]
