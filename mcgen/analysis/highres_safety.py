"""The enforced condition and the largest time step of a high-resolution scheme: one answer for
the run layer (``Simulation``), the kernels and the safety policy.

- :class:`~mcgen.model.highres_scheme.HighResScheme` (flux-limited, MUSCL): the TVD condition
  ``lam <= C_ssp nu_FE / S`` of :func:`mcgen.analysis.tvd.tvd_condition` on the data range; its
  ``sufficient`` part is proved for every stepper (sharp for forward Euler). WENO5 has none.
- :class:`~mcgen.model.highres_nd_scheme.HighResNDScheme` (2-D / 3-D, dimension by dimension):
  the maximum-principle condition ``sum_d lam_d / c_d <= 1`` of
  :func:`mcgen.analysis.highres_nd.dimensional_condition` (lam_d = dt/dx_d, from dx, dy, dz).
- :class:`~mcgen.model.system_scheme.SystemScheme` (Euler, shallow water): the positivity
  condition ``lam S <= bound`` of
  :func:`mcgen.analysis.positivity_systems.positivity_condition`, where ``lam S`` means
  ``dt sum_d S_d / dx_d`` with S_d the largest wave speed of direction d (a data-dependent rate,
  checked on every stage by the steppers). Roe has none.
"""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from mcgen.analysis.positivity_systems import S_MAX, positivity_condition
from mcgen.analysis.tvd import tvd_condition
from mcgen.errors import AnalysisError, StabilityError
from mcgen.model.highres_nd_scheme import HighResNDScheme
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.symbols import lam as LAM
from mcgen.model.system_scheme import SystemScheme
from mcgen.proof import Condition

__all__ = ["HIGHRES_RUN_MODELS", "highres_condition", "highres_max_dt",
           "highres_admits", "HighResPolicy"]

# what derive, the safety policy, compile and Simulation take (the 2-D / 3-D scalar schemes too)
HIGHRES_RUN_MODELS = (HighResScheme, HighResNDScheme, SystemScheme)
_SPACINGS = ("dx", "dy", "dz")


_CACHE: dict[tuple[str, Any, Any], Condition] = {}  # derivations are pure: memo per hash, range


def _tvd(scheme: HighResScheme, m: sp.Expr, M: sp.Expr) -> Condition:
    key = (scheme.hash, m, M)
    if key not in _CACHE:
        _CACHE[key] = tvd_condition(scheme, (m, M)).result
    return _CACHE[key]


def _positivity(scheme: SystemScheme) -> Condition:
    key = (scheme.hash, None, None)
    if key not in _CACHE:
        _CACHE[key] = positivity_condition(scheme).result
    return _CACHE[key]


def _dimensional(scheme: HighResNDScheme, data_range: tuple[Any, Any] | None) -> Condition:
    from mcgen.analysis.highres_nd import dimensional_condition  # it builds on this module

    key = (scheme.hash, data_range, None)
    if key not in _CACHE:
        _CACHE[key] = dimensional_condition(scheme.axes, data_range).result
    return _CACHE[key]


def _proved(cond: Condition) -> Condition:
    """The proved sufficient part as a condition of its own (status ``unknown`` on the full
    condition says only that sharpness is not proved)."""
    return Condition(cond.sufficient, cond.variables, cond.kind, "proved",
                     sufficient=cond.sufficient, name=cond.name,
                     description=f"proved sufficient part: {cond.description}",
                     definitions=cond.definitions)


def highres_condition(scheme: Any, data_range: tuple[Any, Any] | None = None) -> Condition:
    """The condition enforced for ``scheme`` (TVD on ``data_range`` for a scalar scheme,
    positivity for a system); raises :class:`StabilityError` where nothing is proved (WENO5,
    Roe) and :class:`AnalysisError` for a scalar scheme without a data range."""
    if isinstance(scheme, SystemScheme):
        cond = _positivity(scheme)
        if cond.sufficient is sp.false or cond.expr is sp.false:
            raise StabilityError(f"{scheme.name}: {cond.description}")
        return cond
    if isinstance(scheme, HighResNDScheme):
        return _dimensional(scheme, None if data_range is None else
                            tuple(sp.nsimplify(v, rational=True) for v in data_range))
    if not isinstance(scheme, HighResScheme):
        raise AnalysisError(f"highres_condition needs a HighResScheme, HighResNDScheme or "
                            f"SystemScheme, got "
                            f"{type(scheme).__name__}")
    if scheme.reconstruction == "weno5":
        raise StabilityError(f"{scheme.name}: WENO5 is not TVD and has no proved bound; run "
                             "it with an explicit dt and unsafe=True")
    rng = data_range if data_range is not None else scheme.data_range
    if rng is None:
        raise AnalysisError(f"{scheme.name}: the TVD bound needs the data range: give "
                            "data_range=(min, max)")
    m, M = (sp.nsimplify(v, rational=True) for v in rng)
    cond = _tvd(scheme, m, M)
    if cond.sufficient is sp.false:
        raise StabilityError(f"{scheme.name}: {cond.description}")
    return cond


def _values(cond: Condition, spacing: tuple[float, ...], rate: float | None
            ) -> dict[str, float]:
    if cond.kind == "positivity":
        if rate is None:
            raise AnalysisError("the positivity condition needs the wave-speed rate "
                                "sum_d S_d/dx_d of the data")
        return {"dx": 1.0, S_MAX.name: rate}  # lam S = dt * rate
    if cond.kind == "maximum_principle":  # lam_d defined from dt and dx, dy, dz
        if len(spacing) != len(cond.variables):
            raise AnalysisError(f"the {len(cond.variables)}-D condition needs "
                                f"{len(cond.variables)} spacings, got {spacing}")
        return dict(zip(_SPACINGS, spacing, strict=False))
    return {"dx": spacing[0]}


def highres_max_dt(cond: Condition, spacing: tuple[float, ...], rate: float | None = None
                   ) -> float:
    """The largest dt the (proved sufficient) condition allows on cells of ``spacing``;
    ``rate`` = sum_d S_d/dx_d of the data for the positivity condition."""
    vals = _values(cond, spacing, rate)
    if cond.kind == "positivity" and rate == 0:
        return math.inf
    return _proved(cond).max_stable_dt(**vals)


def highres_admits(cond: Condition, dt: float, spacing: tuple[float, ...],
                   rate: float | None = None) -> bool:
    """Whether ``dt`` meets the (proved sufficient) condition, with a 1e-12 relative slack."""
    vals = _values(cond, spacing, rate)
    if cond.kind == "maximum_principle":
        return _proved(cond).holds(rtol=1e-12, dt=dt, **vals)
    lam_val = dt / vals.pop("dx")
    return _proved(cond).holds(rtol=1e-12, **{LAM.name: lam_val}, **vals)


class HighResPolicy:
    """What :func:`mcgen.analysis.safety_policy.safety_policy` answers for a HighResScheme or
    SystemScheme: the enforced condition (its proved sufficient part) and the largest dt.
    ``values``: ``dx`` (and ``dy``) of the grid, and for systems ``rate`` = sum_d S_d/dx_d of
    the data."""

    allow_sampled = False
    sampled = False

    def __init__(self, scheme: Any) -> None:
        self.scheme = scheme

    def __repr__(self) -> str:
        return f"HighResPolicy({self.scheme.name!r})"

    def condition(self, data_range: tuple[Any, Any] | None = None,
                  values: Any = None) -> Condition:
        return _proved(highres_condition(self.scheme, data_range))

    def _spacing(self, values: Any) -> tuple[float, ...]:
        return tuple(float(values[k]) for k in _SPACINGS if k in values)

    def max_dt(self, values: Any, data_range: tuple[Any, Any] | None = None) -> float:
        return highres_max_dt(highres_condition(self.scheme, data_range),
                              self._spacing(values), values.get("rate"))

    def check(self, values: Any, data_range: tuple[Any, Any] | None = None) -> None:
        """Raise :class:`StabilityError` when ``values["dt"]`` breaks the condition."""
        cond = highres_condition(self.scheme, data_range)
        if not highres_admits(cond, float(values["dt"]), self._spacing(values),
                              values.get("rate")):
            raise StabilityError(
                f"dt={float(values['dt']):.6g} breaks the enforced {cond.kind} condition "
                f"{cond.describe()}; the largest allowed step is "
                f"{self.max_dt(values, data_range):.6g}. Pass unsafe=True to run anyway.")
