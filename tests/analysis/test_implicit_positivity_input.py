"""Inconsistent input is diagnosed first, in one line, before any region (issue 12): weights that
do not preserve constants, and a diffusion form that would have to be guessed."""

from __future__ import annotations

import pytest
import sympy as sp

from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.von_neumann import von_neumann
from mcgen.errors import ModelError
from mcgen.model import Field, Scheme, scalar_law
from mcgen.model.symbols import x

u = Field("u")
nu = sp.Symbol("nu", real=True)
U = sp.Symbol("u", real=True)
D = sp.Symbol("D", positive=True)


@pytest.mark.parametrize("g0", [1.1, sp.Rational(11, 10)])
def test_weights_not_preserving_constants_are_said_in_one_line_first(g0):
    s = Scheme(("u",), 1, {"u": g0 * u[0] - nu * (u[0] - u[-1])}, params=(nu,), name="bad")
    vn = von_neumann(s).result
    shown = "1.1" if isinstance(g0, float) else "11/10"
    assert vn.description == f"unstable for every nu: |G(0)| = {shown}"  # was 1.10000000000000
    pos = positivity_region(s).result
    first = pos.description.split(";")[0]
    assert first.startswith("inconsistent: the weights sum to") and shown in first
    assert "\n" not in pos.description


@pytest.mark.parametrize("diffusion", [U, 1 + U**2, 1 + x**2, (1 + x) * U])
def test_a_diffusion_form_is_never_guessed(diffusion):
    # (D u)_xx and (D u_x)_x differ when D varies: the law must say which (was: a guess)
    with pytest.raises(ModelError, match="diffusion_form='ito'.*'fick'"):
        scalar_law(U, 0, diffusion=diffusion)
    for form in ("ito", "fick"):
        assert scalar_law(U, 0, diffusion=diffusion, diffusion_form=form).diffusion_form == form


def test_a_constant_diffusion_needs_no_form():
    assert scalar_law(U, U, diffusion=D).diffusion_form == "fick"  # the forms coincide
    assert scalar_law(U, U, diffusion=sp.Rational(1, 10)).diffusion_form == "fick"
