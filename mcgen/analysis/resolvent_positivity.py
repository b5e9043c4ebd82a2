"""Exact positivity of an implicit scheme A u^{n+1} = B u^n on the 2-D or 3-D lattice whose B is
c I + d A, A a symmetric M-matrix-type operator (the unfactored Crank-Nicolson and theta-method
heat schemes: five- and nine-point in 2-D, also with a mixed derivative; seven-point in 3-D),
one parameter p.

The operators: 2-D, the 3x3 box with even weights, A = a0 I - a1 (E_x + E_x^-1)
- a2 (E_y + E_y^-1) - a3 (E_x E_y + E_x^-1 E_y^-1) - a4 (E_x E_y^-1 + E_x^-1 E_y) (a3 = a4: the
compact nine-point form - a3 (E_x + E_x^-1)(E_y + E_y^-1)); 3-D, A = a0 I - a1 (E_x + E_x^-1)
- a2 (E_y + E_y^-1) - a3 (E_z + E_z^-1) (a_i rational functions of p). The solution operator is
S = A^{-1} B = c A^{-1} + d I: every off-diagonal entry is c times an entry of A^{-1}, the
diagonal is c G_0 + d with G_0 the diagonal of the lattice Green's function. After multiplying
A and B by s = sign(a0) (so a0 > 0, c' = s c), with the sign pattern (s, s1, s2, s3, s4),
s_i = sign(a_i), and m_i = |a_i|:

* a checkerboard flip E_x -> -E_x (or E_y, E_z) maps (a1, a2, a3, a4) to (-a1, a2, -a3, -a4)
  (2-D) or (-a1, a2, a3) (3-D) and A^{-1} to D A^{-1} D, D = diag((-1)^j): when some flip
  makes every s a_i >= 0, A is (up to D) an M-matrix, invertible iff
  eps = m0 - 2 (m1 + m2 + m3 + m4) > 0, and A^{-1} >= 0 (> 0 at the neighbours with a weight,
  Neumann series); with no flip the off-diagonal entries are >= 0 iff c' >= 0, with one (some
  s a_i < 0) an entry next to the diagonal has the sign -c', so c' != 0 fails. In 2-D a
  pattern no flip brings to that form (sign(a3) != s sign(a1) sign(a2) with all non-zero, or
  a3, a4 of opposite signs) is out of reach (undecided: the caller keeps the M-matrix bound);
* the diagonal G_0 (:mod:`mcgen.analysis.lattice_green`): 2-D, a3 = a4, G_0 = 1/AGM(X, Y),
  X^2 = (m0 + 4 m3)^2 - 4 (m1 - m2)^2, Y^2 = (m0 - 4 m3)^2 - 4 (m1 + m2)^2 (the five-point
  Crank-Nicolson heat scheme, a0 = 1 + 2r, a1 = a2 = r/2, a3 = 0:
  G_0 = 1/AGM(1 + 2r, sqrt(1 + 4r)) = (2/pi) K(k)/(1 + 2r), k = 2r/(1 + 2r)); a3 != a4,
  G_0 = 1/AGM(U, V) with U, V algebraic (:func:`mcgen.analysis.lattice_green.mixed_squares`);
  3-D G_0 = (1/pi) int_0^pi dtheta / AGM(X(theta), Y(theta)), m0 -> m0 - 2 m3 cos theta in the
  2-D formula, enclosed by the trapezoid rule with its analytic error bound. A 3-D pattern with
  an axis weight 0 is the 2-D formula in the other two axes ("planar"). With c' > 0 and d < 0
  the diagonal is >= 0 iff 1/G_0 <= rho = c'/(-d).

The cells in p are bounded by the real roots of the weights' polynomials (a0, a_i, the
numerators of c and d, X^2, Y^2 (or S, P) and eps for every sign pattern) and of the
derivatives of X^2/rho^2, Y^2/rho^2, eps/rho, a_i/rho. On a cell where the comparison decides,
g = 1/G_0 - rho has the sign of g~ = 1/G_0(A/rho) - 1 (1/G_0 is homogeneous of degree 1 in A's
weights), monotone when what moves it pulls one way: in 2-D with a3 = a4, X^2/rho^2 and
Y^2/rho^2 (AGM is increasing in both arguments); otherwise eps/rho and the m_i/rho
(a(theta) = eps + sum m_k (1 - cos(k . theta)) grows with each of them pointwise, so 1/G_0
does). Then g has at most one root p*, a transcendental number in general (five-point
Crank-Nicolson: r* = 0.58820...). Its signs at the cell's ends (limits; bounds on 1/G_0 where
the operator is singular or p -> oo) say whether p* exists; p* is then enclosed by bisection
over rationals, each sign certified by outward-rounded interval arithmetic, the precision raised
until the interval excludes 0. A cell where they pull different ways is out of reach (the
caller keeps the M-matrix bound).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import sympy as sp
from mpmath import iv

from mcgen.analysis import lattice_green as green
from mcgen.analysis.lattice_green import agm_interval
from mcgen.analysis.symmetric_kernel import _PRECISIONS, _iv, _sign
from mcgen.proof.check import register_check
from mcgen.proof.sturm import _domain, _isolating, _min_poly, rational_between

Weights = dict[tuple[int, ...], Any]
Weights2 = Weights
Pattern = tuple[int, int, int, int, int]

#: the offset each weight a1, a2, a3 (, a4) is read at (its mirror image -k carries the same
#: weight): in 2-D a3 is the diagonal pair (1, 1), (-1, -1), a4 the pair (1, -1), (-1, 1)
_AXES = {2: ((1, 0), (0, 1), (1, 1), (1, -1)), 3: ((1, 0, 0), (0, 1, 0), (0, 0, 1))}
#: bisection steps enclosing a transcendental end point (width about 2^-60 of the cell's scale)
_BISECTIONS = 60


def _neighbours(dim: int) -> list[tuple[int, ...]]:
    return [k for k in _AXES[dim]] + [tuple(-i for i in k) for k in _AXES[dim]]


@dataclass(frozen=True)
class ResolventForm:
    """A = a0 I - sum a_i (its neighbour pairs) and B = c I + d A (see the module docstring),
    stored as the polynomials they come from: ``a`` = (a1, a2, a3, a4) (2-D: a3, a4 the
    diagonal pairs (1, 1) and (1, -1); 3-D: a3 the z axis, a4 = 0), ``ak`` = A at the offset
    the ratio d = B_k / A_k is read at, ``bk`` = B there, ``b0`` = B at the origin, ``b_all``
    every weight of B."""

    p: sp.Symbol
    dim: int
    a0: sp.Expr
    a: tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr]
    ak: sp.Expr
    bk: sp.Expr
    b0: sp.Expr
    b_all: tuple[sp.Expr, ...]

    @property
    def c_num(self) -> sp.Expr:
        """c A_k = B_0 A_k - B_k a0 (c = B_0 - d a0, d = B_k / A_k)."""
        return sp.expand(self.b0 * self.ak - self.bk * self.a0)

    @cached_property
    def c_d(self) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
        """(numerator of c, numerator of d, their common denominator), in lowest terms."""
        c, d = sp.cancel(self.c_num / self.ak), sp.cancel(self.bk / self.ak)
        den = sp.lcm(sp.fraction(c)[1], sp.fraction(d)[1])
        return sp.cancel(c * den), sp.cancel(d * den), den

    @property
    def name(self) -> str:
        if self.dim == 3:
            return "seven-point"
        if self.mixed:
            return "nine-point (unequal diagonal pairs)"
        return "nine-point" if self.a[2] != 0 else "five-point"

    @property
    def mixed(self) -> bool:
        """2-D with unequal diagonal pairs (a3 != a4: a sin theta_1 sin theta_2 term)."""
        return self.dim == 2 and sp.expand(self.a[2] - self.a[3]) != 0

    def m(self, pattern: Pattern) -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
        """(m0, ..., m4) = (|a0|, ..., |a4|) on the sign pattern."""
        s, s1, s2, s3, s4 = pattern
        a1, a2, a3, a4 = self.a
        return (sp.expand(s * self.a0), sp.expand(s1 * a1), sp.expand(s2 * a2),
                sp.expand(s3 * a3), sp.expand(s4 * a4))

    def planar(self, pattern: Pattern) -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr, sp.Expr] | \
            None:
        """The weights (m0, ..., m4) of the 2-D formula G_0 = 1/AGM(X, Y): always in 2-D, in
        3-D when an axis weight is 0 on the pattern (the other two axes, m3 = m4 = 0); else
        None."""
        m = self.m(pattern)
        if self.dim == 2:
            return m
        zero = [i for i in range(3) if pattern[i + 1] == 0]
        if not zero:
            return None
        rest = [m[i + 1] for i in range(3) if i != zero[0]]
        return m[0], rest[0], rest[1], sp.Integer(0), sp.Integer(0)

    def x2(self, pattern: Pattern) -> sp.Expr:
        """X^2 = (m0 + 4 m3)^2 - 4 (m1 - m2)^2 of the planar formula (equal diagonal pairs)."""
        pl = self.planar(pattern)
        assert pl is not None and not self.mixed
        return sp.expand(green.planar_squares(*pl[:4])[0])

    def y2(self, pattern: Pattern) -> sp.Expr:
        """Y^2 = (m0 - 4 m3)^2 - 4 (m1 + m2)^2 of the planar formula (equal diagonal pairs)."""
        pl = self.planar(pattern)
        assert pl is not None and not self.mixed
        return sp.expand(green.planar_squares(*pl[:4])[1])

    def agm_squares(self, pattern: Pattern) -> tuple[sp.Expr, sp.Expr]:
        """The squares of the AGM's arguments, 1/G_0 = AGM: (X^2, Y^2), or with unequal
        diagonal pairs (U^2, V^2) = ((S + 2 sqrt(P))/4, sqrt(P)) (:func:`green.mixed_squares`)."""
        if not self.mixed:
            return self.x2(pattern), self.y2(pattern)
        S, P = (sp.expand(e) for e in green.mixed_squares(*self.m(pattern)))
        return (S + 2 * sp.sqrt(P)) / 4, sp.sqrt(P)

    def eps(self, pattern: Pattern) -> sp.Expr:
        """eps = a(0) of the M-matrix form: m0 - 2 (m1 + m2 + m3 + m4)."""
        m0, m1, m2, m3, m4 = self.m(pattern)
        return sp.expand(m0 - 2 * (m1 + m2 + m3 + m4))

    def m_matrix(self, pattern: Pattern) -> bool:
        """Some checkerboard flip (E_x -> -E_x, E_y -> -E_y, ...) makes every s a_i >= 0."""
        s = pattern[0]
        axes = _AXES[self.dim]
        return any(all(s * g * (-1)**sum(i * j for i, j in zip(flip, k, strict=True)) >= 0
                       for g, k in zip(pattern[1:], axes, strict=False))
                   for flip in _flips(self.dim))

    def rho(self, s: int) -> sp.Expr:
        """rho = c'/(-d) = -s (B_0 A_k - B_k a0) / B_k (a rational function of p)."""
        return sp.cancel(-s * self.c_num / self.bk)

    def diagonal_condition(self, pattern: Pattern) -> sp.Basic:
        """c' G_0 + d >= 0 as an exact SymPy relation (multiplied by the square of a common
        denominator of c' and d when it depends on p): in 2-D, with
        AGM(X, Y) = pi X / (2 K(m)), m = 1 - Y^2/X^2 (K the complete elliptic integral of the
        first kind, parameter m), 2 c' K(m) >= -pi d X; in 3-D
        2 c' int_0^pi K(m(theta))/X(theta) dtheta >= -pi^2 d."""
        s = pattern[0]
        c = sp.cancel(s * self.c_num / self.ak)
        d = sp.cancel(self.bk / self.ak)
        den = sp.lcm(sp.fraction(c)[1], sp.fraction(d)[1])
        scale = den**2 if sp.sympify(den).has(self.p) else sp.Integer(1)
        k_part = sp.factor(2 * c * scale)
        x_part = sp.factor(-d * scale)
        pl = self.planar(pattern)
        if pl is not None:
            K, X = green.mixed_diagonal(*pl) if self.mixed else green.planar_diagonal(*pl[:4])
            return sp.Ge(k_part * K, sp.pi * x_part * X)
        integral = green.cubic_diagonal(*self.m(pattern)[:4], self._theta)
        return sp.Ge(k_part * integral, sp.pi**2 * x_part)

    @property
    def _theta(self) -> sp.Symbol:
        """The integration variable of the 3-D condition (a name the parameter does not
        take)."""
        return sp.Symbol("theta_3" if self.p.name != "theta_3" else "phi_3", real=True)

    def diagonal_words(self, pattern: Pattern) -> str:
        """The comparison 1/G_0 = rho in words."""
        rho = sp.sstr(sp.factor(self.rho(pattern[0])))
        pl = self.planar(pattern)
        if pl is not None and self.mixed:
            S, P = (sp.factor(sp.expand(e)) for e in green.mixed_squares(*pl))
            return (f"AGM(U, V) = {rho}, U^2 = ({sp.sstr(S)} + 2 sqrt(P))/4, V^2 = sqrt(P), "
                    f"P = {sp.sstr(P)}")
        if pl is not None:
            x2, y2 = sp.factor(self.x2(pattern)), sp.factor(self.y2(pattern))
            return f"AGM({sp.sstr(sp.sqrt(x2))}, {sp.sstr(sp.sqrt(y2))}) = {rho}"
        m0, m1, m2, m3, _ = (sp.factor(w) for w in self.m(pattern))
        t = sp.Symbol("t", real=True)
        x2, y2 = green.planar_squares(m0 - 2 * m3 * t, m1, m2, 0)
        return (f"1/G_0 = {rho}, G_0 = (1/pi) int_0^pi dtheta / AGM(X, Y), "
                f"X = {sp.sstr(sp.sqrt(sp.factor(x2)))}, Y = {sp.sstr(sp.sqrt(sp.factor(y2)))}"
                " at t = cos(theta)")

    def inverse_interval(self, pattern: Pattern, P: Any, prec: int) -> Any:
        """An interval holding 1/G_0 for p in the interval P (None when not certified)."""
        pl = self.planar(pattern)
        if pl is not None:
            w0, w1, w2, w3, w4 = (_horner(w, self.p, P) for w in pl)
            return green.mixed_inverse(w0, w1, w2, w3, w4) if self.mixed else \
                green.planar_inverse(w0, w1, w2, w3)
        m0, m1, m2, m3, _ = (_horner(w, self.p, P) for w in self.m(pattern))
        return green.cubic_inverse(m0, m1, m2, m3, prec)


def _flips(dim: int) -> list[tuple[int, ...]]:
    """The checkerboard flips: E_i -> -E_i for the axes i with a 1."""
    return [tuple((n >> i) & 1 for i in range(dim)) for n in range(2**dim)]


def resolvent_form(A: Weights, B: Weights, p: sp.Symbol) -> ResolventForm | None:
    """The form when A is a symmetric five- or nine-point (2-D) or seven-point (3-D) operator
    with a neighbour weight not identically 0 and B - d A is a multiple of the identity for
    some d, else None."""
    keys = [k for k in (*A, *B)]
    if not keys or not all(isinstance(k, tuple) for k in keys) or \
            len({len(k) for k in keys}) != 1 or len(keys[0]) not in _AXES:
        return None
    dim = len(keys[0])
    zero = (0,) * dim
    A = {k: sp.expand(sp.sympify(w)) for k, w in A.items() if sp.expand(sp.sympify(w)) != 0}
    B = {k: sp.expand(sp.sympify(w)) for k, w in B.items() if sp.expand(sp.sympify(w)) != 0}
    near = _neighbours(dim)
    if set(A) - {zero, *near} or set(B) - set(A) - {zero}:
        return None
    z = sp.Integer(0)
    axes = _AXES[dim]
    pairs = [(k, tuple(-i for i in k)) for k in axes]
    if any(sp.expand(A.get(k, z) - A.get(j, z)) != 0 for k, j in pairs):
        return None  # not even
    k = next((j for j in axes if A.get(j, z) != 0), None)
    if k is None:
        return None
    ak, bk = A[k], B.get(k, z)
    if any(sp.expand(B.get(j, z) * ak - bk * A.get(j, z)) != 0 for j in near):
        return None  # B is not c I + d A
    a = [-A.get(j, z) for j in axes] + [z] * (4 - len(axes))
    return ResolventForm(p, dim, A.get(zero, z), (a[0], a[1], a[2], a[3]), ak, bk,
                         B.get(zero, z), tuple(B.values()))


# ---------------------------------------------------------------- interval arithmetic


def _horner(f: sp.Expr, p: sp.Symbol, P: Any) -> Any:
    acc = iv.mpf(0)
    for c in sp.Poly(f, p).all_coeffs():
        acc = acc * P + _iv(c)
    return acc


def _enclosure(x: Any, p: sp.Symbol, prec: int) -> Any:
    """An interval holding the real algebraic number x, about 2^-prec wide."""
    iv.prec = prec
    x = sp.sympify(x)
    if x.is_Rational:
        return _iv(x)
    lo, hi = _isolating(x)
    f = _min_poly(x, p)
    while hi - lo > sp.Rational(1, 2**prec):
        lo, hi = f.refine_root(lo, hi, eps=sp.Rational(1, 2**prec))
    return iv.mpf([_iv(lo).a, _iv(hi).b])


def _signs(f: sp.Expr, p: sp.Symbol, x: Any) -> int:
    """The sign of the polynomial f at the real algebraic number x, exactly."""
    from mcgen.proof.sturm import sign_at
    return sign_at(f, p, x) if sp.expand(f).has(p) else int(sp.sign(f))


# ---------------------------------------------------------------- one exact decision


@dataclass(frozen=True)
class PointDecision:
    """``ok`` (None when undecided); ``why`` it fails (``singular``, ``off-diagonal``,
    ``diagonal``, ``weights``) or is undecided (``not an M-matrix``); ``compare``
    (s, s1, s2, s3) when the transcendental comparison 1/G_0 <= rho decided (the cell's sign
    pattern); ``diagonal``: an interval holding the diagonal entry c' G_0 + d there, when it
    was computed."""

    ok: bool | None
    why: str = ""
    compare: Pattern | None = None
    diagonal: Any = None


def decide_at(f: ResolventForm, x: Any) -> PointDecision:
    """Is S = A^{-1} B >= 0 at p = x (a real algebraic number)? Exact: polynomial signs by
    Sturm, the comparison by interval arithmetic with the precision raised until it
    decides."""
    p = f.p

    def sg(e: sp.Expr) -> int:
        return _signs(e, p, x)

    s = sg(f.a0)
    s1, s2, s3, s4 = (sg(w) for w in f.a)
    pattern = (s, s1, s2, s3, s4)
    if s1 == s2 == s3 == s4 == 0:  # A = a0 I here: S = B / a0
        if s == 0:
            return PointDecision(False, "singular")
        ok = all(s * sg(w) >= 0 for w in f.b_all)
        return PointDecision(ok, "" if ok else "weights")
    if s == 0 or (f.m_matrix(pattern) and sg(f.eps(pattern)) <= 0):
        return PointDecision(False, "singular")
    k_sign = sg(f.ak)
    if k_sign == 0:  # the offset d is read at vanishes here: read it at the other one
        return PointDecision(None)
    sc = s * sg(f.c_num) * k_sign  # sign of c'
    sd = sg(f.bk) * k_sign  # sign of d
    if not f.m_matrix(pattern):  # invertibility and the signs of A^(-1) unknown
        return PointDecision(None, "not an M-matrix")
    if sc == 0:
        return PointDecision(sd >= 0, "" if sd >= 0 else "diagonal")
    if sc < 0 or any(s * g < 0 for g in pattern[1:]):
        return PointDecision(False, "off-diagonal")
    if sd >= 0:
        return PointDecision(True)
    pl = f.planar(pattern)
    if pl is not None and not f.mixed and sp.expand(f.x2(pattern) - f.y2(pattern)) == 0:
        # X = Y (one axis): AGM = X, compare X^2 <= rho^2 exactly
        ok = sg(sp.expand(f.y2(pattern) * f.bk**2 - f.c_num**2)) <= 0
        return PointDecision(ok, "" if ok else "diagonal")
    for prec in _PRECISIONS:
        g = _diagonal_interval(f, pattern, x, prec)
        sig = _sign(g) if g is not None else None
        if sig is not None and sig != 0:
            return PointDecision(sig > 0, "" if sig > 0 else "diagonal", pattern, g)
    return PointDecision(None, compare=pattern)


def _diagonal_interval(f: ResolventForm, pattern: Pattern, x: Any, prec: int) -> Any:
    """c' G_0 + d at p = x, as an interval (None when 1/G_0 is not certified at this
    precision)."""
    P = _enclosure(x, f.p, prec)
    cn, dn, den = f.c_d
    dv = _horner(den, f.p, P)
    inv = f.inverse_interval(pattern, P, prec)
    if inv is None or _sign(dv) in (0, None):
        return None
    return (pattern[0] * _horner(cn, f.p, P) / inv + _horner(dn, f.p, P)) / dv


# ---------------------------------------------------------------- cells in p


@dataclass(frozen=True)
class Run:
    """Consecutive cells (and the points between them) with one sign pattern (s, s1, s2, s3)
    on which the region is exactly {lo < p < hi (closed ends where said), the diagonal
    condition}, the condition changing sign at transcendental roots p*: ``roots`` holds, per
    root, certified rationals a < p* < b and whether the region lies below p* (``upper``: g
    increasing) or above it (``lower``); ``parts`` the region in words."""

    lo: Any
    hi: Any
    lo_closed: bool
    hi_closed: bool
    pattern: Pattern
    condition: sp.Basic
    comparison: str
    roots: tuple[tuple[tuple[sp.Rational, sp.Rational], str], ...]
    parts: str


@dataclass(frozen=True)
class ResolventRegion:
    """The decided set of p: the algebraic part (a SymPy set) and the runs whose ends are
    transcendental roots; whether it is exact; failing samples ``(p value, why)``; when not
    exact, ``reason``: why the decision is out of reach (empty when unknown)."""

    algebraic: sp.Set
    runs: tuple[Run, ...]
    exact: bool
    witnesses: tuple[tuple[Any, str], ...]
    reason: str = ""


def _patterns(f: ResolventForm) -> list[Pattern]:
    """Every sign pattern with s = 1 (X^2, Y^2, eps of s = -1 are those of the flipped signs)
    and each axis sign +-1, or 0 where that weight is identically 0."""
    opts = [(0,) if w == 0 else (1, -1) for w in f.a]
    return [(1, s1, s2, s3, s4) for s1 in opts[0] for s2 in opts[1] for s3 in opts[2]
            for s4 in opts[3]]


def _axis_zero(pattern: Pattern, j: int) -> Pattern:
    """The pattern with axis j's weight 0 (a planar sub-pattern in 3-D)."""
    s = list(pattern)
    s[j + 1] = 0
    return s[0], s[1], s[2], s[3], s[4]


def critical_polys(f: ResolventForm) -> list[sp.Expr]:
    """Polynomials in p whose real roots bound the cells: the weights, c A_k, X^2, Y^2 (or S,
    P) and eps for every sign pattern (3-D: also with one axis set to 0), the derivatives of
    those, of the a_i and of rho, the numerators and denominators of the slopes of
    :func:`_mover_slopes` (patterns with s = -1 have those of s = 1 with the a_i's signs
    flipped), and the lines where X = Y and AGM = rho."""
    p = f.p
    out = [f.a0, *f.a, f.ak, f.bk, f.c_num, *f.b_all]
    pats = _patterns(f)
    if f.dim == 3:  # the planar sub-patterns (an axis weight 0 at a point)
        pats += [_axis_zero(pt, j) for pt in pats for j in range(3)]
    if f.dim == 3 or f.mixed:  # the direction of 1/G_0 from eps and the |a_i|
        out += [sp.diff(w, p) for w in f.a]
    for pt in dict.fromkeys(pats):
        e = f.eps(pt)
        if f.dim == 3 or f.mixed:  # (else a factor of Y^2)
            out += [e, sp.diff(e, p)]
        if f.mixed:
            out += [sp.expand(e) for e in green.mixed_squares(*f.m(pt))]
        elif f.planar(pt) is not None:
            for e in (f.x2(pt), f.y2(pt)):
                out += [e, sp.diff(e, p)]
            if sp.expand(f.x2(pt) - f.y2(pt)) == 0:
                out.append(sp.expand(f.y2(pt) * f.bk**2 - f.c_num**2))  # AGM = X = rho
        for num, den in _mover_slopes(f, pt):
            out += [num, den]
    out.append(sp.expand(sp.diff(f.c_num, p) * f.bk - f.c_num * sp.diff(f.bk, p)))
    return list(dict.fromkeys(sp.expand(e) for e in out))


@lru_cache(maxsize=256)
def _mover_slopes(f: ResolventForm, pattern: Pattern) -> list[tuple[sp.Expr, sp.Expr]]:
    """(numerator, denominator) of the derivative of each quantity that moves
    g~ = 1/G_0(A/rho) - 1 = (1/G_0 - rho)/rho (1/G_0 is homogeneous of degree 1 in A's
    weights, rho > 0 on a comparison cell, so g~ has g's sign): X^2/rho^2, Y^2/rho^2 (2-D, equal
    diagonal pairs; AGM is increasing in both arguments), else eps/rho and m_i/rho (a(theta)
    grows with each pointwise). With rho constant these are the derivatives of X^2, Y^2 or eps,
    m_i; with rho decreasing and those increasing they all increase."""
    p = f.p
    if sp.expand(f.c_num) == 0 or sp.expand(f.bk) == 0:
        return []  # c = 0 or d = 0: no comparison
    rho = f.rho(pattern[0])
    planar = f.planar(pattern) is not None and not f.mixed
    movers = [f.x2(pattern) / rho**2, f.y2(pattern) / rho**2] if planar else \
        [f.eps(pattern) / rho, *(m / rho for m in f.m(pattern)[1:])]
    out = []
    for h in movers:
        num, den = sp.fraction(sp.cancel(sp.diff(h, p)))
        out.append((sp.expand(num), sp.expand(den)))
    return out


def _direction(f: ResolventForm, pattern: Pattern, q: Any) -> int | None:
    """+1 when g = 1/G_0 - rho has the sign of an increasing function on q's cell (g~ of
    :func:`_mover_slopes` increasing), -1 decreasing, 0 constant, None when what moves it pulls
    different ways."""
    p = f.p
    signs = {_signs(num, p, q) * _signs(den, p, q) for num, den in _mover_slopes(f, pattern)}
    signs.discard(0)
    if not signs:
        return 0
    return signs.pop() if len(signs) == 1 else None


def _end_sign(f: ResolventForm, pattern: Pattern, e: Any) -> int | None:
    """The sign of g = 1/G_0 - rho at the end e of a cell (its limit from the cell; e
    algebraic or +-oo), None when not decided."""
    p = f.p
    rho = f.rho(pattern[0])
    planar = f.planar(pattern) is not None
    if e in (sp.oo, -sp.oo):
        return _planar_limit_sign(f, pattern, e) if planar else _bound_sign(f, pattern, e)
    num, den = sp.fraction(sp.cancel(rho))
    if _signs(den, p, e) == 0:  # rho -> +oo (rho > 0 on the cell); 1/G_0 <= m0 stays finite
        return -1
    if _signs(f.eps(pattern), p, e) == 0:  # singular at e
        if planar:  # 2-D: G_0 -> oo, 1/G_0 -> 0 < rho (rho(e) = 0 too: undecided)
            return -1 if _signs(num, p, e) != 0 else None
        return _bound_sign(f, pattern, e)
    for prec in _PRECISIONS:
        P = _enclosure(e, p, prec)
        inv = f.inverse_interval(pattern, P, prec)
        if inv is None:
            continue
        sig = _sign(inv - _horner(num, p, P) / _horner(den, p, P))
        if sig is not None and sig != 0:
            return sig
    return None


def _planar_limit_sign(f: ResolventForm, pattern: Pattern, e: Any) -> int | None:
    """The sign of AGM(X, Y) - rho as p -> e = +-oo, from the limits of X^2, Y^2 and rho."""
    p = f.p
    (x2, y2), rho = f.agm_squares(pattern), f.rho(pattern[0])
    lx, ly, lr = (sp.limit(h, p, e) for h in (x2, y2, rho))
    if lr == sp.oo and lx.is_finite:
        return -1
    if lx == sp.oo and lr.is_finite and (ly == sp.oo or ly > 0):
        return 1
    if lx.is_finite and ly.is_finite and lr.is_finite:
        return _sign_of_values(lx, ly, lr)
    if lx == sp.oo and lr == sp.oo:  # scale by rho^2: AGM(X, Y)/rho -> AGM(sx, sy)
        sx, sy = sp.limit(x2 / rho**2, p, e), sp.limit(y2 / rho**2, p, e)
        if sx.is_finite and sy.is_finite:
            return _sign_of_values(sx, sy, sp.Integer(1))
    return None


def _bound_sign(f: ResolventForm, pattern: Pattern, e: Any) -> int | None:
    """The sign of 1/G_0 - rho at a 3-D cell's end e (+-oo, or where eps = 0) from the bounds
    max(eps, KAPPA min(m1, m2, m3)) <= 1/G_0 <= m0 (:mod:`mcgen.analysis.lattice_green`): +1
    when a lower bound exceeds rho there, -1 when m0 is below it."""
    p = f.p
    m0, *ms = f.m(pattern)[:4]  # (m4 = 0 in 3-D)
    rho = f.rho(pattern[0])
    if e in (sp.oo, -sp.oo):
        def lim(h: sp.Expr) -> sp.Expr:
            return sp.limit(h, p, e)
        if lim(f.eps(pattern) - rho).is_extended_positive or \
                all(lim(green.KAPPA * m - rho).is_extended_positive for m in ms):
            return 1
        return -1 if lim(m0 - rho).is_extended_negative else None
    num, den = sp.fraction(sp.cancel(rho))
    for prec in _PRECISIONS[:3]:
        P = _enclosure(e, p, prec)
        r = _horner(num, p, P) / _horner(den, p, P)
        kappa = 8 / (iv.sqrt(3) * iv.pi)
        if _sign(_horner(f.eps(pattern), p, P) - r) == 1 or \
                all(_sign(kappa * _horner(m, p, P) - r) == 1 for m in ms):
            return 1
        if _sign(_horner(m0, p, P) - r) == -1:
            return -1
    return None


def _sign_of_values(x2: Any, y2: Any, rho: Any) -> int | None:
    """sign(AGM(sqrt x2, sqrt y2) - rho) for rational x2 >= y2 >= 0, rho (None for other
    numbers)."""
    if not all(sp.sympify(v).is_Rational for v in (x2, y2, rho)):
        return None
    x2, y2, rho = (sp.Rational(v) for v in (x2, y2, rho))
    if y2 == 0:
        return -1 if rho > 0 else None
    for prec in _PRECISIONS:
        iv.prec = prec
        sig = _sign(agm_interval(iv.sqrt(_iv(x2)), iv.sqrt(_iv(y2))) - _iv(rho))
        if sig is not None and sig != 0:
            return sig
    return None


def _point_sign(f: ResolventForm, pattern: Pattern, q: sp.Rational) -> int | None:
    """sign(c' G_0 + d) at a rational q of a comparison cell (the opposite of g's sign)."""
    for prec in _PRECISIONS[:3]:
        g = _diagonal_interval(f, pattern, q, prec)
        sig = _sign(g) if g is not None else None
        if sig is not None and sig != 0:
            return sig
    return None


def _toward(e: Any, q: sp.Rational, k: int) -> sp.Rational:
    """A rational between q and the end e, closer to e as k grows (e algebraic or +-oo)."""
    if e in (sp.oo, -sp.oo):
        return q + (1 if e == sp.oo else -1) * sp.Integer(2)**k
    e = sp.sympify(e)
    if e.is_Rational:
        inner = e
    else:
        lo, hi = _isolating(e)
        f = _min_poly(e, sp.Dummy("p"))
        while hi - lo > min(abs(q - lo), abs(q - hi)) / 4 or hi - lo > \
                sp.Rational(1, 2**(k + 2)):
            lo, hi = f.refine_root(lo, hi, eps=(hi - lo) / 16)
        inner = lo if q < lo else hi
    return inner + (q - inner) / sp.Integer(2)**k


def enclose_root(f: ResolventForm, pattern: Pattern, end: Any, q: Any, tries: int = 300
                 ) -> tuple[sp.Rational, sp.Rational] | None:
    """Rationals a < b between the rational q and the cell's end ``end``, certified to have
    diagonals of opposite signs, about 2^-60 (relative) apart: they bracket the one root of g
    (g strictly monotone on the cell, the root between q and that end); None when no point of
    the other sign is found in ``tries`` steps toward the end."""
    s_q = _point_sign(f, pattern, q)
    if s_q is None:
        return None
    other = None
    for k in range(1, tries):
        cand = _toward(end, q, k)
        if _point_sign(f, pattern, cand) == -s_q:
            other = cand
            break
    if other is None:
        return None
    lo, hi = (q, other) if q < other else (other, q)
    s_lo = _point_sign(f, pattern, lo)
    tol = max(abs(lo), abs(hi), sp.Integer(1)) / sp.Integer(2)**_BISECTIONS
    while hi - lo > tol:
        mid = (lo + hi) / 2
        sig = _point_sign(f, pattern, mid)
        if sig is None:
            break
        lo, hi = (mid, hi) if sig == s_lo else (lo, mid)
    return lo, hi


@dataclass(frozen=True)
class _Cell:
    lo: Any
    hi: Any
    q: sp.Rational
    got: PointDecision
    inside: bool | None  # all of the cell in the region (None: a root in it)
    root: tuple[tuple[sp.Rational, sp.Rational], str] | None = None


def decide(A: Weights2, B: Weights2, p: sp.Symbol) -> ResolventRegion | None:
    """The set of p where A^{-1} B >= 0 on the 2-D or 3-D lattice, or None when A, B are not
    of the form, the weights are not polynomials in p with rational coefficients, or a comparison
    cell is not monotone or its ends are not decided."""
    from mcgen.analysis.implicit_positivity import _exact_weights, distinct_real_roots
    if not _exact_weights(A, [B], p):
        return None
    f = resolvent_form(A, B, p)
    if f is None:
        return None
    dom = _domain(p)
    crit = sorted((x for x in distinct_real_roots(critical_polys(f), p) if x in dom),
                  key=lambda x: sp.N(x, 50))
    edges = [dom.inf, *(x for x in crit if x not in (dom.inf, dom.sup)), dom.sup]
    cells: list[_Cell] = []
    witnesses: list[tuple[Any, str]] = []
    for x0, x1 in zip(edges, edges[1:], strict=False):
        q = rational_between(x0, x1)
        got = decide_at(f, q)
        if got.compare is None:
            cells.append(_Cell(x0, x1, q, got, got.ok))
            if got.ok is False:
                witnesses.append((q, got.why))
            continue
        cell = _comparison_cell(f, got.compare, x0, x1, q)
        if cell is None:  # not monotone, or an end not decided: out of reach
            return ResolventRegion(sp.S.EmptySet, (), False, tuple(witnesses),
                                   f"on the cell of {p} = {q}, 1/G_0 - c/(-d) is not shown "
                                   "monotone (what moves 1/G_0 and c/(-d) pull different ways) "
                                   "or its limits at the cell's ends are not decided")
        if isinstance(cell, bool):
            cells.append(_Cell(x0, x1, q, got, cell))
            if not cell:
                witnesses.append((q, "diagonal"))
            continue
        cells.append(_Cell(x0, x1, q, got, None, cell))
        (a, b), end = cell
        out = _short_rational(b, x1) if end == "upper" else _short_rational(x0, a, False)
        if out is not None and decide_at(f, out).ok is False:
            witnesses.append((out, "diagonal"))
    points = {x: decide_at(f, x) for x in edges if x.is_finite and x in dom}
    exact = all(c.inside is not None or c.root is not None for c in cells) and \
        all(g.ok is not None for g in points.values())
    runs = _runs(f, cells, points)
    alg: list[sp.Set] = []
    in_run = [any(_within(c.lo, c.hi, r) for r in runs) for c in cells]
    for c, taken in zip(cells, in_run, strict=True):
        if c.inside and not taken:
            alg.append(sp.Interval.open(c.lo, c.hi))
    for x, g in points.items():
        if g.ok and not any(_covers(x, r) for r in runs):
            alg.append(sp.FiniteSet(x))
    algebraic = sp.Union(*alg) if alg else sp.S.EmptySet
    odd = [c.q for c in cells if c.got.why == "not an M-matrix"]
    reason = "" if exact or not odd else \
        f"at {p} = {odd[0]} no checkerboard flip makes A an M-matrix (sign(a3) != sign(a0) " \
        "sign(a1) sign(a2)): the signs of A^(-1) are not known"
    return ResolventRegion(algebraic, tuple(runs), exact, tuple(witnesses), reason)


def _within(lo: Any, hi: Any, r: Run) -> bool:
    return bool(sp.N(r.lo, 50) <= sp.N(lo, 50)) and bool(sp.N(hi, 50) <= sp.N(r.hi, 50)) \
        if lo.is_finite and hi.is_finite else \
        (lo == r.lo or (lo.is_finite and bool(sp.N(r.lo, 50) <= sp.N(lo, 50)))) and \
        (hi == r.hi or (hi.is_finite and bool(sp.N(hi, 50) <= sp.N(r.hi, 50))))


def _covers(x: Any, r: Run) -> bool:
    """x lies in the run's closed span and the run decides it (an inner point, or a closed
    end)."""
    if x == r.lo:
        return r.lo_closed
    if x == r.hi:
        return r.hi_closed
    return _within(x, x, r)


def _runs(f: ResolventForm, cells: list[_Cell], points: dict[Any, PointDecision]) -> list[Run]:
    """Maximal runs of comparison cells with one sign pattern, holding a root, joined through
    the points between them where the point's decision is the condition's value."""
    runs: list[Run] = []
    i = 0
    while i < len(cells):
        c = cells[i]
        pat = c.got.compare
        if pat is None:
            i += 1
            continue
        j = i
        while j + 1 < len(cells) and cells[j + 1].got.compare == pat and \
                _agrees(f, pat, cells[j].hi, points.get(cells[j].hi)):
            j += 1
        group = cells[i:j + 1]
        i = j + 1
        if all(g.root is None for g in group):
            continue  # decided cell by cell, algebraically
        lo, hi = group[0].lo, group[-1].hi
        lo_closed = lo in points and bool(points[lo].ok) and _holds_at(f, pat, lo)
        hi_closed = hi in points and bool(points[hi].ok) and _holds_at(f, pat, hi)
        roots = tuple(g.root for g in group if g.root is not None)
        runs.append(Run(lo, hi, lo_closed, hi_closed, pat, f.diagonal_condition(pat),
                        f.diagonal_words(pat), roots,
                        _parts_words(group, points, lo_closed, hi_closed)))
    return runs


def _agrees(f: ResolventForm, pattern: Pattern, x: Any,
            got: PointDecision | None) -> bool:
    """The point x between two cells of one pattern is decided by that pattern's condition."""
    if got is None or got.ok is None:
        return False
    if got.compare == pattern:
        return True
    for prec in _PRECISIONS[:3]:
        g = _diagonal_interval(f, pattern, x, prec)
        sig = _sign(g) if g is not None else None
        if sig is not None and sig != 0:
            return (sig > 0) == got.ok
    return False


def _parts_words(group: list[_Cell], points: dict[Any, PointDecision], lo_closed: bool,
                 hi_closed: bool) -> str:
    """The run's region as intervals, a transcendental end named by its value."""
    spans: list[list[Any]] = []  # [lo, lo_closed, hi, hi_closed]

    def add(lo: Any, lc: bool, hi: Any, hc: bool) -> None:
        if spans and spans[-1][2] == lo and (spans[-1][3] or lc):
            spans[-1][2:] = [hi, hc]
        else:
            spans.append([lo, lc, hi, hc])

    n_roots = sum(c.root is not None for c in group)
    seen = 0
    for k, c in enumerate(group):
        lc = lo_closed if k == 0 else bool(points[c.lo].ok)
        hc = hi_closed if k == len(group) - 1 else bool(points[c.hi].ok)
        if c.root is not None:
            end = c.root[1]
            seen += 1
            star = "p*" if n_roots == 1 else f"p*_{seen}"
            if end == "upper":
                add(c.lo, lc, star, True)
            else:
                add(star, True, c.hi, hc)
        elif c.inside:
            add(c.lo, lc, c.hi, hc)
        elif lc and (k == 0):
            add(c.lo, True, c.lo, True)
    return " | ".join(f"{'[' if lc else '('}{lo}, {hi}{']' if hc else ')'}"
                      for lo, lc, hi, hc in spans)


def _simplest_between(u: sp.Rational, v: sp.Rational) -> sp.Rational:
    """The rational of least denominator in the open interval (u, v), u < v (Stern-Brocot)."""
    fl = sp.floor(u)
    if fl + 1 < v:  # an integer lies between
        return sp.Integer(fl + 1)
    # u and v share the integer part fl: recurse on the reciprocals of the fractional parts
    fu, fv = u - fl, v - fl
    if fu == 0:
        return fl + 1 / (sp.floor(1 / fv) + 1)
    return fl + 1 / _simplest_between(1 / fv, 1 / fu)


def _short_rational(lo: Any, hi: Any, near_lo: bool = True, share: int = 10
                    ) -> sp.Rational | None:
    """A rational of small denominator strictly between lo and hi (either may be infinite),
    in the 1/share of the interval next to lo (``near_lo``) or hi."""
    if not lo.is_finite:
        lo = hi - 1 if hi.is_finite else sp.Integer(-1)
    if not hi.is_finite:
        hi = lo + 1
    lo_f, hi_f = sp.Rational(sp.N(lo, 30)), sp.Rational(sp.N(hi, 30))
    w = (hi_f - lo_f) / share
    u, v = (lo_f, lo_f + w) if near_lo else (hi_f - w, hi_f)
    if not u < v:
        return None
    x = _simplest_between(u, v)
    return x if bool(lo < x) and bool(x < hi) else None


def _holds_at(f: ResolventForm, pattern: Pattern, x: Any) -> bool:
    """The cell's diagonal condition (its sign pattern's formula) holds at the end x."""
    for prec in _PRECISIONS[:3]:
        g = _diagonal_interval(f, pattern, x, prec)
        if g is not None and _sign(g) == 1:
            return True
    return False


def _comparison_cell(f: ResolventForm, pattern: Pattern, x0: Any, x1: Any,
                     q: Any) -> bool | tuple[tuple[sp.Rational, sp.Rational], str] | None:
    """The open cell (x0, x1): True when all of it is in the region, False when none is,
    (enclosure of the root, ``upper`` or ``lower``) when g changes sign in it; None when out
    of reach."""
    direction = _direction(f, pattern, q)
    if direction is None:
        return None
    at_q = _point_sign(f, pattern, q)
    if at_q is None:
        return None
    if direction == 0:
        return at_q > 0
    # g = 1/G_0 - rho, the diagonal's sign is -sign(g): g monotone, so a root lies only
    # toward the end where g moves to -g(q) = at_q; only that end's sign matters
    end = x0 if (direction > 0) == (at_q < 0) else x1
    g_end = _end_sign(f, pattern, end)
    if g_end == -at_q:  # no root in the cell
        return at_q > 0
    # the end's sign is at_q (a root) or not known (a root iff a point of that sign is found)
    enc = enclose_root(f, pattern, end, q, 300 if g_end is not None else 32)
    if enc is None:
        return None
    return enc, "upper" if direction > 0 else "lower"


# ---------------------------------------------------------------- presentation and checks


def _rel(a: Any, op: str, b: Any) -> sp.Basic:
    return {"<": sp.Lt, "<=": sp.Le}[op](a, b)


def present(region: ResolventRegion, p: sp.Symbol) -> tuple[sp.Basic, str]:
    """(Boolean, plain words): the algebraic part as :func:`set_to_condition` writes it, each
    run as {its span, the diagonal condition}, its roots named by value and enclosure."""
    from mcgen.analysis.region_presentation import set_to_condition
    exprs: list[sp.Basic] = []
    words: list[str] = []
    if not region.algebraic.is_empty:
        e, w = set_to_condition(region.algebraic, p)
        exprs.append(e)
        words.append(w)
    for run in region.runs:
        parts = []
        if run.lo.is_finite:
            parts.append(_rel(run.lo, "<=" if run.lo_closed else "<", p))
        if run.hi.is_finite:
            parts.append(_rel(p, "<=" if run.hi_closed else "<", run.hi))
        exprs.append(sp.And(*parts, run.condition))
        many = len(run.roots) > 1
        roots = "; ".join(
            f"{p}*{f'_{k}' if many else ''} = {sp.Float((a + b) / 2, 15)} in "
            f"[{sp.Float(a, 17)}, {sp.Float(b, 17)}], the one root of {run.comparison} in its "
            f"cell" for k, ((a, b), _) in enumerate(run.roots, 1))
        words.append(run.parts.replace("p*", f"{p}*") +
                     f" (where {sp.sstr(run.condition)}, i.e. the diagonal c G_0 + d of "
                     f"A^(-1) B is >= 0; {roots})")
    if not exprs:
        return sp.false, f"empty: no value of {p} qualifies"
    return sp.Or(*exprs), " | ".join(words)


def _weights2(W: Any) -> Weights:
    return {tuple(int(i) for i in k): sp.sympify(v) for k, v in dict(W).items()}


@register_check("resolvent_form",
                "A is a symmetric five- or nine-point (2-D) or seven-point (3-D) operator "
                "a0 I - sum a_i (E_k + E_k^-1) and B = c I + d A (exact polynomial identities): "
                "the solution operator is c A^(-1) + d I")
def check_resolvent_form(A: Any, B: Any, p: sp.Symbol) -> str:
    return "proved" if resolvent_form(_weights2(A), _weights2(B), p) is not None else "refuted"


@register_check("resolvent_diagonal_region",
                "the parameter set where c A^(-1) + d I >= 0 on the 2-D or 3-D lattice (A a "
                "symmetric five-, nine- or seven-point operator): cells in the parameter, the "
                "diagonal c G_0 + d (G_0 = 1/AGM(X, Y), in 3-D its trapezoid enclosure) "
                "monotone on each, its roots re-enclosed by interval arithmetic")
def check_resolvent_diagonal_region(A: Any, B: Any, p: sp.Symbol, claimed: Any,
                                    enclosures: Any) -> str:
    A2, B2 = _weights2(A), _weights2(B)
    got = decide(A2, B2, p)
    if got is None or not got.exact:
        return "unknown"
    expr, _ = present(got, p)
    if sp.sympify(claimed) != expr:
        return "refuted"
    f = resolvent_form(A2, B2, p)
    assert f is not None
    claimed_roots = [(sp.Rational(a), sp.Rational(b)) for a, b in enclosures]
    runs = [(run, enc) for run in got.runs for enc, _ in run.roots]
    if len(claimed_roots) != len(runs):
        return "refuted"
    for (a, b), (run, _) in zip(claimed_roots, runs, strict=True):
        # the claimed enclosure itself: a < b inside the run, the diagonal's signs opposite
        if not (a < b and _covers(a, run) and _covers(b, run)):
            return "refuted"
        sa, sb = _point_sign(f, run.pattern, a), _point_sign(f, run.pattern, b)
        if sa is None or sb is None:
            return "unknown"
        if sa == sb:
            return "refuted"
    return "proved"


@register_check("resolvent_point",
                "at one parameter value, c A^(-1) + d I is not >= 0 for the reason given "
                "(singular, off-diagonal, diagonal, weights): exact signs, the diagonal "
                "c G_0 + d by outward-rounded interval arithmetic", text_args=(4,))
def check_resolvent_point(A: Any, B: Any, p: sp.Symbol, x: Any, why: Any) -> str:
    f = resolvent_form(_weights2(A), _weights2(B), p)
    if f is None:
        return "unknown"
    got = decide_at(f, sp.sympify(x))
    if got.ok is None:
        return "unknown"
    return "proved" if got.ok is False and got.why == str(why) else "refuted"


__all__ = ["ResolventForm", "resolvent_form", "agm_interval", "Pattern", "decide_at",
           "PointDecision", "Run", "ResolventRegion", "critical_polys", "decide", "present",
           "enclose_root"]
