"""The catalogue: textbook schemes, conservative schemes, particle systems and Kushner-Dupuis
chains, each an ordinary model object."""

from mcgen.model.catalogue import (  # noqa: F401
    conservative,
    kinetic,
    kushner_dupuis,
    linear,
    particles,
)
