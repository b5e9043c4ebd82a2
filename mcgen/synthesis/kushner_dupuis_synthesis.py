"""Kushner-Dupuis Markov chain approximations of dX = b(X) dt + sigma(X) dW.

1-D (Kushner & Dupuis, ch. 5): upwind in the drift,
``Q = sigma^2 + h |b|``, ``p(x -> x +- h) = (sigma^2/2 + h b^{+-}) / Q``, interval ``h^2 / Q``:
``E[step] = b dt`` exactly, ``E[step^2] = (sigma^2 + h |b|) dt`` (local consistency: the excess
``h |b| dt`` is o(dt)), non-negative for every h.

2-D with covariance ``a = sigma sigma^T`` on steps (h1, h2): the nine-point chain
``p(+-e1) = dt [(a11 - |a12| h1/h2)/2 + h1 b1^{+-}] / h1^2``, likewise for e2,
``p(+-(1, 1)) = dt a12^+ / (2 h1 h2)``, ``p(+-(1, -1)) = dt a12^- / (2 h1 h2)``,
``1/dt = a11/h1^2 + a22/h2^2 - |a12|/(h1 h2) + |b1|/h1 + |b2|/h2``; it is positive iff
``|a12|/a11 <= h2/h1 <= a22/|a12|`` (diagonal dominance after rescaling the axes). When the grid
is fixed outside that range, a wider support is searched: the covariance is written as a
non-negative combination of ``2 (k h)(k h)^T`` over lattice directions k (an LP, solved exactly on
its basis), the drift added upwind along the axes.

The fixed-dt variant (for kernels) scales every probability by ``dt / interval(x)`` and puts the
rest on a self-loop; it is a chain iff ``dt <= min_x interval(x) = h^2 / max_x Q``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import AnalysisError, ModelError
from mcgen.model.jump_process import JumpProcess
from mcgen.model.read import Field
from mcgen.model.scheme import Scheme
from mcgen.model.symbols import COORDS
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import h as H
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder
from mcgen.synthesis.farkas import infeasibility_derivation, nonneg_point


@dataclass(frozen=True)
class KushnerDupuisChain:
    """A Markov chain approximation: jump probabilities, the interval, and their proof.

    Attributes
    ----------
    process : the chain as a ``JumpProcess`` (discrete time, probabilities; ``time_step`` is the
        state-dependent interval).
    interval : dt(x), the time the chain spends per step.
    drift, covariance : b and a = sigma sigma^T of the diffusion approximated.
    condition : where the construction is a chain (always, in 1-D; the aspect-ratio range for
        the nine-point chain in 2-D).
    derivation : moment identities and non-negativity, checked.
    """

    process: JumpProcess
    interval: sp.Expr
    drift: tuple[sp.Expr, ...]
    covariance: sp.ImmutableMatrix
    condition: Condition
    derivation: Derivation

    @property
    def probabilities(self) -> dict[tuple[int, ...], sp.Expr]:
        return {k: v for k, v in self.process.jumps.items() if any(k)}

    def fixed_dt(self, dt: sp.Expr = DT, *, domain: tuple[Any, Any] | None = None,
                 max_rate: Any = None) -> FixedDtChain:
        """The fixed-step variant: p_k dt / interval(x), self-loop 1 - dt / interval(x).

        Parameters
        ----------
        dt : the time step (a symbol or a number).
        domain : (x0, x1) (1-D) over which to bound 1/interval(x) when it depends on x.
        max_rate : an upper bound of 1/interval(x) given directly (e.g. max Q / h^2).
        """
        return fixed_dt_chain(self, dt, domain=domain, max_rate=max_rate)


@dataclass(frozen=True)
class FixedDtChain:
    """Fixed-step chain: its process, the backward scheme kernels run, and the step bound."""

    process: JumpProcess
    scheme: Scheme
    condition: Condition
    derivation: Derivation


def _pos_neg(b: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    # b^+ = max(b, 0), b^- = max(-b, 0), written through |b| so that b^+ + b^- = |b| and
    # b^+ - b^- = b cancel as rational identities (Max does not)
    return (b + sp.Abs(b)) / 2, (sp.Abs(b) - b) / 2


def _expect(jumps: dict[tuple[int, ...], sp.Expr], f: Any) -> sp.Expr:
    return sp.Add(*[p * f(k) for k, p in jumps.items()])


def kushner_dupuis_chain(drift: Any, sigma: Any, *, h: sp.Expr = H,
                         coord: sp.Symbol = COORDS[0], name: str = "") -> KushnerDupuisChain:
    """The 1-D upwind-in-drift chain for dX = b(x) dt + sigma(x) dW.

    >>> import sympy as sp
    >>> c = kushner_dupuis_chain(1, 1, h=sp.Rational(1, 10))
    >>> c.probabilities[(1,)], c.probabilities[(-1,)], c.interval
    (6/11, 5/11, 1/110)
    """
    b, s = sp.sympify(drift), sp.sympify(sigma)
    h = sp.sympify(h)
    # the derivation is written for symbols beta, s standing for b(x), sigma(x)
    beta = sp.Symbol("b", real=True)
    sg = sp.Symbol("sigma", positive=True)
    hh = sp.Symbol("h", positive=True)
    bp, bm = _pos_neg(beta)
    Qs = sg ** 2 + hh * sp.Abs(beta)
    pp, pm, dts = (sg ** 2 / 2 + hh * bp) / Qs, (sg ** 2 / 2 + hh * bm) / Qs, hh ** 2 / Qs
    bld = DerivationBuilder("Kushner-Dupuis chain (upwind in the drift), 1-D")
    i0 = bld.define(sp.Eq(sp.Symbol("Q"), Qs, evaluate=False),
                    "Q = sigma^2 + h|b|; p(+-h) = (sigma^2/2 + h b^{+-})/Q; interval h^2/Q "
                    "(b stands for b(x), sigma for sigma(x) > 0)")
    bld.step(sp.Eq(pp + pm, 1, evaluate=False), "probabilities sum to one (b^+ + b^- = |b|)",
             Check("identity_by_sign_cases", (pp + pm, 1, (beta,))), uses=[i0])
    bld.step(sp.Eq(hh * (pp - pm), beta * dts, evaluate=False),
             "E[step] = b dt exactly (b^+ - b^- = b)",
             Check("identity_by_sign_cases", (hh * (pp - pm), beta * dts, (beta,))), uses=[i0])
    bld.step(sp.Eq(hh ** 2 * (pp + pm), (sg ** 2 + hh * sp.Abs(beta)) * dts, evaluate=False),
             "E[step^2] = (sigma^2 + h|b|) dt: sigma^2 dt + o(dt) as h -> 0 (local "
             "consistency)", Check("identity_by_sign_cases",
                                   (hh ** 2 * (pp + pm), (sg ** 2 + hh * sp.Abs(beta)) * dts,
                                    (beta,))), uses=[i0])
    for lab, num, mx in (("+", sg ** 2 / 2 + hh * bp, sp.Max(beta, 0)),
                         ("-", sg ** 2 / 2 + hh * bm, sp.Max(-beta, 0))):
        i_m = bld.step(sp.Eq(num, sg ** 2 / 2 + hh * mx, evaluate=False),
                       f"b^{lab} written with Max", Check("identity_by_sign_cases", (
                           num, sg ** 2 / 2 + hh * mx, (beta,))), uses=[i0])
        bld.step(sp.Ge(sg ** 2 / 2 + hh * mx, 0), f"numerator of p({lab}h) is >= 0 for every h",
                 Check("nonneg_by_assumptions", (sg ** 2 / 2 + hh * mx,)), uses=[i_m])
    bld.step(sp.Gt(Qs, 0), "Q > 0, so the probabilities are defined and non-negative",
             Check("nonneg_by_assumptions", (Qs,)), uses=[i0])
    sub = {beta: b, sg: s, hh: h}
    d = bld.finish_concluded(sp.ImmutableMatrix([pp, pm, dts]).subs(sub))
    p_plus = sp.simplify(pp.subs(sub))
    p_minus = sp.simplify(pm.subs(sub))
    interval = sp.simplify(dts.subs(sub))
    hs = (h,) if isinstance(h, sp.Symbol) else (H,)
    proc = JumpProcess({(1,): p_plus, (-1,): p_minus}, time="discrete", scaling="diffusive",
                       reading="forward", coords=(coord,), h=hs, asymmetry_order=1,
                       time_step=interval, name=name or "Kushner-Dupuis chain")
    cond = Condition(sp.true, (), "validity", status="proved", name="Kushner-Dupuis chain",
                     description="a Markov chain for every h > 0 (upwind drift)")
    return KushnerDupuisChain(proc, interval, (b,), sp.ImmutableMatrix([[s ** 2]]), cond, d)


def positive_aspect_ratios(a: Any) -> Condition:
    """The ratios rho = h2/h1 for which the nine-point chain is positive:
    |a12|/a11 <= rho <= a22/|a12| (every rho when a12 = 0)."""
    A = sp.Matrix(a)
    a11, a12, a22 = A[0, 0], A[0, 1], A[1, 1]
    rho = sp.Symbol("rho", positive=True)
    expr = sp.And(sp.Le(sp.Abs(a12) / a11, rho), sp.Le(rho, a22 / sp.Abs(a12))) \
        if a12 != 0 else sp.true
    return Condition(expr, (rho,), "positivity", status="proved",
                     name="grid aspect ratio for a positive nine-point chain",
                     description="|a12|/a11 <= h2/h1 <= a22/|a12| (rho = h2/h1)",
                     definitions={rho: sp.Symbol("h2", positive=True) /
                                  sp.Symbol("h1", positive=True)})


def _covariance(a: Any, sigma: Any) -> sp.Matrix:
    if (a is None) == (sigma is None):
        raise ModelError("give the noise either as the covariance a = sigma sigma^T (a=...) or "
                         "as the matrix sigma (sigma=...), not both")
    if a is not None:
        A = sp.Matrix(a)
    else:
        S = sp.Matrix(sigma)
        A = S * S.T
    if A.shape != (2, 2) or sp.simplify(A[0, 1] - A[1, 0]) != 0:
        raise ModelError(f"covariance {A.tolist()} must be a symmetric 2 x 2 matrix")
    A = A.applyfunc(sp.simplify)
    det = sp.simplify(A.det())
    if any(e.is_number and e < 0 for e in (A[0, 0], A[1, 1], det)):
        raise ModelError(f"covariance {A.tolist()} is not positive semidefinite (diagonal "
                         f"{A[0, 0]}, {A[1, 1]}, determinant {det}): a = sigma sigma^T always is; "
                         "check the noise matrix")
    return A


def kushner_dupuis_chain_2d(drift: Any, *, a: Any = None, sigma: Any = None,
                            h: tuple[Any, Any] | None = None, widen: bool = True,
                            max_radius: int = 4, name: str = "") -> KushnerDupuisChain:
    """The 2-D chain for dX = b dt + sigma dW (a = sigma sigma^T, possibly correlated).

    The nine-point chain is used when positive for the grid steps h = (h1, h2). With numeric
    data outside the admissible aspect ratios and ``widen=True``, a positive chain on a wider
    support is searched (radius 2, 3, ... up to ``max_radius``); otherwise the error names the
    admissible range of h2/h1.
    """
    A = _covariance(a, sigma)
    b1, b2 = (sp.sympify(c) for c in drift)
    h1, h2 = (sp.sympify(c) for c in (h or (sp.Symbol("h1", positive=True),
                                            sp.Symbol("h2", positive=True))))
    a11, a12, a22 = A[0, 0], A[0, 1], A[1, 1]
    ratios = positive_aspect_ratios(A)
    lhs1 = a11 - sp.Abs(a12) * h1 / h2
    lhs2 = a22 - sp.Abs(a12) * h2 / h1
    numeric = not (lhs1.free_symbols | lhs2.free_symbols)
    if numeric and (lhs1 < 0 or lhs2 < 0):
        lo_r = sp.Abs(a12) / a11 if a11 != 0 else sp.oo
        hi_r = a22 / sp.Abs(a12)
        if widen:
            return wide_support_chain((b1, b2), A, (h1, h2), max_radius=max_radius,
                                      name=name, note=f"the nine-point chain needs {lo_r} <= "
                                      f"h2/h1 <= {hi_r}; h2/h1 = {h2 / h1}")
        raise ModelError(f"no positive nine-point chain for h2/h1 = {h2 / h1}: it needs "
                         f"{lo_r} <= h2/h1 <= {hi_r} (|a12|/a11 <= h2/h1 <= a22/|a12|); choose "
                         "steps in that range or pass widen=True for a wider stencil")
    return _nine_point(b1, b2, A, h1, h2, ratios, name)


def _nine_point(b1: sp.Expr, b2: sp.Expr, A: sp.Matrix, h1: sp.Expr, h2: sp.Expr,
                ratios: Condition, name: str) -> KushnerDupuisChain:
    # derivation on symbols; numbers substituted at the end
    B1, B2 = sp.symbols("b1 b2", real=True)
    A11, A22 = sp.symbols("a11 a22", positive=True)
    A12 = sp.Symbol("a12", real=True)
    H1, H2 = sp.symbols("h1 h2", positive=True)
    b1p, b1m = _pos_neg(B1)
    b2p, b2m = _pos_neg(B2)
    a12p, a12m = _pos_neg(A12)
    rate = (A11 / H1 ** 2 + A22 / H2 ** 2 - sp.Abs(A12) / (H1 * H2) + sp.Abs(B1) / H1 +
            sp.Abs(B2) / H2)
    Dt = 1 / rate
    jumps: dict[tuple[int, ...], Any] = {
        (1, 0): Dt * ((A11 - sp.Abs(A12) * H1 / H2) / 2 + H1 * b1p) / H1 ** 2,
        (-1, 0): Dt * ((A11 - sp.Abs(A12) * H1 / H2) / 2 + H1 * b1m) / H1 ** 2,
        (0, 1): Dt * ((A22 - sp.Abs(A12) * H2 / H1) / 2 + H2 * b2p) / H2 ** 2,
        (0, -1): Dt * ((A22 - sp.Abs(A12) * H2 / H1) / 2 + H2 * b2m) / H2 ** 2,
        (1, 1): Dt * a12p / (2 * H1 * H2), (-1, -1): Dt * a12p / (2 * H1 * H2),
        (1, -1): Dt * a12m / (2 * H1 * H2), (-1, 1): Dt * a12m / (2 * H1 * H2),
    }
    # checked on the rates lambda_k = p_k / dt (Abs(.) are atoms: b^+ - b^- = b cancels)
    rates = {k: sp.cancel(v / Dt) for k, v in jumps.items()}
    bld = DerivationBuilder("Kushner-Dupuis nine-point chain, 2-D correlated noise")
    i0 = bld.define(sp.Eq(sp.Symbol("dt"), Dt, evaluate=False),
                    "p_k = lambda_k dt with the rates lambda_k; dt = 1 / sum lambda_k")
    moments = [
        ("sum of rates = 1/dt", lambda k: 1, rate),
        ("E[step_1] = b1 dt", lambda k: k[0] * H1, B1),
        ("E[step_2] = b2 dt", lambda k: k[1] * H2, B2),
        ("E[step_1^2] = (a11 + h1|b1|) dt", lambda k: (k[0] * H1) ** 2,
         A11 + H1 * sp.Abs(B1)),
        ("E[step_1 step_2] = a12 dt", lambda k: k[0] * k[1] * H1 * H2, A12),
        ("E[step_2^2] = (a22 + h2|b2|) dt", lambda k: (k[1] * H2) ** 2,
         A22 + H2 * sp.Abs(B2)),
    ]
    for label, f, goal in moments:
        lhs = _expect(rates, f)
        bld.identity(lhs, goal, label + " (rates; local consistency: the h|b| terms are o(dt))",
                     [i0])
    # the axis rates split into a diffusion part and the (non-negative) upwind drift part; the
    # diffusion parts factor as positive multiples of (rho - |a12|/a11) and (a22/|a12| - rho)
    rho = H2 / H1
    i1 = bld.identity(A11 - sp.Abs(A12) * H1 / H2, (A11 / rho) * (rho - sp.Abs(A12) / A11),
                      "diffusion part of p(+-e1) is a11/rho (rho - |a12|/a11), rho = h2/h1",
                      [i0])
    i2 = bld.identity(A22 - sp.Abs(A12) * H2 / H1, sp.Abs(A12) * (A22 / sp.Abs(A12) - rho),
                      "diffusion part of p(+-e2) is |a12| (a22/|a12| - rho) (a12 != 0; for "
                      "a12 = 0 it is a22 >= 0)", [i0])
    for lab, e in (("b^+", b1p), ("b^-", b1m), ("a12^+", a12p), ("a12^-", a12m)):
        bld.step(sp.Ge(e, 0), f"{lab} >= 0 (upwind drift and diagonal rates)",
                 Check("identity_by_sign_cases", (sp.Max(e, 0), e, signs_of(e))), uses=[i0])
    bld.step(ratios.expr, "so every probability is >= 0 iff |a12|/a11 <= h2/h1 <= a22/|a12| "
             "(a11 > 0, rho > 0)", Check("follows"), uses=[i1, i2])
    sub = {B1: b1, B2: b2, A11: A[0, 0], A22: A[1, 1], A12: A[0, 1], H1: h1, H2: h2}
    if not (h1.free_symbols | h2.free_symbols | A.free_symbols):
        inst = ratios.expr.subs(ratios.variables[0], h2 / h1) if ratios.variables else sp.true
        bld.step(f"the aspect-ratio condition holds at h2/h1 = {h2 / h1}",
                 "evaluated exactly", Check("truth", (inst,)))
    d = bld.finish_concluded(ratios.expr)
    probs = {k: sp.factor(sp.cancel(v.subs(sub))) for k, v in jumps.items()}
    probs = {k: v for k, v in probs.items() if v != 0}
    interval = sp.factor(sp.cancel(Dt.subs(sub)))
    hs = tuple(s if isinstance(s, sp.Symbol) else sp.Symbol(f"h{i + 1}", positive=True)
               for i, s in enumerate((h1, h2)))
    proc = JumpProcess(probs, time="discrete", scaling="diffusive", reading="forward",
                       coords=COORDS[:2], h=hs, asymmetry_order=1, time_step=interval,
                       name=name or "Kushner-Dupuis nine-point chain")
    return KushnerDupuisChain(proc, interval, (b1, b2), sp.ImmutableMatrix(A), ratios, d)


def signs_of(e: sp.Expr) -> tuple[sp.Symbol, ...]:
    """The real symbols inside Abs(.) of an expression (the sign cases to check)."""
    return tuple(sorted({s for ab in e.atoms(sp.Abs) for s in ab.free_symbols},
                        key=lambda s: s.name))


def _directions(radius: int) -> list[tuple[int, ...]]:
    """One lattice direction of each +- pair within the radius, primitive or not."""
    out = []
    for k in itertools.product(range(-radius, radius + 1), repeat=2):
        if k == (0, 0):
            continue
        first = next(c for c in k if c != 0)
        if first > 0:
            out.append(k)
    return sorted(out, key=lambda k: (max(map(abs, k)), k))


def wide_support_chain(drift: tuple[Any, Any], a: Any, h: tuple[Any, Any], *,
                       max_radius: int = 4, name: str = "", note: str = "") -> KushnerDupuisChain:
    """A positive chain on a support wider than nine points, for numeric (rational) data.

    Solves ``sum_k 2 lam_k (k h)(k h)^T = a``, ``lam >= 0``, over directions k within radius
    R = 2, 3, ... (LP to find, exact solve on the basis to certify), then adds the drift upwind
    along the axes: rates ``b_i^{+-}/h_i``. Interval = 1 / total rate.
    """
    A = sp.Matrix(a)
    b1, b2 = (sp.nsimplify(c) for c in drift)
    h1, h2 = (sp.nsimplify(c) for c in h)
    if (A.free_symbols | {b1, b2, h1, h2}.intersection(set())) or \
            any(not e.is_Rational for e in (*A, b1, b2, h1, h2)):
        raise ModelError("a wider-support chain is searched for rational numeric a, b and h")
    bld = DerivationBuilder("positive chain on a wider support (moment-matching LP)")
    if note:
        bld.define(note, "why the nine-point stencil is not enough")
    hh = (h1, h2)
    pairs = [(0, 0), (0, 1), (1, 1)]
    goal = sp.Matrix([A[i, j] for i, j in pairs])
    for R in range(2, max_radius + 1):
        dirs = _directions(R)
        M = sp.Matrix([[2 * k[i] * k[j] * hh[i] * hh[j] for k in dirs] for i, j in pairs])
        lam = nonneg_point(M, goal)
        if lam is None:
            cert = infeasibility_derivation(M, goal, tuple(dirs), [(2, 0), (1, 1), (0, 2)],
                                            title=f"no positive covariance split in radius {R}")
            bld.step(f"radius {R}: the covariance is not a non-negative combination of the "
                     "lattice directions", "Farkas certificate",
                     Check("farkas_infeasible", cert.steps[2].check.args))
            continue
        bld.step(sp.Eq(sp.Symbol("lambda"), sp.ImmutableMatrix(lam), evaluate=False),
                 f"radius {R}: exact non-negative split of a over directions {dirs}",
                 Check("nonneg_solution", (sp.ImmutableMatrix(M), sp.ImmutableMatrix(goal),
                                           sp.ImmutableMatrix(lam))))
        rates: dict[tuple[int, ...], sp.Expr] = {}
        for k, lk in zip(dirs, lam, strict=True):
            if lk != 0:
                rates[k] = rates.get(k, 0) + lk
                mk = (-k[0], -k[1])
                rates[mk] = rates.get(mk, 0) + lk
        for i, bi in enumerate((b1, b2)):
            e = (1, 0) if i == 0 else (0, 1)
            me = (-e[0], -e[1])
            if bi > 0:
                rates[e] = rates.get(e, 0) + bi / hh[i]
            elif bi < 0:
                rates[me] = rates.get(me, 0) - bi / hh[i]
        total = sum(rates.values())
        interval = 1 / total
        probs = {k: v * interval for k, v in rates.items()}
        checks = [("E[step_1]", lambda k: k[0] * h1, b1 * interval),
                  ("E[step_2]", lambda k: k[1] * h2, b2 * interval),
                  ("E[step_1^2]", lambda k: (k[0] * h1) ** 2, (A[0, 0] + h1 * abs(b1)) * interval),
                  ("E[step_1 step_2]", lambda k: k[0] * k[1] * h1 * h2, A[0, 1] * interval),
                  ("E[step_2^2]", lambda k: (k[1] * h2) ** 2, (A[1, 1] + h2 * abs(b2)) * interval)]
        for label, f, g in checks:
            bld.identity(_expect(probs, f), g, f"{label}: local consistency (upwind drift adds "
                         "h|b| dt on the diagonal)")
        bld.step(sp.And(*[sp.Ge(v, 0) for v in probs.values()]), "all probabilities >= 0",
                 Check("truth", (sp.And(*[sp.Ge(v, 0) for v in probs.values()]),)))
        d = bld.finish_concluded(sp.ImmutableMatrix([interval]))
        proc = JumpProcess(probs, time="discrete", scaling="diffusive", reading="forward",
                           coords=COORDS[:2], h=(sp.Symbol("h1", positive=True),
                                                 sp.Symbol("h2", positive=True)),
                           asymmetry_order=1, time_step=interval,
                           name=name or f"positive chain, radius {R}")
        cond = Condition(sp.true, (), "validity", status="proved",
                         name=f"positive chain on radius {R}",
                         description=f"found on radius {R} for h = ({h1}, {h2})")
        return KushnerDupuisChain(proc, interval, (b1, b2), sp.ImmutableMatrix(A), cond, d)
    raise AnalysisError(f"no positive chain within radius {max_radius}: the covariance "
                        f"{A.tolist()} is not a non-negative combination of lattice directions "
                        "there (singular or irrational direction?); raise max_radius or change h")


def fixed_dt_chain(chain: KushnerDupuisChain, dt: Any = DT, *, domain: tuple[Any, Any] | None
                   = None, max_rate: Any = None) -> FixedDtChain:
    """Fixed-step variant of a chain (for kernels): probabilities p_k dt / interval(x), self-loop
    1 - dt / interval(x); valid iff dt <= min_x interval(x)."""
    dt = sp.sympify(dt)
    proc = chain.process
    inv = sp.simplify(1 / chain.interval)  # the total jump rate Q/h^2
    coords = proc.coords
    if inv.free_symbols & set(coords):
        if max_rate is not None:
            bound = sp.sympify(max_rate)
        elif domain is not None and len(coords) == 1:
            bound = sp.maximum(inv, coords[0], sp.Interval(*domain))
        else:
            raise ModelError(f"the total rate {inv} depends on position: give domain=(x0, x1) "
                             "or max_rate= (an upper bound of Q/h^2) to bound dt")
    else:
        bound = inv
    if not (dt.free_symbols or sp.sympify(bound).free_symbols) and dt > 1 / bound:
        raise ModelError(f"dt = {dt} exceeds the largest step {1 / bound} = h^2 / max Q of the "
                         "fixed-dt chain (its self-loop probability would be negative): take "
                         "dt <= that bound")
    probs = {k: sp.simplify(p * dt * inv) for k, p in chain.probabilities.items()}
    stay = sp.simplify(1 - dt * inv)
    bld = DerivationBuilder("fixed-dt variant of the chain")
    i0 = bld.define(sp.Eq(sp.Symbol("p_0"), stay, evaluate=False),
                    "p_k -> p_k dt / interval(x); the rest stays put")
    dim = len(coords)
    for i in range(dim):
        lhs = _expect(probs, lambda k, i=i: k[i] * proc.h[i])
        goal = _expect(chain.probabilities, lambda k, i=i: k[i] * proc.h[i]) * dt * inv
        bld.identity(lhs, goal, f"E[step_{i + 1}] scales by dt/interval: b_{i + 1} dt", [i0])
    cond_expr = sp.Le(dt, 1 / bound) if dt.free_symbols else sp.Le(dt, 1 / bound)
    bld.step(cond_expr, "the self-loop is >= 0 iff dt <= interval(x) for every x "
             "(dt <= h^2 / max Q)", Check("follows"), uses=[i0])
    d = bld.finish_concluded(cond_expr)
    jumps = {**probs, (0,) * dim: stay}
    fproc = JumpProcess(jumps, time="discrete", scaling="diffusive", reading=proc.reading,
                        coords=coords, h=proc.h, asymmetry_order=1, time_step=None,
                        name=f"{proc.name} (fixed dt)")
    u = Field("u", dim)
    update = sp.Add(*[p * u[k if dim > 1 else k[0]] for k, p in jumps.items()])
    scheme = Scheme(("u",), dim, {"u": update}, reading="backward", coords=coords,
                    spacing=proc.h, dt=dt if isinstance(dt, sp.Symbol) else DT,
                    name=f"{proc.name} (fixed dt, backward)")
    var = (dt,) if isinstance(dt, sp.Symbol) else ()
    cond = Condition(cond_expr, var, "positivity", status="proved",
                     name="fixed-dt chain step bound",
                     description="dt <= h^2 / max Q (self-loop probability >= 0)")
    return FixedDtChain(fproc, scheme, cond, d)
