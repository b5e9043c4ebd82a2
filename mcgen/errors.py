"""Errors raised by mcgen. Each message names the offending part and the fix."""


class McgenError(Exception):
    """Base class of every error mcgen raises on purpose."""


class ModelError(McgenError, ValueError):
    """A declared model is malformed: the message names the part and how to fix it."""


class AnalysisError(McgenError):
    """An analysis cannot be carried out for this model (and says why and what would work)."""


class LimitError(AnalysisError):
    """The requested macroscopic limit does not exist under the declared scaling."""


class StabilityError(McgenError, ValueError):
    """A time step or parameter set violates the enforced stability condition."""


class CodegenError(McgenError):
    """Code generation failed (unsupported construct, invalid identifier, compiler failure)."""
