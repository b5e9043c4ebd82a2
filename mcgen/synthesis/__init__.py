"""Synthesis: law + stencil support -> every consistent scheme/chain, the positive ones, the best
one for a criterion, and proofs (including Farkas certificates when none is positive).

Every result is an ordinary ``Scheme`` or ``JumpProcess``, so the rest of mcgen uses it unchanged.
"""

from mcgen.synthesis.admissible_region import AdmissibleRegion, admissible_region
from mcgen.synthesis.family import Member, SchemeFamily, consistent_family
from mcgen.synthesis.farkas import find_certificate, infeasibility_derivation, nonneg_point
from mcgen.synthesis.kushner_dupuis_synthesis import (
    FixedDtChain,
    KushnerDupuisChain,
    fixed_dt_chain,
    kushner_dupuis_chain,
    kushner_dupuis_chain_2d,
    positive_aspect_ratios,
    wide_support_chain,
)
from mcgen.synthesis.moment_conditions import (
    MomentTarget,
    drift_diffusion_target,
    gaussian_moments,
    moment_target,
)
from mcgen.synthesis.optimal import (
    HighestOrder,
    OptimalMember,
    highest_positive_order,
    optimal_member,
    second_cumulant,
)
from mcgen.synthesis.pipeline import synthesize

__all__ = ["AdmissibleRegion", "admissible_region", "Member", "SchemeFamily",
           "consistent_family", "find_certificate", "infeasibility_derivation", "nonneg_point",
           "FixedDtChain", "KushnerDupuisChain", "fixed_dt_chain", "kushner_dupuis_chain",
           "kushner_dupuis_chain_2d", "positive_aspect_ratios", "wide_support_chain",
           "MomentTarget", "drift_diffusion_target", "gaussian_moments", "moment_target",
           "HighestOrder", "OptimalMember", "highest_positive_order", "optimal_member",
           "second_cumulant", "synthesize"]
