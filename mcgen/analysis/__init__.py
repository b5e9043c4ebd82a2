"""The analysis layer: model -> Derivation (limits, consistency, positivity, von Neumann,
modified equations, monotonicity, hyperbolicity)."""

from mcgen.analysis import (  # noqa: F401
    consistency,
    cumulants,
    flux_bounds,
    hyperbolic,
    jump_limit,
    kushner_dupuis,
    limits,
    modified_equation,
    monotonicity,
    particle_limit,
    positivity,
    ssp,
    stability,
    taylor_expansion,
    tvd,
    von_neumann,
)
from mcgen.analysis.ssp import ssp_coefficient, ssp_derivation
from mcgen.analysis.tvd import sweby_region, tvd_condition

__all__ = ["ssp_coefficient", "ssp_derivation", "sweby_region", "tvd_condition"]
