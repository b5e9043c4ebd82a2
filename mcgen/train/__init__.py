"""Training: data -> chains, schemes and fluxes fitted inside the admissible set, with the same
proofs as derived ones (the network reading of a lattice update, DESIGN section 1).

Imports only proof, model, analysis and synthesis.
"""

from mcgen.train.fit_scheme import FitResult, InfeasibleFit, fit_scheme
from mcgen.train.snapshots import DataError, Snapshots, load_snapshots

__all__ = ["FitResult", "InfeasibleFit", "fit_scheme", "DataError", "Snapshots",
           "load_snapshots"]
