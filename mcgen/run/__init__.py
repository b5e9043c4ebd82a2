"""The run layer: the pipeline (derive, build), simulations, exact solutions, error studies,
Monte Carlo drivers, reports."""

from mcgen.run.errors import error_norms, observed_orders, refinement_study
from mcgen.run.grid import Grid
from mcgen.run.pipeline import build, derive
from mcgen.run.simulation import Simulation, run_to

__all__ = ["Grid", "Simulation", "build", "derive", "error_norms", "observed_orders",
           "refinement_study", "run_to"]
