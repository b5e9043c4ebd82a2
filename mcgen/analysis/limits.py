"""One entry point for macroscopic limits: dispatch on the kind of model."""

from __future__ import annotations

from typing import Any

from mcgen.analysis.jump_limit import jump_process_limit
from mcgen.errors import AnalysisError
from mcgen.model.jump_process import JumpProcess
from mcgen.model.multistate_walk import MultiStateWalk
from mcgen.model.particle_system import ParticleSystem
from mcgen.model.scheme import Scheme
from mcgen.proof import Derivation


def macroscopic_limit(model: Any, **options: Any) -> Derivation:
    """The macroscopic law of ``model`` as a checked :class:`Derivation`.

    * :class:`JumpProcess`: :func:`~mcgen.analysis.jump_limit.jump_process_limit`;
    * :class:`ParticleSystem`: the hydrodynamic limit (``mcgen.analysis.particle_limit``);
    * :class:`MultiStateWalk`: the limit projected on the total density
      (:func:`~mcgen.analysis.multistate_limit.diffusive_limit`);
    * :class:`Scheme` with linear weights: the limit of its chain (``scheme.as_chain()``, fixed
      lattice, the scheme's reading).

    ``options`` go to the routine chosen (``route=``, ``order=`` for jump processes).
    """
    if isinstance(model, JumpProcess):
        return jump_process_limit(model, **options)
    if isinstance(model, ParticleSystem):
        from mcgen.analysis.particle_limit import hydrodynamic_limit
        return hydrodynamic_limit(model, **options)
    if isinstance(model, MultiStateWalk):
        from mcgen.analysis.multistate_limit import diffusive_limit
        return diffusive_limit(model, **options)
    if isinstance(model, Scheme):
        if model.linear_weights() is None:
            raise AnalysisError(f"scheme {model.name!r} has no linear weights, so it is no chain "
                                "and has no macroscopic limit of its own: ask for its modified "
                                "equation (modified_equation) or its consistency with a law")
        return jump_process_limit(model.as_chain(), **options)
    raise AnalysisError(f"no macroscopic limit for a {type(model).__name__}: give a "
                        "JumpProcess, a ParticleSystem, a MultiStateWalk or a linear "
                        "Scheme")
