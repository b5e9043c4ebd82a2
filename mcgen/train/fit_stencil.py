"""Fit a linear stencil (constant or x-dependent weights) under moment, positivity and
conservation constraints; round exactly; analyse the learned scheme like any other."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from mcgen.analysis.modified_equation import modified_equation
from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.von_neumann import von_neumann
from mcgen.errors import AnalysisError, ModelError
from mcgen.model.law import Law, scalar_law
from mcgen.model.read import Read
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import COORDS, SPACINGS, D, a
from mcgen.model.symbols import dt as DT
from mcgen.proof import Check, Derivation, DerivationBuilder
from mcgen.synthesis.farkas import infeasibility_derivation
from mcgen.synthesis.moment_conditions import moment_matrix, moment_target, multi_indices
from mcgen.train import constrained_lsq
from mcgen.train.constrained_lsq import InfeasibleConstraints
from mcgen.train.design import stencil_rows
from mcgen.train.exact_rounding import project_affine, rationalize, simplest_rational
from mcgen.train.fit_result import FitResult, InfeasibleFit
from mcgen.train.identify import CatalogueMatch, match_catalogue
from mcgen.train.regression import (
    check_rows,
    ci_half,
    rational_matrix,
    residual_stats,
    rounding_floor,
    rows_with_instruments,
)
from mcgen.train.snapshots import DataError, Snapshots

U = sp.Symbol("u", real=True)
LAWS = ("advection-diffusion", "advection", "diffusion")
Offset = tuple[int, ...]


def _moment_law(law: str | Law, dim: int) -> Law:
    if isinstance(law, Law):
        return law
    if law not in LAWS:
        raise ModelError(f"law={law!r}: give a Law or one of {LAWS}")
    b_ = sp.Symbol("b", real=True)
    flux: Any = a * U if dim == 1 else (a * U, b_ * U)
    if law == "diffusion":
        flux = 0 if dim == 1 else (0, 0)
    diff: Any = None
    if law != "advection":
        diff = D if dim == 1 else sp.diag(sp.Symbol("D_x", positive=True),
                                          sp.Symbol("D_y", positive=True))
    if dim == 1:
        return scalar_law(U, flux, diffusion=diff, name=law)
    return Law((U,), flux, diff, "fick" if diff is not None else "none", name=law)


def fit_stencil(snap: Snapshots, support: list[Offset], order: int | None, positive: bool,
                 conservative: bool, law: str | Law, x_degree: int,
                 instruments: bool = False, window: int = 1) -> FitResult:
    """The stencil fit behind :func:`~mcgen.train.fit_scheme.fit_scheme` (see there)."""
    dim, nb = snap.dim, x_degree + 1
    if x_degree and dim != 1:
        raise DataError("weights as functions of x are fitted to 1-D data")
    if x_degree and order not in (None, 0):
        raise DataError(f"order={order} with x-dependent weights: moment conditions beyond "
                        "order 0 are imposed on constant weights only (use x_degree=0)")
    if positive and x_degree > 1:
        raise DataError("positive=True with x_degree > 1: non-negativity of polynomial weights "
                        "is imposed for x_degree <= 1 (linear weights are checked at the ends)")
    X, y, Xf, yf = rows_with_instruments(
        lambda v: stencil_rows(v, support, x_degree)[:2], snap.u, instruments, window)
    n = X.shape[1]
    check_rows(X, n, snap)
    # ---- constraints A c = b(theta), G c >= 0
    A_rows: list[np.ndarray] = []
    b_exprs: list[sp.Expr] = []
    alphas: list[tuple[int, ...]] = []
    theta_syms: list[sp.Symbol] = []
    if order is not None:
        if order < 0:
            raise DataError(f"order={order}: give an order >= 0")
        if x_degree:
            for bb in range(nb):
                row = np.zeros(n)
                row[[i * nb + bb for i in range(len(support))]] = 1.0
                A_rows.append(row)
                b_exprs.append(sp.Integer(1 if bb == 0 else 0))
                alphas.append((0,))
        else:
            target = moment_target(_moment_law(law, dim), order)
            alphas = multi_indices(dim, order)
            M = moment_matrix(support, alphas)
            for i, al in enumerate(alphas):
                A_rows.append(np.array([float(v) for v in M.row(i)]))
                b_exprs.append(sp.sympify(target.moments[al]))
            theta_syms = sorted(set().union(*[e.free_symbols for e in b_exprs]),
                                key=lambda s: s.name)
    if conservative and not (order is not None and order >= 0 and not x_degree):
        if x_degree:
            A_c, b_c = _column_sum_rows(support, nb, snap)
            A_rows += list(A_c)
            b_exprs += [sp.Integer(v) for v in b_c]
            alphas += [(0,)] * len(b_c)
        elif order is None:
            A_rows.append(np.ones(n))
            b_exprs.append(sp.Integer(1))
            alphas.append((0,) * dim)
    A = np.array(A_rows) if A_rows else np.zeros((0, n))
    b_fn = sp.lambdify([theta_syms], sp.Matrix(b_exprs) if b_exprs else sp.zeros(0, 1), "numpy")
    J_fn = sp.lambdify([theta_syms], sp.Matrix(b_exprs).jacobian(theta_syms)
                       if b_exprs and theta_syms else sp.zeros(len(b_exprs), len(theta_syms)),
                       "numpy")

    def bf(t: np.ndarray) -> np.ndarray:
        return np.asarray(b_fn(list(t)), dtype=float).reshape(-1)

    def Jf(t: np.ndarray) -> np.ndarray:
        return np.asarray(J_fn(list(t)), dtype=float).reshape(len(b_exprs), len(theta_syms))

    G = None
    if positive:
        G = np.eye(n) if not x_degree else _endpoint_rows(len(support), nb)
    theta0 = _theta_start(Xf, yf, A, bf, len(theta_syms))
    try:
        sol = constrained_lsq.solve(Xf, yf, A, bf, Jf, theta0, G)
    except InfeasibleConstraints as err:
        raise _infeasible(err, Xf, yf, A, bf, Jf, theta0, support, alphas, b_exprs, theta_syms,
                          positive) from None
    sol = residual_stats(sol, X, y)
    half = ci_half(sol.cov, sol.dof)
    # ---- exact rounding: theta first, then the weights projected onto the constraint set
    scale = max(1e-12 * max(1.0, float(np.abs(sol.c).max())), rounding_floor(Xf, sol.c))
    th_q = rationalize(sol.theta, np.maximum(1e-11 * np.maximum(1, np.abs(sol.theta)),
                                             half[n:] / 4))
    theta_vals = dict(zip(theta_syms, th_q, strict=True))
    c_q = _round_weights(sol, half[:n], A, b_exprs, theta_vals, G, scale)
    # ---- the learned scheme
    w_exprs = _weight_exprs(c_q, support, nb, snap)
    upd = sum((w * Read("u", k) for k, w in zip(support, w_exprs, strict=True)), sp.S.Zero)
    name = "learned stencil" + (" (x-dependent)" if x_degree else "")
    scheme = Scheme(("u",), dim, {"u": upd}, name=name,
                    reading="forward" if conservative and x_degree else "backward")
    derivs: dict[str, Derivation] = {}
    row_rows = nb if order is not None else 0   # x-dependent: the row-sum rows come first
    derivs["constraints"] = _constraint_derivation(scheme, support, w_exprs, alphas, A,
                                                   b_exprs, theta_vals, G, c_q, sol.active,
                                                   nb, row_rows, x_degree, snap)
    r = X @ sol.c - y
    stats_d, r2 = _statistics(r, y, sol, half, support, nb)
    derivs["statistics"] = stats_d
    keys = [k[0] if dim == 1 else k for k in support] if nb == 1 else \
        [(k[0], bb) for k in support for bb in range(nb)]
    match = None
    pde = None
    stable = None
    if not x_degree:
        exact_w = dict(zip(support, c_q, strict=True))
        fw = dict(zip(support, sol.c, strict=True))
        hw = dict(zip(support, half[:n], strict=True))
        match = match_catalogue(exact_w, fw, hw, snap.dx, snap.dt)
        try:
            me = modified_equation(scheme, order=4)
            derivs["modified_equation"] = me
            pde = _physical_pde(me, snap)
        except AnalysisError as err:   # e.g. weights that do not sum to one: said, not hidden
            derivs["modified_equation_note"] = DerivationBuilder(
                f"modified equation not derived: {err}; order=0 imposes consistency (weights "
                "summing to one)").finish_concluded(None)
        derivs["stability"], stable = _stability_at_step(scheme)
        if match is not None:
            derivs["identification"] = _identification(match, exact_w)
    return FitResult(scheme, dict(zip(keys, map(float, sol.c), strict=True)),
                     dict(zip(keys, c_q, strict=True)),
                     {k: (float(v - h), float(v + h)) for k, v, h in
                      zip(keys, sol.c, half[:n], strict=True)},
                     float(np.sqrt(np.mean(r ** 2))), float(np.abs(r).max()), r2, X.shape[0],
                     sol.dof, theta_vals, match, pde, stable, derivs, sol.notes)


def _theta_start(X: np.ndarray, y: np.ndarray, A: np.ndarray, bf: Any, p: int) -> np.ndarray:
    if p == 0:
        return np.zeros(0)
    from scipy.optimize import least_squares
    c0 = np.linalg.lstsq(X, y, rcond=None)[0]
    target = A @ c0
    return least_squares(lambda t: bf(t) - target, x0=np.full(p, 0.1)).x


def _column_sum_rows(support: list[Offset], nb: int, snap: Snapshots
                     ) -> tuple[np.ndarray, np.ndarray]:
    """sum_k w_k(xi - k delta) = 1 for every xi, as linear rows in the coefficients."""
    from math import comb
    n_pts = snap.u.shape[1]
    delta = 2.0 / (n_pts - 1)
    rows, rhs = [], []
    for m in range(nb):
        row = np.zeros(len(support) * nb)
        for i, k in enumerate(support):
            for bb in range(m, nb):
                row[i * nb + bb] += comb(bb, m) * (-k[0] * delta) ** (bb - m)
        rows.append(row)
        rhs.append(1 if m == 0 else 0)
    return np.array(rows), np.array(rhs)


def _endpoint_rows(n_offsets: int, nb: int) -> np.ndarray:
    rows = []
    for i in range(n_offsets):
        for xi in (-1.0, 1.0):
            row = np.zeros(n_offsets * nb)
            row[i * nb: (i + 1) * nb] = [xi ** bb for bb in range(nb)]
            rows.append(row)
    return np.array(rows)


def _round_weights(sol: constrained_lsq.LsqResult, half: np.ndarray, A: np.ndarray,
                   b_exprs: list[sp.Expr], theta_vals: dict, G: np.ndarray | None,
                   scale: float) -> list[sp.Rational]:
    """Round to rationals (``scale``: the smallest tolerance), project exactly onto the
    equalities and the active inequalities, and check the rest exactly."""
    A_ex = rational_matrix(A)
    b_ex = sp.Matrix([sp.nsimplify(e.subs(theta_vals)) for e in b_exprs]) if b_exprs else \
        sp.zeros(0, 1)
    if G is not None and sol.active:
        A_ex = A_ex.col_join(rational_matrix(G[list(sol.active)]))
        b_ex = b_ex.col_join(sp.zeros(len(sol.active), 1))
    G_ex = rational_matrix(G) if G is not None else None
    for rel in (0.25, 1e-3, 0.0):
        tols = np.maximum(scale, half * rel)
        w = project_affine(rationalize(sol.c, tols), A_ex, b_ex)
        if G_ex is None or all(v >= 0 for v in G_ex * w):
            return list(w)
    return list(w)


def _weight_exprs(c_q: list[sp.Rational], support: list[Offset], nb: int, snap: Snapshots
                  ) -> list[sp.Expr]:
    if nb == 1:
        return list(c_q)
    n_pts = snap.u.shape[1]
    h = simplest_rational(snap.dx[0], 1e-14 * snap.dx[0])
    half = h * sp.Rational(n_pts - 1, 2)
    xi = (COORDS[0] - half) / half   # x measured from the first sample
    return [sp.expand(sum(c_q[i * nb + bb] * xi ** bb for bb in range(nb)))
            for i in range(len(support))]


def _constraint_derivation(scheme: Scheme, support: list[Offset], w: list[sp.Expr],
                           alphas: list, A: np.ndarray, b_exprs: list[sp.Expr],
                           theta_vals: dict, G: np.ndarray | None, c_q: list[sp.Rational],
                           active: tuple[int, ...], nb: int, row_rows: int,
                           x_degree: int, snap: Snapshots) -> Derivation:
    bld = DerivationBuilder("Learned weights meet the constraints exactly",
                            meta={"scheme_hash": scheme.hash})
    i0 = bld.define(scheme, "the learned update, weights rounded to rationals and projected "
                            "exactly onto the constraint set")
    if theta_vals:
        bld.define(sp.And(*[sp.Eq(k, v) for k, v in theta_vals.items()]),
                   "the law's coefficients fitted with the weights (rounded to rationals)")
    uses = []
    if x_degree:
        for i, e in enumerate(b_exprs):
            lhs = sum((simplest_rational(float(A[i, j]), 1e-13) * cj for j, cj in enumerate(c_q)),
                      sp.S.Zero)
            what = "row sums" if i < row_rows else "column sums"
            uses.append(bld.identity(lhs, e, f"linear constraint {i + 1} on the coefficients "
                                     f"({what} of the x-dependent weights)", uses=[i0]))
    else:
        for al, e in zip(alphas, b_exprs, strict=True):
            lhs = sum((wk * sp.Mul(*[kk ** ai for kk, ai in zip(k, al, strict=True)])
                       for k, wk in zip(support, w, strict=True)), sp.S.Zero)
            rhs = sp.sympify(e).subs(theta_vals)
            what = "weights sum to one (consistency; conservation)" if sum(al) == 0 else \
                f"moment {al} of the weights equals the law's {sp.sstr(e)}"
            name = sp.Symbol("sum_k w_k" + ("" if sum(al) == 0 else f" k^{list(al)}"))
            uses.append(bld.identity(lhs, rhs, what, uses=[i0],
                                     claim=sp.Eq(name, rhs, evaluate=False)))
    if G is not None:
        vals = [sp.expand(sum(sp.nsimplify(float(g)) * c for g, c in zip(row, c_q, strict=True)))
                for row in G]
        stmt = sp.And(*[v >= 0 for v in vals])
        where = "at both ends of the grid, linear in x" if x_degree else "exactly"
        uses.append(bld.step(f"every weight is >= 0 ({where})",
                             "non-negativity: the update is a convex combination, stable by "
                             "construction", Check("truth", (stmt,)), uses=[i0]))
    if not uses:
        bld.step("no constraints were asked for", "unconstrained least squares", uses=[i0])
    else:
        bld.step("all requested constraints hold exactly for the returned weights",
                 "exact rational checks above", uses=uses)
    return bld.finish_concluded(dict(zip([k[0] if len(k) == 1 else k for k in support], w,
                                         strict=True)))


def _statistics(r: np.ndarray, y: np.ndarray, sol: constrained_lsq.LsqResult, half: np.ndarray,
                support: list[Offset], nb: int) -> tuple[Derivation, float]:
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - sol.rss / ss_tot if ss_tot > 0 else 1.0
    bld = DerivationBuilder("Fit statistics (least squares on the data)")
    bld.define(f"{y.size} equations, {sol.dof} degrees of freedom; residual rms "
               f"{np.sqrt(np.mean(r ** 2)):.3e}, max |r| {np.abs(r).max():.3e}, R^2 = {r2:.12f}",
               "residuals of the float fit")
    labels = [str(k[0] if len(k) == 1 else k) + (f"*xi^{bb}" if nb > 1 else "")
              for k in support for bb in range(nb)]
    for lab, v, h in zip(labels, sol.c, half[:len(labels)], strict=True):
        bld.define(f"w[{lab}] = {v:.12g} +- {h:.2e}",
                   "95% interval: t quantile x linearised standard error (nullspace of the "
                   "active constraints)")
    for note in sol.notes:
        bld.define(note, "solver")
    return bld.finish_concluded(f"residual rms {np.sqrt(np.mean(r ** 2)):.3e}"), r2


def _physical_pde(me: Derivation, snap: Snapshots) -> Any:
    vals = {DT: simplest_rational(snap.dt, 1e-14 * snap.dt)}
    vals.update({h: simplest_rational(v, 1e-14 * v) for h, v in zip(SPACINGS, snap.dx,
                                                                        strict=False)})
    return me.result["pde"].subs(vals)


def _stability_at_step(scheme: Scheme) -> tuple[Derivation, bool]:
    bld = DerivationBuilder("Stability of the learned stencil at the data's own step")
    l2 = von_neumann(scheme)
    i1 = bld.step(l2.result, l2.title, Check("derivation", (l2,)))
    try:
        pos = positivity_region(scheme)
        i2 = bld.step(pos.result, pos.title, Check("derivation", (pos,)))
        positive = bool(pos.result.holds())
    except AnalysisError:  # no positivity analysis for this update: L2 decides
        i2, positive = i1, False
    stable = bool(l2.result.holds())
    verdict = ("positive (a convex combination: maximum principle) and L2-stable" if positive
               else ("L2-stable but not positive" if stable else "L2-UNSTABLE"))
    bld.step(f"at the data's dx and dt the learned update is {verdict}",
             "the conditions above have no free parameters left: they are evaluated",
             uses=[i1, i2])
    return bld.finish_concluded(verdict), stable


def _identification(match: CatalogueMatch, w: dict[Offset, sp.Rational]) -> Derivation:
    bld = DerivationBuilder(f"The learned stencil is {match.scheme.name}")
    cw = {(k,) if isinstance(k, int) else k: v for k, v in
          (match.scheme.linear_weights() or {}).items()}
    i0 = bld.define(sp.And(*[sp.Eq(k, v) for k, v in match.values.items()]),
                    "catalogue parameters solving catalogue weights = learned weights")
    uses = []
    for k in sorted(set(cw) | set(w)):
        lhs = cw.get(k, sp.S.Zero).subs(match.values)
        chk = "identity" if match.exact else "follows"
        uses.append(bld.step(sp.Eq(sp.Symbol(f"w_{k}"), w.get(k, sp.S.Zero), evaluate=False),
                             f"catalogue weight {sp.sstr(cw.get(k, 0))} at these values",
                             Check(chk, (lhs, w.get(k, sp.S.Zero))) if match.exact
                             else Check("follows"), uses=[i0]))
    i_m = bld.step(match.describe(), "weights agree offset by offset", uses=uses)
    # the catalogue's own parametric L2 condition, decided at the identified values
    l2 = von_neumann(match.scheme)
    i_c = bld.step(l2.result, l2.title, Check("derivation", (l2,)))
    at = l2.result.expr.subs(match.values)
    holds = bool(sp.simplify(at) is sp.true) if match.exact else \
        l2.result.holds(**{k.name: float(v) for k, v in match.values.items()})
    bld.step(f"{sp.sstr(l2.result.expr)} {'holds' if holds else 'FAILS'} at "
             f"{', '.join(f'{k} = {v}' for k, v in match.values.items())}: the data's step is "
             f"{'inside' if holds else 'OUTSIDE'} the scheme's L2 region",
             "the condition evaluated exactly at the identified parameters",
             Check("truth", (at if holds else sp.Not(at),)) if match.exact else Check("follows"),
             uses=[i_m, i_c])
    return bld.finish_concluded(match.describe())


def _infeasible(err: InfeasibleConstraints, X: np.ndarray, y: np.ndarray, A: np.ndarray,
                bf: Any, Jf: Any, theta0: np.ndarray, support: list[Offset], alphas: list,
                b_exprs: list[sp.Expr], theta_syms: list[sp.Symbol], positive: bool
                ) -> InfeasibleFit:
    """The error for constraints that cannot all hold, with a Farkas certificate when the
    obstruction is non-negativity against the moment equations."""
    if not positive or not b_exprs:
        return InfeasibleFit(f"the requested constraints cannot all hold: {err}")
    A_ex = rational_matrix(A)
    theta_vals: dict[sp.Symbol, sp.Expr] = {}
    if theta_syms:
        eq = constrained_lsq.solve(X, y, A, bf, Jf, theta0)
        theta_vals = dict(zip(theta_syms, rationalize(eq.theta, np.full(eq.theta.size, 1e-9)),
                              strict=True))
    where = ", ".join(f"{k} = {v}" for k, v in theta_vals.items())
    deriv = None
    if len(theta_syms) == 1:
        v = theta_vals[theta_syms[0]]
        lo = sp.floor(v)
        if v != lo:  # a whole open interval between integers, when one certificate covers it
            try:
                deriv = infeasibility_derivation(A_ex, sp.Matrix(b_exprs), tuple(support), alphas,
                                                 var=theta_syms[0], interval=(lo, lo + 1))
                where = f"{theta_syms[0]} in ({lo}, {lo + 1}), which holds the fitted {v}"
            except AnalysisError:  # one certificate does not cover it: use the fitted point
                deriv = None
    if deriv is None:
        try:
            deriv = infeasibility_derivation(A_ex, sp.Matrix([e.subs(theta_vals) for e in b_exprs]),
                                             tuple(support), alphas)
        except AnalysisError:
            deriv = None
    cert = ""
    if deriv is not None:
        cert = " Farkas certificate: " + "; ".join(
            st.reason for st in deriv.steps if st.check.kind == "farkas_infeasible")
    offsets = [k[0] if len(k) == 1 else k for k in support]
    return InfeasibleFit(f"no non-negative weights on support {offsets} "
                         f"meet the moment conditions {alphas} of the law at {where}: "
                         "positive=True and order= cannot both hold (drop positive=True, lower "
                         f"the order, or widen the support).{cert}", deriv)
