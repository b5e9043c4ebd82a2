"""The condition a scheme's certificate proves, as the condition its runs enforce.

Some schemes are stable by construction rather than by analysis: a learned flux limiter kept
inside Sweby's TVD region is TVD under a CFL condition (Harten's theorem), which the monotonicity
analysis cannot re-derive from the update's Max/Min form. Such a scheme carries the proof as
``Scheme.certificate`` (a Derivation whose result is a proved Condition, and the data range it
holds on in ``meta["data_range"]``). The safety policy
(:mod:`mcgen.analysis.safety_policy`), which every path asks (``Simulation``, ``compile``, the
export), takes the enforced condition from here, after re-checking the derivation.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from mcgen.errors import StabilityError
from mcgen.model.scheme import Scheme
from mcgen.proof import Condition, Derivation

__all__ = ["certified_condition"]


def certified_condition(scheme: Scheme, data_range: tuple[Any, Any] | None = None
                        ) -> Condition | None:
    """The proved condition of ``scheme.certificate`` (None when the scheme has none).

    Raises StabilityError when the certificate does not re-check as proved, its result is not a
    proved Condition, or ``data_range`` leaves the range the certificate holds on.
    """
    cert = scheme.certificate
    if cert is None:
        return None
    name = scheme.name or "the scheme"
    if not isinstance(cert, Derivation):
        raise StabilityError(f"the certificate of {name!r} is a {type(cert).__name__}, not a "
                             "Derivation whose result is a Condition")
    checked = cert.recheck()
    cond = checked.result
    if checked.status != "proved" or not isinstance(cond, Condition) or \
            cond.status != "proved":
        what = (f"its result is a {type(cond).__name__}" if not isinstance(cond, Condition)
                else f"status {checked.status}, condition {cond.status}")
        raise StabilityError(f"the certificate of {name!r} does not prove a condition ({what}): "
                             "pass unsafe=True with an explicit dt to run anyway")
    rng = checked.meta.get("data_range")
    if data_range is not None and rng is not None:
        lo, hi = (sp.nsimplify(v) for v in rng)
        a, b = (sp.nsimplify(float(v)) for v in data_range)
        if a < lo or b > hi:
            raise StabilityError(f"data range ({float(a):g}, {float(b):g}) leaves [{lo}, {hi}], "
                                 f"the range the certificate of {name!r} holds on: keep the "
                                 "data inside it (or relearn on data that cover the new range)")
    return cond
