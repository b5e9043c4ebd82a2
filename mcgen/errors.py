"""Errors raised by mcgen. Each message names the offending part and the fix."""


class McgenError(Exception):
    """Base class of every error mcgen raises on purpose."""


class ModelError(McgenError, ValueError):
    """A declared model is malformed: the message names the part and how to fix it."""


class DerivationFileError(McgenError, ValueError):
    """A derivation (or other mcgen JSON) read from a file is malformed, out of bounds or was
    edited after it was written: the message names the JSON path of the offending node."""


class ConditionError(McgenError, ValueError):
    """A condition cannot be evaluated at the given values (missing, unknown or non-finite
    values, or a part with no numeric meaning): the message names the value or the part."""


class AnalysisError(McgenError):
    """An analysis cannot be carried out for this model (and says why and what would work)."""


class LimitError(AnalysisError):
    """The requested macroscopic limit does not exist under the declared scaling."""


class StabilityError(McgenError, ValueError):
    """A time step or parameter set violates the enforced stability condition."""


class CodegenError(McgenError):
    """Code generation failed (unsupported construct, invalid identifier, compiler failure)."""
