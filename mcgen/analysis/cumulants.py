"""Joint cumulants of a lattice jump and the modified-equation coefficients they give.

For weights ``w_k`` (``u_j^{n+1} = sum_k w_k u_{j+k}^n``) the symbol of the update is
``M(z) = sum_k w_k exp(k . z)``. From ``exp(dt d_t) = M(h d_x)`` (constant coefficients only):

    u_t = (1/dt) ln M(h d_x) u = sum_alpha kappa_alpha h^alpha / (alpha! dt) d^alpha u,

where ``kappa_alpha`` are the joint cumulants of the offset ``k`` under the weights (DESIGN
section 1). This is the backward (expectation) reading; the density of the walker that jumps by
``+k`` sees the offset ``-k``, so odd orders change sign in the forward reading.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.readings import FORWARD, normalize_reading

MultiIndex = tuple[int, ...]


def normalize_weights(weights: dict[Any, Any]) -> tuple[dict[MultiIndex, sp.Expr], int]:
    """``{offset: w}`` with offsets as tuples (1-D ints accepted) and the dimension."""
    if not weights:
        raise ModelError("no weights given: pass {offset: weight}, e.g. {-1: nu, 0: 1 - nu}")
    out: dict[MultiIndex, sp.Expr] = {}
    for k, w in weights.items():
        off = (int(k),) if isinstance(k, (int, sp.Integer)) else tuple(int(c) for c in k)
        out[off] = out.get(off, sp.S.Zero) + sp.sympify(w)
    dims = {len(k) for k in out}
    if len(dims) != 1:
        raise ModelError(f"offsets {sorted(out)} mix dimensions: give each offset the same "
                         "number of components")
    dim = dims.pop()
    if not 1 <= dim <= 3:
        raise ModelError(f"{dim}-D offsets: cumulants are implemented for 1-3 D")
    return out, dim


def multi_indices(dim: int, order: int, start: int = 1) -> list[MultiIndex]:
    """All multi-indices alpha with ``start <= |alpha| <= order``, by total order then lexically
    (descending, so ``(2, 0) < (1, 1) < (0, 2)``)."""
    out = []
    for m in range(start, order + 1):
        out += sorted((a for a in itertools.product(range(m + 1), repeat=dim) if sum(a) == m),
                      reverse=True)
    return out


def factorial(alpha: MultiIndex) -> int:
    return math.prod(math.factorial(a) for a in alpha)


def _power(k: MultiIndex, alpha: MultiIndex) -> int:
    return math.prod(ki ** ai for ki, ai in zip(k, alpha, strict=False))


def moments(weights: dict[Any, Any], order: int) -> dict[MultiIndex, sp.Expr]:
    """Raw moments ``m_alpha = sum_k w_k k^alpha`` for ``|alpha| <= order`` (alpha = 0 included)."""
    w, dim = normalize_weights(weights)
    return {a: sp.expand(sum((wk * _power(k, a) for k, wk in w.items()), sp.S.Zero))
            for a in [(0,) * dim] + multi_indices(dim, order)}


def _series_mul(a: dict[MultiIndex, sp.Expr], b: dict[MultiIndex, sp.Expr],
                order: int) -> dict[MultiIndex, sp.Expr]:
    # product of two truncated multivariate power series (coefficients of z^alpha)
    out: dict[MultiIndex, sp.Expr] = {}
    for ka, va in a.items():
        for kb, vb in b.items():
            k = tuple(x + y for x, y in zip(ka, kb, strict=False))
            if sum(k) <= order:
                out[k] = out.get(k, sp.S.Zero) + va * vb
    return out


@functools.lru_cache(maxsize=64)
def _moment_symbols(dim: int, order: int) -> dict[MultiIndex, sp.Symbol]:
    return {a: sp.Symbol("m_" + "_".join(map(str, a))) for a in multi_indices(dim, order)}


@functools.lru_cache(maxsize=64)
def universal_cumulants(dim: int, order: int) -> dict[MultiIndex, sp.Expr]:
    """Cumulants as polynomials in the normalised moments ``m_alpha`` (``m_0 = 1``), from the
    truncated series ``ln(1 + X)``, ``X = sum m_alpha z^alpha / alpha!``."""
    msym = _moment_symbols(dim, order)
    x = {a: m / factorial(a) for a, m in msym.items()}
    log: dict[MultiIndex, sp.Expr] = {}
    power: dict[MultiIndex, sp.Expr] = {(0,) * dim: sp.S.One}
    for n in range(1, order + 1):  # ln(1 + X) = sum (-1)^(n+1) X^n / n; X^n starts at order n
        power = _series_mul(power, x, order)
        for a, v in power.items():
            log[a] = log.get(a, sp.S.Zero) + sp.Rational((-1) ** (n + 1), n) * v
    return {a: sp.expand(factorial(a) * log.get(a, sp.S.Zero)) for a in multi_indices(dim, order)}


@functools.lru_cache(maxsize=64)
def recursive_cumulants(dim: int, order: int) -> dict[MultiIndex, sp.Expr]:
    """The same polynomials from the moment recursion ``m_{a+e_i} = sum_{b <= a} C(a, b)
    kappa_{b+e_i} m_{a-b}``: an independent route, used to check :func:`cumulants`."""
    msym = _moment_symbols(dim, order)
    m = dict(msym)
    m[(0,) * dim] = sp.S.One
    kap: dict[MultiIndex, sp.Expr] = {}
    for c in multi_indices(dim, order):
        i = next(j for j, cj in enumerate(c) if cj)  # c = a + e_i
        a = tuple(cj - (1 if j == i else 0) for j, cj in enumerate(c))
        val = m[c]
        for bb in itertools.product(*[range(ai + 1) for ai in a]):
            if bb == a:
                continue
            binom = math.prod(math.comb(ai, bi) for ai, bi in zip(a, bb, strict=False))
            be = tuple(bj + (1 if j == i else 0) for j, bj in enumerate(bb))
            rest = tuple(ai - bi for ai, bi in zip(a, bb, strict=False))
            val -= binom * kap[be] * m[rest]
        kap[c] = sp.expand(val)
    return kap


def _evaluate(universal: dict[MultiIndex, sp.Expr], weights: dict[Any, Any], order: int
              ) -> dict[MultiIndex, sp.Expr]:
    mom = moments(weights, order)
    dim = len(next(iter(mom)))
    zero = (0,) * dim
    m0 = sp.cancel(mom[zero])
    if m0 == 0:
        raise ModelError("the weights sum to zero: they define no (sub-)stochastic update, so "
                         "they have no cumulants")
    polynomial = m0 == 1 and all(sp.sympify(w).is_polynomial() for w in weights.values())
    msym = _moment_symbols(dim, order)
    vals = {msym[a]: (mom[a] if m0 == 1 else mom[a] / m0) for a in msym}
    out: dict[MultiIndex, sp.Expr] = {}
    if m0 != 1:
        out[zero] = sp.log(m0)
    for a, k in universal.items():
        e = k.xreplace(vals)
        out[a] = sp.expand(e) if polynomial else sp.cancel(e)
    return out


def cumulants(weights: dict[Any, Any], order: int) -> dict[MultiIndex, sp.Expr]:
    """Joint cumulants ``kappa_alpha`` (``1 <= |alpha| <= order``) of the offset under the weights.

    The weights need not sum to one: then ``kappa_0 = ln(sum w)`` is included (a zeroth-order
    term, i.e. a source or sink in the modified equation). ``kappa_alpha`` is ``alpha!`` times
    the Taylor coefficient of ``ln M(z) = ln m_0 + ln(1 + X)``, ``X = M/m_0 - 1``, truncated at
    ``order`` (evaluated through the universal moment polynomials).

    >>> import sympy as sp
    >>> p, q = sp.symbols("p q")
    >>> k = cumulants({1: p, -1: q, 0: 1 - p - q}, 2)
    >>> sp.expand(k[(2,)] - (p + q - (p - q)**2))
    0
    """
    if order < 1:
        raise ValueError("order must be >= 1")
    _, dim = normalize_weights(weights)
    return _evaluate(universal_cumulants(dim, order), weights, order)


def cumulants_by_recursion(weights: dict[Any, Any], order: int) -> dict[MultiIndex, sp.Expr]:
    """Cumulants from the moment recursion (see :func:`recursive_cumulants`)."""
    _, dim = normalize_weights(weights)
    return _evaluate(recursive_cumulants(dim, order), weights, order)


def log_mgf_derivative(weights: dict[Any, Any], alpha: MultiIndex) -> sp.Expr:
    """``d^alpha ln M(z)`` at ``z = 0``, ``M(z) = sum_k w_k exp(k.z)``, by direct
    differentiation (the independent route used to test :func:`cumulants`)."""
    w, dim = normalize_weights(weights)
    z = sp.symbols(f"z1:{dim + 1}")
    m = sum((wk * sp.exp(sum((ki * zi for ki, zi in zip(k, z, strict=False)), sp.S.Zero))
             for k, wk in w.items()), sp.S.Zero)
    expr = sp.log(m)
    for zi, ai in zip(z, alpha, strict=False):
        if ai:
            expr = sp.diff(expr, zi, ai)
    return sp.cancel(expr.subs({zi: 0 for zi in z}))


def cumulant_coefficients(weights: dict[Any, Any], dt: sp.Expr, h: Any, order: int,
                          reading: str = "backward") -> dict[Any, sp.Expr]:
    """Coefficients ``c_alpha`` of ``u_t = sum_alpha c_alpha d^alpha u`` for the update with
    these weights: ``c_alpha = kappa_alpha h^alpha / (alpha! dt)``.

    Parameters
    ----------
    weights : ``{offset: w}``; 1-D offsets may be ints (then the keys of the result are ints).
    dt : the time step.
    h : the grid step (a symbol in 1-D, a tuple of one per dimension otherwise).
    order : highest total derivative order.
    reading : ``"backward"`` (the update itself: expectations) or ``"forward"`` (the density of
        the chain that jumps by ``+k`` with probability ``w_k``: odd orders change sign).
    """
    reading = normalize_reading(reading)
    int_keys = all(isinstance(k, (int, sp.Integer)) for k in weights)
    kap = cumulants(weights, order)
    dim = len(next(iter(kap)))
    hs = tuple(h) if isinstance(h, (tuple, list)) else (h,)
    if len(hs) != dim:
        raise ModelError(f"{dim}-D weights need {dim} grid steps, got h={h!r}")
    out: dict[Any, sp.Expr] = {}
    for a, k in kap.items():
        c = k * sp.Mul(*[hi ** ai for hi, ai in zip(hs, a, strict=False)]) / (factorial(a) * dt)
        if reading == FORWARD and sum(a) % 2 == 1:
            c = -c
        out[a[0] if int_keys else a] = c
    return out
