"""One call from a law and a support to the best positive scheme, with its proofs.

The stages stay public and re-enterable (``consistent_family`` -> ``admissible_region`` ->
``optimal_member``); this only chains them.
"""

from __future__ import annotations

from typing import Any

from mcgen.synthesis.family import consistent_family
from mcgen.synthesis.optimal import OptimalMember, optimal_member


def synthesize(law_or_moments: Any, support: Any, order: int = 1,
               criterion: str = "least_diffusion", *, variable: Any = None,
               **values: Any) -> OptimalMember:
    """The member of the consistent family on ``support`` (to ``order``) that is best for
    ``criterion`` among the positive ones.

    >>> import sympy as sp
    >>> from mcgen.model import scalar_law
    >>> from mcgen.model.symbols import a
    >>> u = sp.Symbol("u")
    >>> best = synthesize(scalar_law(u, a * u), [-1, 0, 1], nu=sp.Rational(1, 4))
    >>> best.member.weights   # upwind at nu = 1/4
    {-1: 1/4, 0: 3/4}
    """
    family = consistent_family(law_or_moments, support, order)
    return optimal_member(family, criterion, variable=variable, **values)
