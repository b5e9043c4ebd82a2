"""Training dynamics as a Markov chain: the diffusion limit of SGD / Langevin on a symbolic loss.

The update ``theta_{n+1} = theta_n - eta (grad L(theta_n) + xi_n)`` (minibatch noise xi of mean 0,
covariance Sigma) or ``theta_{n+1} = theta_n - eta grad L + sqrt(2 eta T) xi`` (Langevin, xi
standard normal) is a chain on parameter space. Matching its one-step mean and covariance with
those of ``dTheta = b dt + s dW`` over a time ``eta`` (Ito-Taylor: mean ``eta b + eta^2/2 (b . grad)
b + O(eta^3)``, covariance ``eta s s^T + O(eta^2)``) gives the stochastic modified equation (Li, Tai
and E 2017):

    b = -grad L - (eta/4) grad |grad L|^2,   s s^T = eta Sigma   (SGD)   or   2 T I   (Langevin),

where the correction is ``-(1/2) Hess L grad L``, checked here as an identity for the given loss.
For a quadratic loss ``L = (theta - m)^T H (theta - m) / 2`` with constant noise the limit is an
Ornstein-Uhlenbeck process whose stationary law is ``N(m, C)``, C solving the Lyapunov equation
``H' C + C H' = Q`` with ``H' = H + (eta/2) H^2``; the chain itself is linear and its exact
stationary covariance solves the discrete Lyapunov equation ``A C A^T + eta^2 Sigma = C``,
``A = I - eta H``. Both are derived and compared: they agree to leading order in eta.

A stationary law needs a mean-reverting limit: H positive definite (a concave, saddle or flat
direction has none: the walk drifts away or spreads without bound, though the Lyapunov
equations still have formal solutions with negative "variances"), and the chain needs every
``|1 - eta h_i| < 1``, i.e. ``0 < eta h_i < 2`` for the eigenvalues ``h_i`` of H (past that the
iteration diverges). Both conditions are decided, or stated as the condition of the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.proof import Check, Derivation, DerivationBuilder

ETA = sp.Symbol("eta", positive=True)
TEMP = sp.Symbol("T", positive=True)


@dataclass(frozen=True)
class TrainingLimit:
    """The stochastic modified equation of a training chain, and (quadratic loss) its
    stationary law. ``drift`` and ``diffusion`` are SymPy (vector / matrix) expressions in the
    parameters; ``diffusion`` is ``s s^T`` (the SDE is ``dTheta = drift dt + s dW``)."""

    params: tuple[sp.Symbol, ...]
    loss: sp.Expr
    drift: sp.Matrix
    diffusion: sp.Matrix
    stationary_mean: sp.Matrix | None
    stationary_cov: sp.Matrix | None
    chain_stationary_cov: sp.Matrix | None
    derivations: dict[str, Derivation]
    chain_condition: Any = None     # where chain_stationary_cov holds: eta h_i < 2 (or True)


def _as_matrix(cov: Any, n: int) -> sp.Matrix:
    if cov is None:
        return sp.zeros(n, n)
    if isinstance(cov, (list, tuple, sp.MatrixBase)):
        M = sp.Matrix(cov)
        if M.shape != (n, n):
            raise ModelError(f"noise covariance of shape {M.shape}: give an {n} x {n} matrix")
        return M
    return sp.eye(n) * sp.sympify(cov)


def _lyapunov(Hp: sp.Matrix, Q: sp.Matrix) -> sp.Matrix:
    n = Hp.shape[0]
    cs = sp.symbols(f"_c0:{n * n}")
    C = sp.Matrix(n, n, cs)
    sol = sp.solve(list(Hp * C + C * Hp.T - Q) + [C[i, j] - C[j, i] for i in range(n)
                                                    for j in range(i + 1, n)], cs, dict=True)
    if not sol:
        raise ModelError("the Lyapunov equation has no solution: the loss is not strictly convex")
    return sp.simplify(C.subs(sol[0]))


def training_limit(loss: Any, params: Any, lr: Any = ETA, noise: str = "sgd",
                   noise_cov: Any = None, temperature: Any = TEMP) -> TrainingLimit:
    """The diffusion limit of a stochastic training update, as checked derivations.

    Parameters
    ----------
    loss : a SymPy expression in ``params``.
    params : the parameters (a symbol or a sequence of symbols).
    lr : the learning rate eta (symbol or number).
    noise : ``"sgd"`` (gradient noise with covariance ``noise_cov``, a matrix or scalar times I,
        may depend on the parameters) or ``"langevin"`` (``sqrt(2 eta T)`` times a standard
        normal, temperature ``temperature``).
    """
    ps = (params,) if isinstance(params, sp.Symbol) else tuple(params)
    if not ps or not all(isinstance(p, sp.Symbol) for p in ps):
        raise ModelError("params must be SymPy symbols (the trained parameters)")
    L = sp.sympify(loss)
    if noise not in ("sgd", "langevin"):
        raise ModelError(f"noise={noise!r}: use 'sgd' or 'langevin'")
    n = len(ps)
    eta = sp.sympify(lr)
    grad = sp.Matrix([sp.diff(L, p) for p in ps])
    Hess = sp.hessian(L, ps)
    Sigma = _as_matrix(noise_cov, n)
    b = DerivationBuilder(f"Stochastic modified equation of {noise.upper()} on L = {sp.sstr(L)}")
    xi = sp.Matrix(sp.symbols(f"xi1:{n + 1}"))
    kick = -eta * xi if noise == "sgd" else sp.sqrt(2 * eta * sp.sympify(temperature)) * xi
    i0 = b.define(sp.Eq(sp.Symbol("theta_{n+1} - theta_n"), -eta * grad + kick, evaluate=False),
                  "the training update (a Markov chain on the parameters); xi has mean 0 and "
                  + ("covariance Sigma" if noise == "sgd" else "covariance I"))
    mean_step = -eta * grad
    if noise == "sgd":
        step_cov = eta ** 2 * Sigma
    else:
        step_cov = 2 * eta * sp.sympify(temperature) * sp.eye(n)
    i1 = b.define(sp.Eq(sp.Symbol("E[step]"), mean_step, evaluate=False),
                  "one-step mean (the noise has mean zero)")
    i2 = b.define(sp.Eq(sp.Symbol("Cov[step]"), step_cov, evaluate=False), "one-step covariance")
    b0 = -grad
    b1 = -(Hess * grad) / 2
    # the Ito-Taylor mean over time eta: eta (b0 + eta b1) + eta^2/2 (b0 . grad) b0 + O(eta^3)
    jac_b0 = b0.jacobian(ps)
    ito = eta * (b0 + eta * b1) + eta ** 2 / 2 * (jac_b0 * b0)
    i3 = b.identity(sp.expand(ito - mean_step), sp.zeros(n, 1),
                    "Ito-Taylor: the SDE's mean over time eta equals the chain's to O(eta^3) "
                    "when b = b0 + eta b1 with b0 = -grad L, b1 = -(1/2) Hess L grad L",
                    uses=[i1], claim="eta b + (eta^2/2)(b0 . grad) b0 = -eta grad L + O(eta^3)")
    grad_sq = sum(g ** 2 for g in grad)
    corr = sp.Matrix([sp.diff(grad_sq, p) for p in ps]) / 4
    i4 = b.identity(sp.expand(Hess * grad / 2 - corr), sp.zeros(n, 1),
                    "(1/2) Hess L grad L = (1/4) grad |grad L|^2: the correction is a gradient",
                    uses=[i3], claim="(1/2) Hess L grad L = (1/4) grad |grad L|^2")
    drift = sp.simplify(-grad - eta * corr)
    diffusion = sp.simplify(step_cov / eta)
    i5 = b.identity(sp.expand(eta * diffusion - step_cov), sp.zeros(n, n),
                    "covariance over time eta: eta s s^T = the chain's one-step covariance",
                    uses=[i2], claim=sp.Eq(sp.Symbol("s s^T"), diffusion, evaluate=False))
    b.step(sp.Eq(sp.Symbol("dTheta"), sp.Symbol("b dt + s dW"), evaluate=False),
           f"stochastic modified equation: b = -grad(L + (eta/4)|grad L|^2) = "
           f"{sp.sstr(list(drift))}, s s^T = {sp.sstr(diffusion.tolist())}",
           uses=[i0, i4, i5])
    derivs = {"sde": b.finish_concluded({"drift": drift, "diffusion": diffusion})}
    mean_s = cov_s = cov_chain = chain_cond = None
    quadratic = L.is_polynomial(*ps) and sp.Poly(L, *ps).total_degree() <= 2
    if quadratic and not (Sigma.free_symbols & set(ps)) and Hess.free_symbols.isdisjoint(ps) \
            and Hess.is_positive_definite is False:
        derivs["stationary"] = _no_stationary_law(Hess, L)
    elif quadratic and not (Sigma.free_symbols & set(ps)) and Hess.free_symbols.isdisjoint(ps):
        sb = DerivationBuilder("Stationary law of the training chain (quadratic loss)")
        crit = sp.solve(list(grad), ps, dict=True)
        if not crit:
            raise ModelError("the quadratic loss has no critical point: no stationary law")
        m = sp.Matrix([crit[0].get(p, p) for p in ps])
        j0 = sb.identity(grad.subs(dict(zip(ps, m, strict=True))), sp.zeros(n, 1),
                         "the minimiser m: grad L(m) = 0", claim=sp.Eq(sp.Symbol("m"), m))
        Hp = Hess + eta / 2 * Hess ** 2
        Q = diffusion
        C = _lyapunov(Hp, Q)
        j1 = sb.identity(sp.simplify(Hp * C + C * Hp.T - Q), sp.zeros(n, n),
                         "Ornstein-Uhlenbeck (drift -H'(theta - m), H' = H + (eta/2) H^2): the "
                         "stationary covariance solves H' C + C H' = s s^T", uses=[j0],
                         claim=sp.Eq(sp.Symbol("C_SDE"), C, evaluate=False))
        if Hess.is_positive_definite is not True:
            j1 = sb.step(f"valid where H = {sp.sstr(Hess.tolist())} is positive definite",
                         "the OU process is mean-reverting only then (assumed, not decided)",
                         uses=[j1])
        A = sp.eye(n) - eta * Hess
        chain_cond = _chain_condition(Hess, eta)
        if chain_cond is sp.false:
            j2 = sb.step(f"at eta = {eta} some |1 - eta h_i| >= 1: the chain diverges and has no "
                         "stationary law", "spectral radius of A = I - eta H",
                         Check("truth", (sp.Not(_chain_condition(Hess, eta, decide=False)),)),
                         uses=[j0])
            Cd = None
        else:
            Cd = _discrete_lyapunov(A, step_cov)
            j2 = sb.identity(sp.simplify(A * Cd * A.T + step_cov - Cd), sp.zeros(n, n),
                             "the chain is linear: its exact stationary covariance solves "
                             "A C A^T + Cov[step] = C with A = I - eta H"
                             + ("" if chain_cond is sp.true else
                                f", valid where {sp.sstr(chain_cond)} (|1 - eta h_i| < 1)"),
                             uses=[j0], claim=sp.Eq(sp.Symbol("C_chain"), Cd, evaluate=False))
        scale = eta if noise == "sgd" else sp.Integer(1)
        lead = (C / scale).applyfunc(lambda e: sp.limit(e, eta, 0)) \
            if eta.free_symbols else None
        lead_d = (Cd / scale).applyfunc(lambda e: sp.limit(e, eta, 0)) \
            if eta.free_symbols and Cd is not None else None
        uses = [j1, j2]
        if lead is not None and Cd is not None:
            uses.append(sb.identity(lead, lead_d, "the two agree to leading order in eta",
                                    uses=[j1, j2]))
        sb.step(f"stationary law N(m, C): m = {sp.sstr(list(m))}, C = {sp.sstr(C.tolist())}",
                "the limit of an OU process (Gaussian)", uses=uses)
        derivs["stationary"] = sb.finish_concluded({"mean": m, "cov": C, "chain_cov": Cd})
        mean_s, cov_s, cov_chain = m, C, Cd
    return TrainingLimit(ps, L, drift, diffusion, mean_s, cov_s, cov_chain, derivs, chain_cond)


def _no_stationary_law(Hess: sp.Matrix, L: sp.Expr) -> Derivation:
    """A quadratic loss whose Hessian is not positive definite: no stationary law, proved by an
    eigenvalue <= 0 (a direction that is not mean-reverting)."""
    b = DerivationBuilder(f"No stationary law for L = {sp.sstr(L)}")
    i0 = b.define(sp.Eq(sp.Symbol("H"), Hess, evaluate=False), "the Hessian of the loss")
    evs = list(Hess.eigenvals())
    bad = next((ev for ev in evs if sp.simplify(ev <= 0) is sp.true), None)
    if bad is not None:
        i1 = b.step(sp.Le(bad, 0), "an eigenvalue of H is <= 0", Check("truth", (bad <= 0,)),
                    uses=[i0])
    else:
        i1 = b.step("H is not positive definite", "SymPy's decision on H (Sylvester / "
                    "eigenvalues)", Check("follows"), uses=[i0])
    b.step("along that eigenvector the drift -H' (theta - m) does not pull back (H' = H + "
           "(eta/2) H^2 has the same eigenvector): the walk drifts away or spreads without bound",
           "no mean reversion, no stationary law (the Lyapunov equations' formal solutions are "
           "not covariances)", uses=[i1])
    return b.finish_concluded(None)


def _chain_condition(Hess: sp.Matrix, eta: sp.Expr, decide: bool = True) -> Any:
    """|1 - eta h_i| < 1 for every eigenvalue h_i of H (given H positive definite: eta h_i < 2),
    decided when it can be."""
    cond = sp.And(*[sp.Lt(eta * ev, 2) for ev in Hess.eigenvals()])
    if not decide:
        return cond
    v = sp.simplify(cond)
    return v if v in (sp.true, sp.false) else cond


def _discrete_lyapunov(A: sp.Matrix, Q: sp.Matrix) -> sp.Matrix:
    n = A.shape[0]
    cs = sp.symbols(f"_d0:{n * n}")
    C = sp.Matrix(n, n, cs)
    sol = sp.solve(list(A * C * A.T + Q - C), cs, dict=True)
    if not sol:
        raise ModelError("the chain has no stationary covariance (eta too large: |1 - eta h| "
                         ">= 1 for an eigenvalue h of the Hessian)")
    return sp.simplify(C.subs(sol[0]))
