"""Exact positivity of A^{-1} B for a banded, non-symmetric A with any number of roots of
P(z) = z^L A(z) on each side of the unit circle (:mod:`mcgen.analysis.banded_kernel` handles
at most two on each side in closed form; this module the rest, by a dominant-rate argument).

Beyond the stencil each side's entries are an exponential sum x_n = sum_i C_i lambda_i^n
(left: lambda = zeta, C = Bt(zeta) / P'(zeta) over the roots inside; right: lambda = 1/zeta,
C = -Bt(zeta) zeta^(minB - maxB - 1) / P'(zeta) over the roots outside; Bt(z) =
sum_k b_k z^(k - minB)), the entries near the stencil residue sums of the same roots.

* Pringsheim: a power series with coefficients >= 0 from some n on has a positive real
  singularity on its circle of convergence, so when no rate of maximal modulus (among those
  that B does not cancel, C != 0) is real and positive, x_n < 0 for infinitely many n.
* A strictly dominant simple rate lambda_1 > 0: C_1 < 0 gives a negative tail; C_1 > 0 gives
  x_n > 0 for n >= N0, where |x_n - C_1 lambda_1^n| <= rho^(n+1) max_(|z| = rho) |Bt / P|
  (the other roots of the side enclosed by a circle |z| = rho < lambda_1, a contour
  integral; on the right the mirror bound) is below C_1 lambda_1^n. The entries n < N0 are
  signed one by one.
* A real rate and a non-real pair of the same maximal modulus (the Positivity Problem for
  linear recurrences) and other ties of moduli are not decided: ``None``.

Roots are enclosed in disks certified by |zeta - z~| <= deg P |P(z~) / P'(z~)| (some root lies
there) and pairwise disjointness (one root each); a disk centred on the real axis holds a real
root. All arithmetic is outward-rounded (mpmath intervals), so every sign reported is exact;
a value whose interval keeps 0 is handed to an exact test (a lone root: gcd) or left open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from mpmath import iv

from mcgen.analysis.symmetric_kernel import _iv, _sign

Z = sp.Symbol("z")
N0_CAP = 400  # entries past this many are not signed one by one (left open)


def _horner(cs: list[Any], x: Any) -> Any:
    """sum cs[k] x^k (coefficients lowest first, intervals)."""
    acc = iv.mpf(0)
    for c in reversed(cs):
        acc = acc * x + c
    return acc


@dataclass(frozen=True, eq=False)
class Root:
    """A root of P enclosed in a box: ``box`` an interval (real root) or a complex interval."""

    box: Any
    real: bool

    def modulus(self) -> Any:
        return abs(self.box)


def _root_disk(z: Any, cs: list[Any], dcs: list[Any], n: int) -> tuple[Any, Any, bool] | None:
    """(centre, radius, real) of the disk of radius n |P(z~)| / |P'(z~)| about z~ that holds a
    root of P (coefficients ``cs``, derivative's ``dcs``); None when P'(z~) may vanish or a
    non-real centre's disk meets the real axis."""
    # (no conversion: mpmath.mpc(z) would round z to the working precision, 53 bits)
    real = z.imag == 0
    c = iv.mpf(z.real) if real else iv.mpc(z.real, z.imag)
    d = abs(_horner(dcs, c))
    if not d.a > 0:
        return None
    r = (n * abs(_horner(cs, c)) / d).b
    if not real and not abs(iv.mpf(z.imag)).a > r:
        return None
    return c, r, real


def _disjoint(disks: list[tuple[Any, Any]]) -> bool:
    """The disks (centre, radius) are pairwise disjoint (certified)."""
    return all(abs(disks[i][0] - disks[j][0]).a > (iv.mpf(disks[i][1]) + disks[j][1]).b
               for i in range(len(disks)) for j in range(i))


def root_boxes(cs: list[Any], approx: list[Any]) -> list[Root] | None:
    """Certified enclosures of all roots of the polynomial with interval coefficients ``cs``
    (lowest first; an interval over a range of the parameter encloses every polynomial in it)
    from approximations ``approx``: a disk of radius n |P(z~)| / |P'(z~)| about each holds a
    root; pairwise disjoint disks hold one each. None when not certified."""
    n = len(cs) - 1
    if n < 1 or len(approx) != n:
        return None
    dcs = [k * c for k, c in enumerate(cs)][1:]
    out: list[tuple[Any, Any, bool]] = []
    for z in approx:
        disk = _root_disk(z, cs, dcs, n)
        if disk is None:
            return None
        out.append(disk)
    if not _disjoint([(c, r) for c, r, _ in out]):
        return None
    boxes = []
    for c, r, real in out:
        rr = iv.mpf([-r, r])
        boxes.append(Root(c + rr, True) if real else
                      Root(iv.mpc(c.real + rr, c.imag + rr), False))
    return boxes


def approximate_roots(coeffs: list[Any], prec: int) -> list[Any] | None:
    """Approximate roots (mpmath, ``prec`` bits; NumPy's for ``prec`` <= 53) of sum
    coeffs[k] z^k (rationals); a root whose imaginary part is negligible is returned real.
    Only a starting point: :func:`root_boxes` certifies."""
    if prec <= 53:
        rs = np.roots([float(c) for c in coeffs[::-1]])
        if not np.all(np.isfinite(rs)):
            return None
        return [mpmath.mpf(float(r.real)) if abs(r.imag) < 1e-9 * (1 + abs(r))
                else mpmath.mpc(complex(r)) for r in rs]
    with mpmath.workprec(prec + 20):
        cs = [mpmath.mpf(sp.Rational(c).p) / sp.Rational(c).q if not isinstance(c, mpmath.mpf)
              else c for c in coeffs]
        try:
            rs = mpmath.polyroots(cs[::-1], maxsteps=200, extraprec=40)
        except mpmath.libmp.NoConvergence:
            return None
        tol = mpmath.mpf(2)**(-prec // 2)
        return [mpmath.mpf(mpmath.re(r)) if abs(mpmath.im(r)) < tol * (1 + abs(r))
                else mpmath.mpc(r) for r in rs]


def point_roots(P: sp.Poly, prec: int) -> list[Root] | None:
    """Certified root boxes of P (rational coefficients) at ``prec`` bits."""
    iv.prec = prec
    coeffs = [P.coeff_monomial(Z**k) for k in range(P.degree() + 1)]
    approx = approximate_roots(coeffs, prec)
    if approx is None:
        return None
    got = root_boxes([_iv(c) for c in coeffs], approx)
    if got is not None and sum(r.real for r in got) != P.count_roots():
        return None  # (cannot happen: a real-centred disk holds one real root)
    return got


# ---------------------------------------------------------------- entries and tails


class ResidueKernel:
    """Entries of A^{-1} B at numeric weights from root boxes: g_j = [z^j] 1/P on the unit
    circle is sum_(inside) zeta^(-j-1) / P'(zeta) for j < 0 and -sum_(outside) zeta^(-j-1) /
    P'(zeta) for j >= 0 (residues of 1/P, simple roots)."""

    def __init__(self, P: sp.Poly, L: int, roots: list[Root], prec: int) -> None:
        iv.prec = prec
        self.prec, self.L = prec, L
        self.cs = [_iv(P.coeff_monomial(Z**k)) for k in range(P.degree() + 1)]
        dcs = [k * c for k, c in enumerate(self.cs)][1:]
        self.inside = [r for r in roots if r.modulus().b < 1]
        self.outside = [r for r in roots if r.modulus().a > 1]
        self.ok = len(self.inside) + len(self.outside) == len(roots)
        self.dP = {id(r): _horner(dcs, r.box) for r in roots}

    def g(self, j: int) -> Any:
        iv.prec = self.prec
        side = self.inside if j < 0 else self.outside
        acc = iv.mpf(0)
        for r in side:
            acc = acc + r.box**(-j - 1) / self.dP[id(r)]
        acc = acc if j < 0 else -acc
        return acc.real if isinstance(acc, iv.mpc) else acc

    def h(self, B: dict[int, Any], m: int) -> Any:
        iv.prec = self.prec
        return sum((_iv(b) * self.g(m - k - self.L) for k, b in B.items()), iv.mpf(0))

    def rates(self, B: dict[int, Any], side: str) -> list[tuple[Root, Any, Any]]:
        """(root, rate, C) of one side's tail for block B."""
        iv.prec = self.prec
        lo, hi = min(B), max(B)
        bt = [_iv(B.get(k, 0)) for k in range(lo, hi + 1)]
        out = []
        for r in self.inside if side == "left" else self.outside:
            c = _horner(bt, r.box) / self.dP[id(r)]
            if side == "left":
                out.append((r, r.box, c))
            else:
                out.append((r, 1 / r.box, -c * r.box**(lo - hi - 1)))
        return out


def _real(x: Any) -> Any:
    return x.real if isinstance(x, iv.mpc) else x


def tail_verdict(rates: list[tuple[Root, Any, Any]], cancelled: list[bool]
                 ) -> tuple[str, Any] | None:
    """One side's tail sum C_i lambda_i^n: ("ok", N0) (x_n > 0 for n >= N0), ("fail",
    "oscillating" / "tail"), or None when not decided at this precision (or a tie of moduli).
    ``cancelled[i]``: C_i is exactly 0 (B shares the root)."""
    live = [t for t, c in zip(rates, cancelled, strict=True) if not c]
    if not live:
        return ("ok", 0)
    mods = [abs(lam) for _, lam, _ in live]
    top = max(m.a for m in mods)
    group = [i for i, m in enumerate(mods) if m.b >= top]

    def positive(i: int) -> bool:
        return live[i][0].real and _real(live[i][1]).a > 0

    def not_positive(i: int) -> bool:
        return not live[i][0].real or _real(live[i][1]).b < 0

    if all(not_positive(i) for i in group):
        # Pringsheim: no positive real rate of maximal modulus
        return ("fail", "oscillating" if any(not live[i][0].real for i in group) else "tail")
    if len(group) != 1 or not positive(group[0]):
        return None
    _, lam, c1 = live[group[0]]
    c1 = _real(c1)
    if c1.b < 0:
        return ("fail", "tail")
    if not c1.a > 0:
        return None
    lam1 = _real(lam).a
    terms = [(abs(c).b, (iv.mpf(mods[i].b) / lam1).b) for i, (_, _, c) in enumerate(live)
             if i != group[0]]
    for n in range(N0_CAP):
        if sum((iv.mpf(a) * iv.mpf(r)**n for a, r in terms), iv.mpf(0)).b < c1.a:
            return ("ok", n)
    return None


def _cancelled(P: sp.Poly, B: dict[int, Any], roots: list[Root]) -> list[bool] | None:
    """Which roots B cancels exactly (roots of gcd(P, Bt)): the boxes where gcd may vanish,
    when there are exactly deg gcd of them; None otherwise (refine)."""
    lo = min(B)
    bt = sp.Poly(sum(b * Z**(k - lo) for k, b in B.items()), Z)
    g = sp.gcd(P, bt) if bt.degree() > 0 else sp.Poly(1, Z)
    if g.degree() < 1:
        return [False] * len(roots)
    gc = [_iv(g.coeff_monomial(Z**k)) for k in range(g.degree() + 1)]
    hit = [not abs(_horner(gc, r.box)).a > 0 for r in roots]
    return hit if sum(hit) == g.degree() else None


ExactSign = Any  # (block, m) -> int | None: the exact sign of an entry (a fallback)


def decide_point(P: sp.Poly, L: int, Bs: list[dict[int, Any]], precisions: tuple[int, ...],
                 exact_sign: ExactSign = None
                 ) -> tuple[list[tuple[int, Any]], bool]:
    """(failures (block, m or "tail" / "oscillating"), undecided) at numeric weights, P
    squarefree with no root on the unit circle: each side's tail by :func:`tail_verdict`, then
    the entries up to its N0 (and the stencil's) signed. ``exact_sign`` signs an entry whose
    interval keeps 0 (None: left undecided)."""
    fails: list[tuple[int, Any]] = []
    undecided = False
    for i, B in enumerate(Bs):
        if not B:
            continue
        mL, mR = L + min(B) - 1, L + max(B)
        got: tuple[list[tuple[int, Any]], bool] | None = None
        for prec in precisions:
            roots = point_roots(P, prec)
            if roots is None:
                continue
            k = ResidueKernel(P, L, roots, prec)
            cancel = _cancelled(P, B, roots)
            if not k.ok or cancel is None:
                continue
            verdicts = []
            for side, box in (("left", k.inside), ("right", k.outside)):
                cs = [cancel[next(j for j, q in enumerate(roots) if q is r)] for r in box]
                verdicts.append(tail_verdict(k.rates(B, side), cs))
            if any(v is None for v in verdicts) and prec != precisions[-1]:
                continue
            block: list[tuple[int, Any]] = []
            open_ = False
            n0 = [2, 2]
            for s, v in enumerate(verdicts):
                if v is None:
                    open_ = True
                elif v[0] == "fail":
                    block.append((i, v[1]))
                else:
                    n0[s] = max(2, v[1])
            ms = range(mL - n0[0] + 1, mR + n0[1])
            vals = {m: k.h(B, m) for m in ms}
            if any(_sign(v) is None for v in vals.values()) and prec != precisions[-1]:
                continue
            for m, v in vals.items():
                s_ = _sign(v)
                if s_ is None and exact_sign is not None:
                    s_ = exact_sign(i, m)
                if s_ is None:
                    open_ = True
                elif s_ < 0:
                    block.append((i, m))
            got = (block, open_)
            break
        if got is None:
            undecided = True
            continue
        fails += got[0]
        undecided = undecided or got[1]
    return fails, undecided


# ---------------------------------------------------------------- structure in the parameter


def _power_sums(a: list[Any], count: int) -> list[Any]:
    """s_1..s_count of the roots of sum a[k] z^k (Newton), in the coefficients' field."""
    n = len(a) - 1
    e = [a[n] / a[n]] + [(-1)**j * a[n - j] / a[n] for j in range(1, n + 1)]
    s: list[Any] = []
    for k in range(1, count + 1):
        v = (-1)**(k - 1) * k * e[k] if k <= n else e[0] * 0
        for j in range(1, min(k - 1, n) + 1):
            v += (-1)**(j - 1) * e[j] * s[k - j - 1]
        s.append(v)
    return s


def _from_power_sums(t: list[Any]) -> list[Any]:
    """Coefficients (highest first) of the monic polynomial whose roots have the power sums
    t_1..t_N (Newton's identities)."""
    N = len(t)
    e = [t[0] / t[0] if t[0] != 0 else t[0]**0]
    for k in range(1, N + 1):
        e.append(sum(((-1)**(j - 1) * e[k - j] * t[j - 1] for j in range(1, k + 1)),
                     e[0] * 0) / k)
    return [(-1)**k * e[k] for k in range(N + 1)]


def equal_modulus_poly(P: sp.Poly) -> sp.Expr:
    """A polynomial in P's coefficients (in the parameter) vanishing where a product of two
    distinct roots of P equals the square of a root: res_w(S, Q2), S(w) with the roots
    zeta_i zeta_j (i < j), Q2 with the roots zeta_k^2. A real rate and a non-real pair of
    the same modulus (r^2 = c conj(c)) is such a point. Computed over the field Q(p)."""
    n = P.degree()
    syms = sorted(P.free_symbols - {Z}, key=str)
    t_ = sp.Dummy("t")
    expr = P.as_expr().subs(syms[0], t_) if syms else P.as_expr()
    K = sp.QQ.frac_field(t_) if syms else sp.QQ
    a = [K.from_sympy(sp.expand(expr).coeff(Z, k)) for k in range(n + 1)]
    N = n * (n - 1) // 2
    s = _power_sums(a, 2 * N)
    one = a[n] / a[n]
    tt = [(s[k - 1]**2 - s[2 * k - 1]) * (one / 2) for k in range(1, N + 1)]
    w = sp.Dummy("w")
    S = sp.Poly(_from_power_sums(tt), w, domain=K)
    Q2 = sp.Poly(_from_power_sums([s[2 * k - 1] for k in range(1, n + 1)]), w, domain=K)
    r = K.to_sympy(S.resultant(Q2).LC() if isinstance(S.resultant(Q2), sp.Poly)
                   else S.resultant(Q2))
    r = sp.numer(sp.together(r))
    return sp.expand(r.subs(t_, syms[0]) if syms else r)


# ---------------------------------------------------------------- a uniform N0 over an interval


class _Family:
    """P(z; p) and Bt(z; p) with their coefficients as interval functions of p."""

    def __init__(self, P: sp.Poly, B: dict[int, Any], p: sp.Symbol) -> None:
        self.p = p
        self.n = P.degree()
        self.P = [sp.Poly(sp.expand(P.as_expr()).coeff(Z, k), p) for k in range(self.n + 1)]
        lo, hi = min(B), max(B)
        self.shift = lo - hi - 1
        self.B = [sp.Poly(sp.expand(sp.sympify(B.get(k, 0))), p) for k in range(lo, hi + 1)]
        self.Psym = P

    @staticmethod
    def _at(f: sp.Poly, I: Any) -> Any:
        acc = iv.mpf(0)
        for c in f.all_coeffs():
            acc = acc * I + _iv(c)
        return acc

    def coeffs(self, I: Any) -> tuple[list[Any], list[Any]]:
        return [self._at(f, I) for f in self.P], [self._at(f, I) for f in self.B]

    def point(self, x: Any) -> sp.Poly:
        return sp.Poly([f.eval(x) for f in self.P][::-1], Z)


def _circle_sup(pc: list[Any], bc: list[Any], radius: Any, shift: int) -> Any:
    """sup over |z| = radius of |Bt(z) z^shift / P(z)| (all coefficient intervals), or None
    when |P| is not certified > 0 on the circle: the upper half circle (real coefficients)
    in 32 arcs, an arc bisected where |P| is not certified > 0 (up to 2^-12 of it)."""
    sup = iv.mpf(0)
    todo = [(mpmath.pi * j / 32, mpmath.pi * (j + 1) / 32, 0) for j in range(32)]
    while todo:
        t0, t1, d = todo.pop()
        th = iv.mpf([t0, t1])
        z = iv.mpc(radius * iv.cos(th), radius * iv.sin(th))
        den = abs(_horner(pc, z))
        if not den.a > 0:
            if d >= 12:
                return None
            tm = (t0 + t1) / 2
            todo += [(t0, tm, d + 1), (tm, t1, d + 1)]
            continue
        val = abs(_horner(bc, z)) * iv.mpf(radius)**shift / den
        sup = iv.mpf([0, max(sup.b, val.b)])
    return sup


def _piece_n0(fam: _Family, side: str, k_side: int, a: Any, b: Any, cell: Any = None
              ) -> int | None:
    """N0 valid for every p in [a, b] on one side, whose dominant rate at the midpoint is
    real, positive and strictly dominant (None otherwise): the dominant root bracketed over
    the interval (P changes sign across the bracket, P' keeps its sign in it), the others
    kept inside (left) or outside (right) a circle on which |P| > 0, their sum bounded by the
    contour integral."""
    iv.prec = 80
    if k_side < 2:
        return 0
    mid = (a + b) / 2
    if cell is not None and not (bool(cell[0] < mid) and bool(mid < cell[1])):
        return None  # the midpoint identifies the dominant root: it must be in the cell
    roots = point_roots(fam.point(mid), 53)
    iv.prec = 80
    if roots is None or len(roots) != fam.n:
        return None
    ins = [r for r in roots if r.modulus().b < 1]
    outs = [r for r in roots if r.modulus().a > 1]
    mine = ins if side == "left" else outs
    if len(ins) + len(outs) != fam.n or len(mine) != k_side:
        return None
    key = (lambda r: -r.modulus().b) if side == "left" else (lambda r: r.modulus().a)
    mine = sorted(mine, key=key)
    z1, z2 = mine[0], mine[1]
    if not z1.real or not z1.box.a > 0:
        return None
    zm = sp.Rational(float(z1.box.mid))
    if side == "left":
        gap_lo, gap_hi = z2.modulus().b, z1.box.a
    else:
        gap_lo, gap_hi = z1.box.b, z2.modulus().a
    if not gap_hi > gap_lo:
        return None
    best = _boxed_n0(fam, side, k_side, a, b, cell)
    if best is not None:
        return best
    for t in (0.5, 0.25, 0.125):  # a circle close to the other roots: a small N0
        lo_g, hi_g = float(gap_lo), float(gap_hi)
        circ = sp.Rational(lo_g + (hi_g - lo_g) * t if side == "left" else
                           hi_g - (hi_g - lo_g) * t)  # rho (left) or R (right)
        if not gap_lo < _iv(circ) < gap_hi:
            continue
        got = _piece_n0_at(fam, side, zm, circ, a, b)
        if got is not None and (best is None or got < best):
            best = got
    return best


def _boxed_n0(fam: _Family, side: str, k_side: int, a: Any, b: Any, cell: Any = None
              ) -> int | None:
    """N0 over [a, b] from boxes of each root of the side over the piece
    (:func:`side_boxes`): sum_(i >= 2) |C_i| (|lambda_i| / lambda_1)^n < C_1 with every
    quantity enclosed over the piece (sharper than the contour bound, but needs the roots
    apart). ``cell``: the exact ends of the dominance cell [a, b] lies in (a tie of moduli
    at an end is then allowed, :func:`_tied_n0`)."""
    I = iv.mpf([_iv(a).a, _iv(b).b])
    pc, bc = fam.coeffs(I)
    approx = approximate_roots([c for c in fam.point((a + b) / 2).all_coeffs()[::-1]], 53)
    boxes = None if approx is None else side_boxes(pc, approx, side, k_side)
    if boxes is None:
        return None
    dcs = [k * c for k, c in enumerate(pc)][1:]
    rates = []
    for r in boxes:
        c = _horner(bc, r.box) / _horner(dcs, r.box)
        rates.append((r, r.box, c) if side == "left" else
                     (r, 1 / r.box, -c * r.box**fam.shift))
    got = tail_verdict(rates, [False] * len(rates))
    if got is not None and got[0] == "ok":
        return got[1]
    mid = (a + b) / 2
    if cell is None or not (bool(cell[0] < mid) and bool(mid < cell[1])):
        return None
    return _tied_n0(fam, side, mid, boxes, rates)


def _tied_n0(fam: _Family, side: str, mid: Any, boxes: list[Root],
             rates: list[tuple[Root, Any, Any]]) -> int | None:
    """N0 over a piece of a dominance cell (no two rates of the side reach equal modulus
    inside it, and its sample's dominant rate lambda_1 is real and positive), one end of
    which may be a tie of moduli: on the closed cell |lambda_i| <= lambda_1, so each ratio
    is bounded by min(its enclosure, 1); N0 exists when C_1 exceeds the sum of the tied
    rates' |C_i|. lambda_1 is the piece box holding the dominant root certified at the
    midpoint (inside the cell)."""
    pr = point_roots(fam.point(mid), 53)
    iv.prec = 80
    if pr is None:
        return None
    mine = [r for r in pr if (r.modulus().b < 1 if side == "left" else r.modulus().a > 1)]
    if len(mine) != len(boxes):
        return None
    mods = [r.modulus() if side == "left" else 1 / r.modulus() for r in mine]
    top = max(range(len(mine)), key=lambda i: mods[i].a)
    if not mine[top].real or not mine[top].box.a > 0 or any(
            mods[i].b >= mods[top].a for i in range(len(mine)) if i != top):
        return None
    t = mine[top].box
    hit = [i for i, r in enumerate(boxes) if r.real and r.box.b >= t.a and t.b >= r.box.a]
    if len(hit) != 1:
        return None
    _, lam, c1 = rates[hit[0]]
    c1, lam1 = _real(c1), _real(lam).a
    if not (c1.a > 0 and lam1 > 0):
        return None
    terms = [(abs(c).b, min((abs(lm) / lam1).b, iv.mpf(1).b))
             for i, (_, lm, c) in enumerate(rates) if i != hit[0]]
    for n in range(N0_CAP):
        if sum((iv.mpf(x) * iv.mpf(r)**n for x, r in terms), iv.mpf(0)).b < c1.a:
            return n
    return None


def _piece_n0_at(fam: _Family, side: str, zm: Any, circ: Any, a: Any, b: Any) -> int | None:
    """:func:`_piece_n0` with the circle of radius ``circ`` and the dominant root near
    ``zm``."""
    delta = abs(zm - circ) / 2
    # the bracket may reach across the unit circle (a dominant root that crosses it at the
    # cell's end): in the cell the side's one root outside the circle |z| = circ (left:
    # inside it) is real, of one sign, on the cell's side of |z| = 1 and never at the
    # bracket's ends, so it stays the bracket's only root
    I = iv.mpf([_iv(a).a, _iv(b).b])
    pc, bc = fam.coeffs(I)
    dpc = [k * c for k, c in enumerate(pc)][1:]

    def sgn(x: Any) -> int | None:
        return _sign(_horner(pc, _iv(x)))

    lo_, hi_ = zm - delta, zm + delta
    s_lo, s_hi = sgn(lo_), sgn(hi_)
    if s_lo is None or s_hi is None or s_lo == 0 or s_lo != -s_hi:
        return None
    for t in (sp.Rational(1, 2**j) for j in range(1, 40)):  # tighten the bracket
        c_lo = zm - (zm - lo_) * t
        if sgn(c_lo) != s_lo:
            break
        lo_ = c_lo
    for t in (sp.Rational(1, 2**j) for j in range(1, 40)):
        c_hi = zm + (hi_ - zm) * t
        if sgn(c_hi) != s_hi:
            break
        hi_ = c_hi
    X = iv.mpf([_iv(lo_).a, _iv(hi_).b])
    dX = _horner(dpc, X)
    if _sign(dX) in (None, 0):
        return None
    sup = _circle_sup(pc, bc, _iv(circ), 0 if side == "left" else fam.shift)
    if sup is None:
        return None
    c1 = _horner(bc, X) / dX
    if side == "right":
        c1 = -c1 * X**fam.shift
    if not c1.a > 0:
        return None
    circ_iv = _iv(circ)
    if side == "left":  # |rest| <= rho^(n+1) sup < C_1 lambda_1^n
        ratio, const = (circ_iv / X.a).b, (circ_iv * sup).b
    else:  # |rest| <= R^(1-n) sup < C_1 zeta_1^-n
        ratio, const = (iv.mpf(X.b) / circ_iv).b, (circ_iv * sup).b
    if not ratio < 1:
        return None
    for n in range(N0_CAP):
        if (iv.mpf(const) * iv.mpf(ratio)**n).b < c1.a:
            return n
    return None


def uniform_n0(P: sp.Poly, B: dict[int, Any], p: sp.Symbol, side: str, k_side: int,
               a: Any, b: Any, depth: int = 7, cell: Any = None
               ) -> list[tuple[Any, Any, int]] | None:
    """Pieces (x0, x1, N0) covering [a, b] (rationals), x_n > 0 on ``side`` for n >= N0 and
    every p in the piece, by bisection into at most 2^depth pieces (:func:`_piece_n0`); None
    when some piece is not certified (a tie of moduli at an end, say). ``cell``: the exact
    ends (e0, e1) of the dominance cell whose closure [a, b] encloses (no tie of moduli of
    the side inside, its dominant rate real and positive); then a tie at an end is
    allowed where the dominant coefficient exceeds the tied ones."""
    fam = _Family(P, B, p)
    todo = [(sp.Rational(a), sp.Rational(b), 0)]
    out = []
    while todo:
        x0, x1, d = todo.pop()
        got = _piece_n0(fam, side, k_side, x0, x1, cell)
        if got is None:
            if d >= depth:
                return None
            m = (x0 + x1) / 2
            todo += [(x0, m, d + 1), (m, x1, d + 1)]
            continue
        out.append((x0, x1, got))
    return sorted(out)


def side_boxes(cs: list[Any], approx: list[Any], side: str, k_side: int) -> list[Root] | None:
    """Boxes of the ``k_side`` roots inside (side "left") or outside the unit circle, for
    every polynomial with coefficients in the intervals ``cs`` that has exactly k_side roots
    there: disjoint disks of radius n |P(z~)| / |P'(z~)| about the approximations on that
    side, each on that side, hold one root each (the others need no box: a root near 0 or
    infinity elsewhere does not matter)."""
    n = len(cs) - 1
    dcs = [k * c for k, c in enumerate(cs)][1:]
    mine = [z for z in approx if (abs(z) < 1) == (side == "left")]
    if len(mine) != k_side:
        return None
    out = []
    for z in mine:
        disk = _root_disk(z, cs, dcs, n)
        if disk is None:
            return None
        c, r, real = disk
        rr = iv.mpf([-r, r])
        box = c + rr if real else iv.mpc(c.real + rr, c.imag + rr)
        m = abs(box)
        if not (m.b < 1 if side == "left" else m.a > 1):
            return None
        out.append((c, r, Root(box, real)))
    if not _disjoint([(c, r) for c, r, _ in out]):
        return None
    return [o[2] for o in out]


def _overlap(u: Any, v: Any) -> bool:
    """Two boxes (real or complex intervals) may share a point."""
    ur, ui = (u.real, u.imag) if isinstance(u, iv.mpc) else (u, iv.mpf(0))
    vr, vi = (v.real, v.imag) if isinstance(v, iv.mpc) else (v, iv.mpf(0))
    return bool(ur.b >= vr.a and vr.b >= ur.a and ui.b >= vi.a and vi.b >= ui.a)


def boxes_of_side(fam: _Family, pc: list[Any], a: Any, b: Any, side: str, k_side: int
                  ) -> list[Root] | None:
    """Boxes over [a, b] (midpoint in the cell) of the side's roots: :func:`side_boxes`, or,
    where a box meets the unit circle (a root crossing it at the cell's end), boxes of all
    roots (one each) with the side read at the midpoint: each piece box meets exactly one
    certified midpoint box, whose modulus says the side (a root does not cross the circle
    inside the cell)."""
    mid = (sp.Rational(a) + sp.Rational(b)) / 2
    approx = approximate_roots([c for c in fam.point(mid).all_coeffs()[::-1]], 53)
    if approx is None:
        return None
    got = side_boxes(pc, approx, side, k_side)
    if got is not None:
        return got
    every = root_boxes(pc, approx)
    pr = point_roots(fam.point(mid), 80)
    iv.prec = 80
    if every is None or pr is None:
        return None
    out = []
    for r in every:
        hit = [q for q in pr if _overlap(r.box, q.box)]
        if len(hit) != 1:
            return None
        m = hit[0].modulus()
        if not (m.b < 1 or m.a > 1):
            return None
        if (m.b < 1) == (side == "left"):
            out.append(r)
    return out if len(out) == k_side else None


def entries_positive_over(P: sp.Poly, L: int, B: dict[int, Any], p: sp.Symbol, a: Any,
                          b: Any, ms: list[int], side: str, k_side: int, depth: int = 5,
                          cell: Any = None) -> set[int]:
    """The offsets m among ``ms`` (all on ``side``, k_side roots there) whose entry of
    A^{-1} B is NOT certified > 0 for every p in [a, b] of the cell: that side's roots boxed
    over the piece (:func:`side_boxes`), the entry summed by residues; a piece not certified
    is bisected up to ``depth`` times. ``cell``: the exact ends of the cell (a piece's
    midpoint must lie in it: the side of a root is read there)."""
    fam = _Family(P, B, p)
    todo = [(sp.Rational(a), sp.Rational(b), 0, list(ms))]
    bad: set[int] = set()
    while todo:
        x0, x1, d, left = todo.pop()
        left = [m for m in left if m not in bad]
        if not left:
            continue
        iv.prec = 80
        I = iv.mpf([_iv(x0).a, _iv(x1).b])
        pc, _ = fam.coeffs(I)
        mid = (x0 + x1) / 2
        inside = cell is None or (bool(cell[0] < mid) and bool(mid < cell[1]))
        boxes = boxes_of_side(fam, pc, x0, x1, side, k_side) if inside else None
        open_ = list(left)
        if boxes is not None:
            k = ResidueKernel.__new__(ResidueKernel)
            k.prec, k.L, k.cs = 80, L, pc
            dcs = [j * c for j, c in enumerate(pc)][1:]
            k.inside, k.outside = (boxes, []) if side == "left" else ([], boxes)
            k.dP = {id(r): _horner(dcs, r.box) for r in boxes}
            Bv = {j: fam._at(sp.Poly(sp.sympify(w), p), I) for j, w in B.items()}
            open_ = []
            for m in left:
                v = sum((Bv[j] * k.g(m - j - L) for j in B), iv.mpf(0))
                if not v.a > 0:
                    open_.append(m)
        if not open_:
            continue
        if d >= depth:
            bad |= set(open_)
            continue
        mid = (x0 + x1) / 2
        todo += [(x0, mid, d + 1, open_), (mid, x1, d + 1, open_)]
    return bad


def structural_fail_over(P: sp.Poly, L: int, B: dict[int, Any], p: sp.Symbol, a: Any,
                         b: Any) -> bool:
    """True when for every p in [a, b] (rationals) one side's tail of A^{-1} B fails by its
    dominant rates (:func:`tail_verdict`: no positive real rate among those of maximal
    modulus, or a strictly dominant positive one with C_1 < 0). Only the side's outer roots
    are boxed (disjoint disks in the annulus between a circle |z| = rho and the unit circle,
    |P| > 0 on both circles over [a, b], the count in the annulus taken at the midpoint), so
    a double root among the smaller ones does no harm. B must cancel no root of P there
    (res(P, Bt) != 0 on [a, b])."""
    fam = _Family(P, B, p)
    mid = (sp.Rational(a) + sp.Rational(b)) / 2
    pr = point_roots(fam.point(mid), 80)
    iv.prec = 80
    if pr is None:
        return False
    I = iv.mpf([_iv(a).a, _iv(b).b])
    pc, bc = fam.coeffs(I)
    dcs = [k * c for k, c in enumerate(pc)][1:]
    n = len(pc) - 1
    if _circle_sup(pc, bc, iv.mpf(1), 0) is None:
        return False  # a root may cross the unit circle in [a, b]
    for side in ("left", "right"):
        mine = [r for r in pr if (r.modulus().b < 1 if side == "left" else r.modulus().a > 1)]
        if not mine:
            continue
        size = [(r.modulus() if side == "left" else 1 / r.modulus()) for r in mine]
        top = max(m.a for m in size)
        outer = [r for r, m in zip(mine, size, strict=True) if m.b >= top]
        inner = [m for m, r in zip(size, mine, strict=True) if not m.b >= top]
        mods_outer = [r.modulus() for r in outer]
        if inner:  # the circle between the inner roots and the outer ones
            rims = [r.modulus() for r, m in zip(mine, size, strict=True) if not m.b >= top]
            lo_g = max(m.b for m in rims) if side == "left" else min(m.b for m in mods_outer)
            hi_g = min(m.a for m in mods_outer) if side == "left" else min(m.a for m in rims)
            circ = sp.Rational((float(lo_g) + float(hi_g)) / 2)
            if not lo_g < _iv(circ) < hi_g or \
                    _circle_sup(pc, bc, _iv(circ), 0) is None:
                continue
            band = (_iv(circ), iv.mpf(1)) if side == "left" else (iv.mpf(1), _iv(circ))
        else:
            band = (iv.mpf(0), iv.mpf(1)) if side == "left" else (iv.mpf(1), None)
        rates = []
        disks = []
        for r in outer:
            c = r.box.mid if r.real else iv.mpc(r.box.real.mid, r.box.imag.mid)
            d = abs(_horner(dcs, c))
            if not d.a > 0:
                break
            rad = (n * abs(_horner(pc, c)) / d).b
            if not r.real and not abs(c.imag).a > rad:
                break
            rr = iv.mpf([-rad, rad])
            box = c + rr if r.real else iv.mpc(c.real + rr, c.imag + rr)
            m = abs(box)
            if not (m.a > band[0].b and (band[1] is None or m.b < band[1].a)):
                break
            disks.append((c, rad))
            cc = _horner(bc, box) / _horner(dcs, box)
            root = Root(box, r.real)
            rates.append((root, box, cc) if side == "left" else
                         (root, 1 / box, -cc * box**fam.shift))
        else:
            if any(not abs(disks[i][0] - disks[j][0]).a > (iv.mpf(disks[i][1]) + disks[j][1]).b
                   for i in range(len(disks)) for j in range(i)):
                continue
            got = tail_verdict(rates, [False] * len(rates))
            if got is not None and got[0] == "fail":
                return True
    return False
