"""Coarse-grain micro to macro: learn the flux f(rho) of a conservation law from measured
currents, with an uncertainty band, and build a monotone scheme from it.

The currents come from Monte Carlo (``mcgen.run.montecarlo.ring_current`` at many densities;
this layer takes the arrays, it does not run kernels). f is a polynomial fitted by weighted least
squares (weights 1/stderr^2), optionally pinned to vanish at given densities (exclusion: f(0) =
f(1) = 0) by nullspace parametrisation. The band is the pointwise 95% interval of the fit,
``1.96 sqrt(phi(rho)^T Cov phi(rho))``. The scheme is the catalogue's conservative scheme
(Godunov for a convex or concave learned flux, otherwise Engquist-Osher over the pieces
between the exact sonic points, which are algebraic numbers) of the learned law with
rational coefficients, and its monotonicity condition is proved by the analysis layer over the
data range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from mcgen.analysis.monotonicity import monotonicity
from mcgen.errors import ModelError
from mcgen.model.catalogue.conservative import conservative_scheme
from mcgen.model.law import scalar_law
from mcgen.model.scheme import Scheme
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder
from mcgen.train import constrained_lsq
from mcgen.train.exact_rounding import rationalize
from mcgen.train.snapshots import DataError

RHO = sp.Symbol("rho", real=True)


@dataclass(frozen=True)
class FluxFit:
    """A learned flux with its band, the comparison with a derived flux, and a monotone scheme.

    Attributes
    ----------
    flux : f(rho), a polynomial with rational coefficients.
    coefficients, covariance : float coefficients (powers 0..degree) and their covariance.
    data_range : (min, max) of the measured densities (rational).
    max_error : max |f_learned - f_derived| on the data range (when ``compare`` was given).
    scheme : conservative scheme of the learned law; ``condition``: its proved monotonicity
        condition over the data range (on lambda = dt/dx).
    derivations : ``{"fit", "comparison", "monotonicity"}``.
    """

    flux: sp.Expr
    coefficients: np.ndarray
    covariance: np.ndarray
    data_range: tuple[sp.Rational, sp.Rational]
    max_error: float | None
    scheme: Scheme
    condition: Condition
    derivations: dict[str, Derivation]
    rho: sp.Symbol = RHO

    def band(self, rho: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(f, lower, upper): the learned flux and its pointwise 95% band at ``rho``."""
        r = np.asarray(rho, dtype=float)
        V = np.vander(r.ravel(), self.coefficients.size, increasing=True)
        f = V @ self.coefficients
        half = 1.96 * np.sqrt(np.einsum("ij,jk,ik->i", V, self.covariance, V).clip(0))
        return f.reshape(r.shape), (f - half).reshape(r.shape), (f + half).reshape(r.shape)

    def max_stable_lambda(self) -> float:
        """The largest dt/dx the proved monotonicity condition allows."""
        lam = self.condition.variables[0]
        sol = sp.solve(self.condition.expr, lam)
        try:
            return float(sp.Interval(0, sp.oo).intersect(sol.as_set()).sup)
        except (AttributeError, TypeError):
            return float("nan")


def learn_flux(densities: Any, currents: Any, stderr: Any = None, degree: int = 2,
               vanishes_at: tuple[float, ...] = (), compare: Any = None, rho: sp.Symbol = RHO,
               flux: str = "godunov", particle_hole: bool = False) -> FluxFit:
    """Fit f(rho) to measured currents; see the module docstring.

    Parameters
    ----------
    densities, currents : 1-D arrays of equal length (one measurement per density).
    stderr : standard errors of the currents (weights 1/stderr^2); None: equal weights.
    degree : polynomial degree of f.
    vanishes_at : densities where f is known to vanish (exclusion: ``(0, 1)``).
    particle_hole : impose f(rho) = f(1 - rho) (and f(0) = f(1) = 0): exclusion processes with
        particle-hole symmetry; f is then a polynomial in rho (1 - rho).
    compare : a derived flux (SymPy expression in ``rho``) to compare with on the data range.
    flux : numerical flux of the scheme: ``"godunov"`` (needs a convex/concave f; falls back on
        the general ``"engquist_osher"`` otherwise), ``"engquist_osher"`` or
        ``"lax_friedrichs"``.
    """
    r = np.asarray(densities, dtype=float).ravel()
    J = np.asarray(currents, dtype=float).ravel()
    if r.shape != J.shape:
        raise DataError(f"{r.size} densities but {J.size} currents: give one current per density")
    if not (np.isfinite(r).all() and np.isfinite(J).all()):
        raise DataError("densities or currents contain NaN/inf: drop those measurements")
    w = np.ones_like(r)
    if stderr is not None:
        s = np.asarray(stderr, dtype=float).ravel()
        if s.shape != r.shape or (s <= 0).any() or not np.isfinite(s).all():
            raise DataError("stderr must be positive and finite, one per measurement")
        w = 1.0 / s
    n_coef = degree + 1
    # the constraints are built into a basis B_j of f, so that rounding the coefficients in it
    # keeps them exact: pinned zeros f = prod (rho - z_i) rho^j; particle-hole symmetry
    # f = sum_k c_k (rho (1 - rho))^k (which also pins f(0) = f(1) = 0)
    if particle_hole:
        if degree % 2:
            raise DataError(f"particle_hole=True needs an even degree, not {degree}")
        basis = [sp.expand((rho * (1 - rho)) ** k) for k in range(1, degree // 2 + 1)]
    else:
        pin = sp.Mul(*[rho - sp.nsimplify(z) for z in vanishes_at])
        basis = [sp.expand(pin * rho ** j) for j in range(n_coef - len(vanishes_at))]
    nq = len(basis)
    if nq < 1 or r.size < nq + 1:
        raise DataError(f"{r.size} measurements for {nq} free coefficients (degree {degree}, "
                        f"{len(vanishes_at)} pinned zeros): give at least {nq + 1} densities "
                        "(or lower the degree)")
    P = np.array([[float(sp.Poly(bj, rho).coeff_monomial(rho ** i)) for bj in basis]
                  for i in range(n_coef)])           # monomial coefficients of each B_j
    Vq = np.vander(r, n_coef, increasing=True) @ P
    sol = constrained_lsq.solve(Vq * w[:, None], J * w)
    cov_q = sol.cov[:nq, :nq]
    if stderr is not None and sol.dof > 0:
        cov_q = cov_q / sol.sigma2  # known errors: the covariance is (V^T W V)^-1, not rescaled
    coef = P @ sol.c
    cov = P @ cov_q @ P.T
    half_q = 1.96 * np.sqrt(np.clip(np.diag(cov_q), 0, None))
    # coefficients are correlated: round each far inside its own interval
    q_q = rationalize(sol.c, np.full(nq, max(1e-12, float(half_q.min()) / 20)))
    c_q = sp.Poly(sp.expand(sum((c * bj for c, bj in zip(q_q, basis, strict=True)),
                                sp.S.Zero)) + rho ** (n_coef + 1), rho).all_coeffs()[::-1]
    c_q = c_q[:n_coef]
    f = sp.expand(sum(c * rho ** p for p, c in enumerate(c_q)))
    lo = sp.Rational(int(np.floor(r.min() * 1000)), 1000)
    hi = sp.Rational(int(np.ceil(r.max() * 1000)), 1000)
    derivs: dict[str, Derivation] = {}
    b = DerivationBuilder("Learned flux from measured currents")
    i0 = b.define(f"{r.size} currents at densities in [{lo}, {hi}]; weighted least squares, "
                  f"degree {degree}; residual rms {np.sqrt(sol.rss / max(r.size, 1)):.3e}",
                  "the data")
    i1 = b.step(sp.Eq(sp.Function("f")(rho), f), "coefficients in a basis that carries the "
                "constraints, rounded to rationals well inside their 95% intervals", uses=[i0])
    if particle_hole:
        b.identity(f.subs(rho, 1 - rho), f, "particle-hole symmetry f(rho) = f(1 - rho) "
                   "(imposed exactly)", uses=[i1])
    for z in (*vanishes_at, *((0, 1) if particle_hole else ())):
        b.identity(f.subs(rho, sp.nsimplify(z)), 0, f"f vanishes at rho = {z} (imposed exactly)",
                   uses=[i1])
    derivs["fit"] = b.finish_concluded(f)
    max_err = None
    if compare is not None:
        g = sp.sympify(compare)
        xs = np.linspace(float(lo), float(hi), 2001)
        diff = sp.lambdify(rho, f - g, "numpy")(xs)
        max_err = float(np.max(np.abs(diff)))
        cb = DerivationBuilder("Learned flux against the derived hydrodynamic flux")
        cb.define(sp.Eq(sp.Symbol("f_derived"), g), "the derived flux")
        cb.define(sp.Eq(sp.Symbol("f_learned - f_derived"), sp.expand(f - g)),
                  "difference (exact polynomial)")
        cb.define(f"max |f_learned - f_derived| on [{lo}, {hi}] = {max_err:.3e}",
                  "evaluated on 2001 points of the data range")
        derivs["comparison"] = cb.finish_concluded(max_err)
    law = scalar_law(rho, f, name="learned flux law")
    kind = flux
    try:
        scheme = conservative_scheme(law, kind, data_range=(lo, hi))
    except ModelError:
        # Godunov's closed form needs a convex or concave f; a learned flux with several sonic
        # points (KLS: two humps) gets the general Engquist-Osher flux, monotone by construction
        kind = "engquist_osher"
        scheme = conservative_scheme(law, kind, data_range=(lo, hi))
    mono = monotonicity(scheme, (lo, hi))
    derivs["monotonicity"] = mono
    mb = DerivationBuilder(f"A monotone scheme from the learned flux ({kind})")
    j0 = mb.define(scheme, "the catalogue's conservative scheme of the learned law")
    mb.step(mono.result, mono.title, Check("derivation", (mono,)), uses=[j0])
    derivs["scheme"] = mb.finish_concluded(mono.result)
    return FluxFit(f, coef, cov, (lo, hi), max_err, scheme, mono.result, derivs, rho)
