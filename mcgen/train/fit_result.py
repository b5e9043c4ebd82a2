"""The result of fitting a scheme to data, and the error for constraints that cannot hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from mcgen.model.scheme import Scheme
from mcgen.proof import Derivation
from mcgen.train.identify import CatalogueMatch
from mcgen.train.snapshots import DataError


class InfeasibleFit(DataError):
    """The requested constraints cannot all hold; ``derivation`` is the Farkas certificate."""

    def __init__(self, message: str, derivation: Derivation | None = None) -> None:
        super().__init__(message)
        self.derivation = derivation


@dataclass(frozen=True)
class FitResult:
    """A learned scheme with its exact weights, statistics and derivations.

    Attributes
    ----------
    scheme : the learned :class:`~mcgen.model.scheme.Scheme` (rational weights; a flux fit gives
        a conservative scheme in ``lambda = dt/dx``).
    weights : float least-squares weights ``{offset: w}`` (flux fits: ``{(a, b): c_ab}``).
    exact : the rational weights the constraints hold for exactly.
    intervals : 95% confidence intervals ``{offset: (lo, hi)}`` (linearised, from the residual).
    residual_rms, residual_max, r2, rows, dof : residual statistics.
    law_values : fitted parameters of the moment conditions' law (``nu``, ``r``), rational.
    match : the catalogue scheme it is, with its parameters and physical coefficients, or None.
    pde : the modified equation ``u_t = ...`` with the data's dx, dt substituted.
    stable_at_data_step : the positivity/L2 (or monotonicity) verdict at the data's own step.
    derivations : ``{"constraints", "statistics", "modified_equation", "stability",
        "identification"}`` -> Derivation.
    """

    scheme: Scheme
    weights: dict[Any, float]
    exact: dict[Any, sp.Rational]
    intervals: dict[Any, tuple[float, float]]
    residual_rms: float
    residual_max: float
    r2: float
    rows: int
    dof: int
    law_values: dict[sp.Symbol, sp.Expr]
    match: CatalogueMatch | None
    pde: Any
    stable_at_data_step: bool | None
    derivations: dict[str, Derivation]
    solver_notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"learned: {self.scheme.describe()}"]
        if self.match is not None:
            lines.append(f"identified: {self.match.describe()}")
        lines.append(f"modified equation: {sp.sstr(self.pde)}")
        lines.append(f"residual rms {self.residual_rms:.3g} over {self.rows} rows; "
                     f"stable at the data's step: {self.stable_at_data_step}")
        return "\n".join(lines)
