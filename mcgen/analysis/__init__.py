"""The analysis layer: model -> Derivation (limits, consistency, positivity, von Neumann,
modified equations, monotonicity, hyperbolicity)."""

from mcgen.analysis import (  # noqa: F401
    consistency,
    cumulants,
    flux_bounds,
    highres_order,
    hyperbolic,
    jump_limit,
    kushner_dupuis,
    limits,
    modified_equation,
    monotonicity,
    multistate_limit,
    particle_limit,
    periodic_positivity,
    positivity,
    positivity_systems,
    ssp,
    stability,
    taylor_expansion,
    tvd,
    von_neumann,
    weak_asymmetry,
)
from mcgen.analysis.highres_order import order_of_accuracy
from mcgen.analysis.positivity_systems import positivity_condition
from mcgen.analysis.ssp import ssp_coefficient, ssp_derivation
from mcgen.analysis.tvd import sweby_region, tvd_condition

__all__ = ["order_of_accuracy", "positivity_condition", "ssp_coefficient", "ssp_derivation",
           "sweby_region", "tvd_condition"]
