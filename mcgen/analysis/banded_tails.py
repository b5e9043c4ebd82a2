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
        z = mpmath.mpc(z)
        real = z.imag == 0
        c = iv.mpf(z.real) if real else iv.mpc(z.real, z.imag)
        d = abs(_horner(dcs, c))
        if not d.a > 0:
            return None
        r = (n * abs(_horner(cs, c)) / d).b
        if not real and not abs(iv.mpf(z.imag)).a > r:
            return None  # a non-real centre whose disk meets the real axis
        out.append((c, r, real))
    for i in range(n):
        for j in range(i):
            gap = abs(out[i][0] - out[j][0])
            if not gap.a > (iv.mpf(out[i][1]) + out[j][1]).b:
                return None
    boxes = []
    for c, r, real in out:
        rr = iv.mpf([-r, r])
        boxes.append(Root(c + rr, True) if real else
                      Root(iv.mpc(c.real + rr, c.imag + rr), False))
    return boxes


def approximate_roots(coeffs: list[Any], prec: int) -> list[Any] | None:
    """Approximate roots (mpmath, ``prec`` bits) of sum coeffs[k] z^k (rationals or floats);
    a root whose imaginary part is negligible is returned real."""
    with mpmath.workprec(prec + 20):
        cs = [mpmath.mpf(sp.Rational(c).p) / sp.Rational(c).q if not isinstance(c, mpmath.mpf)
              else c for c in coeffs]
        try:
            rs = mpmath.polyroots(cs[::-1], maxsteps=200, extraprec=prec + 40)
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
