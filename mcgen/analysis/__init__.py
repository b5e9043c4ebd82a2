"""Package."""
from mcgen.analysis import flux_bounds, hyperbolic, monotonicity, particle_limit  # noqa: E402,F401,I001  (nonlinear analyses)
