"""The two readings of a stochastic matrix (DESIGN section 1)."""

from mcgen.errors import ModelError

FORWARD = "forward"    # density: rho^{n+1}_i = sum_j P(j -> i) rho^n_j, columns sum to one
BACKWARD = "backward"  # expectation: u^n_j = E[u^0(X_n) | X_0 = j], rows sum to one
_ALIASES = {"forward": FORWARD, "density": FORWARD, "backward": BACKWARD,
            "expectation": BACKWARD}


def normalize_reading(reading: str) -> str:
    """Map ``density``/``expectation`` to ``forward``/``backward``; reject anything else."""
    try:
        return _ALIASES[reading]
    except KeyError:
        raise ModelError(f"reading {reading!r} is not known: use 'forward' (density, columns sum "
                         "to one) or 'backward' (expectation, rows sum to one)") from None


def describe_reading(reading: str) -> str:
    if normalize_reading(reading) == FORWARD:
        return "forward (density) reading: each column of the transition matrix sums to one"
    return "backward (expectation) reading: each row of the transition matrix sums to one"
