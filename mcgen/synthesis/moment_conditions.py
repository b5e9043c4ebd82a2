"""Moment (consistency) conditions: the moments of the weights that a law asks a stencil for.

Backward reading (DESIGN section 1): ``u_j^{n+1} = sum_k w_k u_{j+k}^n`` is
``E[u^n(x_j + k h)]`` under the jump law ``P(k) = w_k``. For the law
``v_t = b . grad v + D : Hess v`` with frozen coefficients, the exact solution after one step is
``v(x, t + dt) = E[v(x + b dt + sqrt(2 D dt) Z)]``, so a scheme is consistent to order ``p`` when
the raw moments ``sum_k w_k k^alpha`` (|alpha| <= p, offsets in grid units) equal those of the
normal law ``N(b dt / h, 2 D dt / h^2)``. Linear advection ``u_t + a u_x = 0`` is the case
``b = -a``, ``D = 0``: moments ``(-nu)^m`` with ``nu = a dt / dx`` (first order: ``sum w = 1``,
``sum k w = -nu``; second order adds ``sum k^2 w = nu^2``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from math import factorial, prod
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.law import Law
from mcgen.model.symbols import COORDS, SPACINGS
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import nu as NU
from mcgen.model.symbols import r as R

MultiIndex = tuple[int, ...]


def multi_indices(dim: int, max_degree: int, min_degree: int = 0) -> list[MultiIndex]:
    """All multi-indices alpha in ``dim`` variables with min_degree <= |alpha| <= max_degree,
    in graded order (degree first, then reverse lexicographic: (2,0), (1,1), (0,2))."""
    out: list[MultiIndex] = []
    for deg in range(min_degree, max_degree + 1):
        out.extend(sorted((a for a in itertools.product(range(deg + 1), repeat=dim)
                           if sum(a) == deg), reverse=True))
    return out


def monomial(offset: MultiIndex, alpha: MultiIndex) -> int:
    """k^alpha = prod_i k_i^alpha_i (with 0^0 = 1)."""
    return prod(k ** a for k, a in zip(offset, alpha, strict=True))


def moment_matrix(support: list[MultiIndex], alphas: list[MultiIndex]) -> sp.ImmutableMatrix:
    """Rows alpha, columns k: the integer matrix of k^alpha (A w = moments)."""
    return sp.ImmutableMatrix([[monomial(k, a) for k in support] for a in alphas])


def gaussian_moments(mean: tuple[Any, ...], cov: Any, max_degree: int) -> dict[MultiIndex, sp.Expr]:
    """Raw moments E[X^alpha], |alpha| <= max_degree, of the normal law N(mean, cov), exactly.

    From the moment generating function exp(s.m + s^T C s / 2): E[X^alpha] = alpha! [s^alpha] M(s).
    """
    dim = len(mean)
    C = sp.Matrix(cov) if not isinstance(cov, sp.MatrixBase) else cov
    s = sp.symbols(f"_s0:{dim}")
    L = sum(si * mi for si, mi in zip(s, mean, strict=True)) + \
        sum(s[i] * C[i, j] * s[j] for i in range(dim) for j in range(dim)) / 2
    series = sp.expand(sum(L ** n / factorial(n) for n in range(max_degree + 1)))
    poly = sp.Poly(series, *s)
    out = {}
    for alpha in multi_indices(dim, max_degree):
        coeff = poly.coeff_monomial(prod(si ** ai for si, ai in zip(s, alpha, strict=True)))
        out[alpha] = sp.expand(coeff * prod(factorial(ai) for ai in alpha))
    return out


@dataclass(frozen=True)
class MomentTarget:
    """What a law asks of a stencil's weights: raw moments in grid units, up to ``max_degree``.

    Attributes
    ----------
    dim : space dimension.
    mean, cov : the one-step jump law's mean (grid units) and covariance (grid units squared),
        or None when the moments were given directly.
    moments : {alpha: exact target} for every |alpha| <= max_degree.
    definitions : how the dimensionless groups are made ({nu: a*dt/dx}).
    law : the law, when built from one.
    coords, spacing, dt : symbols of the lattice the scheme lives on.
    description : plain words: what the moments are.
    """

    dim: int
    moments: dict[MultiIndex, sp.Expr]
    max_degree: int
    mean: tuple[sp.Expr, ...] | None = None
    cov: sp.ImmutableMatrix | None = None
    definitions: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    law: Law | None = None
    coords: tuple[sp.Symbol, ...] = ()
    spacing: tuple[sp.Symbol, ...] = ()
    dt: sp.Symbol = DT
    description: str = ""

    def up_to(self, degree: int) -> MomentTarget:
        """The same target carried to a higher (or lower) degree (needs mean and cov)."""
        if degree <= self.max_degree:
            return MomentTarget(self.dim, {a: v for a, v in self.moments.items()
                                           if sum(a) <= degree}, degree, self.mean, self.cov,
                                self.definitions, self.law, self.coords, self.spacing, self.dt,
                                self.description)
        if self.mean is None:
            raise ModelError(f"moments were given only to degree {self.max_degree}; to ask for "
                             f"degree {degree} give them up to that degree (or give a law)")
        return MomentTarget(self.dim, gaussian_moments(self.mean, self.cov, degree), degree,
                            self.mean, self.cov, self.definitions, self.law, self.coords,
                            self.spacing, self.dt, self.description)

    def subs(self, values: dict[sp.Symbol, Any]) -> MomentTarget:
        """The target with parameters replaced by values (the original is untouched)."""
        from dataclasses import replace
        mean = None if self.mean is None else tuple(sp.sympify(m).subs(values) for m in self.mean)
        cov = None if self.cov is None else sp.ImmutableMatrix(self.cov.subs(values))
        return replace(self, moments={a: sp.sympify(v).subs(values) for a, v in
                                      self.moments.items()}, mean=mean, cov=cov)

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        free = set().union(*[sp.sympify(v).free_symbols for v in self.moments.values()])
        return tuple(sorted(free, key=lambda s: s.name))


def _axis_symbols(base: str, dim: int) -> tuple[sp.Symbol, ...]:
    names = "xyz"
    return tuple(sp.Symbol(f"{base}_{names[i]}", real=True) for i in range(dim))


def drift_diffusion_target(drift: tuple[Any, ...], diffusion: Any, max_degree: int,
                           *, spacing: tuple[sp.Symbol, ...] | None = None,
                           dt: sp.Symbol = DT, coords: tuple[sp.Symbol, ...] | None = None,
                           law: Law | None = None) -> MomentTarget:
    """Target moments of the backward equation ``v_t = b . grad v + D : Hess v`` (frozen
    coefficients): mean ``b_i dt / h_i``, covariance ``2 D_ij dt / (h_i h_j)``, in physical
    symbols (b and D may depend on x)."""
    dim = len(drift)
    hs = tuple(spacing) if spacing else SPACINGS[:dim]
    D = sp.Matrix(diffusion) if isinstance(diffusion, (list, tuple, sp.MatrixBase)) else \
        sp.eye(dim) * sp.sympify(diffusion if diffusion is not None else 0)
    mean = tuple(sp.sympify(b) * dt / hs[i] for i, b in enumerate(drift))
    cov = sp.ImmutableMatrix(dim, dim, lambda i, j: 2 * D[i, j] * dt / (hs[i] * hs[j]))
    return MomentTarget(dim, gaussian_moments(mean, cov, max_degree), max_degree, mean, cov,
                        {}, law, tuple(coords) if coords else COORDS[:dim], hs, dt,
                        "moments of the one-step law N(b dt/h, 2 D dt/h^2) (frozen coefficients)")


def moment_target(law_or_moments: Law | dict[Any, Any] | MomentTarget, max_degree: int,
                  dim: int | None = None) -> MomentTarget:
    """The moments a law asks for, to total degree ``max_degree``.

    Parameters
    ----------
    law_or_moments :
        * a scalar ``Law`` in conservation form with flux ``a_i u`` (a_i constant) and constant
          diffusion: moments of N(-nu, 2 r) in the dimensionless groups ``nu = a dt/dx``,
          ``r = D dt/dx^2`` (1-D; ``nu_x, nu_y, r_x, r_xy ...`` in 2-3 D);
        * a ``Law`` in backward form (drift b(x), diffusion D(x)): moments in physical symbols;
        * a dict ``{alpha: value}`` (alpha an int in 1-D or a tuple) of moments given directly;
        * a ``MomentTarget``.
    max_degree : highest total degree of the moments (the consistency order).
    """
    if isinstance(law_or_moments, MomentTarget):
        return law_or_moments.up_to(max_degree)
    if isinstance(law_or_moments, dict):
        mom = {((k,) if isinstance(k, int) else tuple(int(c) for c in k)): sp.sympify(v)
               for k, v in law_or_moments.items()}
        dims = {len(k) for k in mom} | ({dim} if dim else set())
        if len(dims) != 1:
            raise ModelError(f"moment indices {list(mom)} mix dimensions: give every index with "
                             "one entry per dimension")
        d = dims.pop()
        missing = [a for a in multi_indices(d, max_degree) if a not in mom]
        if missing:
            raise ModelError(f"moments {missing} are needed for order {max_degree} but were not "
                             "given: add them to the dict or lower the order")
        return MomentTarget(d, {a: v for a, v in mom.items() if sum(a) <= max_degree},
                            max_degree, description="moments given directly")
    if not isinstance(law_or_moments, Law):
        raise ModelError(f"cannot read moment conditions from {type(law_or_moments).__name__}: "
                         "give a Law, a dict {alpha: moment} or a MomentTarget")
    law = law_or_moments
    if not law.is_scalar:
        raise ModelError("synthesis from a law needs a scalar law (one field); for systems give "
                         "the moments directly")
    if law.form == "backward":
        D = law.diffusion if law.diffusion is not None else sp.zeros(law.dim, law.dim)
        drift = law.drift or (0,) * law.dim
        return drift_diffusion_target(tuple(drift), D, max_degree, coords=law.coords, law=law)
    return _conservation_target(law, max_degree)


def _conservation_target(law: Law, max_degree: int) -> MomentTarget:
    u = law.fields[0]
    dim = law.dim
    speeds = []
    for i, f in enumerate(law.flux):
        a_i = sp.diff(f, u)
        if sp.diff(a_i, u) != 0:
            raise ModelError(f"flux {f} along axis {i} is nonlinear in {u}: moment synthesis is "
                             "for linear laws (give the linearised speed, or the moments)")
        if a_i.free_symbols & set(law.coords):
            raise ModelError(f"speed {a_i} depends on position: a conservative variable-"
                             "coefficient scheme is column-stochastic (forward reading); write "
                             "the law in backward form (drift=...) to synthesize its chain")
        speeds.append(a_i)
    D = law.diffusion if law.diffusion is not None else sp.zeros(dim, dim)
    if any(e.free_symbols & (set(law.coords) | {u}) for e in D):
        raise ModelError("diffusion depends on position or on the field: give a backward law "
                         "(drift=..., diffusion=..., form='backward') for frozen-coefficient "
                         "moments")
    hs = SPACINGS[:dim]
    nus = (NU,) if dim == 1 else _axis_symbols("nu", dim)
    defs: dict[sp.Symbol, sp.Expr] = {}
    mean = []
    for i in range(dim):
        if speeds[i] == 0:
            mean.append(sp.Integer(0))
        else:
            defs[nus[i]] = speeds[i] * DT / hs[i]
            mean.append(-nus[i])
    cov = sp.zeros(dim, dim)
    for i in range(dim):
        for j in range(i, dim):
            if D[i, j] == 0:
                continue
            if dim == 1:
                sym = R
            else:
                sym = sp.Symbol(f"r_{'xyz'[i]}" if i == j else f"r_{'xyz'[i]}{'xyz'[j]}",
                                nonnegative=(i == j), real=True)
            defs[sym] = D[i, j] * DT / (hs[i] * hs[j])
            cov[i, j] = cov[j, i] = 2 * sym
    return MomentTarget(dim, gaussian_moments(tuple(mean), cov, max_degree), max_degree,
                        tuple(mean), sp.ImmutableMatrix(cov), defs, law, law.coords, hs, DT,
                        "moments of the exact one-step law N(-nu, 2 r) (characteristics of "
                        "u_t + a u_x = D u_xx, read backward)")
