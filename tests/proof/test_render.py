"""Readable derivations (issue 12): laws in subscript notation in text, LaTeX and MathML; trivial
steps collapsed with what they checked; LaTeX whose every math fragment parses; Jupyter reprs."""

import re
import xml.dom.minidom
from html.parser import HTMLParser

import pytest
import sympy as sp
from matplotlib.mathtext import MathTextParser

from mcgen.analysis.particle_limit import hydrodynamic_limit
from mcgen.analysis.positivity import positivity_region
from mcgen.analysis.von_neumann import von_neumann
from mcgen.model.catalogue import linear as cat
from mcgen.model.catalogue import particles
from mcgen.proof import render
from mcgen.proof.check import Check
from mcgen.proof.derivation import DerivationBuilder

rho = sp.Function("rho")
x, t = sp.symbols("x t")
LAW = sp.Eq(sp.Derivative(rho(x, t), t) + sp.Derivative(-(rho(x, t) - 1) * rho(x, t), x), 0)


def _balanced(markup: str) -> None:
    """Every tag closed in order (MathML inside HTML; entities left to the browser)."""
    stack: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in ("br", "img", "meta"):
                stack.append(tag)

        def handle_endtag(self, tag):
            assert stack and stack.pop() == tag, (tag, stack)

    P().feed(markup)
    assert not stack, stack


def test_law_in_subscript_notation():
    assert render.text(LAW) == "rho_t + (rho*(1 - rho))_x = 0"
    assert render.latex_math(LAW) == r"\rho_{t} + \left(\rho \left(1 - \rho\right)\right)_{x} = 0"
    ml = render.mathml(LAW)
    xml.dom.minidom.parseString(ml)  # well-formed
    assert "<msub><mi>&#961;</mi><mi>t</mi></msub>" in ml
    heat = sp.Eq(sp.Derivative(rho(x, t), t), sp.Derivative(rho(x, t), (x, 2)))
    assert render.text(heat) == "rho_t = rho_xx"


def test_hydrodynamic_result_reads_as_promised():
    d = hydrodynamic_limit(particles.tasep())
    assert str(d.result).startswith("`rho_t + (rho*(1 - rho))_x = 0`") or \
        "rho_t + (rho*(1 - rho))_x = 0" in str(d.result)
    md = d.render("md")
    assert "Derivative" not in md and "rho(x, t)" not in md
    # the flux label says what was checked, not a bare "proved"
    assert "stationary on rings of 3-5 sites" in md and "Rezakhanlou" in md
    assert "DESIGN" not in md


def test_trivial_steps_collapsed_with_what_they_checked():
    b = DerivationBuilder("t")
    a = sp.Symbol("a")
    b.step(sp.Eq(1, 1), "weights sum to one", Check("identity", (a + 1 - a, 1)))
    d = b.finish(sp.true)
    md = d.render("md")
    assert "`1 = 1`" in md and "checked" in md and "Eq(1, 1)" not in md


@pytest.mark.parametrize("make", [
    lambda: von_neumann(cat.LINEAR_SCHEMES["lax_wendroff"]()),
    lambda: positivity_region(cat.LINEAR_SCHEMES["upwind"]()),
    lambda: von_neumann(cat.lax_friedrichs_2d()),
    lambda: hydrodynamic_limit(particles.tasep()),
])
def test_latex_compiles_every_math_fragment(make):
    d = make()
    tex = d.render("latex")
    parser = MathTextParser("agg")
    frags = render.math_fragments(tex)
    assert frags
    for f in frags:
        parser.parse(f"${f}$")  # raises ValueError on bad math
    prose = re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", "", tex, flags=re.S)
    assert not re.search(r"(?<!\\)[_^]", prose), "an _ or ^ outside math mode"
    assert d._repr_latex_() == tex
    html = d._repr_html_()
    assert "<math" in html
    _balanced(html)


def test_condition_reprs():
    c = von_neumann(cat.LINEAR_SCHEMES["upwind"]()).result
    assert c._repr_latex_().count("$") == 2
    assert "<math" in c._repr_html_() and "proved" in c._repr_html_()
