"""Real derivations of the catalogue, as the JSON ``render("json")`` writes, for the tests that
edit or fuzz derivation files (computed once per session)."""

import json
import warnings

import pytest
import sympy as sp


@pytest.fixture(scope="session")
def catalogue_json() -> dict[str, dict]:
    from mcgen.model import scalar_law
    from mcgen.model.catalogue import conservative, kushner_dupuis, linear, particles
    from mcgen.run.pipeline import derive

    u = sp.Symbol("u", real=True)
    burgers = conservative.conservative_scheme(scalar_law(u, u**2 / 2), "godunov")
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        upwind = derive(linear.upwind())
        out["upwind positivity"], out["upwind l2"], out["upwind stability"] = upwind[:3]
        out["lax-wendroff positivity"] = derive(linear.lax_wendroff())[0]
        out["tasep limit"] = derive(particles.tasep())[0]
        out["godunov monotone"] = derive(burgers, data_range=(-1, 1))[0]
        out["kushner-dupuis limit"] = derive(kushner_dupuis.kushner_dupuis_1d(-sp.Symbol("x"),
                                                                             1))[0]
    return {k: json.loads(d.render("json")) for k, d in out.items()}
