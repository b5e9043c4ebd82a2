"""Kushner-Dupuis Markov chain approximations of diffusions dX = b dt + sigma dW.

Built from rates (the generator ``L f = sum_k lambda_k (f(x + k h) - f(x))``): second moments
from the symmetric part, the drift upwinded (``b^+`` to the right, ``b^-`` to the left) so that
every rate is non-negative for every ``h`` in 1-D. The chain jumps with probabilities
``p_k = lambda_k / Q`` after an interval ``dt = 1/Q`` (``Q = sum_k lambda_k``); the fixed-dt
variant (for kernels) uses ``p_k = lambda_k dt`` and a self-loop ``1 - Q dt``, valid for
``dt <= 1 / max Q``.

1-D (Kushner & Dupuis, ch. 5): ``Q h^2 = sigma^2 + h|b|``,
``p(+-h) = (sigma^2/2 + h b^{+-})/(Q h^2)``,
``dt = h^2/(sigma^2 + h|b|)``.

2-D with covariance ``a = sigma sigma^T`` and steps ``(h1, h2)``: diagonal moves carry ``a12``
(``a12^+/(2 h1 h2)`` along ``+-(h1, h2)``, ``a12^-/(2 h1 h2)`` along ``+-(h1, -h2)``) and the axis
moves what remains, ``a_ii/h_i^2 - |a12|/(h1 h2)``; they are non-negative iff
``|a12|/a11 <= h2/h1 <= a22/|a12|``.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.jump_process import JumpProcess
from mcgen.model.symbols import dt as DT
from mcgen.model.symbols import h as H
from mcgen.model.symbols import x as X
from mcgen.model.symbols import y as Y

H1, H2 = sp.symbols("h1 h2", positive=True)


def _pos(v: sp.Expr) -> sp.Expr:
    return sp.Max(v, 0)


def _neg(v: sp.Expr) -> sp.Expr:
    return sp.Max(-v, 0)


def kushner_dupuis_1d_rates(b: Any, sigma: Any, h: sp.Expr = H) -> dict[tuple[int, ...], sp.Expr]:
    """The upwind rates ``lambda(+-h) = sigma^2/(2 h^2) + b^{+-}/h``."""
    b, sigma = sp.sympify(b), sp.sympify(sigma)
    return {(1,): sigma ** 2 / (2 * h ** 2) + _pos(b) / h,
            (-1,): sigma ** 2 / (2 * h ** 2) + _neg(b) / h}


def kushner_dupuis_1d(b: Any, sigma: Any, h: sp.Expr = H, fixed_dt: bool = False,
                      dt: sp.Symbol = DT, x: sp.Symbol = X, name: str = "") -> JumpProcess:
    """The Kushner-Dupuis chain for ``dX = b dt + sigma dW`` (``b``, ``sigma`` may depend on x).

    ``fixed_dt=False``: probabilities ``p(+-h) = (sigma^2/2 + h b^{+-})/(sigma^2 + h|b|)`` and the
    interval ``time_step = h^2/(sigma^2 + h|b|)``. ``fixed_dt=True``: probabilities
    ``(sigma^2/2 + h b^{+-}) dt/h^2`` with a self-loop, valid for ``dt <= h^2/max Q``.
    Backward (expectation) reading, diffusive scaling.
    """
    b, sigma = sp.sympify(b), sp.sympify(sigma)
    if sigma.is_number and sigma == 0:
        raise ModelError("sigma = 0: the Kushner-Dupuis diffusion chain needs noise (for pure "
                         "transport use an upwind chain under hyperbolic scaling)")
    rates = kushner_dupuis_1d_rates(b, sigma, h)
    q = sum(rates.values())
    label = name or f"Kushner-Dupuis chain for dX = ({b}) dt + ({sigma}) dW"
    if fixed_dt:
        return JumpProcess({k: sp.expand(v * dt) for k, v in rates.items()}, time="discrete",
                           scaling="diffusive", reading="backward", coords=(x,), h=(h,), dt=dt,
                           asymmetry_order=1, name=label + " (fixed dt)")
    probs = {k: sp.cancel(v / q) for k, v in rates.items()}
    probs[(0,)] = sp.S.Zero  # the chain always moves; the interval carries the time
    interval = h ** 2 / (sigma ** 2 + h * sp.Abs(b))  # = 1/Q, written with |b|
    return JumpProcess(probs, time="discrete", scaling="diffusive", reading="backward",
                       coords=(x,), h=(h,), dt=dt, time_step=interval,
                       asymmetry_order=1, name=label)


def aspect_ratio_range(a_matrix: Any) -> tuple[sp.Expr, sp.Expr]:
    """``(|a12|/a11, a22/|a12|)``: the ratios ``h2/h1`` for which a positive nine-point chain
    exists (``(0, oo)`` when ``a12 = 0``)."""
    a = sp.Matrix(a_matrix)
    a11, a12, a22 = a[0, 0], a[0, 1], a[1, 1]
    if a12 == 0:
        return sp.S.Zero, sp.oo
    return sp.Abs(a12) / a11, a22 / sp.Abs(a12)


def kushner_dupuis_2d_rates(b: Any, a_matrix: Any, h: tuple[sp.Expr, sp.Expr] = (H1, H2)
                            ) -> dict[tuple[int, ...], sp.Expr]:
    """Rates of the nine-point chain (upwind drift, diagonals for the correlation)."""
    bb = [sp.sympify(v) for v in b]
    a = sp.Matrix(a_matrix)
    h1, h2 = h
    a12 = a[0, 1]
    cross = sp.Abs(a12) / (h1 * h2)
    rates = {(1, 0): (a[0, 0] / h1 ** 2 - cross) / 2 + _pos(bb[0]) / h1,
             (-1, 0): (a[0, 0] / h1 ** 2 - cross) / 2 + _neg(bb[0]) / h1,
             (0, 1): (a[1, 1] / h2 ** 2 - cross) / 2 + _pos(bb[1]) / h2,
             (0, -1): (a[1, 1] / h2 ** 2 - cross) / 2 + _neg(bb[1]) / h2,
             (1, 1): _pos(a12) / (2 * h1 * h2), (-1, -1): _pos(a12) / (2 * h1 * h2),
             (1, -1): _neg(a12) / (2 * h1 * h2), (-1, 1): _neg(a12) / (2 * h1 * h2)}
    return {k: v for k, v in rates.items() if v != 0}


def kushner_dupuis_2d(b: Any, a_matrix: Any, h: tuple[Any, Any] = (H1, H2),
                      fixed_dt: bool = False, dt: sp.Symbol = DT,
                      coords: tuple[sp.Symbol, sp.Symbol] = (X, Y), name: str = ""
                      ) -> JumpProcess:
    """The nine-point Kushner-Dupuis chain for ``dX = b dt + sigma dW`` in 2-D, ``a = sigma
    sigma^T`` (the covariance, symmetric).

    Raises ModelError naming the violated inequality and the admissible range of ``h2/h1`` when
    the given (numeric) grid has no positive chain.
    """
    a = sp.Matrix(a_matrix)
    if a.shape != (2, 2) or sp.simplify(a[0, 1] - a[1, 0]) != 0:
        raise ModelError(f"a_matrix {a.tolist()} must be a symmetric 2x2 covariance matrix "
                         "(a = sigma sigma^T)")
    if len(b) != 2:
        raise ModelError(f"drift {b!r} must have two components")
    h1, h2 = (sp.nsimplify(v, rational=True) if isinstance(v, float) else sp.sympify(v)
              for v in h)
    check_aspect_ratio(a, h1, h2)
    rates = kushner_dupuis_2d_rates(b, a, (h1, h2))
    hs = tuple(v if isinstance(v, sp.Symbol) else sp.Symbol(f"h{i + 1}", positive=True)
               for i, v in enumerate((h1, h2)))
    label = name or f"nine-point Kushner-Dupuis chain, drift {tuple(b)}, covariance {a.tolist()}"
    if fixed_dt:
        return JumpProcess({k: v * dt for k, v in rates.items()}, time="discrete",
                           scaling="diffusive" if hs == (h1, h2) else "none",
                           reading="backward", coords=coords, h=hs, dt=dt, asymmetry_order=1,
                           name=label + " (fixed dt)")
    q = sum(rates.values())
    probs = {k: v / q for k, v in rates.items()}
    probs[(0, 0)] = sp.S.Zero
    return JumpProcess(probs, time="discrete",
                       scaling="diffusive" if hs == (h1, h2) else "none", reading="backward",
                       coords=coords, h=hs, dt=dt, time_step=1 / _total_rate(b, a, (h1, h2)),
                       asymmetry_order=1, name=label)


def _total_rate(b: Any, a: sp.Matrix, h: tuple[Any, Any]) -> sp.Expr:
    """Q = a11/h1^2 + a22/h2^2 - |a12|/(h1 h2) + |b1|/h1 + |b2|/h2 (the sum of the rates)."""
    h1, h2 = h
    return (a[0, 0] / h1 ** 2 + a[1, 1] / h2 ** 2 - sp.Abs(a[0, 1]) / (h1 * h2)
            + sp.Abs(sp.sympify(b[0])) / h1 + sp.Abs(sp.sympify(b[1])) / h2)


def check_aspect_ratio(a_matrix: Any, h1: Any, h2: Any) -> None:
    """Raise ModelError when the axis rates ``a_ii/h_i^2 - |a12|/(h1 h2)`` are negative for
    these (numeric) entries; symbolic entries pass (the analysis reports the condition)."""
    a = sp.Matrix(a_matrix)
    lo, hi = aspect_ratio_range(a)
    ratio = sp.sympify(h2) / sp.sympify(h1)
    if not (ratio.is_number and lo.is_number and hi.is_number):
        return  # symbolic: kushner_dupuis_consistency reports the range as a Condition
    for text, ineq in ((f"|a12|/a11 <= h2/h1, i.e. {lo} <= {ratio}", sp.Le(lo, ratio)),
                       (f"h2/h1 <= a22/|a12|, i.e. {ratio} <= {hi}", sp.Le(ratio, hi))):
        v = sp.simplify(ineq)
        if v is sp.false:
            raise ModelError(f"no positive nine-point Kushner-Dupuis chain on this grid: "
                             f"{text} is violated (the axis probability would be negative). "
                             f"Choose h2/h1 in [{lo}, {hi}] (with a11 = {a[0, 0]}, "
                             f"a12 = {a[0, 1]}, a22 = {a[1, 1]})"
                             + ("; no ratio works because a is not diagonally dominant in "
                                "any scaling (a12^2 > a11 a22 means a is not a covariance)"
                                if bool(hi < lo) else ""))
