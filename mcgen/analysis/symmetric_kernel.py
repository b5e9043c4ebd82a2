"""The solution operator S = A^{-1} B of a 1-D scheme whose implicit operator A is symmetric and
pentadiagonal (a_k = a_{-k}, |k| <= 2), entry by entry, exactly.

With t = z + 1/z (= 2 cos theta on the unit circle) a symmetric Laurent polynomial is a
polynomial in t: A(z) = Q(t) (degree 2), B(z) = Bq(t). Divide, Bq = Qp Q + Rm (deg Rm < 2), and
split Rm/Q into partial fractions over the roots t_1, t_2 of Q; the kernel of 1/(t - tau) is the
tridiagonal one, zeta^|m| / (zeta - 1/zeta) with zeta + 1/zeta = tau, |zeta| < 1. So

    h_m = [Qp]_m + c_1 zeta_1^|m| + c_2 zeta_2^|m|,   c_i = Rm(t_i) / (Q'(t_i) (zeta_i - 1/zeta_i)),

and [Qp]_m (the coefficient of z^m in Qp(z + 1/z)) is 0 for |m| >= M = deg Qp + 1. The entries are
symmetric (h_{-m} = h_m) and beyond M a sum of two geometric sequences. Which are >= 0:

* A is invertible on the lattice iff Q has no root in [-2, 2] (A(e^{i theta}) = Q(2 cos theta)).
* t_1, t_2 non-real (disc Q < 0): zeta_2 = conj(zeta_1) is not real, so c zeta^m + conj(c zeta^m)
  = 2 |c| |zeta|^m cos(m arg zeta + phi) is < 0 for infinitely many m unless c = 0 (Rm and Q
  share a root): never positive. (When Q is even in t, zeta_2 = -zeta_1 is imaginary and
  h_(M+2k) alternates in k: the same.)
* t_1, t_2 real, |t_i| > 2: zeta_i real, the larger |zeta| belongs to the smaller |t|. Per
  parity of m the tail is x_k = C_1 nu_1^k + C_2 nu_2^k, nu_i = zeta_i^2 > 0: if nu_1 > nu_2,
  x_k nu_2^-k = C_1 (nu_1/nu_2)^k + C_2 is monotone in k, so x >= 0 for all k >= 0 iff x_0 >= 0
  and C_1 >= 0; if nu_1 = nu_2 (Q even: zeta_2 = -zeta_1) the tail is x_0 nu^k. So S >= 0 iff
  h_0, ..., h_(M+1) >= 0 and (unless Q is even) the dominant root zeta_d (smallest |t|) is
  > 0 with c_d >= 0 (a negative zeta_d alternates the sign of c_d zeta_d^m).

Finitely many algebraic numbers decide, each a polynomial in (sqrt disc Q, zeta_1 - 1/zeta_1,
zeta_2 - 1/zeta_2) over Q(p); its norm over that tower of quadratic extensions (three steps
a + b s -> a^2 - s^2 b^2) is a polynomial in p that vanishes wherever it does, so the cells in p
between the real roots of those norms and of the structural polynomials (the leading
coefficient of Q, its t-coefficient, its discriminant, Q(2), Q(-2), res_t(Rm, Q)) have constant
answers. At a rational sample the signs are decided by interval arithmetic (mpmath.iv, outward
rounding) with the precision raised until the interval excludes 0: the norms do not vanish
there, so this terminates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sympy as sp
from mpmath import iv

Weights = dict[int, Any]

T = sp.Symbol("t")  # z + 1/z
_W, _D1, _D2 = sp.symbols("w_disc Dhat_1 Dhat_2")  # sqrt(disc Q), 2 alpha (zeta_i - 1/zeta_i)

#: interval precisions tried (bits) before a sign is left undecided
_PRECISIONS = (64, 160, 400, 1000, 2500)


def t_polynomial(W: Weights) -> sp.Expr | None:
    """sum_k w_k z^k as a polynomial in t = z + 1/z, or None when w_k != w_(-k) for some k."""
    W = {int(k): sp.sympify(v) for k, v in W.items() if sp.sympify(v) != 0}
    if any(sp.expand(W.get(-k, 0) - v) != 0 for k, v in W.items()):
        return None
    cheb = [sp.Integer(2), T]  # z^k + z^-k as a polynomial in t
    R = max((abs(k) for k in W), default=0)
    while len(cheb) <= R:
        cheb.append(sp.expand(T * cheb[-1] - cheb[-2]))
    return sp.expand(W.get(0, 0) + sum(W.get(k, 0) * cheb[k] for k in range(1, R + 1)))


def symmetric_pentadiagonal(A: Weights) -> bool:
    """True when A is symmetric and reaches offset 2 (A(z) = Q(z + 1/z), Q of degree 2 in t
    for generic parameters)."""
    return bool(A) and max(abs(int(k)) for k in A) == 2 and t_polynomial(A) is not None


@dataclass(frozen=True)
class Split:
    """Q = alpha t^2 + beta t + gamma and, per block, (Qp, Rm = rho1 t + rho0, M)."""

    alpha: sp.Expr
    beta: sp.Expr
    gamma: sp.Expr
    blocks: tuple[tuple[sp.Expr, sp.Expr, sp.Expr, int], ...]

    @property
    def disc(self) -> sp.Expr:
        return sp.expand(self.beta**2 - 4 * self.alpha * self.gamma)


def split(A: Weights, Bs: list[Weights]) -> Split | None:
    """The partial-fraction data of every block, or None when A or a block is not symmetric
    or Q is not of degree 2 in t."""
    Q = t_polynomial(A)
    qs = [t_polynomial(B) for B in Bs]
    if Q is None or any(b is None for b in qs):
        return None
    PQ = sp.Poly(Q, T)
    if PQ.degree() != 2:
        return None
    alpha, beta, gamma = (sp.together(c) for c in PQ.all_coeffs())
    blocks = []
    for b in qs:
        Qp, Rm = sp.div(sp.Poly(b, T), PQ)
        M = Qp.degree() + 1 if not Qp.is_zero else 0
        rho1, rho0 = Rm.coeff_monomial(T), Rm.coeff_monomial(1)
        blocks.append((Qp.as_expr(), sp.together(rho1), sp.together(rho0), M))
    return Split(alpha, beta, gamma, tuple(blocks))


def poly_coefficient(Qp: sp.Expr, m: int) -> sp.Expr:
    """[Qp]_m: the coefficient of z^m in Qp(z + 1/z) (binomial: t^k has C(k, (k+m)/2))."""
    if Qp == 0:
        return sp.Integer(0)
    P = sp.Poly(Qp, T)
    m = abs(m)
    return sp.expand(sum((c * sp.binomial(k, (k + m) // 2) for (k,), c in P.terms()
                          if k >= m and (k + m) % 2 == 0), sp.Integer(0)))


# ---------------------------------------------------------------- symbolic: the norms


def _norm(e: sp.Expr, s: sp.Symbol, c: sp.Expr) -> sp.Expr:
    """The norm of e (a polynomial in s) over s^2 = c: a^2 - c b^2 where e = a + b s mod s^2 - c."""
    r = sp.Poly(sp.expand(e), s).rem(sp.Poly(s**2 - c, s))
    a, b = r.coeff_monomial(1), r.coeff_monomial(s)
    return sp.expand(a**2 - c * b**2)


def _tower_norm(e: sp.Expr, sp_: Split) -> sp.Expr:
    T1, T2 = -sp_.beta + _W, -sp_.beta - _W
    e = _norm(e, _D1, sp.expand(T1**2 - 16 * sp_.alpha**2))
    e = _norm(e, _D2, sp.expand(T2**2 - 16 * sp_.alpha**2))
    e = _norm(e, _W, sp_.disc)
    return sp.numer(sp.together(e))


def entry_numerator(sp_: Split, block: int, m: int) -> sp.Expr:
    """h_m times w Dhat_1 Dhat_2 (4 alpha)^m, a polynomial in (p, w, Dhat_1, Dhat_2), where
    2 alpha t_i = T_i = -beta +- w, w^2 = disc Q, Dhat_i^2 = T_i^2 - 16 alpha^2 and
    zeta_i = (T_i + Dhat_i) / (4 alpha)."""
    Qp, rho1, rho0, _ = sp_.blocks[block]
    a = sp_.alpha
    T1, T2 = -sp_.beta + _W, -sp_.beta - _W
    m = abs(m)
    return sp.expand(poly_coefficient(Qp, m) * _W * _D1 * _D2 * (4 * a)**m
                     + (rho1 * T1 + 2 * a * rho0) * _D2 * (T1 + _D1)**m
                     - (rho1 * T2 + 2 * a * rho0) * _D1 * (T2 + _D2)**m)


def decisive_offsets(sp_: Split, block: int) -> list[int]:
    """m = 0, ..., M + 1: the entries that decide with the tail's dominant coefficient."""
    return list(range(sp_.blocks[block][3] + 2))


def critical_entry(sp_: Split, block: int, m: int) -> sp.Expr:
    """A polynomial in p vanishing wherever h_m does (the norm of its numerator)."""
    return _tower_norm(entry_numerator(sp_, block, m), sp_)


def critical_polys(sp_: Split) -> list[sp.Expr]:
    """Polynomials in p whose real roots bound the cells: the structural ones and the norms of
    every decisive entry and tail coefficient."""
    a, b, g = sp_.alpha, sp_.beta, sp_.gamma
    out = [a, b, sp_.disc, 4 * a + 2 * b + g, 4 * a - 2 * b + g]
    for i, (_, rho1, rho0, _) in enumerate(sp_.blocks):
        out.append(a * rho0**2 - b * rho0 * rho1 + g * rho1**2)  # res_t(Rm, Q) / alpha-free
        out += [critical_entry(sp_, i, m) for m in decisive_offsets(sp_, i)]
    return [sp.numer(sp.together(f)) for f in out]


# ---------------------------------------------------------------- numeric: one exact decision


def _iv(x: Any) -> Any:
    x = sp.Rational(x)
    return iv.mpf(int(x.p)) / iv.mpf(int(x.q))


def _sign(x: Any) -> int | None:
    if x.a == 0 and x.b == 0:
        return 0
    if x > 0:
        return 1
    if x < 0:
        return -1
    return None


@dataclass(frozen=True)
class PointDecision:
    """At numeric weights: ``ok`` (True/False, None when undecided or A singular: ``singular``),
    and why it fails: ``(block, m)`` for a negative entry h_m, ``(block, "tail")`` for a
    negative dominant tail (a later entry is negative), ``(block, "oscillating")`` for non-real
    decay rates."""

    ok: bool | None
    singular: bool = False
    fails: tuple[tuple[int, Any], ...] = ()


def _ev(e: Any, p: sp.Symbol | None, P: Any) -> Any:
    """e (a rational function of p, or a number) as an interval at the interval P."""
    e = sp.sympify(e)
    if p is None or not e.has(p):
        return _iv(e)
    num, den = sp.fraction(sp.together(e))

    def horner(f: sp.Expr) -> Any:
        acc = iv.mpf(0)
        for c in sp.Poly(f, p).all_coeffs():
            acc = acc * P + _iv(c)
        return acc
    return horner(num) / horner(den)


def _values(sp_: Split, prec: int, p: sp.Symbol | None = None, P: Any = None
            ) -> tuple[list[Any], list[Any], list[Any]] | None:
    """Intervals (t_i, zeta_i, D_i) at numeric coefficients (or p in the interval P), real
    roots off [-2, 2] only."""
    iv.prec = prec
    a, b, d = (_ev(x, p, P) for x in (sp_.alpha, sp_.beta, sp_.disc))
    if _sign(d) != 1:
        return None
    w = iv.sqrt(d)
    ts = [(-b + w) / (2 * a), (-b - w) / (2 * a)]
    zs, Ds = [], []
    for t in ts:
        s = _sign(t)
        if s is None or _sign(t * t - 4) != 1:
            return None
        D = -s * iv.sqrt(t * t - 4)
        zs.append((t + D) / 2)
        Ds.append(D)
    return ts, zs, Ds


def _coefficients(sp_: Split, i: int, ts: list[Any], Ds: list[Any], p: sp.Symbol | None,
                  P: Any) -> list[Any]:
    """c_k = Rm(t_k) / (Q'(t_k) D_k) of block i (None where Rm(t_k) is exactly 0)."""
    Q = sp.Poly(sp_.alpha * T**2 + sp_.beta * T + sp_.gamma, T)
    _, rho1, rho0, _ = sp_.blocks[i]
    a, b = _ev(sp_.alpha, p, P), _ev(sp_.beta, p, P)
    cs: list[Any] = []
    for k in (0, 1):
        rm = _ev(rho1, p, P) * ts[k] + _ev(rho0, p, P)
        zero = sp.expand(rho1) == 0 and sp.expand(rho0) == 0 or (
            p is None and _shares_root(Q, rho1, rho0) and _sign(rm) is None)
        cs.append(None if zero else rm / ((2 * a * ts[k] + b) * Ds[k]))
    return cs


def _entry(sp_: Split, i: int, m: int, zs: list[Any], cs: list[Any], p: sp.Symbol | None,
           P: Any) -> Any:
    Qp, rho1, rho0, _ = sp_.blocks[i]
    h = _ev(poly_coefficient(Qp, m), p, P)
    # Q even in t: the tail is (c_1 +- c_2) zeta_1^m, c_1 +- c_2 ~ Rm(t_1) +- Rm(-t_1), exactly
    # 0 for every even m when rho0 = 0 and every odd m when rho1 = 0
    if not (sp.expand(sp_.beta) == 0 and sp.expand(rho1 if m % 2 else rho0) == 0):
        h = h + sum((c * zs[k] ** abs(m) for k, c in enumerate(cs) if c is not None),
                    iv.mpf(0))
    return h


def _dominant(sp_: Split, ts: list[Any]) -> int | None:
    """The index of the decay rate of largest modulus (smallest |t|), None when Q is even
    (|t_1| = |t_2|); raises ValueError when the intervals do not separate them."""
    if sp.expand(sp_.beta) == 0:
        return None
    dom = min((0, 1), key=lambda i: abs(float(ts[i].mid)))
    if _sign(abs(ts[dom]) - abs(ts[1 - dom])) != -1:
        raise ValueError("moduli not separated")
    return dom


def decide_at(A: Weights, Bs: list[Weights]) -> PointDecision:
    """The exact decision at numeric (rational) weights."""
    sp_ = split(A, Bs)
    if sp_ is None or any(not sp.sympify(c).is_Rational for c in (
            sp_.alpha, sp_.beta, sp_.gamma, *(x for b in sp_.blocks for x in b[1:3]))):
        return PointDecision(None)
    Q = sp.Poly(sp_.alpha * T**2 + sp_.beta * T + sp_.gamma, T)
    if Q.count_roots(-2, 2) > 0:
        return PointDecision(None, singular=True)
    disc = sp_.disc
    if disc == 0:
        for prec in _PRECISIONS:
            got = _decide_double(sp_, prec)
            if got is not None:
                return got
        return PointDecision(None)
    if disc < 0:
        fails = tuple((i, "oscillating") for i, (_, rho1, rho0, _) in enumerate(sp_.blocks)
                      if not _shares_root(Q, rho1, rho0))
        return PointDecision(False if fails else None, fails=fails)
    for prec in _PRECISIONS:
        got = _decide_real(sp_, Q, prec)
        if got is not None:
            return got
    return PointDecision(None)


def _decide_double(sp_: Split, prec: int) -> PointDecision | None:
    """disc Q = 0: Q = alpha (t - t0)^2, Bq/Q = Qp + rho1/(alpha (t - t0)) + Rm(t0)/(alpha
    (t - t0)^2); 1/(t - tau)^2 has the kernel d/dtau of zeta^|m| / (zeta - 1/zeta), i.e.
    zeta^2/(zeta^2 - 1) f'(zeta) with f = zeta^(n+1)/(zeta^2 - 1), n = |m|. The tail is
    zeta^n (u + v n) with v = Rm(t0) zeta^2 / (alpha (zeta^2 - 1)^2): per parity affine in n
    times a positive power, so >= 0 iff its first terms are and v >= 0 (zeta > 0); for
    zeta < 0 it alternates unless Rm = 0."""
    iv.prec = prec
    t0 = -sp.Rational(sp_.beta) / (2 * sp.Rational(sp_.alpha))
    t = _iv(t0)
    z = (t - (1 if t0 > 0 else -1) * iv.sqrt(t * t - 4)) / 2
    fails: list[tuple[int, Any]] = []
    undecided = False
    for i, (Qp, rho1, rho0, _) in enumerate(sp_.blocks):
        rm0 = rho1 * t0 + rho0
        if t0 < 0 and (rho1, rho0) != (0, 0):
            fails.append((i, "tail"))
        elif t0 > 0 and rm0 / sp.Rational(sp_.alpha) < 0:
            fails.append((i, "tail"))
        for m in decisive_offsets(sp_, i):
            n = abs(m)
            K = z ** n / (z - 1 / z)
            df = ((n + 1) * z ** n * (z * z - 1) - 2 * z ** (n + 2)) / (z * z - 1) ** 2
            K2 = z * z / (z * z - 1) * df
            h = _iv(poly_coefficient(Qp, m)) + (_iv(rho1) * K + _iv(rm0) * K2) / _iv(sp_.alpha)
            sg = _sign(h)
            undecided |= sg is None
            if sg == -1:
                fails.append((i, m))
    if fails:
        return PointDecision(False, fails=tuple(fails))
    return None if undecided else PointDecision(True)


def _shares_root(Q: sp.Poly, rho1: Any, rho0: Any) -> bool:
    if rho1 == 0:
        return rho0 == 0
    return Q.eval(-sp.Rational(rho0) / sp.Rational(rho1)) == 0


def _decide_real(sp_: Split, Q: sp.Poly, prec: int) -> PointDecision | None:
    vals = _values(sp_, prec)
    if vals is None:
        return None
    ts, zs, Ds = vals
    try:
        dom = _dominant(sp_, ts)
    except ValueError:
        return None
    fails: list[tuple[int, Any]] = []
    undecided = False  # a sign left open (an entry exactly 0 at a critical value, say)
    for i in range(len(sp_.blocks)):
        cs = _coefficients(sp_, i, ts, Ds, None, None)
        for m in decisive_offsets(sp_, i):
            s = _sign(_entry(sp_, i, m, zs, cs, None, None))
            undecided |= s is None
            if s is not None and s < 0:
                fails.append((i, m))
        if dom is not None and cs[dom] is not None:
            sc, sz = _sign(cs[dom]), _sign(zs[dom])
            undecided |= sc is None or sz is None
            if sc == -1 or sz == -1:
                fails.append((i, "tail"))
    if fails:
        return PointDecision(False, fails=tuple(fails))
    return None if undecided else PointDecision(True)


def fails_near(sp_: Split, p: sp.Symbol, lo: Any, hi: Any, fail: tuple[int, Any]) -> bool:
    """True when the failure ``(block, m)`` (h_m < 0) or ``(block, "tail")`` is certified for
    every p in [lo, hi] (interval arithmetic over the whole interval)."""
    i, m = fail
    for prec in _PRECISIONS[:3]:
        P = iv.mpf([_iv(lo).a, _iv(hi).b])
        vals = _values(sp_, prec, p, P)
        if vals is None:
            return False
        ts, zs, Ds = vals
        cs = _coefficients(sp_, i, ts, Ds, p, P)
        if isinstance(m, int):
            if _sign(_entry(sp_, i, m, zs, cs, p, P)) == -1:
                return True
            continue
        try:
            dom = _dominant(sp_, ts)
        except ValueError:
            continue
        if dom is not None and cs[dom] is not None and (
                _sign(cs[dom]) == -1 or _sign(zs[dom]) == -1):
            return True
    return False


def entry_interval(A: Weights, B: Weights, m: int, prec: int = 200) -> Any:
    """h_m at numeric weights as an mpmath interval (real decay rates), or None."""
    sp_ = split(A, [B])
    if sp_ is None:
        return None
    vals = _values(sp_, prec)
    if vals is None:
        return None
    ts, zs, Ds = vals
    return _entry(sp_, 0, m, zs, _coefficients(sp_, 0, ts, Ds, None, None), None, None)


def first_certified_negative(entry: Callable[[int], Any], offsets: Iterable[int]) -> int | None:
    """The first offset of ``offsets`` whose entry interval (``entry(m)``) is certified negative;
    None when none is, or when an entry cannot be computed."""
    for m in offsets:
        h = entry(m)
        if h is None:
            return None
        if _sign(h) == -1:
            return m
    return None


def first_negative_entry(A: Weights, B: Weights, limit: int = 4000) -> int | None:
    """The first m >= 0 with h_m < 0 certified by interval arithmetic (real decay rates)."""
    return first_certified_negative(lambda m: entry_interval(A, B, m), range(limit))


__all__ = ["T", "t_polynomial", "symmetric_pentadiagonal", "Split", "split", "critical_polys",
           "decide_at", "PointDecision", "entry_interval", "first_negative_entry",
           "poly_coefficient", "decisive_offsets", "entry_numerator", "critical_entry",
           "fails_near"]
