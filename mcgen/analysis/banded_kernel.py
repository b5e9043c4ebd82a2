"""The solution operator S = A^{-1} B of a 1-D scheme whose implicit operator A is banded and
not symmetric (offsets beyond +-1: an upwind-biased implicit scheme with A at offsets -2..1, say),
entry by entry, exactly.

With P(z) = z^L A(z) (L = -min offset, degree n) the kernel of A^{-1} is the Laurent series of
z^L / P(z) on the unit circle: for the roots zeta of P inside the circle it reaches to the left,
for those outside to the right. The entries of S = A^{-1} B are h_m = sum_k b_k g_(m-k); beyond
the stencil they are one-sided exponential sums,

    h_(m_R + n) = sum_(|zeta| > 1) C_zeta zeta^-n,   h_(m_L - n) = sum_(|zeta| < 1) C_zeta zeta^n,

(m_R = L + max offset of B, m_L = L + min offset of B - 1, C_zeta ~ B(zeta) / P'(zeta)).
Handled: A invertible (no root on the circle) and at most two roots on each side, one side with
at most one (n <= 3 in practice). A side with one root gives x_n = x_0 lambda^n: x_0, x_1 >= 0
decide. A side with two roots: non-real (a conjugate pair) makes the tail
2 |C| |lambda|^n cos(n arg lambda + phi), negative infinitely often unless B cancels them; two
real rates lambda_1, lambda_2 (|lambda_1| > |lambda_2|) give x_n / lambda_1^n = C_1 +
C_2 (lambda_2/lambda_1)^n, >= 0 for all n iff x_0, x_1 >= 0 and C_1 >= 0 with lambda_1 > 0 (or
C_1 = 0); |lambda_1| = |lambda_2| (lambda_2 = -lambda_1): x_0, x_1 >= 0. So finitely many
entries and the dominant coefficient decide.

Parametrised by the lone root zeta (the side with one root; P = lc (z - zeta) Q(z)) the entries
are rational functions of (zeta, p): 1/P = (a/(z - zeta) + W(z)/Q(z))/lc with a = 1/Q(zeta),
W = (1 - a Q)/(z - zeta), the first term expanded on zeta's side, W/Q on the other (a series in
z, or in 1/z). The cells in p are bounded by the real roots of: the leading and trailing
coefficients of P, A(1), A(-1) and res_c(Re A, Im A / sin) (a root crossing the circle), disc P
and res(P(z), P(-z)) (two rates of equal modulus), res(P, B) (a cancelled rate), and
res_zeta(P(zeta), h_m) for the deciding entries (each irreducible factor of P on its own, so that
no critical value is lost). At a rational p every sign is exact: a value that is 0 is recognised
by a gcd with P at the root, the others by outward-rounded interval arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp
from mpmath import iv

from mcgen.analysis import banded_tails
from mcgen.analysis.symmetric_kernel import _PRECISIONS, _iv, _sign, first_certified_negative

Weights = dict[int, Any]

Z = sp.Symbol("z")
ZETA = sp.Symbol("zeta")
_C = sp.Symbol("c")  # cos theta


def _clean(W: Weights) -> Weights:
    out = {}
    for k, v in W.items():
        v = sp.expand(sp.sympify(v))
        if v != 0:
            out[int(k)] = v
    return out


def banded(A: Weights) -> bool:
    """A reaches beyond the nearest neighbours (not tridiagonal)."""
    A = _clean(A)
    return bool(A) and not set(A) <= {-1, 0, 1}


# ---------------------------------------------------------------- structure in p


def symbol_poly(A: Weights) -> tuple[sp.Poly, int]:
    """(P, L): P(z) = z^L A(z), L = -min offset (P(0) != 0)."""
    A = _clean(A)
    lo = min(A)
    return sp.Poly(sum(w * Z**(k - lo) for k, w in A.items()), Z), -lo


def structural_polys(A: Weights) -> list[sp.Expr]:
    """Polynomials in p whose roots are the only places a root of P may cross the unit circle
    or leave to 0 or infinity: the end coefficients, A(1), A(-1) and res_c(Re A(e^it),
    Im A(e^it) / sin t) (c = cos t), or disc_c Re A when A is even."""
    A = _clean(A)
    P, _ = symbol_poly(A)
    out = [P.LC(), P.TC(), sum(A.values()), sum(w * sp.Integer(-1)**k for k, w in A.items())]
    re = sp.expand(sum(w * sp.chebyshevt(abs(k), _C) for k, w in A.items()))
    im = sp.expand(sum(sp.sign(k) * w * sp.chebyshevu(abs(k) - 1, _C)
                       for k, w in A.items() if k != 0))
    if im != 0 and re.has(_C) and im.has(_C):
        out.append(sp.resultant(re, im, _C))
    elif im == 0 and sp.degree(re, _C) >= 2:
        out.append(sp.discriminant(re, _C))
    return [sp.expand(f) for f in out]


def _factor_eliminate(F: sp.Expr, G: sp.Expr, v: sp.Symbol) -> list[sp.Expr]:
    """Polynomials (in the other symbols) vanishing where F and G have a common root in v:
    res_v(f, G) for each irreducible factor f of F (a factor dividing G is left out: G is 0
    at all of its roots)."""
    out = []
    for f, _ in sp.factor_list(sp.expand(F))[1]:
        if not f.has(v):
            continue
        r = sp.resultant(f, sp.expand(G), v) if sp.expand(G).has(v) else G
        r = sp.expand(r)
        if r != 0:
            out.append(r)
    return out


# ---------------------------------------------------------------- the kernel of one split


@dataclass(frozen=True)
class Split:
    """How many roots of P lie inside and outside the unit circle."""

    k_in: int
    k_out: int

    @property
    def lone(self) -> str | None:
        """The side parametrised by its one root ('in' or 'out'), None when all roots lie on
        one side."""
        return "in" if self.k_in == 1 else "out" if self.k_out == 1 else None

    @property
    def kernelable(self) -> bool:
        """The entries are fractions in one root (a lone root, or all roots on one side)."""
        return self.lone is not None or min(self.k_in, self.k_out) == 0

    @property
    def supported(self) -> bool:
        if self.lone is None:
            return min(self.k_in, self.k_out) == 0 and max(self.k_in, self.k_out) <= 2
        other = self.k_out if self.lone == "in" else self.k_in
        return other <= 2

    @property
    def paired(self) -> bool:
        """Two roots on each side: every entry is a sum over one side's pair of roots
        (decided from P's two real quadratic factors, :class:`PairKernel`)."""
        return self.k_in == 2 and self.k_out == 2

    @property
    def other(self) -> str:
        """The side of the roots of Q (the roots other than the lone one)."""
        if self.lone is None:
            return "in" if self.k_in else "out"
        return "out" if self.lone == "in" else "in"


@dataclass(frozen=True)
class Frac:
    """num / (lc^e0 Q(zeta)^e1 Q(0)^e2 zeta^e3): ``num`` a polynomial in zeta (coefficients
    polynomials in p), the denominator's factors kept apart (they vanish only at structural
    values: lc, a double root, a root at 0)."""

    num: sp.Poly
    den: tuple[int, int, int, int]


class Kernel:
    """Entries of A^{-1} B_i for one split as fractions in the lone root zeta (coefficients
    polynomials in p, or numbers). P = (z - zeta) Q(z) (Q = P when no root is lone)."""

    def __init__(self, A: Weights, Bs: list[Weights], split: Split) -> None:
        self.A = _clean(A)
        self.Bs = [_clean(B) for B in Bs]
        self.split = split
        self.P, self.L = symbol_poly(self.A)
        self.lc = self.P.LC()
        Pz = sp.Poly(self.P.as_expr(), Z, ZETA)
        if split.lone is None:
            self.Q = self.P
            D = sp.Poly(1, Z, ZETA)
        else:
            q, _ = sp.div(Pz, sp.Poly(Z - ZETA, Z, ZETA))
            self.Q = sp.Poly(q.as_expr(), Z)  # coefficients polynomials in zeta (and p)
            qz = q.as_expr().subs(Z, ZETA)
            D, _ = sp.div(sp.Poly(sp.expand(q.as_expr() - qz), Z, ZETA),
                          sp.Poly(Z - ZETA, Z, ZETA))  # (Q(z) - Q(zeta)) / (z - zeta)
        self.d = self.Q.degree()
        self.q = [self._zp(self.Q.coeff_monomial(Z**i)) for i in range(self.d + 1)]
        self.delta = [self._zp(D.as_expr().coeff(Z, i) if i else D.as_expr().subs(Z, 0))
                      for i in range(self.d)]
        self.qz = self._zp(self.Q.as_expr().subs(Z, ZETA)) if split.lone else self._zp(1)
        self._series: list[sp.Poly] = []
        self._h: dict[tuple[int, int], Frac] = {}

    def _zp(self, e: Any) -> sp.Poly:
        return sp.Poly(sp.expand(e), ZETA)

    def factors(self) -> tuple[sp.Poly, sp.Poly, sp.Poly, sp.Poly]:
        """The denominator's factors (lc, Q(zeta), Q(0), zeta) as polynomials in zeta."""
        return self._zp(self.lc), self.qz, self.q[0], self._zp(ZETA)

    def tail_starts(self, i: int) -> tuple[int, int]:
        """(m_L, m_R) of block i: h_(m_L - n) and h_(m_R + n), n >= 0, are pure tails."""
        B = self.Bs[i]
        return self.L + min(B) - 1, self.L + max(B)

    def decisive(self, i: int) -> list[int]:
        mL, mR = self.tail_starts(i)
        return list(range(mL - 1, mR + 2))

    def _other(self, j: int) -> Frac:
        """[z^j] D(z)/Q(z) on Q's side: at infinity N_s / lc^s (s = -j >= 1), at 0
        N_j / Q(0)^(j+1)."""
        d, q, lcp = self.d, self.q, self._zp(self.lc)
        zero = Frac(self._zp(0), (0, 0, 0, 0))
        if d == 0:
            return zero
        delta = self.delta

        def dl(i: int) -> sp.Poly:
            return delta[i] if 0 <= i < d else self._zp(0)

        if self.split.other == "in":
            if j >= 0:
                return zero
            need = -j
            while len(self._series) < need:
                s = len(self._series) + 1
                acc = dl(d - s) * lcp**(s - 1)
                for t in range(1, s):
                    if d - s + t >= 0:
                        acc -= q[d - s + t] * self._series[t - 1] * lcp**(s - 1 - t)
                self._series.append(acc)
            return Frac(self._series[need - 1], (need, 0, 0, 0))
        if j < 0:
            return zero
        while len(self._series) <= j:
            s = len(self._series)
            acc = dl(s) * q[0]**s
            for i in range(1, min(s, d) + 1):
                acc -= q[i] * self._series[s - i] * q[0]**(i - 1)
            self._series.append(acc)
        return Frac(self._series[j], (0, 0, j + 1, 0))

    def g(self, j: int) -> Frac:
        """[z^j] 1/P(z) (the kernel of A^{-1} is g_(j - L))."""
        o = self._other(j)
        if self.split.lone is None:
            return o
        # 1/((z - zeta) Q) = (1/Q(zeta)) (1/(z - zeta) - D(z)/Q(z))
        parts = [Frac(-o.num, (o.den[0], 1, o.den[2], 0))]
        if self.split.lone == "in" and j <= -1:
            parts.append(Frac(self._zp(ZETA**(-j - 1)), (0, 1, 0, 0)))
        elif self.split.lone == "out" and j >= 0:
            parts.append(Frac(self._zp(-1), (0, 1, 0, j + 1)))
        return self._add(parts)

    def _add(self, parts: list[Frac]) -> Frac:
        den = tuple(max(f.den[i] for f in parts) for i in range(4))
        fs = self.factors()
        num = self._zp(0)
        for f in parts:
            t = f.num
            for i in range(4):
                if den[i] > f.den[i]:
                    t = t * fs[i]**(den[i] - f.den[i])
            num = num + t
        return Frac(num, den)  # type: ignore[arg-type]

    def h(self, i: int, m: int) -> Frac:
        """h_m of block i."""
        if (i, m) not in self._h:
            parts = []
            for k, b in self.Bs[i].items():
                f = self.g(m - k - self.L)
                parts.append(Frac(f.num * self._zp(b), f.den))
            self._h[(i, m)] = self._add(parts)
        return self._h[(i, m)]


# ---------------------------------------------------------------- one exact decision


@dataclass(frozen=True)
class PointDecision:
    """At numeric weights: ``ok`` (None when undecided or out of reach), ``singular`` (A not
    invertible), and the failures ``(block, m)`` / ``(block, "tail")`` / ``(block,
    "oscillating")``; ``split`` the roots inside and outside."""

    ok: bool | None
    singular: bool = False
    fails: tuple[tuple[int, Any], ...] = ()
    split: Split | None = None


def is_singular(A: Weights) -> bool:
    """A has a zero on the unit circle (exact: A(+-1), and a common root c in (-1, 1) of
    Re A and Im A / sin at c = cos t)."""
    A = _clean(A)
    if sum(A.values()) == 0 or sum(w * sp.Integer(-1)**k for k, w in A.items()) == 0:
        return True
    re = sp.Poly(sp.expand(sum(w * sp.chebyshevt(abs(k), _C) for k, w in A.items())), _C)
    im = sp.Poly(sp.expand(sum(sp.sign(k) * w * sp.chebyshevu(abs(k) - 1, _C)
                               for k, w in A.items() if k != 0)), _C)
    g = re if im.is_zero else sp.gcd(re, im)
    return g.degree() >= 1 and g.count_roots(-1, 1) > 0


def _classified(P: sp.Poly, eps: Any) -> tuple[list[Any], list[Any], bool]:
    """(inside, outside, undecided): the roots of P as isolating enclosures, ("r", a, b) for
    a real root in [a, b], ("c", x1, y1, x2, y2) for a non-real one in the rectangle; undecided
    when an enclosure at this width meets the unit circle."""
    reals, cplx = P.intervals(all=True, eps=eps)
    ins: list[Any] = []
    outs: list[Any] = []
    undecided = False
    for (a, b), _ in reals:
        lo, hi = min(abs(a), abs(b)), max(abs(a), abs(b))
        if a <= 0 <= b:
            lo = sp.Integer(0)
        side = ins if hi < 1 else outs if lo > 1 else None
        if side is None:
            undecided = True
        else:
            side.append(("r", sp.Rational(a), sp.Rational(b)))
    for (c1, c2), _ in cplx:
        x1, y1, x2, y2 = sp.re(c1), sp.im(c1), sp.re(c2), sp.im(c2)
        mx = max(x1**2, x2**2) + max(y1**2, y2**2)
        mn = (0 if x1 <= 0 <= x2 else min(x1**2, x2**2)) + \
            (0 if y1 <= 0 <= y2 else min(y1**2, y2**2))
        side = ins if mx < 1 else outs if mn > 1 else None
        if side is None:
            undecided = True
        else:
            side.append(("c", *(sp.Rational(v) for v in (x1, y1, x2, y2))))
    return ins, outs, undecided


def split_of(P: sp.Poly) -> Split | None:
    """Roots of P (rational coefficients, no root on the circle) inside and outside the unit
    circle, counted exactly from isolating rectangles; None for a repeated root."""
    got = _enclosures(P)
    return None if got is None else Split(len(got[0]), len(got[1]))


def _enclosures(P: sp.Poly) -> tuple[list[Any], list[Any]] | None:
    """(inside, outside) enclosures of the roots of P (:func:`_classified`, refined until
    each lies on one side); None for a repeated root."""
    if P.degree() < 1:
        return [], []  # A is a multiple of the identity: no roots
    if sp.gcd(P, P.diff(Z)).degree() > 0:
        return None
    eps = sp.Rational(1, 16)
    for _ in range(40):
        ins, outs, undecided = _classified(P, eps)
        if not undecided:
            return ins, outs
        eps /= 16
    return None


def _lone_root(P: sp.Poly, split: Split) -> tuple[sp.Rational, sp.Rational]:
    """An isolating interval of the real root on the lone side."""
    for (a, b), _ in P.intervals():
        a, b = sp.Rational(a), sp.Rational(b)
        while True:
            if max(abs(a), abs(b)) < 1:
                side = "in"
                break
            if min(abs(a), abs(b)) > 1 and not a <= 0 <= b:
                side = "out"
                break
            a, b = P.refine_root(a, b, eps=(b - a) / 16)
        if side == split.lone:
            return a, b
    raise ValueError("no real root on the lone side")


class _Root:
    """The lone root zeta of a numeric P: exact zero tests of polynomials in zeta, interval
    enclosures at a precision."""

    def __init__(self, P: sp.Poly, split: Split) -> None:
        self.P = P
        self.lo, self.hi = _lone_root(P, split)

    def enclosure(self, prec: int) -> Any:
        iv.prec = prec
        while self.hi - self.lo > sp.Rational(1, 2**prec):
            self.lo, self.hi = self.P.refine_root(self.lo, self.hi,
                                                  eps=sp.Rational(1, 2**prec))
        return iv.mpf([_iv(self.lo).a, _iv(self.hi).b])

    def vanishes(self, f: sp.Poly) -> bool:
        """f(zeta) == 0 exactly: zeta is a root of gcd(f, P)."""
        g = sp.gcd(sp.Poly(f.as_expr().subs(ZETA, Z), Z), self.P)
        if g.degree() < 1:
            return False
        return g.count_roots(self.lo, self.hi) > 0


def _horner(f: sp.Poly, X: Any) -> Any:
    acc = iv.mpf(0)
    for c in f.all_coeffs():
        acc = acc * X + _iv(c)
    return acc


def _poly_interval(f: sp.Poly, root: _Root | None, prec: int) -> Any:
    iv.prec = prec
    if root is None or f.degree() <= 0:
        return _iv(f.as_expr()) if not f.is_zero else iv.mpf(0)
    return _horner(f, root.enclosure(prec))


def _poly_sign(f: sp.Poly, root: _Root | None) -> int | None:
    """The exact sign of a polynomial in zeta (rational coefficients) at the lone root."""
    if f.is_zero:
        return 0
    if root is None or f.degree() <= 0:
        return int(sp.sign(f.as_expr()))
    if root.vanishes(f):
        return 0
    for prec in _PRECISIONS:
        s = _sign(_poly_interval(f, root, prec))
        if s is not None and s != 0:
            return s
    return None


def _frac_interval(k: Kernel, F: Frac, root: _Root | None, prec: int) -> Any:
    val = _poly_interval(F.num, root, prec)
    for f, e in zip(k.factors(), F.den, strict=True):
        if e:
            val = val / _poly_interval(f, root, prec)**e
    return val


def _frac_sign(k: Kernel, F: Frac, root: _Root | None) -> int | None:
    sn = _poly_sign(F.num, root)
    if sn is None or sn == 0:
        return sn
    for f, e in zip(k.factors(), F.den, strict=True):
        if e % 2:
            sf = _poly_sign(f, root)
            if sf is None or sf == 0:
                return None
            sn *= sf
    return sn


def _tail(k: Kernel, i: int, root: _Root | None) -> tuple[str, Any] | None:
    """The two-root side's verdict for block i: ("ok", None), ("fail", "oscillating" or
    "tail"), or None when undecided (a double rate)."""
    if k.d < 2:
        return ("ok", None)
    q0, q1, q2 = k.q
    disc = q1**2 - 4 * q2 * q0
    B = k.Bs[i]
    bt = sp.Poly(sp.expand(sum(b * Z**(j - min(B)) for j, b in B.items())), Z)
    res = sp.Poly(sp.expand(sp.resultant(bt, sp.Poly(k.Q.as_expr(), Z)).as_expr()
                            if bt.degree() > 0 else 1), ZETA)
    cancelled = _poly_sign(res, root) == 0
    sd = _poly_sign(disc, root)
    if sd is None or sd == 0:
        return None
    if sd < 0:  # a conjugate pair: cancelled by B together (real B) or oscillating
        return ("ok", None) if cancelled else ("fail", "oscillating")
    if _poly_sign(q1, root) == 0:  # rates +-t: x_0, x_1 decide
        return ("ok", None)
    for prec in _PRECISIONS:
        a2, a1 = _poly_interval(q2, root, prec), _poly_interval(q1, root, prec)
        w = iv.sqrt(_poly_interval(disc, root, prec))
        ts = [(-a1 + w) / (2 * a2), (-a1 - w) / (2 * a2)]
        mods = [abs(t) for t in ts]
        if mods[0].a > mods[1].b:
            big = 0
        elif mods[1].a > mods[0].b:
            big = 1
        else:
            continue
        # the dominant rate: the largest |t| inside (rate t), the smallest outside (1/t)
        dom = big if k.split.other == "in" else 1 - big
        t, other = ts[dom], ts[1 - dom]
        Pd = k.P.diff(Z)
        B_t = sum((_iv(b) * t**j for j, b in B.items()), iv.mpf(0))
        if cancelled and _sign(B_t) is None:
            B_o = sum((_iv(b) * other**j for j, b in B.items()), iv.mpf(0))
            if _sign(B_o) not in (None, 0):
                return ("ok", None)  # the dominant rate is cancelled: one exponential left
            continue
        st, sc = _sign(t), _sign(B_t / _horner(Pd, t))
        if st is None or sc is None or sc == 0:
            continue
        if st < 0:
            return ("fail", "tail")  # alternating
        # the tail coefficient: right -B(t)/P'(t) t^e, left B(t)/P'(t) t^e (t > 0 here,
        # e = L - m_R - 1 or L - m_L - 1)
        sgn = -sc if k.split.other == "out" else sc
        return ("ok", None) if sgn > 0 else ("fail", "tail")
    return None


# ---------------------------------------------------------------- two roots on each side


_W = sp.Symbol("w")


def _quadratic(encl: list[Any]) -> tuple[Any, Any, list[Any] | None]:
    """(p1, p0, rates) of the monic real factor z^2 + p1 z + p0 of P whose two roots the
    enclosures hold (intervals at the current precision): rates the two real roots, None for
    a conjugate pair (one rectangle x + i y of it gives p1 = -2x, p0 = x^2 + y^2)."""
    if all(e[0] == "r" for e in encl):
        r = [iv.mpf([_iv(e[1]).a, _iv(e[2]).b]) for e in encl]
        return -(r[0] + r[1]), r[0] * r[1], r
    e = next(e for e in encl if e[0] == "c")
    x = iv.mpf([_iv(e[1]).a, _iv(e[3]).b])
    y = iv.mpf([_iv(e[2]).a, _iv(e[4]).b])
    return -2 * x, x**2 + y**2, None


class PairKernel:
    """The kernel of A^{-1} at numeric weights when P has two roots inside the unit circle
    and two outside, as outward-rounded intervals at precision ``prec``: P = lc Pin Pout
    (monic real quadratics, coefficients from isolating enclosures of the roots refined to
    2^-prec), 1/(Pin Pout) = U/Pin + V/Pout (U, V linear, the Bezout identity solved in
    closed form, its determinant res(Pin, Pout) != 0), U/Pin expanded at infinity (the left
    side), V/Pout at 0 (the right side): each a two-term recurrence."""

    def __init__(self, P: sp.Poly, prec: int) -> None:
        got = _enclosures(P)
        if got is None or len(got[0]) != 2 or len(got[1]) != 2:
            raise ValueError("P has not two roots on each side of the unit circle")
        eps = sp.Rational(1, 2**prec)
        sides = []
        for encl in got:  # real roots refined (fast); a conjugate pair's rectangle is not
            sides.append([("r", *P.refine_root(e[1], e[2], eps=eps)) if e[0] == "r" else e
                          for e in encl])
        if all(e[0] == "c" for e in sides[0] + sides[1]):
            # two conjugate pairs: the inside rectangles refined by isolation (slow, rare:
            # limited to 2^-40; the decision itself never needs it, both tails oscillate)
            ins, _, _ = _classified(P, sp.Rational(1, 2**min(prec, 40)))
            sides[0] = ins
        iv.prec = prec
        self.prec = prec
        lc = _iv(P.LC())
        c3, c2 = _iv(P.coeff_monomial(Z**3)) / lc, _iv(P.coeff_monomial(Z**2)) / lc
        known = [e[0][0] == "r" or i == 0 and sides[1][0][0] == "c"
                 for i, e in enumerate(sides)]
        quad: list[Any] = [_quadratic(e) if k else None for e, k in zip(sides, known,
                                                                         strict=True)]
        for i in (0, 1):  # P / lc = (z^2 + p1 z + p0)(z^2 + o1 z + o0): the pair's factor
            if not known[i]:
                a1, a0, _ = quad[1 - i]
                b1 = c3 - a1
                quad[i] = (b1, c2 - a1 * b1 - a0, None)
        p1, p0, self.rates_in = quad[0]
        o1, o0, roots_out = quad[1]
        self.rates_out = None if roots_out is None else [1 / r for r in roots_out]
        d1, d0 = o1 - p1, o0 - p0
        det = (d0 - p1 * d1) * d0 + p0 * d1**2
        self.u = (-d1 / det, (d0 - p1 * d1) / det)  # U = u1 z + u0
        self.v = (d1 / det, -self.u[1] - self.u[0] * d1)  # V = -u1 z + v0
        self.lc = lc
        self._t = [iv.mpf(1), -p1]  # 1/Pin = sum t_n z^(-n-2)
        self._c = [1 / o0, -o1 / o0**2]  # 1/Pout = sum c_n z^n
        self._pq = (p1, p0, o1, o0)

    def _series(self, s: list[Any], n: int, a1: Any, a0: Any, scale: Any) -> Any:
        while len(s) <= n:
            s.append(-(a1 * s[-1] + a0 * s[-2]) * scale)
        return s[n] if n >= 0 else iv.mpf(0)

    def g(self, j: int) -> Any:
        """[z^j] 1/P on the unit circle."""
        iv.prec = self.prec
        p1, p0, o1, o0 = self._pq
        if j < 0:  # [z^-k] U/Pin = u1 t_(k-1) + u0 t_(k-2)
            t = [self._series(self._t, n, p1, p0, 1) for n in (-j - 1, -j - 2)]
            val = self.u[0] * t[0] + self.u[1] * t[1]
        else:  # o0 c_n + o1 c_(n-1) + c_(n-2) = 0
            c = [self._series(self._c, n, o1 / o0, 1 / o0, 1) for n in (j - 1, j)]
            val = self.v[0] * c[0] + self.v[1] * c[1]
        return val / self.lc

    def h(self, B: Weights, m: int, L: int) -> Any:
        """Entry m of A^{-1} B."""
        return sum((_iv(b) * self.g(m - k - L) for k, b in B.items()), iv.mpf(0))


def pair_entry_poly(P: sp.Poly, L: int, B: Weights, m: int) -> sp.Expr:
    """A polynomial in P's coefficients (in p, or a number) that vanishes wherever entry m of
    A^{-1} B is 0 with two roots of P on each side of the circle. By residues,
    h_m = sum_(zeta inside) T(zeta) / (zeta^e P'(zeta)) + rho / sigma (rho / sigma from the
    Taylor coefficients of 1/P at 0, T a polynomial), so with w_i = T(z_i) / (z_i^e P'(z_i))
    + rho / (2 sigma) over all four roots, h_m = w_1 + w_2 for the inside pair. H(w) =
    res_z(P, 2 sigma z^e P' w - 2 sigma T - rho z^e P') has the roots w_i; writing
    H = E(w^2) + w O(w^2), some w_i + w_j = 0 (i = j allowed) only if H(0) = 0 or
    res_u(E, O) = 0: their product is returned."""
    B = _clean(B)
    js = {k: m - k - L for k in B}
    e = max(0, *(j + 1 for j in js.values()))
    T = sp.expand(sum(b * Z**(e - js[k] - 1) for k, b in B.items()))
    a = [P.coeff_monomial(Z**i) for i in range(P.degree() + 1)]
    J = max(js.values())
    N: list[Any] = []  # tau_j = N_j / a_0^(j+1), the Taylor coefficients of 1/P at 0
    for j in range(J + 1):
        N.append(sp.Integer(1) if j == 0 else sp.expand(
            -sum(a[i] * N[j - i] * a[0]**(i - 1) for i in range(1, min(j, len(a) - 1) + 1))))
    sigma = a[0]**(J + 1) if J >= 0 else sp.Integer(1)
    rho = sp.expand(sum(b * N[js[k]] * a[0]**(J - js[k]) for k, b in B.items()
                        if js[k] >= 0))
    dP = sp.expand(Z**e * P.diff(Z).as_expr())
    G = sp.expand(2 * sigma * dP * _W - 2 * sigma * T - rho * dP)
    H = sp.Poly(sp.resultant(P.as_expr(), G, Z), _W)
    cs = [H.coeff_monomial(_W**i) for i in range(H.degree() + 1)]
    E = sp.Poly(sum(c * Z**(i // 2) for i, c in enumerate(cs) if i % 2 == 0), Z)
    O = sp.Poly(sum(c * Z**(i // 2) for i, c in enumerate(cs) if i % 2 == 1), Z)
    if O.is_zero:
        return sp.Integer(0)
    res = sp.resultant(E, O) if E.degree() > 0 or O.degree() > 0 else sp.Integer(1)
    return sp.expand(cs[0] * (res.as_expr() if isinstance(res, sp.Poly) else res))


def _paired_tail(rates: list[Any] | None, x0: Any, x1: Any, cancel: bool
                 ) -> tuple[str, Any] | None:
    """One side's tail x_n = C_1 l_1^n + C_2 l_2^n from its first two entries: ("ok", None),
    ("fail", "oscillating" or "tail"), or None when not certified at this precision (or B
    may cancel a rate)."""
    if cancel:
        return None
    if rates is None:
        return ("fail", "oscillating")  # C != 0: B shares no root with P
    m0, m1 = abs(rates[0]), abs(rates[1])
    if m0.a > m1.b:
        l1, l2 = rates
    elif m1.a > m0.b:
        l2, l1 = rates
    else:
        return None
    s1 = _sign(l1)
    if s1 is None:
        return None
    if s1 < 0:
        return ("fail", "tail")  # C_1 != 0: an alternating dominant term
    sc = _sign((x1 - l2 * x0) / (l1 - l2))  # C_1
    if sc is None or sc == 0:
        return None
    return ("ok", None) if sc > 0 else ("fail", "tail")


def _decide_paired(P: sp.Poly, L: int, Bs: list[Weights]) -> tuple[list[tuple[int, Any]], bool]:
    """(failures, undecided) at numeric weights with two roots on each side: the entries
    m_L - 1 .. m_R + 1 signed by intervals (one whose :func:`pair_entry_poly` is not 0 is not
    0, so refinement signs it; one whose is 0 is left undecided unless certified negative),
    then each side's tail by :func:`_paired_tail`. A conjugate pair that B does not cancel
    (res(P, B) != 0) oscillates; with pairs on both sides the entries are not computed."""
    fails: list[tuple[int, Any]] = []
    undecided = False
    for i, B in enumerate(Bs):
        if not B:
            continue
        mL, mR = L + min(B) - 1, L + max(B)
        ms = list(range(mL - 1, mR + 2))
        maybe_zero = {m for m in ms if pair_entry_poly(P, L, B, m) == 0}
        bt = sp.Poly(sum(b * Z**(j - min(B)) for j, b in B.items()), Z)
        cancel = bt.degree() > 0 and sp.resultant(P, bt) == 0
        pairs = [any(e[0] == "c" for e in side) for side in (_enclosures(P) or ([], []))]
        if not cancel and all(pairs):
            fails.append((i, "oscillating"))  # conjugate pairs that B does not cancel
            continue
        got: tuple[list[tuple[int, Any]], bool] | None = None
        for prec in _PRECISIONS[:3]:
            k = PairKernel(P, prec)
            h = {m: k.h(B, m, L) for m in ms}
            signs = {m: _sign(v) for m, v in h.items()}
            if any(signs[m] is None for m in ms if m not in maybe_zero):
                continue
            block = [(i, m) for m in ms if signs[m] == -1]
            open_ = any(signs[m] is None for m in ms)
            tails = [_paired_tail(k.rates_in, h[mL], h[mL - 1], cancel),
                     _paired_tail(k.rates_out, h[mR], h[mR + 1], cancel)]
            if any(t is None for t in tails) and prec != _PRECISIONS[2] and not cancel:
                continue
            for t in tails:
                if t is None:
                    open_ = True
                elif t[0] == "fail" and (i, t[1]) not in block:
                    block.append((i, t[1]))
            got = (block, open_)
            break
        if got is None:
            if not cancel and any(pairs):
                fails.append((i, "oscillating"))  # the entries aside, the pair oscillates
            else:
                undecided = True
            continue
        fails += got[0]
        undecided = undecided or got[1]
    return fails, undecided


def decide_at(A: Weights, Bs: list[Weights]) -> PointDecision:
    """The exact decision at numeric (rational) weights."""
    A = _clean(A)
    Bs = [_clean(B) for B in Bs]
    if any(not sp.sympify(w).is_Rational for W in (A, *Bs) for w in W.values()):
        return PointDecision(None)
    if is_singular(A):
        return PointDecision(False, singular=True)
    P, L = symbol_poly(A)
    sp_ = split_of(P)
    if sp_ is not None and sp_.paired:
        pf, open_ = _decide_paired(P, L, Bs)
        if pf:
            return PointDecision(False, fails=tuple(pf), split=sp_)
        return PointDecision(None if open_ else True, split=sp_)
    if sp_ is None:
        return PointDecision(None, split=sp_)
    if not sp_.supported:
        return _decide_dominant(A, Bs, P, L, sp_)
    k = Kernel(A, Bs, sp_)
    root = _Root(P, sp_) if sp_.lone is not None else None
    fails: list[tuple[int, Any]] = []
    undecided = False
    for i, B in enumerate(Bs):
        if not B:
            continue
        for m in k.decisive(i):
            s = _frac_sign(k, k.h(i, m), root)
            if s is None:
                undecided = True
            elif s < 0:
                fails.append((i, m))
        t = _tail(k, i, root)
        if t is None:
            undecided = True
        elif t[0] == "fail":
            fails.append((i, t[1]))
    if fails:
        return PointDecision(False, fails=tuple(fails), split=sp_)
    return PointDecision(None if undecided else True, split=sp_)


def _decide_dominant(A: Weights, Bs: list[Weights], P: sp.Poly, L: int, sp_: Split
                     ) -> PointDecision:
    """Three or more roots on a side (:func:`mcgen.analysis.banded_tails.decide_point`):
    the dominant rate decides the tail, the entries before its N0 are signed; an entry whose
    interval keeps 0 is signed exactly in the lone root when there is one."""
    exact = None
    if sp_.kernelable:
        k = Kernel(A, Bs, sp_)
        root = _Root(P, sp_) if sp_.lone is not None else None

        def exact(i: int, m: int) -> int | None:
            return _frac_sign(k, k.h(i, m), root)

    fails, open_ = banded_tails.decide_point(P, L, Bs, _PRECISIONS[:3], exact)
    if fails:
        return PointDecision(False, fails=tuple(fails), split=sp_)
    return PointDecision(None if open_ else True, split=sp_)


def entry_interval(A: Weights, B: Weights, m: int, prec: int = 200) -> Any:
    """h_m at numeric weights as an interval (None when out of reach)."""
    A, B = _clean(A), _clean(B)
    if is_singular(A):
        return None
    P, L = symbol_poly(A)
    sp_ = split_of(P)
    if sp_ is not None and sp_.paired:
        return PairKernel(P, prec).h(B, m, L)
    if sp_ is not None and not sp_.supported:
        roots = banded_tails.point_roots(P, prec)
        return None if roots is None else banded_tails.ResidueKernel(P, L, roots, prec).h(B, m)
    if sp_ is None or not sp_.kernelable:
        return None
    k = Kernel(A, [B], sp_)
    root = _Root(P, sp_) if sp_.lone is not None else None
    return _frac_interval(k, k.h(0, m), root, prec)


def first_negative_entry(A: Weights, B: Weights, limit: int = 400) -> int | None:
    """The first offset m (|m| increasing: 0, 1, -1, 2, -2, ...) with h_m < 0 certified."""
    offsets = (m for n in range(limit) for m in ((n, -n) if n else (0,)))
    return first_certified_negative(lambda m: entry_interval(A, B, m), offsets)


def _eval2(f: Any, p: sp.Symbol, X: Any, Pv: Any) -> Any:
    """f(zeta, p) over the box zeta in X, p in Pv (interval arithmetic, term by term)."""
    e = sp.expand(f.as_expr() if isinstance(f, sp.Poly) else f)
    if e == 0:
        return iv.mpf(0)
    acc = iv.mpf(0)
    for (i, j), c in sp.Poly(e, ZETA, p).terms():
        acc = acc + _iv(c) * X**i * Pv**j
    return acc


def _lone_box(k: Kernel, Pm: sp.Poly, sp_: Split, p: sp.Symbol, lo: Any, hi: Any,
              prec: int) -> Any:
    """An interval holding the lone root for every p in [lo, hi] (P changes sign across it
    and P' keeps its sign in it), 0 when no root is lone, None when not certified."""
    iv.prec = prec
    if sp_.lone is None:
        return iv.mpf(0)
    Pv = iv.mpf([_iv(lo).a, _iv(hi).b])
    a, b = _lone_root(Pm, sp_)
    w = (b - a) + (sp.Rational(hi) - sp.Rational(lo)) * 4 + sp.Rational(1, 2**(prec // 2))
    za, zb = a - w, b + w
    pa, pb = _eval2(k.P.as_expr().subs(Z, za), p, iv.mpf(0), Pv), \
        _eval2(k.P.as_expr().subs(Z, zb), p, iv.mpf(0), Pv)
    X = iv.mpf([_iv(za).a, _iv(zb).b])
    dP = _eval2(k.P.diff(Z).as_expr().subs(Z, ZETA), p, X, Pv)
    sa, sb, sd = _sign(pa), _sign(pb), _sign(dP)
    if not sa or not sb or sa != -sb or not sd:
        return None
    return X


def _entry_over(k: Kernel, i: int, m: int, p: sp.Symbol, X: Any, Pv: Any) -> Any:
    """Entry m of block i over the box (lone root in X, p in Pv)."""
    F = k.h(i, m)
    val = _eval2(F.num, p, X, Pv)
    for f, e in zip(k.factors(), F.den, strict=True):
        if e:
            val = val / _eval2(f, p, X, Pv)**e
    return val


def _kernel_near(A: Weights, Bs: list[Weights], p: sp.Symbol, lo: Any, hi: Any
                 ) -> tuple[Kernel, sp.Poly, Split] | None:
    mid = (sp.Rational(lo) + sp.Rational(hi)) / 2
    Ax = {k: w for k, w in ((k, sp.sympify(w).subs(p, mid)) for k, w in _clean(A).items())
          if w != 0}
    if is_singular(Ax):
        return None
    Pm, _ = symbol_poly(Ax)
    sp_ = split_of(Pm)
    if sp_ is None or not sp_.kernelable:
        return None
    k = Kernel(A, Bs, sp_)
    if k.P.degree() != Pm.degree():
        return None
    return k, Pm, sp_


def fails_near(A: Weights, Bs: list[Weights], p: sp.Symbol, lo: Any, hi: Any,
               fail: tuple[int, Any]) -> bool:
    """True when entry m of block i (``fail`` = (i, m)) is certified < 0 for every p in
    [lo, hi] (rationals): the lone root enclosed over the whole interval (P changes sign
    across the enclosure and P' does not vanish in it), the entry by interval arithmetic."""
    i, m = fail
    if not isinstance(m, int):
        return False
    got = _kernel_near(A, Bs, p, lo, hi)
    if got is None:
        return False
    k, Pm, sp_ = got
    for prec in _PRECISIONS[:3]:
        X = _lone_box(k, Pm, sp_, p, lo, hi, prec)
        if X is None:
            continue
        if _sign(_entry_over(k, i, m, p, X, iv.mpf([_iv(lo).a, _iv(hi).b]))) == -1:
            return True
    return False


@dataclass(frozen=True)
class CellTails:
    """A closed cell [a, b] in p with three or more roots on a side: every tail entry past
    the stencil's decisive ones is certified > 0 over it except those in ``extra`` (block,
    m), whose zeros in p must bound sub-cells."""

    extra: tuple[tuple[int, int], ...]


def cell_tails(A: Weights, Bs: list[Weights], p: sp.Symbol, sp_: Split, a: Any, b: Any,
               max_extra: int = 6, cell: Any = None) -> CellTails | None:
    """Certify a closed cell [a, b] (rationals enclosing it) for a split with three or more
    roots on a side: on pieces of it each side's N0 (:func:`banded_tails.uniform_n0`), then
    the entries between the decisive ones and N0 signed over each piece by interval
    arithmetic in the lone root and p; an entry not certified > 0 is returned in ``extra``
    (at most ``max_extra``). None when some piece has no N0 (a tie of moduli at an end) or
    the split is not parametrised by a lone root."""
    if not sp_.kernelable:
        return None
    A = _clean(A)
    Bs = [_clean(B) for B in Bs]
    P, L = symbol_poly(A)
    k = Kernel(A, Bs, sp_)
    extra: set[tuple[int, int]] = set()
    for i, B in enumerate(Bs):
        if not B:
            continue
        mL, mR = k.tail_starts(i)
        for side, count in (("left", sp_.k_in), ("right", sp_.k_out)):
            pieces = banded_tails.uniform_n0(P, B, p, side, count, a, b, cell=cell)
            if pieces is None:
                return None
            for x0, x1, n0 in pieces:
                span = range(mL - n0 + 1, mL - 1) if side == "left" else \
                    range(mR + 2, mR + n0)
                ms = [m for m in span if (i, m) not in extra]
                if not ms:
                    continue
                extra |= {(i, m) for m in banded_tails.entries_positive_over(
                    P, L, B, p, x0, x1, ms, side, count, cell=cell)}
                if len(extra) > max_extra:
                    return None
    return CellTails(tuple(sorted(extra)))


def entry_critical_polys(A: Weights, Bs: list[Weights], sp_: Split, i: int, m: int
                         ) -> list[sp.Expr]:
    """Polynomials in p vanishing where entry m of block i is 0 (a kernelable split): its
    numerator reduced modulo P(zeta), eliminated against each factor of P."""
    k = Kernel(_clean(A), [_clean(B) for B in Bs], sp_)
    return _entry_polys(k, i, m)


def _entry_polys(k: Kernel, i: int, m: int) -> list[sp.Expr]:
    num = k.h(i, m).num
    if k.split.lone is None:
        e = sp.expand(num.as_expr())
        return [e] if e != 0 and e.free_symbols else []
    Pzeta = k.P.as_expr().subs(Z, ZETA)
    # reduce modulo P(zeta) first (a pseudo-remainder: an extra power of the leading
    # coefficient, a structural polynomial)
    r = sp.prem(sp.Poly(num.as_expr(), ZETA), sp.Poly(Pzeta, ZETA))
    return _factor_eliminate(Pzeta, r.as_expr(), ZETA)


# ---------------------------------------------------------------- critical polynomials


def split_polys(A: Weights, Bs: list[Weights], sp_: Split, p: sp.Symbol
                ) -> tuple[dict[tuple[int, Any], list[sp.Expr]], list[sp.Expr]]:
    """({(block, m or "tail"): polynomials in p}, equal-modulus and cancellation polynomials)
    for one split: the entries' resultants with P and the tail's critical polynomials."""
    if sp_.paired:
        Pp, L = symbol_poly(A)
        k = None
    else:
        k = Kernel(A, Bs, sp_)
        Pp, L = k.P, k.L
    P = Pp.as_expr()
    out: dict[tuple[int, Any], list[sp.Expr]] = {}
    shared = [sp.discriminant(P, Z)]
    if k is not None and max(sp_.k_in, sp_.k_out) == 3:  # a real root and a pair of equal
        # modulus: zeta^3 = e_3
        shared.append(sp.resultant(P, sp.expand(k.lc * Z**3 + k.P.TC()), Z))
    pm = sp.expand(P.subs(Z, -Z))
    r = sp.expand(sp.resultant(P, pm, Z))
    if r != 0:
        shared.append(r)
    for i, B in enumerate(_clean(B) for B in Bs):
        if not B:
            continue
        bt = sp.expand(sum(b * Z**(j - min(B)) for j, b in B.items()))
        out[(i, "tail")] = _factor_eliminate(P, bt, Z) if bt.has(Z) else []
        if k is None:  # two roots on each side
            for m in range(L + min(B) - 2, L + max(B) + 2):
                f = pair_entry_poly(Pp, L, B, m)
                out[(i, m)] = [f] if f != 0 and f.has(p) else []
            continue
        for m in k.decisive(i):
            out[(i, m)] = _entry_polys(k, i, m)
    return out, [f for f in shared if sp.expand(f) != 0]


__all__ = ["banded", "symbol_poly", "structural_polys", "Split", "Kernel", "PointDecision",
           "is_singular", "split_of", "decide_at", "entry_interval", "first_negative_entry",
           "split_polys", "fails_near"]
