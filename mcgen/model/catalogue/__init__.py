"""Package."""
from mcgen.model.catalogue import linear  # noqa: E402,F401,I001  (linear scheme catalogue)
from mcgen.model.catalogue import conservative, particles  # noqa: E402,F401,I001  (particle systems, conservative schemes)
from mcgen.model.catalogue import kushner_dupuis  # noqa: E402,F401,I001  (Kushner-Dupuis chains)
