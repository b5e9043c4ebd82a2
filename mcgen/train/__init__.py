"""Training: data -> chains, schemes and fluxes fitted inside the admissible set, with the same
proofs as derived ones (the network reading of a lattice update, DESIGN section 1).

* :func:`fit_scheme` - the scheme behind snapshots (constrained least squares, exact rounding);
* :func:`fit_chain` - a chain from observed jumps (constrained maximum likelihood);
* :func:`learn_flux` - a macroscopic flux from Monte Carlo currents, and a monotone scheme;
* :func:`coarse_scheme` - a TVD, conservative coarse-grid scheme (2-5 points per side) learned
  from fine solutions, certified by Harten's theorem;
* :func:`training_limit` - the diffusion limit of SGD / Langevin training on a symbolic loss.

Imports only proof, model, analysis and synthesis.
"""

from mcgen.train.coarse_scheme import CoarseScheme, coarse_scheme
from mcgen.train.fit_chain import ChainFit, fit_chain
from mcgen.train.fit_scheme import FitResult, InfeasibleFit, fit_scheme
from mcgen.train.learn_flux import FluxFit, learn_flux
from mcgen.train.snapshots import DataError, Snapshots, load_snapshots
from mcgen.train.training_limit import TrainingLimit, training_limit

__all__ = ["ChainFit", "CoarseScheme", "DataError", "FitResult", "FluxFit", "InfeasibleFit",
           "Snapshots", "TrainingLimit", "coarse_scheme", "fit_chain", "fit_scheme",
           "learn_flux", "load_snapshots", "training_limit"]
