"""mcgen: Markov chains, schemes and conservation laws.

A lattice update u_j^{n+1} = sum_k w_k u_{j+k}^n is at once a numerical scheme, a Markov chain and
a trainable layer. mcgen derives the macroscopic law such a model obeys, proves the conditions under
which its discretisation is stable and consistent, and generates kernels for it.

The names below are imported on first use (PEP 562), so ``import mcgen`` stays fast: SymPy, the
analyses and the code generators load only when a name that needs them is touched.

>>> import mcgen
>>> scheme = mcgen.catalogue.linear.upwind()
>>> mcgen.build(scheme).condition.description
'0 <= nu <= 1'
"""

from __future__ import annotations

import importlib
from typing import Any

from mcgen._version import __version__

# public name -> (module, attribute); attribute None: the module itself
_LAZY: dict[str, tuple[str, str | None]] = {
    # the pipeline
    "derive": ("mcgen.run.pipeline", "derive"),
    "build": ("mcgen.run.pipeline", "build"),
    "compile": ("mcgen.codegen.compile", "compile"),
    "Simulation": ("mcgen.run.simulation", "Simulation"),
    # analyses
    "macroscopic_limit": ("mcgen.analysis.limits", "macroscopic_limit"),
    "stability_report": ("mcgen.analysis.stability", "stability_report"),
    # models
    "Field": ("mcgen.model.read", "Field"),
    "Scheme": ("mcgen.model.scheme", "Scheme"),
    "Law": ("mcgen.model.law", "Law"),
    "scalar_law": ("mcgen.model.law", "scalar_law"),
    "JumpProcess": ("mcgen.model.jump_process", "JumpProcess"),
    "ParticleSystem": ("mcgen.model.particle_system", "ParticleSystem"),
    "catalogue": ("mcgen.model.catalogue", None),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'mcgen' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
