"""The proof layer: checks, steps, derivations and conditions (imports nothing else of mcgen)."""

from mcgen.proof.check import Check, is_zero, register_check, weakest
from mcgen.proof.condition import CAUCHY_LABEL, Condition
from mcgen.proof.derivation import Derivation, DerivationBuilder, Step
from mcgen.proof.serialize import dumps, loads, register_atom, register_class, stable_hash

__all__ = ["Check", "Condition", "CAUCHY_LABEL", "Derivation", "DerivationBuilder", "Step",
           "dumps", "loads", "register_atom", "register_class", "register_check", "stable_hash", "is_zero", "weakest"]
from mcgen.proof import farkas_check as _farkas_check  # noqa: E402,F401  (registers LP/Farkas checks)
from mcgen.proof import stationarity as _stationarity  # noqa: E402,F401  (ring stationarity checks)
from mcgen.proof import lp as _lp, sturm as _sturm  # noqa: E402,F401,I001  (exact LP and Sturm checks)
from mcgen.proof import piecewise_max as _piecewise_max  # noqa: E402,F401  (exact piecewise sup checks)
from mcgen.proof import numflux_checks as _numflux_checks  # noqa: E402,F401  (numerical-flux checks)
from mcgen.proof import interval_max as _interval_max  # noqa: E402,F401  (max |g| on an interval)
from mcgen.proof import nonzero as _nonzero  # noqa: E402,F401  (denominators nonzero for positive steps)
