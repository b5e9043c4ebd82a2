"""Package."""
from mcgen.analysis import flux_bounds, hyperbolic, monotonicity, particle_limit  # noqa: E402,F401,I001  (nonlinear analyses)
from mcgen.analysis import consistency, cumulants, jump_limit, kushner_dupuis, limits, modified_equation, taylor_expansion  # noqa: E402,F401,I001  (limits, modified equations, consistency)
from mcgen.analysis import positivity, stability, von_neumann  # noqa: E402,F401,I001  (positivity, L2 stability)
