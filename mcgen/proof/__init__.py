"""The proof layer: checks, steps, derivations and conditions (imports nothing else of mcgen).

Importing it registers every decision procedure, so ``Derivation.recheck()`` works on any
derivation read back from JSON.
"""

from mcgen.proof import (  # noqa: F401  (modules that register decision procedures)
    farkas_check,
    interval_max,
    lp,
    nonzero,
    numflux_checks,
    piecewise_max,
    sos_certificate,
    stationarity,
    sturm,
)
from mcgen.proof.check import Check, is_zero, register_check, weakest
from mcgen.proof.condition import CAUCHY_LABEL, Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder, Step
from mcgen.proof.serialize import dumps, loads, register_atom, register_class, stable_hash

__all__ = ["Check", "Condition", "CAUCHY_LABEL", "Derivation", "DerivationBuilder", "Step",
           "dumps", "loads", "register_atom", "register_class", "register_check", "stable_hash",
           "is_zero", "weakest"]
