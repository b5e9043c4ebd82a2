"""Local consistency of Markov chain approximations of diffusions (Kushner-Dupuis).

A chain with steps ``Delta`` and interval ``dt`` approximates ``dX = b dt + sigma dW`` when

    E[Delta] = b dt + o(dt),  E[Delta Delta^T] - E[Delta] E[Delta]^T = a dt + o(dt),
    |Delta| -> 0,

with ``a = sigma sigma^T``. The derivation states the exact residuals (for the upwind chain:
``E[Delta] = b dt`` exactly, ``E[Delta^2] = (sigma^2 + h|b|) dt``), proves that they are o(dt),
and returns the validity (positivity) conditions and, in 2-D, the aspect-ratio range
``|a12|/a11 <= h2/h1 <= a22/|a12|`` for which a positive nine-point chain exists.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.analysis.jump_limit import S, _limit0
from mcgen.errors import AnalysisError
from mcgen.model.catalogue.kushner_dupuis import aspect_ratio_range
from mcgen.model.jump_process import JumpProcess
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder


def kushner_dupuis_consistency(chain: JumpProcess, drift: Any, covariance: Any) -> Derivation:
    """Local consistency of ``chain`` with ``dX = drift dt + sigma dW``, ``covariance = sigma
    sigma^T`` (a scalar ``sigma^2`` in 1-D).

    Result: a dict with ``interval`` (dt, or the fixed ``dt``), ``mean_residual`` and
    ``covariance_residual`` (exact), ``second_moment``, ``conditions`` (a list of
    :class:`Condition`: non-negative probabilities, and for the fixed-dt variant the bound on
    ``dt``) and, in 2-D, ``aspect_ratio`` (a Condition on ``h2/h1``).
    """
    dim = chain.dim
    bvec = sp.Matrix([sp.sympify(v) for v in (drift if isinstance(drift, (list, tuple))
                                              else [drift])])
    a = sp.Matrix(covariance) if isinstance(covariance, (list, tuple, sp.MatrixBase)) \
        else sp.Matrix([[sp.sympify(covariance)]])
    if bvec.shape[0] != dim or a.shape != (dim, dim):
        raise AnalysisError(f"drift and covariance must match the chain's dimension {dim}")
    if chain.time != "discrete":
        raise AnalysisError("Kushner-Dupuis consistency is stated for discrete-time chains")
    fixed = chain.time_step is None
    dt = chain.dt if fixed else chain.time_step
    b = DerivationBuilder(f"Local consistency of {chain.name or 'a chain'} (Kushner-Dupuis)",
                          meta={"model_hash": chain.hash})
    b.define(chain, "the chain (backward reading: expectations)")
    zero = (0,) * dim
    # work with intensities lambda_k = p_k / dt: the moments per unit time have no common
    # denominator to cancel, which keeps symbolic 2-D chains fast
    parts = _Parts([*chain.jumps.values(), dt, *bvec, *a])
    dtp = parts.forward(dt)
    lam = {k: sp.cancel(parts.forward(p) / dtp) for k, p in chain.jumps.items() if k != zero}
    bvec, a = parts.forward(bvec), parts.forward(a)
    steps = {k: sp.Matrix([ki * hi for ki, hi in zip(k, chain.h, strict=False)]) for k in lam}
    rate_mean = sp.Matrix.zeros(dim, 1)
    rate_second = sp.Matrix.zeros(dim, dim)
    for k, lk in lam.items():
        rate_mean += lk * steps[k]
        rate_second += lk * steps[k] * steps[k].T
    rate_mean = rate_mean.applyfunc(sp.cancel)
    rate_second = rate_second.applyfunc(sp.cancel)
    i_dt = b.define(sp.Eq(sp.Symbol("dt"), dtp, evaluate=False),
                    "the fixed time step" if fixed else "the interpolation interval dt(x) = 1/Q")
    i_l = b.define(sp.Tuple(*[sp.Eq(sp.Symbol(f"lambda_{k}"), v, evaluate=False)
                              for k, v in lam.items()]),
                   "jump intensities lambda_k = p_k / dt")
    r_mean = (rate_mean - bvec).applyfunc(sp.cancel)
    r_second = (rate_second - a).applyfunc(sp.cancel)
    mean, second = rate_mean * dtp, rate_second * dtp
    mean_res, sec_res = r_mean * dtp, r_second * dtp
    i_m = b.identity(sp.ImmutableMatrix(rate_mean), sp.ImmutableMatrix(bvec + r_mean),
                     "E[Delta]/dt = sum_k lambda_k k h = b + residual/dt", uses=[i_dt, i_l])
    i_s = b.identity(sp.ImmutableMatrix(rate_second), sp.ImmutableMatrix(a + r_second),
                     "E[Delta Delta^T]/dt = sum_k lambda_k (k h)(k h)^T = a + residual/dt",
                     uses=[i_dt, i_l])
    cov_res = sec_res - mean * mean.T
    i_c = b.step(sp.Eq(sp.Symbol("Cov[Delta]"), sp.ImmutableMatrix(a * dt + cov_res),
                       evaluate=False), "Cov[Delta] = E[Delta Delta^T] - E[Delta] E[Delta]^T",
                 Check("follows"), uses=[i_s, i_m])
    # the residuals are o(dt): residual/dt -> 0 as h -> 0
    scale: dict[sp.Expr, sp.Expr] = {hi: S * hi for hi in chain.h}
    if fixed:
        scale[chain.dt] = S ** 2 * chain.dt  # the fixed step refines like h^2
    small = []
    r_drift2 = rate_mean * rate_mean.T * dtp  # Cov = E[DD^T] - E[D]E[D]^T: both parts -> 0
    for name, res, i in (("mean", list(r_mean), i_m),
                         ("covariance", list(r_second) + list(r_drift2), i_c)):
        for e in res:
            if e == 0:
                continue
            lim, ordr, _ = _limit0(e.xreplace(scale))
            if lim != 0:
                raise AnalysisError(f"the {name} residual {e} is not o(dt) (residual/dt -> "
                                    f"{lim}): the chain is not locally consistent")
        small.append(b.step(f"the {name} residual divided by dt vanishes as h -> 0",
                            "order of the residual in h", Check("follows"), uses=[i]))
    for hi in chain.h:
        b.step(sp.Eq(sp.Symbol("max |Delta|"), sp.Max(*[abs(k[j]) for k in chain.jumps
                                                        for j in range(dim)]) * hi,
                     evaluate=False), "the jumps are O(h): |Delta| -> 0", Check("definition"))
    conditions = _validity_conditions(chain, fixed)
    result: dict[str, Any] = {"interval": parts.back(dtp, True), "mean": parts.back(mean),
                              "second_moment": parts.back(second),
                              "mean_residual": parts.back(mean_res, True),
                              "second_moment_residual": parts.back(sec_res, True),
                              "covariance_residual": parts.back(cov_res),
                              "conditions": conditions, "locally_consistent": True}
    if dim == 2:
        lo, hi = aspect_ratio_range(a)
        ratio = sp.Symbol("h2/h1", positive=True)
        expr = sp.And(sp.Le(lo, ratio), sp.Le(ratio, hi)) if hi != sp.oo else sp.true
        result["aspect_ratio"] = Condition(
            expr, (ratio,), kind="validity", status="proved", name="grid aspect ratio",
            description=f"a positive nine-point chain exists iff {lo} <= h2/h1 <= {hi} "
                        "(axis probabilities a_ii/h_i^2 - |a12|/(h1 h2) >= 0)",
            scope="local consistency of the chain (no boundary)",
            definitions={ratio: chain.h[1] / chain.h[0]})
        b.step(result["aspect_ratio"], "axis rates a11/h1^2 - |a12|/(h1 h2) >= 0 and "
               "a22/h2^2 - |a12|/(h1 h2) >= 0, divided by positive factors",
               Check("definition"))
    b.step("locally consistent: E[Delta] = b dt + o(dt), Cov[Delta] = a dt + o(dt), "
           "|Delta| = O(h)", "Kushner-Dupuis local consistency", Check("follows"),
           uses=small)
    b.conclude(result, reason="the moments and the bounds derived above",
               uses=range(len(b.steps)))
    return b.finish(result)


class _Parts:
    """Positive and negative parts as independent symbols: ``Max(v, 0) -> P``,
    ``Max(-v, 0) -> N``, ``|v| -> P + N``, ``v -> P - N``. Identities of upwind chains are then
    rational in plain symbols, so ``cancel`` decides them (``|v|^2 = v^2`` is never needed)."""

    def __init__(self, exprs: list[sp.Expr]) -> None:
        self.pairs: dict[sp.Expr, tuple[sp.Symbol, sp.Symbol]] = {}
        for e in exprs:
            for m in sp.sympify(e).atoms(sp.Max):
                if len(m.args) == 2 and sp.S.Zero in m.args:
                    v = m.args[0] if m.args[1] == 0 else m.args[1]
                    base = -v if v.could_extract_minus_sign() else v
                    if base not in self.pairs:
                        i = len(self.pairs)
                        self.pairs[base] = (sp.Symbol(f"P{i}", nonnegative=True),
                                            sp.Symbol(f"N{i}", nonnegative=True))

    def forward(self, e: Any) -> Any:
        e = sp.sympify(e)
        sub: dict[sp.Expr, sp.Expr] = {}
        for v, (p, n) in self.pairs.items():
            sub[sp.Max(v, 0)] = p
            sub[sp.Max(-v, 0)] = n
            sub[sp.Abs(v)] = p + n
        e = e.xreplace(sub)
        return e.xreplace({v: p - n for v, (p, n) in self.pairs.items()}) if not \
            isinstance(e, sp.MatrixBase) else e.applyfunc(
                lambda x: x.xreplace({v: p - n for v, (p, n) in self.pairs.items()}))

    def back(self, e: Any, simplify: bool = False) -> Any:
        sub = {}
        for v, (p, n) in self.pairs.items():
            sub[p] = (v + sp.Abs(v)) / 2
            sub[n] = (sp.Abs(v) - v) / 2
        if not sub:
            return e
        f = (lambda x: sp.cancel(x.xreplace(sub))) if simplify else (lambda x: x.xreplace(sub))
        return e.applyfunc(f) if isinstance(e, sp.MatrixBase) else f(sp.sympify(e))


def _validity_conditions(chain: JumpProcess, fixed: bool) -> list[Condition]:
    out = []
    zero = (0,) * chain.dim
    for k, p in chain.jumps.items():
        syms = tuple(sorted(p.free_symbols, key=lambda s: s.name))
        ineq = sp.Ge(p, 0)
        sign = p.is_nonnegative  # assumptions only: fast, and enough for upwind chains
        if p.is_number and p < 0:
            raise AnalysisError(f"probability of jump {k} is {p} < 0: the chain is invalid")
        v = sp.true if sign else ineq
        kind_name = "self-loop" if k == zero else f"jump {k}"
        out.append(Condition(v if v is sp.true else ineq, syms, kind="validity",
                             status="proved", name=f"non-negative probability of the {kind_name}",
                             description=f"p_{k} = {p} >= 0" + (" (holds for every h: upwind "
                                                                 "drift)" if v is sp.true
                                                                 else ""),
                             scope="the chain's transition probabilities"))
    if fixed and zero in chain.jumps:
        q = sp.cancel((1 - chain.jumps[zero]) / chain.dt)
        out.append(Condition(sp.Le(chain.dt, 1 / q), (chain.dt,), kind="validity",
                             status="proved", name="fixed-dt bound",
                             description=f"dt <= 1/Q = {sp.cancel(1 / q)} (the self-loop "
                                         "1 - Q dt stays non-negative); take max Q over the "
                                         "state space", scope="the chain's transition "
                                                             "probabilities"))
    return out
