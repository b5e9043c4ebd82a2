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
    stability,
    taylor_expansion,
    von_neumann,
)
