"""A scalar high-resolution scheme written out as an explicit two-level :class:`Scheme`.

Each Runge-Kutta stage U_i = u + dt sum_j A_ij L(U_j) is substituted into the next, so the whole
step becomes one update expression of reads u[j + k] (radius = stages x reconstruction radius,
with the inner stages evaluated once per neighbour: more arithmetic than stage buffers, the same
numbers). The limiter term phi(D-/D+) D+ is written with its limit 0 where D+ = 0. The result
goes through ``compile``, the oracle and export like any other scheme; run it with the condition
from :func:`mcgen.analysis.tvd.tvd_condition`. Substituting stages multiplies the expression
(as a tree) by the number of reads of the space operator per stage: forward Euler and most
two-stage schemes are written out in seconds; a larger update (three or more stages, a
flux-limited Burgers SSPRK(2,2)) is refused before it is built (:data:`MAX_TREE_NODES`),
naming the path that takes every stepper: ``mcgen.codegen.compile(scheme)`` on the
HighResScheme itself (stage buffers in one kernel) and ``Simulation``.
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.catalogue.conservative import DATA_MAX, DATA_MIN, UL, UR, numerical_flux
from mcgen.model.flux_split import rename
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.read import Field, Read
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import dx as DX
from mcgen.model.symbols import lam as LAM
from mcgen.proof.interval_max import max_abs_on_interval
from mcgen.proof.piecewise_rational import NotPiecewiseRational, sign_failure_set

__all__ = ["as_scheme", "space_operator", "face_flux", "one_sided"]


def _homogenized(e: sp.Expr, r: sp.Symbol, a: sp.Expr, b: sp.Expr, pos: bool) -> sp.Expr:
    """phi(a/b) * b for b > 0 (``pos``) or b < 0, without division: a linear piece c0 + c1 r
    becomes c0 b + c1 a, Max and Min swap when b < 0, |x| b = sign(b) |x b|."""
    if e.is_polynomial(r) and sp.degree(e, r) <= 1:
        p = sp.Poly(e, r)
        return p.coeff_monomial(1) * b + p.coeff_monomial(r) * a
    if isinstance(e, (sp.Max, sp.Min)):
        func = e.func if pos else (sp.Min if isinstance(e, sp.Max) else sp.Max)
        return func(*[_homogenized(x, r, a, b, pos) for x in e.args], evaluate=False)
    if isinstance(e, sp.Abs):
        inner = sp.Abs(_homogenized(e.args[0], r, a, b, pos))
        return inner if pos else -inner
    if isinstance(e, sp.Add):
        return sp.Add(*[_homogenized(x, r, a, b, pos) for x in e.args])
    if isinstance(e, sp.Mul) and e.args[0].is_number:
        return e.args[0] * _homogenized(sp.Mul(*e.args[1:]), r, a, b, pos)
    raise ModelError(f"limiter part {e} is not a Max/Min/Abs of linear functions of {r}: "
                     "as_scheme writes only such limiters division-free (minmod, superbee, MC, "
                     "Koren); run others with mcgen.run.highres_stepper")


@functools.lru_cache(maxsize=64)
def one_sided(phi: sp.Expr, r: sp.Symbol) -> bool:
    """Proved: the homogenized forms P (for den > 0) and Q (for den < 0) of phi vanish on the
    other side, P = 0 where den < 0 and Q = 0 where den > 0, and P + Q = 0 where den = 0. Then
    (P + Q)/2 + sign(den) (P - Q)/2 = P + Q for every num and den (minmod, superbee, MC,
    Koren: phi = max(0, min(.., c)) with c > 0).

    Exact: P and Q are positively homogeneous of degree 1 in (num, den) (Max/Min/Abs of linear
    forms), so P(num, den) = |den| P(num/|den|, -1) for den < 0 and Q(num, den) =
    den Q(num/den, 1) for den > 0; the three functions of x = num below are piecewise linear
    and :func:`mcgen.proof.piecewise_rational.sign_failure_set` decides that each is 0 on the
    whole real line (exact break points, one exact sample per piece)."""
    x = sp.Symbol("x", real=True)
    zero = sp.Integer(0)
    try:
        must_vanish = (_homogenized(phi, r, x, -sp.Integer(1), True),
                       _homogenized(phi, r, x, sp.Integer(1), False),
                       _homogenized(phi, r, x, zero, True) + _homogenized(phi, r, x, zero, False))
        return all(sign_failure_set(f, x, sp.Reals, "==") == sp.S.EmptySet
                   for f in must_vanish)
    except (NotPiecewiseRational, ModelError):  # not a Max/Min/Abs of linear functions of r
        return False


def _limited(phi: sp.Expr, r: sp.Symbol, num: sp.Expr, den: sp.Expr) -> sp.Expr:
    """phi(num/den) * den with its limit 0 at den = 0 (phi bounded), division-free: P + Q where
    :func:`one_sided` proves it equal to the general form (P + Q)/2 + sign(den) (P - Q)/2 (half
    the operations, no sign: the 3-D MUSCL-minmod kernel ran 2x faster), else that form."""
    P = _homogenized(phi, r, num, den, True)
    Q = _homogenized(phi, r, num, den, False)
    if one_sided(phi, r):
        return P + Q
    # sign(den) unevaluated: SymPy would try to decide the sign of a large difference
    return (P + Q) / 2 + sp.sign(den, evaluate=False) * (P - Q) / 2


WENO_EPS = sp.Rational(1, 10**6)  # Jiang-Shu's epsilon (mcgen.run.highres_stepper.WENO_EPS)


def weno5_value(v1: sp.Expr, v2: sp.Expr, v3: sp.Expr, v4: sp.Expr, v5: sp.Expr) -> sp.Expr:
    """Jiang-Shu fifth-order value at the right face of the v3 cell (upwind from the left)."""
    q0 = (2 * v1 - 7 * v2 + 11 * v3) / 6
    q1 = (-v2 + 5 * v3 + 2 * v4) / 6
    q2 = (2 * v3 + 5 * v4 - v5) / 6
    b0 = sp.Rational(13, 12) * (v1 - 2 * v2 + v3) ** 2 + (v1 - 4 * v2 + 3 * v3) ** 2 / 4
    b1 = sp.Rational(13, 12) * (v2 - 2 * v3 + v4) ** 2 + (v2 - v4) ** 2 / 4
    b2 = sp.Rational(13, 12) * (v3 - 2 * v4 + v5) ** 2 + (3 * v3 - 4 * v4 + v5) ** 2 / 4
    a0 = sp.Rational(1, 10) / (WENO_EPS + b0) ** 2
    a1 = sp.Rational(6, 10) / (WENO_EPS + b1) ** 2
    a2 = sp.Rational(3, 10) / (WENO_EPS + b2) ** 2
    return (a0 * q0 + a1 * q1 + a2 * q2) / (a0 + a1 + a2)


def space_operator(s: HighResScheme, u: Any, lam: sp.Symbol, m: Any, M: Any) -> Any:
    """A function j -> lam * L(u)_j dx (i.e. -lam (F_{j+1/2} - F_{j-1/2})) for a lattice
    accessor ``u(j)``."""
    face = face_flux(s, u, m, M)
    return lambda j: -lam * (face(j) - face(j - 1))


def flux_split(s: HighResScheme, m: Any, M: Any) -> tuple[sp.Lambda, sp.Lambda]:
    """(f+, f-) of a split reconstruction (flux-limited, WENO5): upwind (f on the side of the
    wind, 0 on the other) or Lax-Friedrichs (f +- alpha u)/2, alpha = max |f'| on [m, M]."""
    var, f = s.law.fields[0], s.law.flux[0]
    if s.flux == "upwind":
        plus = bool(sp.diff(f, var).subs(var, (m + M) / 2) >= 0)
        return sp.Lambda(var, f if plus else 0 * var), sp.Lambda(var, 0 * var if plus else f)
    alpha = max_abs_on_interval(sp.diff(f, var), var, m, M)
    return sp.Lambda(var, (f + alpha * var) / 2), sp.Lambda(var, (f - alpha * var) / 2)


def face_flux(s: HighResScheme, u: Any, m: Any, M: Any, split: Any = None) -> Any:
    """A function j -> F_{j+1/2}, the numerical flux through the face between cells j and
    j + 1, for a lattice accessor ``u(j)`` (:func:`space_operator` differences it). ``split``:
    accessors (j -> f+(u_j), j -> f-(u_j)) of split fluxes held elsewhere (a kernel's cell
    pass), used in place of f+-(u(j)) by the split (flux-limited, WENO5) reconstructions."""
    lim = s.limiter
    if s.reconstruction == "muscl":
        assert lim is not None
        F = sp.sympify(numerical_flux(s.law, s.flux, data_range=(m, M))).subs(
            {DATA_MIN: m, DATA_MAX: M})

        def face(j: int) -> sp.Expr:
            left = u(j) + _limited(lim.phi, lim.r, u(j) - u(j - 1), u(j + 1) - u(j)) / 2
            right = u(j + 1) - _limited(lim.phi, lim.r, u(j + 2) - u(j + 1),
                                        u(j + 1) - u(j)) / 2
            return rename(F, {UL: left, UR: right})
    else:
        fplus, fminus = flux_split(s, m, M)
        fp, fm = split or (lambda j: fplus(u(j)), lambda j: fminus(u(j)))
        if s.reconstruction == "weno5":
            def face(j: int) -> sp.Expr:
                return (weno5_value(*[fp(j + k) for k in (-2, -1, 0, 1, 2)])
                        + weno5_value(*[fm(j + k) for k in (3, 2, 1, 0, -1)]))

            return face
        assert lim is not None

        def face(j: int) -> sp.Expr:
            dp = [fp(j + k + 1) - fp(j + k) for k in (-1, 0)]
            dm = [fm(j + k + 1) - fm(j + k) for k in (0, 1)]
            return (fp(j) + _limited(lim.phi, lim.r, dp[0], dp[1]) / 2
                    + fm(j + 1) - _limited(lim.phi, lim.r, dm[1], dm[0]) / 2)

    return face


def as_scheme(s: HighResScheme) -> Scheme:
    """The scheme as one explicit update (stages substituted); needs a numeric data_range for
    Lax-Friedrichs splitting or flux."""
    if s.reconstruction == "weno5":
        raise ModelError("as_scheme: WENO5 is not written out as one update (its stages "
                         "would nest five-point weights); use mcgen.codegen.compile(scheme) "
                         "(stage buffers) or Simulation")
    if s.data_range is None:
        raise ModelError(f"{s.name}: give data_range=(m, M) when declaring the scheme")
    m, M = s.data_range
    name = s.law.fields[0].name
    w = Field(name)
    lam = LAM
    A, b = s.stepper.A, s.stepper.b
    size = written_out_size(s)
    if size > MAX_TREE_NODES:
        raise ModelError(
            f"as_scheme: {s.name} written out as one update would be an expression of about "
            f"{size:.2g} nodes (each of its {s.stepper.stages} stages is substituted into "
            f"every read of the next stage's space operator), more than the "
            f"{MAX_TREE_NODES} that a Scheme's checks and its hash (which walk the expression "
            "as a tree) handle in seconds; compile the HighResScheme itself "
            "(mcgen.codegen.compile(scheme): stage buffers in one kernel) or run it with "
            "mcgen.run.Simulation, which take every stepper")
    stages: list[Any] = []  # each: a function j -> lam*L(U_i)_j (exact expression in reads)

    def value(i: int, j: int) -> sp.Expr:
        """U_i at offset j: u_j + sum_k A[i, k] * lam L(U_k)_j."""
        return w[j] + sum((A[i, k] * stages[k](j) for k in range(i) if A[i, k] != 0),
                          sp.Integer(0))

    for i in range(s.stepper.stages):
        stages.append(_memo(space_operator(s, lambda j, i=i: value(i, j), lam, m, M)))
    update = w[0] + sum((b[i] * stages[i](0) for i in range(len(b)) if b[i] != 0),
                        sp.Integer(0))
    return Scheme((name,), 1, {name: update}, reading="forward", name=s.name,
                  definitions={lam: DT / DX}, law=s.law)


#: the largest update (nodes of its expression tree) as_scheme writes out: a Scheme's checks
#: and its hash walk the tree (about 10 s per 100000 nodes measured for the hash)
MAX_TREE_NODES = 60_000


def written_out_size(s: HighResScheme) -> int:
    """About how many nodes the update of :func:`as_scheme` has as a tree, counted before it
    is built: stage i is the space operator with U_i(k) = u_k + sum_l A_il L_l(k) put into
    each of its reads, so the size multiplies by the reads' count per stage."""
    if s.data_range is None:
        raise ModelError(f"{s.name}: give data_range=(m, M) when declaring the scheme")
    w = Field(s.law.fields[0].name)
    template = space_operator(s, lambda j: w[j], LAM, *s.data_range)(0)
    sizes: dict[sp.Basic, tuple[int, int]] = {}

    def count(e: sp.Basic) -> tuple[int, int]:  # (tree nodes, reads among them)
        if e not in sizes:
            parts = [count(a) for a in e.args]
            sizes[e] = (1 + sum(n for n, _ in parts),
                        int(isinstance(e, Read)) + sum(r for _, r in parts))
        return sizes[e]

    nodes, reads = count(template)
    A, b = s.stepper.A, s.stepper.b
    stage: list[int] = []
    for i in range(s.stepper.stages):
        value = 2 + sum(2 + stage[k] for k in range(i) if A[i, k] != 0)
        stage.append(nodes + reads * (value - 1))
    return 2 + sum(2 + stage[i] for i in range(len(b)) if b[i] != 0)


def _memo(fn: Any) -> Any:
    cache: dict[int, sp.Expr] = {}

    def wrapped(j: int) -> sp.Expr:
        if j not in cache:
            cache[j] = fn(j)
        return cache[j]

    return wrapped

