"""Exact regions in two parameters: {(p, q) : Q(c; p, q) >= 0 for every c in [-1, 1]}, decided by a
cylindrical algebraic decomposition of the (p, q) plane.

Projection. Over a connected set of (p, q) where Q(1), Q(-1), the leading coefficient in c and the
discriminant in c (of the square-free part) keep a non-zero sign, the roots of Q(.; p, q) stay
simple, distinct and off the ends +-1, so the sign pattern of Q on [-1, 1], hence the truth of
"Q >= 0 on [-1, 1]", cannot change. The irreducible factors F of those polynomials (and of any
extra polynomials a caller wants sign-invariant, such as the atoms of a claimed region) are
projected once more onto p (leading coefficients, discriminants and pairwise resultants in q):
between consecutive real roots of those, the real roots of F in q are continuous, ordered
functions of p (delineability).

Cells. Over each open p-interval one rational sample s; over s, the sections (roots in q of F) and
the sectors between them, one exact decision per cell (a rational point, or a rational p with an
algebraic q decided in the field it generates). Over each critical p = alpha the same on the
vertical line (alpha rational, or algebraic: then the candidate sections are the real roots of
res_p(f, minpoly(alpha)), a superset that only refines the line). Points with both coordinates
irrational are decided by closure (the region is closed) from the cells above and below them, or
by an explicit growing mode; one that neither decides leaves the region "not exact".

Every cell carries the signs of F at its sample, so a region written with relations among F (or
any Boolean of polynomial relations whose atoms were added to F) is checked at every cell exactly.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from mpmath import iv
from sympy.core.relational import Relational

from mcgen.errors import DerivationFileError
from mcgen.proof.check import register_check
from mcgen.proof.sturm import (
    _domain,
    abs_free,
    projection,
    rational_between,
    real_roots,
)

# Work bounds: a region from a derivation file is re-decided from the polynomial it names, so its
# size is capped (a forged file must not make recheck run unbounded). Radius-3 1-D stencils with
# weights quadratic in two parameters stay well inside.
MAX_DEGREE_C = 12       # degree of Q in the wave variable
MAX_DEGREE_P = 12       # total degree of Q in the two parameters
MAX_TERMS = 400         # terms of Q
MAX_ATOMS = 24          # distinct polynomials in a claimed region
MAX_COEFF_BITS = 256    # size of a coefficient of Q
# Beyond this total degree of a projection polynomial (a discriminant in c), the resultants of the
# second projection and the algebraic columns take minutes in SymPy: not attempted.
MAX_PROJECTION_DEGREE = 6
MAX_CRITICAL = 16       # critical values of the first parameter (columns of algebraic cells)


class BudgetExceeded(Exception):
    """The decomposition ran past its time budget (the caller falls back to what is proved)."""


class OutOfReach(BudgetExceeded):
    """The projection is too large for the decomposition to finish in seconds (decided before
    any work, so that the answer does not depend on the machine's speed)."""


@dataclass(frozen=True)
class Cell:
    """One cell of the decomposition: an exact sample, its dimension, and what holds there.

    ``inside`` is None when the cell could not be decided exactly; ``signs`` are the signs of the
    decomposition's polynomials at the sample; ``mode`` is a c in [-1, 1] with Q < 0 there (an
    explicit growing mode) for a cell outside the region.
    """

    sample: tuple[Any, Any]
    dim: int
    inside: bool | None
    signs: tuple[int, ...]
    mode: Any = None


@dataclass(frozen=True)
class PlaneCells:
    polys: tuple[sp.Expr, ...]
    cells: tuple[Cell, ...]

    @property
    def exact(self) -> bool:
        return all(cl.inside is not None for cl in self.cells)


def check_size(Q: sp.Expr, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol) -> sp.Poly:
    """Q as a polynomial with rational coefficients within the work bounds, or a clear error."""
    try:
        P = sp.Poly(sp.expand(Q), c, p, q)
    except sp.PolynomialError as e:
        raise DerivationFileError(f"two-parameter region: {sp.sstr(Q)[:80]} is not a polynomial "
                                  f"in {c}, {p}, {q}") from e
    if not (P.domain.is_ZZ or P.domain.is_QQ):
        raise DerivationFileError("two-parameter region: the polynomial has coefficients outside "
                                  f"the rationals ({P.domain}); only rational ones are decided")
    dc = P.degree(c)
    dp = max((m[1] + m[2] for m in P.monoms()), default=0)
    big = max((max(abs(sp.Rational(a).p).bit_length(), sp.Rational(a).q.bit_length())
               for a in P.coeffs()), default=0)
    if dc > MAX_DEGREE_C or dp > MAX_DEGREE_P or len(P.terms()) > MAX_TERMS or \
            big > MAX_COEFF_BITS:
        raise DerivationFileError(
            f"two-parameter region: the polynomial has degree {dc} in {c}, total degree {dp} in "
            f"({p}, {q}), {len(P.terms())} terms and {big}-bit coefficients; the exact "
            f"decision is bounded to degree {MAX_DEGREE_C} in {c}, {MAX_DEGREE_P} in the "
            f"parameters, {MAX_TERMS} terms and {MAX_COEFF_BITS}-bit coefficients (radius <= 3 "
            "stencils with quadratic weights fit); a larger one in a derivation file is refused")
    return P


def _factors(exprs: Any, keep: set[sp.Symbol]) -> list[sp.Expr]:
    """Irreducible factors (over Q) with a free symbol in ``keep``, primitive, sign-normalised."""
    out: dict[sp.Expr, None] = {}
    for e in exprs:
        e = sp.expand(e)
        if e == 0 or not (e.free_symbols & keep):
            continue
        for f, _ in sp.factor_list(e)[1]:
            if not (f.free_symbols & keep):
                continue
            f = sp.Poly(f, *sorted(f.free_symbols, key=lambda s: s.name))
            f = f.primitive()[1]
            if f.LC() < 0:
                f = -f
            out[f.as_expr()] = None
    return list(out)


def wave_projection(Q: sp.Expr, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol) -> list[sp.Expr]:
    """Irreducible polynomials in (p, q) off whose zero sets "Q >= 0 on [-1, 1]" cannot change."""
    Q = sp.expand(Q)
    P = sp.Poly(Q, c)
    polys = [Q.subs(c, 1), Q.subs(c, -1), P.LC()]
    if P.degree() >= 2:
        sq = sp.Poly(sp.sqf_part(Q, c, p, q), c)
        if sq.degree() >= 2:
            polys.append(sp.discriminant(sq.as_expr(), c))
    for v in (p, q):
        dom = _domain(v)
        if dom != sp.S.Reals:
            polys.append(v)
    return _factors(polys, {p, q})


def _line_projection(F: list[sp.Expr], p: sp.Symbol, q: sp.Symbol,
                     deadline: float) -> list[sp.Expr]:
    return _factors(projection(F, q, lambda: _tick(deadline)), {p})


def _tick(deadline: float) -> None:
    if time.process_time() > deadline:
        raise BudgetExceeded


def _roots_of(polys: list[sp.Expr], v: sp.Symbol) -> list[sp.Expr]:
    """The distinct real roots of several univariate polynomials, exact and sorted (one call on
    their square-free product: SymPy sorts by isolating intervals, no numeric comparison)."""
    prod = sp.Poly(1, v)
    for g in polys:
        if sp.sympify(g).has(v):
            prod *= sp.Poly(g, v)
    if prod.degree() <= 0:
        return []
    return list(sp.real_roots(prod.sqf_part()))


def _negative(P: sp.Poly) -> sp.Rational | None:
    """A rational c0 in [-1, 1] with P(c0) < 0, or None (exact: rational isolating intervals
    of the real roots in [-1, 1], one sample per gap and the two ends)."""
    one = sp.Integer(1)
    if P.is_zero:
        return None
    if P.degree() <= 0:
        return -one if P.LC() < 0 else None
    ivs = sorted(iv for iv, _ in P.sqf_part().intervals(inf=-1, sup=1))
    pts = [-one, one]
    edges = [-one] + [sp.Rational(x) for iv in ivs for x in iv] + [one]
    for i in range(0, len(edges), 2):
        a, b = edges[i], edges[i + 1]
        if a < b:
            pts.append((a + b) / 2)
        elif P.eval(a) != 0:
            pts.append(a)
    for x in pts:
        if P.eval(x) < 0:
            return x
    return None


_Z = sp.Dummy("z")
_ALGEBRAIC: dict[Any, list[Any]] = {}  # x -> [minimal polynomial in _Z, a, b], refined in place


def _algebraic(x: Any) -> list[Any]:
    """The minimal polynomial of a real algebraic number and an isolating interval, computed
    once per number (the decomposition signs many polynomials at the same sections)."""
    if x not in _ALGEBRAIC:
        if isinstance(x, sp.CRootOf):
            f = sp.Poly(x.poly.as_expr().subs(x.poly.gen, _Z), _Z)
            iv = x._get_interval()
            a, b = sp.Rational(iv.a), sp.Rational(iv.b)
        else:
            f = sp.Poly(sp.minimal_polynomial(x, _Z), _Z)
            a, b = next((sp.Rational(u), sp.Rational(v)) for (u, v), _ in f.intervals()
                        if bool(u <= x) and bool(x <= v))
        _ALGEBRAIC[x] = [f, a, b]
    return _ALGEBRAIC[x]


def sign_at_algebraic(g: sp.Poly, x: Any) -> int:
    """The sign of a univariate polynomial g (rational coefficients) at a real algebraic x:
    0 iff the minimal polynomial of x divides g; else the isolating interval of x is refined
    until g has no root in it (kept refined for the next polynomial) and g is evaluated there."""
    if g.is_zero:
        return 0
    if g.degree() <= 0:
        return int(sp.sign(g.LC()))
    if x.is_Rational:
        return int(sp.sign(g.eval(x)))
    G = g.replace(g.gen, _Z)
    rec = _algebraic(x)
    f, a, b = rec
    if G.rem(f).is_zero:
        return 0
    while a != b and G.count_roots(a, b) > 0:
        a, b = f.refine_root(a, b, steps=1)
    rec[1], rec[2] = a, b
    return int(sp.sign(G.eval((a + b) / 2)))


def _in_domain(x: Any, dom: sp.Set) -> bool:
    if dom == sp.S.Reals:
        return True
    s = sign_at_algebraic(sp.Poly(_Z, _Z), x)
    return s > 0 or (s == 0 and 0 in dom) or (s < 0 and dom.inf == -sp.oo)


_POLYS: dict[tuple, sp.Poly] = {}


def _poly(g: sp.Expr, *gens: sp.Symbol) -> sp.Poly:
    k = (g, gens)
    if k not in _POLYS:
        _POLYS[k] = sp.Poly(g, *gens)
    return _POLYS[k]


def _sign2(g: sp.Expr, p: sp.Symbol, q: sp.Symbol, x: Any, y: Any) -> int:
    """The sign of a polynomial g(p, q) at an exact point (each coordinate rational or real
    algebraic); both irrational: by evaluation with tracked precision (SymPy's evalf), refined
    until the value is separated from zero, and zero when y is a root of g(x, .)."""
    if x.is_Rational or y.is_Rational:
        P = _poly(g, p, q)
        if x.is_Rational and y.is_Rational:
            return int(sp.sign(P.eval(p, x).eval(y)))
        if x.is_Rational:
            return sign_at_algebraic(P.eval(p, x), y)
        return sign_at_algebraic(P.eval(q, y), x)
    # both irrational: interval arithmetic on isolating intervals refined to 2^-bits; a sign
    # is returned only when the enclosure excludes zero, else (a zero up to 2^-512) 0
    P = _poly(g, p, q)
    terms = [(int(i), int(j), sp.Rational(cf)) for (i, j), cf in P.terms()]
    for bits in (48, 128, 512):
        X, Y = _enclosure(x, bits), _enclosure(y, bits)
        iv.prec = bits + 64
        v = iv.mpf(0)
        for i, j, cf in terms:
            v += (iv.mpf(cf.p) / cf.q) * X**i * Y**j
        if v.a > 0:
            return 1
        if v.b < 0:
            return -1
    return 0


def _enclosure(x: Any, bits: int) -> Any:
    """An mpmath interval containing the real algebraic x, of width about 2^-bits."""
    rec = _algebraic(x)
    f, a, b = rec
    eps = sp.Rational(1, 2**bits)
    if b - a > eps:
        a, b = f.refine_root(a, b, eps=eps)
        rec[1], rec[2] = a, b
    iv.prec = bits + 64
    lo, hi = iv.mpf(a.p) / a.q, iv.mpf(b.p) / b.q
    return iv.mpf([lo.a, hi.b])


def _decide(Q: sp.Expr, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol, x: Any, y: Any,
            on: sp.Expr | None = None, eliminated: dict | None = None
            ) -> tuple[bool | None, Any]:
    """(Q(.; x, y) >= 0 on [-1, 1], a growing mode c0 or None), exactly; None when both
    coordinates are irrational and no mode is found. ``eliminated``: res_q(on, Q) by ``on``,
    kept by the caller for the sections of one decomposition."""
    one = sp.Integer(1)
    if x.is_Rational and y.is_Rational:
        w = _negative(_poly(Q, c, p, q).eval(p, x).eval(q, y))
        return w is None, w
    if x.is_Rational:
        w = _negative_at_algebraic(_poly(Q, c, p, q).eval(p, x), y)
        return w is None, w
    if y.is_Rational:
        w = _negative_at_algebraic(_poly(Q, c, p, q).eval(q, y), x)
        return w is None, w
    # both irrational: y is a root of f(x, .) for some f of the decomposition; the roots in c of
    # Q(c; x, y) are among those of R(c) = res_p(m(p), res_q(f, Q)), m the minimal polynomial of
    # x, so Q(.; x, y) keeps a non-zero sign between consecutive real roots of R, and one
    # rational sample per gap, signed by evaluation refined until it leaves zero, decides
    if on is None:
        return None, None
    m = _minpoly(x, p)
    eliminated = {} if eliminated is None else eliminated
    if on not in eliminated:
        eliminated[on] = sp.resultant(on, Q, q)
    R = sp.resultant(m.as_expr(), eliminated[on], p)
    if not sp.sympify(R).has(c):
        # Q(.; x, y) has no root in c: a non-zero constant in c (its sign at c = 0 decides),
        # or identically zero (|G| = 1 for every mode: stable)
        s0 = _sign2(sp.expand(Q.subs(c, 0)), p, q, x, y)
        if s0 != 0:
            return s0 > 0, (None if s0 > 0 else sp.Integer(0))
        if all(_sign2(sp.expand(k), p, q, x, y) == 0 for k in sp.Poly(Q, c).all_coeffs()):
            return True, None
        return None, None
    one = sp.Integer(1)
    rs = [z for z in real_roots(sp.Poly(R, c)) if -1 < z < 1]
    edges = [-one, *rs, one]
    for c0 in (rational_between(a, b) for a, b in zip(edges, edges[1:], strict=False)):
        s = _sign2(sp.expand(Q.subs(c, c0)), p, q, x, y)
        if s == 0:
            return None, None
        if s < 0:
            return False, c0
    return True, None


def _negative_at_algebraic(Qc: sp.Poly, x: Any) -> sp.Rational | None:
    """A rational c0 in [-1, 1] with Q(c0; x) < 0 for Q in (c, v) and v = x real algebraic, or
    None when Q(.; x) >= 0 on [-1, 1] (exact). First a numeric guess of the minimum confirmed
    exactly; then the roots in c of Q(c; x) are among those of R(c) = res_v(Q, m(v)), m the
    minimal polynomial of x, and one rational sample per gap between them decides."""
    c, v = Qc.gens
    mid = sum(_algebraic(x)[1:]) / 2 if not x.is_Rational else x
    approx = Qc.eval(v, mid)
    coeffs = [float(a) for a in approx.all_coeffs()] if not approx.is_zero else [0.0]
    grid = np.linspace(-1.0, 1.0, 401)
    vals = np.polyval(coeffs, grid)
    for i in np.argsort(vals)[:2]:
        if vals[i] >= 0:
            break
        for k in (3, 6, 10):
            c0 = sp.Rational(round(float(grid[i]) * 10**k), 10**k)
            if sign_at_algebraic(Qc.eval(c, c0), x) < 0:
                return c0
    one = sp.Integer(1)
    m = _algebraic(x)[0].replace(_Z, v)
    R = sp.Poly(sp.resultant(Qc.as_expr(), m.as_expr(), v), c)
    pts = [-one, one]
    if R.degree() > 0:
        ivs = sorted(iv for iv, _ in R.sqf_part().intervals(inf=-1, sup=1))
        edges = [-one] + [sp.Rational(z) for ab in ivs for z in ab] + [one]
        for i in range(0, len(edges), 2):
            a, b = edges[i], edges[i + 1]
            if a < b:
                pts.append((a + b) / 2)
            elif R.eval(a) != 0:
                pts.append(a)
    for c0 in pts:
        if sign_at_algebraic(Qc.eval(c, c0), x) < 0:
            return c0
    return None


def _minpoly(x: Any, p: sp.Symbol) -> sp.Poly:
    if isinstance(x, sp.CRootOf):
        return sp.Poly(x.poly.as_expr().subs(x.poly.gen, p), p)
    return sp.Poly(sp.minimal_polynomial(x, p), p)


def plane_cells(Q: Any, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol,
                extra: tuple[sp.Expr, ...] = (), budget_s: float = 30.0) -> PlaneCells:
    """The decomposition of the (p, q) plane (within the parameters' declared signs) for the
    region {Q(c; p, q) >= 0 on [-1, 1]}, sign-invariant also for the ``extra`` polynomials."""
    Q = sp.expand(sp.sympify(Q))
    check_size(Q, c, p, q)
    asked = sp.srepr((Q, c, p, q, tuple(extra)))  # the same question: the same cells
    if asked in _MEMO:
        return _MEMO[asked]
    deadline = time.process_time() + budget_s
    F = _factors([*wave_projection(Q, c, p, q), *extra], {p, q})
    big = max((sp.Poly(f, p, q).total_degree() for f in F), default=0)
    if big > MAX_PROJECTION_DEGREE:
        raise OutOfReach(f"a projection polynomial of degree {big} in ({p}, {q}) (the "
                         f"decomposition is attempted up to degree {MAX_PROJECTION_DEGREE})")
    key = sp.srepr((Q, c, p, q, tuple(F)))  # extra polynomials already among F: the same cells
    if key in _MEMO:
        _MEMO[asked] = _MEMO[key]
        return _MEMO[key]
    _tick(deadline)
    crit = _roots_of(_line_projection(F, p, q, deadline), p)
    if len(crit) > MAX_CRITICAL:
        raise OutOfReach(f"{len(crit)} critical values of {p} (the decomposition is attempted "
                         f"up to {MAX_CRITICAL})")
    _tick(deadline)
    domp, domq = _domain(p), _domain(q)
    edges = [-sp.oo, *[x for x in crit if _in_domain(x, domp)], sp.oo]
    cells: list[Cell] = []
    eliminated: dict[sp.Expr, sp.Expr] = {}
    for x0, x1 in zip(edges, edges[1:], strict=False):
        s = rational_between(x0, x1)
        if _in_domain(s, domp):
            cells += _column(Q, c, p, q, F, s, domq, 2, deadline, eliminated)
    for a in edges[1:-1]:
        cells += _column(Q, c, p, q, F, a, domq, 1, deadline, eliminated)
    out = PlaneCells(tuple(F), tuple(cells))
    _MEMO[key] = _MEMO[asked] = out
    return out


def _column(Q: sp.Expr, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol, F: list[sp.Expr], x: Any,
            domq: sp.Set, dim: int, deadline: float, eliminated: dict) -> list[Cell]:
    """The cells above p = x: sectors (dimension ``dim``) and sections (``dim - 1``)."""
    if x.is_Rational:
        on_line = [sp.expand(f.subs(p, x)) for f in F]
    else:
        m = _minpoly(x, p)
        on_line = [sp.resultant(f, m.as_expr(), p) if f.has(p) else f for f in F if f.has(q)]
    ys = [y for y in _roots_of(on_line, q) if _in_domain(y, domq)]
    _tick(deadline)
    lines = [sp.Poly(f, q) for f in on_line] if x.is_Rational else []

    def signs_at(y: Any) -> tuple[int, ...]:
        """The signs of F at (x, y); x rational: of the restrictions f(x, .) on the line."""
        if not lines:
            return tuple(_sign2(f, p, q, x, y) for f in F)
        if y.is_Rational:
            return tuple(int(sp.sign(g.eval(y))) for g in lines)
        return tuple(sign_at_algebraic(g, y) for g in lines)

    edges = [-sp.oo, *ys, sp.oo]
    sectors: list[Cell] = []
    for y0, y1 in zip(edges, edges[1:], strict=False):
        y = rational_between(y0, y1)
        if not _in_domain(y, domq):
            sectors.append(Cell((x, y), dim, None, (), "outside the domain"))
            continue
        ok, mode = _decide(Q, c, p, q, x, y)
        sectors.append(Cell((x, y), dim, ok, signs_at(y), mode))
        _tick(deadline)
    out = [cl for cl in sectors if cl.mode != "outside the domain"]
    for i, y in enumerate(ys):
        below, above = sectors[i], sectors[i + 1]
        signs = signs_at(y)
        if below.inside or above.inside:
            ok, mode = True, None   # a limit of stable points is stable (the region is closed)
        elif not (x.is_Rational or y.is_Rational) and all(
                s == t for s, t in zip(signs, below.signs, strict=False)) and below.signs:
            ok, mode = below.inside, below.mode  # y is a root for a conjugate of x only
        else:
            on = next((f for f, sg in zip(F, signs, strict=True) if sg == 0 and f.has(q)), None)
            ok, mode = _decide(Q, c, p, q, x, y, on, eliminated)
        out.append(Cell((x, y), dim - 1, ok, signs, mode))
        _tick(deadline)
    return out


_MEMO: dict[str, PlaneCells] = {}

# ---------------------------------------------------------------- formulas over the cells

_OPS = {">=": lambda s: s >= 0, ">": lambda s: s > 0, "<=": lambda s: s <= 0,
        "<": lambda s: s < 0, "==": lambda s: s == 0, "!=": lambda s: s != 0}


def atom_polys(expr: Any) -> list[sp.Expr]:
    """Numerators and denominators of the relations of a region (Abs/Max/Min removed)."""
    out = []
    for r in sp.sympify(abs_free(expr)).atoms(Relational):
        n, d = sp.fraction(sp.together(r.lhs - r.rhs))
        out += [sp.expand(n), sp.expand(d)]
    return [e for e in out if e.free_symbols]


def truth_at(expr: Any, cells: PlaneCells, cell: Cell, p: sp.Symbol, q: sp.Symbol) -> bool:
    """The truth of a Boolean of polynomial relations at a cell, from exact signs."""
    e, atoms = _compiled(sp.sympify(expr), cells.polys)
    x, y = cell.sample
    vals = {}
    for r, (op, parts) in atoms.items():
        sn = 1
        for const, idx, g, k in parts:
            if k == 0:  # a constant part: its sign alone
                sn *= const
                continue
            sf = cell.signs[idx] if idx is not None else _sign2(g, p, q, x, y)
            sn *= const * sf ** k
        vals[r] = sp.true if _OPS[op](sn) else sp.false
    return bool(e.xreplace(vals))


_COMPILED: dict[tuple, tuple] = {}


def _compiled(expr: sp.Basic, polys: tuple[sp.Expr, ...]) -> tuple[sp.Basic, dict]:
    """Each relation of ``expr`` (Abs removed) as sign(n) * sign(d) over the irreducible
    factors of its numerator n and denominator d, indexed into ``polys`` (computed once)."""
    key = (expr, polys)
    if key not in _COMPILED:
        e = sp.sympify(abs_free(expr))
        index = {f: i for i, f in enumerate(polys)}
        atoms = {}
        for r in e.atoms(Relational):
            n, d = sp.fraction(sp.together(r.lhs - r.rhs))
            parts: list[tuple[int, int | None, Any, int]] = []
            for g in (sp.expand(n), sp.expand(d)):  # d is a number for polynomial relations
                const, facs = sp.factor_list(g)
                parts.append((int(sp.sign(const)), None, sp.Integer(1), 0) if const else
                             (0, None, sp.Integer(1), 0))
                for f, k in facs:
                    if not f.free_symbols:
                        parts.append((int(sp.sign(f)) ** k, None, sp.Integer(1), 0))
                        continue
                    fp = sp.Poly(f, *sorted(f.free_symbols, key=lambda v: v.name))
                    cont, prim = fp.primitive()
                    sg = int(sp.sign(cont))
                    if prim.LC() < 0:
                        prim, sg = -prim, -sg
                    parts.append((sg ** k, index.get(prim.as_expr()), f, k))
            atoms[r] = (r.rel_op, parts)
        _COMPILED[key] = (e, atoms)
    return _COMPILED[key]


def region_formula(cells: PlaneCells, p: sp.Symbol, q: sp.Symbol,
                   label: dict[int, bool] | None = None) -> sp.Basic | None:
    """A Boolean over relations among the decomposition's polynomials that holds exactly on the
    cells inside: one conjunction when the region is an intersection of such sign conditions,
    else a short disjunction of conjunctions; None when two cells with the same signs differ."""
    def lab(i: int, cl: Cell) -> bool:
        return bool(cl.inside) if label is None else label[i]

    inside = [cl for i, cl in enumerate(cells.cells) if lab(i, cl)]
    outside = [cl for i, cl in enumerate(cells.cells) if not lab(i, cl)]
    if not inside:
        return sp.false
    if not outside:
        return sp.true
    by_signs: dict[tuple, bool] = {}
    for i, cl in enumerate(cells.cells):
        if by_signs.setdefault(cl.signs, lab(i, cl)) != lab(i, cl):
            return None
    F = cells.polys
    # candidate atoms: f >= 0 and f <= 0 (closed, as the region is), then strict and equalities
    atoms: list[tuple[sp.Basic, Any]] = []
    for i, f in enumerate(F):
        for op, ok in ((sp.Ge, lambda s: s >= 0), (sp.Le, lambda s: s <= 0),
                       (sp.Gt, lambda s: s > 0), (sp.Lt, lambda s: s < 0),
                       (sp.Eq, lambda s: s == 0), (sp.Ne, lambda s: s != 0)):
            atoms.append((op(f, 0, evaluate=False), (i, ok)))

    def holds(atom: tuple, cl: Cell) -> bool:
        i, ok = atom[1]
        return bool(ok(cl.signs[i]))

    def term_for(cells_in: list[Cell]) -> list[tuple] | None:
        cand = [a for a in atoms if all(holds(a, cl) for cl in cells_in)]
        if any(all(holds(a, o) for a in cand) for o in outside):
            return None
        # drop atoms greedily while the term still excludes every outside cell; equalities
        # and strict ones go first, so that closed relations (the region is closed) remain
        kept = list(cand)
        for a in sorted(cand, key=lambda a: _ATOM_RANK[type(a[0])]):  # weak first
            trial = [b for b in kept if b is not a]
            if not any(all(holds(b, o) for b in trial) for o in outside):
                kept = trial
        return kept

    whole = term_for(inside)
    if whole is not None:
        return sp.And(*[a[0] for a in whole])
    terms: list[list[tuple]] = []
    todo = list(inside)
    while todo:
        cl = todo[0]
        # grow a group of inside cells that one conjunction can cover
        group = [cl]
        for other in todo[1:]:
            if term_for([*group, other]) is not None:
                group.append(other)
        t = term_for(group)
        if t is None:
            return None
        terms.append(t)
        todo = [o for o in todo if not all(holds(a, o) for a in t)]
    return sp.Or(*[sp.And(*[a[0] for a in t]) for t in terms])


_ATOM_RANK = {sp.GreaterThan: 3, sp.LessThan: 3, sp.StrictGreaterThan: 2,
              sp.StrictLessThan: 2, sp.Unequality: 1, sp.Equality: 0}


def disagreements(Q: Any, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol, claimed: Any,
                  budget_s: float = 30.0, relation: str = "equal", base: tuple = ()
                  ) -> tuple[list[Cell], bool]:
    """Cells (with a claimed region's atoms in the decomposition) where the claimed region and
    {Q >= 0 on [-1, 1]} differ, and whether every cell was decided."""
    claimed = sp.sympify(claimed)
    extra = tuple(base) + tuple(atom_polys(claimed))
    if len(extra) > 2 * MAX_ATOMS:
        raise DerivationFileError(f"two-parameter region: the claimed region has {len(extra)} "
                                  f"polynomials (at most {2 * MAX_ATOMS} are decided)")
    cells = plane_cells(Q, c, p, q, extra, budget_s)
    bad = []
    for cl in cells.cells:
        if cl.inside is None:
            continue
        t = truth_at(claimed, cells, cl, p, q)
        if (relation == "equal" and t != cl.inside) or (relation == "inside" and t and not
                                                        cl.inside) or \
                (relation == "contains" and cl.inside and not t):
            bad.append(cl)
    return bad, cells.exact


@register_check("plane_region",
                "the parameter set where a polynomial is >= 0 on [-1, 1], in two parameters "
                "(cylindrical cells of the parameter plane, one exact decision per cell)")
def check_plane_region(Q: Any, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol, claimed: Any,
                       base: Any = ()) -> str:
    """``base``: polynomials the decomposition also keeps sign-invariant (those the analysis
    used, so that the re-check rebuilds the same cells); atoms of ``claimed`` are added."""
    return _plane_check(Q, c, p, q, claimed, "equal", base)


@register_check("plane_region_sufficient",
                "a region in two parameters lies inside the set where a polynomial is >= 0 on "
                "[-1, 1] (cylindrical cells, one exact decision per cell)")
def check_plane_sufficient(Q: Any, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol,
                           claimed: Any, base: Any = ()) -> str:
    return _plane_check(Q, c, p, q, claimed, "inside", base)


@register_check("plane_region_necessary",
                "a region in two parameters contains the set where a polynomial is >= 0 on "
                "[-1, 1] (cylindrical cells, one exact decision per cell)")
def check_plane_necessary(Q: Any, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol,
                          claimed: Any, base: Any = ()) -> str:
    return _plane_check(Q, c, p, q, claimed, "contains", base)


_FLIPPED = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}
_RELATION = {">=": sp.Ge, ">": sp.Gt, "<=": sp.Le, "<": sp.Lt, "==": sp.Eq, "!=": sp.Ne}


def mirror_region(expr: Any, flips: tuple[sp.Symbol, ...]) -> sp.Basic:
    """``expr`` with every symbol of ``flips`` replaced by its negative (the mirror image of the
    set), each polynomial relation written as V op b with V's leading coefficient positive."""
    def plain(r: Relational) -> sp.Basic:
        g = sp.expand(r.lhs - r.rhs)
        if not g.free_symbols or not g.is_polynomial(*g.free_symbols):
            return r
        const, var = g.as_coeff_Add()
        op = r.rel_op
        if sp.Poly(var, *sorted(var.free_symbols, key=lambda v: v.name)).LC() < 0:
            var, const, op = -var, -const, _FLIPPED[op]
        return _RELATION[op](var, -const, evaluate=False)

    m = sp.sympify(expr).xreplace({v: -v for v in flips})
    return m.xreplace({r: plain(r) for r in m.atoms(Relational)})


@register_check("plane_region_mirrored",
                "the parameter set where a polynomial is >= 0 on [-1, 1], in two parameters, "
                "as the mirror image (a sign flip of parameters) of another polynomial's set "
                "decided by cylindrical cells (else decided directly)")
def check_plane_region_mirrored(Q: Any, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol, claimed: Any,
                                source: Any, source_region: Any, flips: Any, base: Any = ()
                                ) -> str:
    """The answer of ``plane_region`` for (Q, claimed): when Q(c; p, q) = source(c; sigma(p, q))
    exactly and ``claimed`` is the mirror image of ``source_region``, for sigma the sign flip of
    ``flips`` (parameters ranging over all reals), claimed is Q's set iff source_region is
    source's, which the cells of source decide (``base``: source's extra polynomials).
    Otherwise Q's own cells decide (the base mirrored)."""
    flips = tuple(flips)
    if not set(flips) <= {p, q} or any(_domain(v) != sp.S.Reals for v in flips):
        raise ValueError("a mirror flips the signs of parameters that range over all reals")
    sigma = {v: -v for v in flips}
    source, claimed = sp.sympify(source), sp.sympify(claimed)
    if sp.expand(source.xreplace(sigma) - sp.sympify(Q)) == 0 and \
            mirror_region(source_region, flips) == claimed:
        return _plane_check(source, c, p, q, source_region, "equal", base)
    return _plane_check(Q, c, p, q, claimed, "equal",
                        tuple(sp.sympify(b).xreplace(sigma) for b in base))


def _plane_check(Q: Any, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol, claimed: Any,
                 relation: str, base: Any) -> str:
    base = tuple(sp.sympify(b) for b in base)
    if len(base) > MAX_ATOMS:
        raise DerivationFileError(f"two-parameter region: {len(base)} extra polynomials (at "
                                  f"most {MAX_ATOMS} are decided)")
    try:
        with _alarm(60.0):
            bad, exact = disagreements(sp.sympify(Q), c, p, q, claimed, 60.0, relation, base)
    except BudgetExceeded:
        return "unknown"
    if bad:
        return "refuted"
    return "proved" if exact else "unknown"


def budget(seconds: float) -> contextlib.AbstractContextManager[None]:
    """Raise :class:`BudgetExceeded` in the body after ``seconds`` (main thread)."""
    return _alarm(seconds)


def decide_region(Q: Any, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol, budget_s: float = 8.0
                  ) -> tuple[PlaneCells, sp.Basic | None]:
    """The decomposition and a formula for {Q >= 0 on [-1, 1]} (None when not exact, or when
    no Boolean of sign conditions separates the cells). When the signs of the projection
    polynomials do not separate the inside cells from the outside ones, their derivatives in q
    are added (Thom's lemma: the signs of f and its derivatives tell its roots apart in each
    fibre), then the projection onto p (the strip boundaries)."""
    with _alarm(budget_s):
        return _decide_region(sp.expand(sp.sympify(Q)), c, p, q, budget_s)


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt the decomposition after ``seconds`` of this process's CPU time (a single SymPy
    resultant or root isolation can run long between the cooperative checks; CPU time, so that
    the answer does not depend on how loaded the machine is); only in the main thread, where
    signals are delivered, and only when no other such timer is armed."""
    usable = threading.current_thread() is threading.main_thread() and \
        signal.getitimer(signal.ITIMER_PROF)[0] == 0
    if not usable:
        yield
        return

    def stop(*_: Any) -> None:
        raise BudgetExceeded

    old = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, max(seconds, 0.01))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


def _decide_region(Q: sp.Expr, c: sp.Symbol, p: sp.Symbol, q: sp.Symbol, budget_s: float
                   ) -> tuple[PlaneCells, sp.Basic | None]:
    cells = plane_cells(Q, c, p, q, (), budget_s)
    if not cells.exact:
        return cells, None
    f = region_formula(cells, p, q)
    ders = tuple(sp.diff(g, q) for g in cells.polys if sp.degree(g, q) >= 2)
    if f is not None or not ders:
        return cells, f
    # two cells with the same signs, one stable and one not: tell the roots of a projection
    # polynomial apart in each fibre by the sign of its q-derivative (Thom's lemma), and the
    # strips apart by the projection onto p (univariate: no new resultants)
    strips = _line_projection(list(cells.polys) + list(_factors(ders, {p, q})), p, q,
                              time.process_time() + budget_s)
    cells = plane_cells(Q, c, p, q, ders + tuple(strips), budget_s)
    if not cells.exact:
        return cells, None
    return cells, region_formula(cells, p, q)


def region_bounds(cells: PlaneCells, p: sp.Symbol, q: sp.Symbol
                  ) -> tuple[sp.Basic, sp.Basic] | None:
    """(inner, outer): formulas over the projection's sign conditions for the union of the sign
    classes all of whose cells are inside (a proved sufficient set) and of those with some cell
    inside (a proved necessary set); used when no formula gives the region itself."""
    if not cells.exact:
        return None
    classes: dict[tuple, set[bool]] = {}
    for cl in cells.cells:
        classes.setdefault(cl.signs, set()).add(bool(cl.inside))
    inner = {i: classes[cl.signs] == {True} for i, cl in enumerate(cells.cells)}
    outer = {i: True in classes[cl.signs] for i, cl in enumerate(cells.cells)}
    a, b = region_formula(cells, p, q, inner), region_formula(cells, p, q, outer)
    return None if a is None or b is None else (a, b)
