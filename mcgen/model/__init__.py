"""The model layer: what users declare (laws, chains, particle systems, schemes, boundaries)."""

from mcgen.model.boundary import (
                                  Absorbing,
                                  BoundaryCondition,
                                  Dirichlet,
                                  Outflow,
                                  Periodic,
                                  Reflecting,
                                  as_boundary,
)
from mcgen.model.jump_process import JumpProcess
from mcgen.model.law import Law, scalar_law
from mcgen.model.multistate_walk import MultiStateWalk
from mcgen.model.particle_system import ParticleSystem
from mcgen.model.read import Field, Read, reads_of
from mcgen.model.readings import BACKWARD, FORWARD, normalize_reading
from mcgen.model.scheme import Scheme

__all__ = ["Absorbing", "BoundaryCondition", "Dirichlet", "Outflow", "Periodic", "Reflecting",
           "as_boundary", "JumpProcess", "Law", "scalar_law", "MultiStateWalk", "ParticleSystem",
           "Field", "Read", "reads_of", "BACKWARD", "FORWARD", "normalize_reading", "Scheme"]
