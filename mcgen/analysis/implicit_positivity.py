"""Exact positivity of an implicit 1-D scheme A u^{n+1} = B_0 u^n + B_1 u^{n-1} (one parameter p).

The solution operator (for three levels the companion operator on (u^n, u^{n-1}), whose second
row is the identity) is non-negative iff every block A^{-1} B_i is: u^{n+1} >= 0 for all
non-negative data is the first step's requirement already, and then every later step inherits
it. For a tridiagonal A the entries of A^{-1} B_i are finitely many polynomials
E_m(p, lambda) at the decay rate lambda(p) of the inverse kernel
(:mod:`mcgen.analysis.implicit_kernel`), on the lattice (Cauchy problem) or on N periodic cells.

The set of p where all are >= 0 is decided exactly by cells in p: the sign of E_m(p, lambda(p))
changes only at roots of res_lambda(E_m, F) (F the polynomial lambda is a root of), and lambda(p)
itself is continuous between the roots of a_{-1}, a_0, a_1, A(1), A(-1) and disc(F). One
rational sample per cell decides it (lambda there a quadratic irrationality, signed by
:func:`mcgen.proof.sturm.sign_at`); rational critical values are decided directly, irrational
ones by continuity when a neighbouring cell is in the region. A failing cell keeps its witness:
the parameter value, the block and the offset m of a negative entry (data u = delta at cell
j + m give u^{n+1}_j < 0).

Crank-Nicolson for the heat equation: positive exactly for r <= 3/2 on the lattice (the M-matrix
bound is r <= 1); the theta-method for 0 <= theta < 1 exactly for 4 (1 - theta)^2 r <= 2 - theta.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.analysis import banded_kernel, banded_tails, symmetric_kernel
from mcgen.analysis.implicit_kernel import (
    LAM,
    characteristic,
    entry_polys,
    entry_signs_at,
    entry_value,
    tridiagonal,
)
from mcgen.proof.check import register_check
from mcgen.proof.sturm import (
    _domain,
    _isolating,
    _min_poly,
    rational_between,
    real_roots,
    relational_set,
    sign_at,
)

Weights = dict[int, Any]


@dataclass(frozen=True)
class KernelRegion:
    """The decided set of p, whether it is exact, and a counterexample per failing cell
    ``(p value, block, m)``: entry m of block A^{-1} B_block is negative there (for a wide A,
    m may be ``"tail"``, a negative dominant tail, or ``"oscillating"``, non-real decay
    rates)."""

    region: sp.Set
    exact: bool
    witnesses: tuple[tuple[Any, int, Any], ...]


def _subs(W: Weights, p: sp.Symbol, x: Any) -> Weights:
    return {k: sp.sympify(v).subs(p, x) for k, v in W.items()}


def _structural(A: Weights) -> list[sp.Expr]:
    """Polynomials in p whose roots are the only places lambda(p) may jump or the kernel's
    form change: a_{-1}, a_0, a_1, A(1), A(-1) and the discriminant of F."""
    am, a0, ap = tridiagonal(A)  # type: ignore[misc]
    polys = [am, a0, ap, a0 + am + ap, a0 - am - ap]
    _, F = characteristic(A)
    if F is not None and sp.degree(F, LAM) == 2:
        a, b, c = sp.Poly(F, LAM).all_coeffs()
        polys.append(sp.expand(b**2 - 4 * a * c))
    return polys


def _resultant(A: Weights, E: sp.Expr) -> sp.Expr:
    """A polynomial in p vanishing wherever E(p, lambda(p)) = 0: res_lambda(F, E), computed
    from the pseudo-remainder of E by F (F of degree <= 2), in polynomial arithmetic."""
    _, F = characteristic(A)
    if F is None or not E.has(LAM):
        return sp.expand(E.subs(LAM, 0)) if F is None else E
    params = sorted((E.free_symbols | F.free_symbols) - {LAM}, key=str)
    gens = (LAM, *params)
    Fp = sp.Poly(F, *gens)
    r = sp.prem(sp.Poly(E, *gens), Fp)  # lc(F)^k E mod F: same roots where lc(F) != 0
    if Fp.degree(LAM) == 1:
        return r.as_expr()

    def part(P: sp.Poly, k: int) -> sp.Poly:  # the coefficient of lambda^k, in the params
        return sp.Poly.from_dict({mono[1:]: c for mono, c in P.terms() if mono[0] == k} or
                                 {(0,) * len(params): 0}, *params) if params else \
            sp.Poly(P.coeff_monomial(LAM**k), LAM)

    a, b, c = (part(Fp, k) for k in (2, 1, 0))
    u, v = part(r, 0), part(r, 1)
    return (a * u**2 - b * u * v + c * v**2).as_expr()  # res(F, u + v lambda)


def _crit_polys(A: Weights, Bs: list[Weights], N: int | None) -> list[sp.Expr]:
    return _structural(A) + [_resultant(A, E) for B in Bs for _, E in entry_polys(A, B, N)]


def distinct_real_roots(polys: list[sp.Expr], v: sp.Symbol) -> set[Any]:
    """The real roots in v of the non-zero polynomials, each once: roots of the product of
    their distinct irreducible factors (one root can otherwise come back in two spellings,
    2*CRootOf(x**4 - 6*x**2 - 6*x + 9, 0) and CRootOf(x**4 - 24*x**2 - 48*x + 144, 0))."""
    facs: set[sp.Expr] = set()
    for f in polys:
        f = sp.expand(f)
        if f != 0 and f.has(v):
            facs |= {sp.Poly(g, v).monic().as_expr() for g, _ in sp.factor_list(f, v)[1]
                     if g.has(v)}
    if not facs:
        return set()
    return set(real_roots(sp.Poly(sp.Mul(*facs), v)))


def _exact_weights(A: dict[Any, Any], Bs: list[dict[Any, Any]], p: sp.Symbol) -> bool:
    """Every weight a polynomial in p with rational coefficients."""
    for w in (*A.values(), *(b for B in Bs for b in B.values())):
        w = sp.expand(sp.sympify(w))
        if w.free_symbols - {p} or not w.is_polynomial(p) or (
                w.has(p) and not sp.Poly(w, p).domain.is_Exact) or w.has(sp.Float):
            return False
    return True


class _Family:
    """One kind of implicit operator, seen by the cell decision: its critical polynomials in p,
    the exact decision at a rational p, and whether a failure persists through a critical
    value."""

    def __init__(self, A: Weights, Bs: list[Weights], p: sp.Symbol, N: int | None) -> None:
        self.A, self.Bs, self.p, self.N = A, Bs, p, N

    def crit(self) -> list[sp.Expr]:
        return _crit_polys(self.A, self.Bs, self.N)

    def at(self, x: Any) -> tuple[bool | None, list[tuple[int, Any]]]:
        """(in the region?, the failures (block, m)) at p = x."""
        signs = entry_signs_at(_subs(self.A, self.p, x), [_subs(B, self.p, x) for B in self.Bs],
                               self.N)
        if signs is None:
            return None, []  # one-sided kernel: out of reach
        if isinstance(signs, str):
            return False, [(-1, "singular")]  # A not invertible: no scheme there
        neg = [(i, m) for i, block in enumerate(signs) for m, s in block if s < 0]
        return not neg, neg

    def closed_at(self, x: Any) -> bool:
        """A limit of region points at x is in the region (the kernel is continuous there)."""
        return True  # lambda(p) is continuous away from the roots of a_i, A(+-1), disc(F)

    def through(self, x: Any, left: list[tuple[int, Any]], right: list[tuple[int, Any]]
                ) -> bool:
        """A failure on both sides persists at x: A singular on one side (its symbol's zeros
        on the unit circle have a limit there, a zero of A at x), or an entry negative on
        both sides that keeps its sign through x."""
        if (-1, "singular") in left + right and any(
                sp.expand(w) != 0 and (not sp.expand(w).has(self.p) or sign_at(w, self.p, x))
                for w in self.A.values()):
            return True
        return _negative_through(self.A, self.Bs, self.p, self.N, x, set(left) & set(right))


class _SymmetricWide(_Family):
    """A symmetric and pentadiagonal (:mod:`mcgen.analysis.symmetric_kernel`)."""

    def __init__(self, A: Weights, Bs: list[Weights], p: sp.Symbol, split: Any) -> None:
        super().__init__(A, Bs, p, None)
        self.split = split

    def crit(self) -> list[sp.Expr]:
        return symmetric_kernel.critical_polys(self.split)

    def at(self, x: Any) -> tuple[bool | None, list[tuple[int, Any]]]:
        Ax = {k: w for k, w in _subs(self.A, self.p, x).items() if w != 0}
        if tridiagonal(Ax) is not None:  # the offset-2 weights vanish here (p = 0, say)
            return _Family(Ax, [_subs(B, self.p, x) for B in self.Bs], self.p, None).at(x)
        got = symmetric_kernel.decide_at(Ax, [_subs(B, self.p, x) for B in self.Bs])
        if got.singular:
            return False, [(-1, "singular")]
        return got.ok, list(got.fails)

    def _structural_nonzero(self, x: Any) -> bool:
        s = self.split
        polys = [s.alpha, s.disc, 4 * s.alpha + 2 * s.beta + s.gamma,
                 4 * s.alpha - 2 * s.beta + s.gamma]
        return all(not sp.expand(f).has(self.p) or sign_at(f, self.p, x) != 0 for f in polys)

    def closed_at(self, x: Any) -> bool:
        # Q(+-2) != 0 and alpha != 0 at x: Q keeps its roots off [-2, 2] (A invertible) and
        # the kernel is continuous in p there (a double root t is a limit too)
        s = self.split
        return all(not sp.expand(f).has(self.p) or sign_at(f, self.p, x) != 0 for f in (
            s.alpha, 4 * s.alpha + 2 * s.beta + s.gamma, 4 * s.alpha - 2 * s.beta + s.gamma))

    def through(self, x: Any, left: list[tuple[int, Any]], right: list[tuple[int, Any]]
                ) -> bool:
        """A failure on both sides persists at x: A singular on one side (a root of Q in
        [-2, 2] there has a limit, a root of Q at x in [-2, 2]), non-real decay rates (disc Q
        < 0 through x, Rm and Q without a common root at x), or a negative entry or tail
        coefficient certified by interval arithmetic on a shrinking isolating interval of x."""
        s = self.split
        if (-1, "singular") in left + right:
            return super().through(x, left, right)
        if not self._structural_nonzero(x):
            return False
        for i, m in sorted(set(left) & set(right), key=str):
            if m == "oscillating":
                _, rho1, rho0, _ = s.blocks[i]
                res = sp.numer(sp.together(s.alpha * rho0**2 - s.beta * rho0 * rho1
                                           + s.gamma * rho1**2))
                if res != 0 and (not res.has(self.p) or sign_at(res, self.p, x) != 0):
                    return True
                continue
            lo, hi = _isolating(x)
            f = _min_poly(x, self.p)
            for _ in range(8):
                if symmetric_kernel.fails_near(s, self.p, lo, hi, (i, m)):
                    return True
                lo, hi = f.refine_root(lo, hi, eps=(hi - lo) / 2**20)
        return False


def _lattice_shift(A: Weights) -> int:
    """L = -min offset of A."""
    return banded_kernel.symbol_poly(A)[1]


def _tight(x: Any, p: sp.Symbol) -> tuple[Any, Any]:
    """Rationals lo < x < hi within 2^-30 of the real algebraic number x."""
    lo, hi = _isolating(x)
    return _min_poly(x, p).refine_root(lo, hi, eps=sp.Rational(1, 2**30))


class _BandedWide(_Family):
    """A banded and not symmetric (:mod:`mcgen.analysis.banded_kernel`)."""

    def __init__(self, A: Weights, Bs: list[Weights], p: sp.Symbol) -> None:
        super().__init__(A, Bs, p, None)
        self.struct = banded_kernel.structural_polys(A)
        self.entry: dict[Any, dict[tuple[int, Any], list[sp.Expr]]] = {}
        self.shared: dict[Any, list[sp.Expr]] = {}

    def crit(self) -> list[sp.Expr]:
        """The structural polynomials, and for every split of the roots met in the cells
        they bound, the entries' and the tails' critical polynomials."""
        dom = _domain(self.p)
        xs = sorted((x for x in distinct_real_roots(self.struct, self.p) if x in dom),
                    key=lambda x: sp.N(x, 50))
        edges = [dom.inf, *(x for x in xs if x not in (dom.inf, dom.sup)), dom.sup]
        splits = set()
        for x0, x1 in zip(edges, edges[1:], strict=False):
            Ax = {k: w for k, w in _subs(self.A, self.p, rational_between(x0, x1)).items()
                  if w != 0}
            if banded_kernel.is_singular(Ax):
                continue
            got = banded_kernel.split_of(banded_kernel.symbol_poly(Ax)[0])
            if got is not None and (got.kernelable or got.paired):
                splits.add(got)
        for s in sorted(splits, key=lambda s: (s.k_in, s.k_out)):
            self.entry[s], self.shared[s] = banded_kernel.split_polys(self.A, self.Bs, s,
                                                                      self.p)
            if not s.supported and not s.paired:  # a real rate and a pair of equal modulus
                self.shared[s].append(banded_tails.equal_modulus_poly(
                    banded_kernel.symbol_poly(self.A)[0]))
        self._dominance_cells()
        return self.struct + [f for s in self.entry for f in self.shared[s]] + \
            [f for s in self.entry for polys in self.entry[s].values() for f in polys]

    def _dominance_cells(self) -> None:
        """Cells in p (bounded by the structural, equal-modulus and cancellation polynomials)
        with three or more roots on a side: each closed cell certified by
        :func:`banded_kernel.cell_tails` (then its tail entries past an N0 are > 0 all
        over it, and the few not certified get their critical polynomials), or not."""
        self.cells: list[tuple[Any, Any, Any, bool, set[tuple[int, Any]]]] = []
        big = [s for s in self.entry if not s.supported and not s.paired]
        if not big:
            return
        polys = self.struct + [f for s in self.entry for f in self.shared[s]] + \
            [f for s in self.entry for (_, m), fs in self.entry[s].items() if m == "tail"
             for f in fs]
        dom = _domain(self.p)
        xs = sorted((x for x in distinct_real_roots(polys, self.p) if x in dom),
                    key=lambda x: sp.N(x, 50))
        edges = [dom.inf, *(x for x in xs if x not in (dom.inf, dom.sup)), dom.sup]
        for e0, e1 in zip(edges, edges[1:], strict=False):
            x = rational_between(e0, e1)
            Ax = {k: w for k, w in _subs(self.A, self.p, x).items() if w != 0}
            if banded_kernel.is_singular(Ax) or tridiagonal(Ax) is not None:
                continue
            s = banded_kernel.split_of(banded_kernel.symbol_poly(Ax)[0])
            if s is None or s not in big:
                continue
            ok = False
            handled: set[tuple[int, Any]] = {(i, m) for (i, m) in self.entry[s]}
            got = banded_kernel.decide_at(Ax, [_subs(B, self.p, x) for B in self.Bs])
            if any(f in handled or not isinstance(f[1], int) for f in got.fails):
                pass  # the sample's failure holds all over the cell: nothing to certify
            elif e0.is_finite and e1.is_finite:
                a = e0 if e0.is_Rational else _tight(e0, self.p)[0]
                b = e1 if e1.is_Rational else _tight(e1, self.p)[1]
                tails = banded_kernel.cell_tails(self.A, self.Bs, self.p, s, a, b,
                                                 cell=(e0, e1))
                if tails is not None:
                    ok = True
                    for i, m in tails.extra:
                        self.entry[s][(i, m)] = banded_kernel.entry_critical_polys(
                            self.A, self.Bs, s, i, m)
                        handled.add((i, m))
            self.cells.append((e0, e1, s, ok, handled))

    def _cell_of(self, x: Any) -> Any:
        for cell in getattr(self, "cells", []):
            e0, e1 = cell[0], cell[1]
            if bool(e0 < x) and bool(x < e1):
                return cell
        return None

    def _split_at(self, x: Any) -> Any:
        """The split of the roots at x (no structural polynomial vanishes there): the one on
        both ends of an isolating interval of x refined until they agree."""
        x = sp.sympify(x)
        lo, hi = (x - sp.Rational(1, 2**20), x + sp.Rational(1, 2**20)) if x.is_Rational \
            else _isolating(x)
        for _ in range(8):
            got = []
            for y in (lo, hi):
                Ay = {k: w for k, w in _subs(self.A, self.p, y).items() if w != 0}
                got.append(None if banded_kernel.is_singular(Ay) else
                           banded_kernel.split_of(banded_kernel.symbol_poly(Ay)[0]))
            if got[0] is not None and got[0] == got[1]:
                return got[0]
            if x.is_Rational:
                lo, hi = x - (x - lo) / 2**8, x + (hi - x) / 2**8
            else:
                lo, hi = _min_poly(x, self.p).refine_root(lo, hi, eps=(hi - lo) / 2**8)
        return None

    def at(self, x: Any) -> tuple[bool | None, list[tuple[int, Any]]]:
        Ax = {k: w for k, w in _subs(self.A, self.p, x).items() if w != 0}
        Bxs = [_subs(B, self.p, x) for B in self.Bs]
        if tridiagonal(Ax) is not None:  # the outer weights vanish here
            return _Family(Ax, Bxs, self.p, None).at(x)
        if symmetric_kernel.symmetric_pentadiagonal(Ax):
            return _SymmetricWide(Ax, Bxs, self.p, symmetric_kernel.split(Ax, Bxs)).at(x)
        got = banded_kernel.decide_at(Ax, Bxs)
        if got.singular:
            return False, [(-1, "singular")]
        cell = self._cell_of(x)
        if cell is None:
            return got.ok, list(got.fails)
        # a sample of a cell with three or more roots on a side: its verdict holds all over
        # the cell only for failures whose sign cannot change in it (the dominant rates'
        # structure: whether a positive real rate is among them changes only where a real
        # rate meets another rate's modulus, res(P(z), P(-z)) or res_w(S, Q2), or B cancels
        # it; an entry whose zeros bound the cells) and for "ok" when the cell's tails are
        # certified
        _, _, s, certified, handled = cell
        fixed = [f for f in got.fails if f in handled or not isinstance(f[1], int)]
        if fixed:
            return False, fixed
        if got.ok and certified:
            return True, []
        return None, []

    def _nonzero(self, polys: list[sp.Expr], x: Any) -> bool:
        return all(not sp.expand(f).has(self.p) or sign_at(f, self.p, x) != 0 for f in polys)

    def closed_at(self, x: Any) -> bool:
        # A(1), A(-1) and the unit-circle resultant non-zero at x: A is invertible near x
        # and its kernel continuous in p
        return self._nonzero(self.struct[2:], x)

    def through(self, x: Any, left: list[tuple[int, Any]], right: list[tuple[int, Any]]
                ) -> bool:
        """A failure on both sides persists at x when x is a root of none of the polynomials
        its sign depends on (the structural ones, and the entry's, or the tail's)."""
        if (-1, "singular") in left + right:
            return super().through(x, left, right)
        if not self._nonzero(self.struct, x):
            return False
        common = sorted(set(left) & set(right), key=str)
        split = self._split_at(x)
        if split is None or split not in self.entry:
            return False
        entry, shared = self.entry[split], self.shared[split]
        for i, m in common:
            polys = entry.get((i, m), []) if isinstance(m, int) else \
                shared + entry.get((i, "tail"), [])
            if self._nonzero(polys, x):
                return True
        x = sp.sympify(x)
        lo, hi = (x - sp.Rational(1, 2**10), x + sp.Rational(1, 2**10)) if x.is_Rational \
            else _isolating(x)
        tails = [i for i, m in common if not isinstance(m, int) and
                 self._nonzero(entry.get((i, "tail"), []), x)]  # B cancels no root at x
        P = banded_kernel.symbol_poly(self.A)[0]
        t_lo, t_hi = (x, x) if x.is_Rational else _tight(x, self.p)
        for w in (16, 24, 32, 40):  # the dominant rates fail all over an interval around x
            # (any interval holding x will do: not too narrow, and not centred on x, so that
            # roots that meet at x are apart at its midpoint)
            if any(banded_tails.structural_fail_over(P, _lattice_shift(self.A), self.Bs[i],
                                                     self.p, t_lo - sp.Rational(1, 2**w),
                                                     t_hi + sp.Rational(1, 2**(w + 1)))
                   for i in tails):
                return True
        for _ in range(6):  # a negative entry certified on a shrinking interval around x
            if any(banded_kernel.fails_near(self.A, self.Bs, self.p, lo, hi, c)
                   for c in common):
                return True
            if x.is_Rational:
                lo, hi = x - (x - lo) / 2**16, x + (hi - x) / 2**16
            else:
                lo, hi = _min_poly(x, self.p).refine_root(lo, hi, eps=(hi - lo) / 2**16)
        return False


def _family(A: Weights, Bs: list[Weights], p: sp.Symbol, N: int | None) -> _Family | None:
    if tridiagonal(A) is not None:
        return _Family(A, Bs, p, N)
    if N is None and symmetric_kernel.symmetric_pentadiagonal(A):
        s = symmetric_kernel.split(A, Bs)
        if s is not None:
            return _SymmetricWide(A, Bs, p, s)
    if N is None and symmetric_kernel.t_polynomial(A) is None and banded_kernel.banded(A):
        return _BandedWide(A, Bs, p)
    return None


def decide(A: Weights, Bs: list[Weights], p: sp.Symbol, N: int | None = None
           ) -> KernelRegion | None:
    """The set of p where every A^{-1} B_i >= 0 (lattice, or N periodic cells), or None when
    A is neither tridiagonal nor symmetric pentadiagonal (lattice only) or the weights are not
    polynomials in p with rational coefficients."""
    if not Bs or not _exact_weights(A, Bs, p):
        return None
    A = {k: w for k, w in A.items() if sp.expand(sp.sympify(w)) != 0}
    fam = _family(A, Bs, p, N)
    if fam is None:
        return None
    crit = distinct_real_roots(fam.crit(), p)
    dom = _domain(p)
    crit = {x for x in crit if x in dom}
    edges = sorted({dom.inf, dom.sup, *crit} - {sp.oo, -sp.oo}, key=lambda x: sp.N(x, 50))
    edges = ([-sp.oo] if dom.inf == -sp.oo else []) + edges + ([sp.oo] if dom.sup == sp.oo else [])

    exact = True
    cells: list[tuple[bool | None, list[tuple[int, Any]]]] = []
    pieces: list[sp.Set] = []
    witnesses = []
    for x0, x1 in zip(edges, edges[1:], strict=False):
        x = rational_between(x0, x1)
        ok, neg = fam.at(x)
        cells.append((ok, neg))
        if ok is None:
            exact = False
        if ok:
            pieces.append(sp.Interval.open(x0, x1))
        neg = [f for f in neg if f[0] >= 0]  # (-1, "singular"): no scheme, no witness
        if neg:
            witnesses.append((x, *neg[0]))
    for i, x in enumerate(edges):
        if not x.is_finite or x not in dom:
            continue
        left = cells[i - 1] if i > 0 else (False, [])
        right = cells[i] if i < len(cells) else (False, [])
        if x.is_Rational:
            ok, _ = fam.at(x)
            if ok is None and (left[0] or right[0]) and fam.closed_at(x):
                ok = True  # a degenerate point (double root) in the closure of the region
            elif ok is None and fam.through(x, left[1], right[1]):
                ok = False
            if ok is None:
                exact = False
            elif ok:
                pieces.append(sp.FiniteSet(x))
            continue
        if (left[0] or right[0]) and fam.closed_at(x):
            # the conditions are closed where the kernel is continuous: a limit of region
            # points is in the region
            pieces.append(sp.FiniteSet(x))
        elif not fam.through(x, left[1], right[1]):
            exact = False  # an isolated irrational point: not decided
    region = sp.Union(*pieces) if pieces else sp.S.EmptySet
    return KernelRegion(region, exact, tuple(witnesses))


def _negative_through(A: Weights, Bs: list[Weights], p: sp.Symbol, N: int | None, x: Any,
                      common: set[tuple[int, int]]) -> bool:
    """True when an entry negative on both sides of the irrational critical value x is negative
    at x too: x is no root of that entry's resultant nor of the polynomials where lambda(p) may
    jump (so the entry keeps its sign through x)."""
    if any(sp.expand(f).has(p) and sign_at(f, p, x) == 0 for f in _structural(A)):
        return False
    for i, m in sorted(common):
        E = dict(entry_polys(A, Bs[i], N))[m]
        f = _resultant(A, E)
        if f != 0 and (not f.has(p) or sign_at(f, p, x) != 0):
            return True
    return False


def exact_region(A: Weights, B: Weights | list[Weights], p: sp.Symbol, N: int | None = None
                 ) -> tuple[sp.Set, bool] | None:
    """(set of p where A^{-1} B >= 0, exact?) or None when out of reach."""
    got = decide(A, B if isinstance(B, list) else [B], p, N)
    return None if got is None else (got.region, got.exact)


def kernel_conditions(A: Weights, B: Weights, N: int | None = None) -> list[sp.Expr] | None:
    """The polynomials E_m(p, lambda) (>= 0 wanted), or None when A is not tridiagonal."""
    if tridiagonal(A) is None:
        return None
    return list(dict.fromkeys(E for _, E in entry_polys(A, B, N) if E != 0))


def _ints(W: Any) -> Weights:
    return {int(k): sp.sympify(v) for k, v in dict(W).items()}


def _blocks(B: Any) -> list[Weights]:
    return [_ints(b) for b in B] if isinstance(B, (list, tuple)) else [_ints(B)]


def _same_set(region: sp.Set, claimed: Any, p: sp.Symbol) -> bool:
    claimed = sp.sympify(claimed)
    cs = sp.S.Reals if claimed is sp.true else sp.S.EmptySet if claimed is sp.false else \
        relational_set(claimed, p)
    cs = cs.intersect(_domain(p))
    return bool(sp.Union(sp.Complement(region, cs), sp.Complement(cs, region)).is_empty)


@register_check("implicit_kernel_region",
                "the parameter set where A^{-1} B >= 0 on the lattice (tridiagonal A, every block "
                "B; cells in the parameter, exact)")
def check_implicit_kernel_region(A: Any, B: Any, p: sp.Symbol, claimed: Any) -> str:
    got = decide(_ints(A), _blocks(B), p)
    if got is None or not got.exact:
        return "unknown"
    return "proved" if _same_set(got.region, claimed, p) else "refuted"


@register_check("periodic_kernel_region",
                "the parameter set where A^{-1} B >= 0 on N periodic cells (circulant, every "
                "block B; cells in the parameter, exact)")
def check_periodic_kernel_region(A: Any, B: Any, p: sp.Symbol, N: Any, claimed: Any) -> str:
    n = int(N)
    if n < 1 or n > 256:
        return "unknown"
    got = decide(_ints(A), _blocks(B), p, n)
    if got is None or not got.exact:
        return "unknown"
    return "proved" if _same_set(got.region, claimed, p) else "refuted"


@register_check("implicit_negative_entry",
                "an entry of A^{-1} B is negative at a parameter value (exact algebraic number; "
                "for a wider A, outward-rounded interval arithmetic)")
def check_implicit_negative_entry(A: Any, B: Any, p: sp.Symbol, x: Any, m: Any, N: Any) -> str:
    n = None if sp.sympify(N) == 0 else int(N)
    Ax, Bx = _subs(_ints(A), p, x), _subs(_ints(B), p, x)
    if tridiagonal(Ax) is None:
        kernel = symmetric_kernel if symmetric_kernel.t_polynomial(Ax) is not None else \
            banded_kernel
        h = kernel.entry_interval(Ax, Bx, int(m)) if n is None else None
        if h is None:
            return "unknown"
        return "proved" if h < 0 else "refuted" if h >= 0 else "unknown"
    signs = entry_signs_at(Ax, [Bx], n)
    if signs is None or isinstance(signs, str):
        return "unknown"
    s = dict(signs[0]).get(int(m))
    if s is None:  # m outside the decisive offsets: evaluate it
        s = int(sp.sign(sp.N(entry_value(Ax, Bx, int(m), n), 50)))
    return "proved" if s < 0 else "refuted"


@register_check("oscillating_kernel",
                "the dominant decay rates of A^{-1} on one side are a conjugate pair at a "
                "parameter value (a symmetric pentadiagonal A: non-real roots t of Q(t) = A(z), "
                "t = z + 1/z; a banded A: of z^L A(z)) and B does not cancel them: A^{-1} B has "
                "infinitely many negative entries")
def check_oscillating_kernel(A: Any, B: Any, p: sp.Symbol, x: Any) -> str:
    Ax = {k: w for k, w in _subs(_ints(A), p, x).items() if w != 0}
    kernel = symmetric_kernel if symmetric_kernel.t_polynomial(Ax) is not None else \
        banded_kernel
    got = kernel.decide_at(Ax, [_subs(_ints(B), p, x)])
    return "proved" if (0, "oscillating") in got.fails else "refuted"


__all__ = ["LAM", "KernelRegion", "decide", "exact_region", "kernel_conditions"]


def implicit_operators(scheme: Any) -> tuple[Weights, list[Weights]]:
    """``(A, [B_0, B_1])`` of a linear scalar scheme A u^{n+1} = B_0 u^n + B_1 u^{n-1}
    (offsets as ints in 1-D, tuples otherwise; an explicit update has A = 1; B_1 only for three
    levels). Raises AnalysisError for anything else."""
    from mcgen.errors import AnalysisError
    name = scheme.name or "scheme"
    full = scheme.linear_weights_full()
    if len(scheme.fields) != 1 or full is None or scheme.is_variable_coefficient:
        raise AnalysisError(f"scheme {name!r}: the solution operator is analysed for linear "
                            "scalar constant-coefficient schemes only")
    f = scheme.fields[0]
    if scheme.is_explicit:  # u^{n+1} = sum w u: A = 1, B = w (written as A - B = 0)
        full = {**{k: -w for k, w in full.items()}, (f, f, (0,) * scheme.dim, 1): sp.Integer(1)}
    bad = sorted({k[3] for k in full} - {-1, 0, 1})
    if bad:
        raise AnalysisError(f"scheme {name!r} reads time levels {bad}: only two- and "
                            "three-level schemes (levels n+1, n, n-1) are analysed")

    def key(off: tuple[int, ...]) -> Any:
        return off[0] if scheme.dim == 1 else off

    A = {key(k[2]): w for k, w in full.items() if k[3] == 1}
    if not A:
        raise AnalysisError(f"scheme {name!r}: the equation has no unknown at level n+1")
    blocks = [{key(k[2]): -w for k, w in full.items() if k[3] == lev} for lev in (0, -1)]
    return A, blocks if blocks[1] else blocks[:1]
