"""Derivations: checks run, statuses propagate, JSON round trips re-check."""

import json

import pytest
import sympy as sp

from mcgen.errors import DerivationFileError
from mcgen.proof import Check, Derivation, DerivationBuilder

x, nu = sp.symbols("x nu", real=True)


def test_status_is_weakest_step_and_propagates_through_uses():
    b = DerivationBuilder("demo")
    i = b.identity((x + 1) ** 2, x**2 + 2 * x + 1, "expand")
    j = b.step("a sampled claim", "numerics", Check("sampled"))
    k = b.step("consequence", "from both", uses=[i, j])
    d = b.finish("consequence")
    assert [s.status for s in d.steps] == ["proved", "sampled", "sampled"]
    assert d.status == "sampled"
    assert k == 2


def test_false_identity_is_refuted_and_undecidable_is_unknown():
    b = DerivationBuilder("wrong")
    b.identity((x + 1) ** 2, x**2 + 1, "a wrong expansion")
    assert b.finish(None).status == "refuted"
    f = sp.Function("f")
    b = DerivationBuilder("undecidable")
    b.identity(f(x), 0, "unknown function")
    assert b.finish(None).status == "unknown"


def test_json_round_trip_rechecks_and_detects_tampering():
    b = DerivationBuilder("identity")
    b.identity(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1, "Pythagoras")
    d = b.finish(sp.Integer(1))
    text = d.render("json")
    again = Derivation.from_json(text).recheck()
    assert again.status == "proved" and again.hash == d.hash
    data = json.loads(text)
    data["steps"][0]["check"]["args"]["list"][1] = {"int": "2"}  # claim sin^2 + cos^2 = 2
    with pytest.raises(DerivationFileError, match="does not match its sha256 digest"):
        Derivation.from_data(data).recheck()
    # whoever recomputes the digest still meets the re-run check
    data["sha256"] = Derivation.from_data(data).hash
    assert Derivation.from_data(data).recheck().status == "refuted"


def test_renderings_contain_the_claims():
    b = DerivationBuilder("render")
    b.identity(nu * (1 - nu), nu - nu**2, "distribute")
    d = b.finish(nu - nu**2)
    assert "distribute" in d.render("md") and "proved" in d.render("md")
    assert "\\nu" in d.render("latex")
    assert d._repr_markdown_() == d.render("md")


def test_nonneg_on_interval_is_exact():
    c = sp.Symbol("c")
    assert Check("nonneg_on_interval", ((1 - c) ** 2 * (c + 1), c, -1, 1)).run() == "proved"
    assert Check("nonneg_on_interval", (c, c, -1, 1)).run() == "refuted"
    # a double root inside the interval touches zero without changing sign
    assert Check("nonneg_on_interval", ((c - sp.Rational(1, 3)) ** 2, c, -1, 1)).run() == "proved"


def test_equivalence_of_presented_form():
    assert Check("equivalent", (sp.And(nu >= -1, nu <= 1), sp.Abs(nu) <= 1, nu)).run() == "proved"
    assert Check("equivalent", (sp.And(nu >= 0, nu <= 1), sp.Abs(nu) <= 1, nu)).run() == "refuted"


def test_a_result_no_step_concludes_is_refuted_with_the_reason():
    b = DerivationBuilder("square")
    b.identity((x + 1) ** 2, x**2 + 2 * x + 1, "expand the square")
    assert b.finish(x**2 + 2 * x + 1).status == "proved"
    assert b.finish(x**2 + (2 * x + 2) / 2 + x).status == "proved"  # equal after cancel
    d = b.finish(x**2 + 3 * x + 1)
    assert d.status == "refuted"
    assert "the result is not the conclusion of any step: result = x**2 + 3*x + 1" in str(d)
    # a definition is fiat: it cannot conclude a result
    b.define(sp.Eq(sp.Symbol("D"), 7), "declared")
    assert b.finish(sp.Integer(7)).status == "refuted"
    # conclude() adds the concluding step, re-checked entry by entry against computed values
    b = DerivationBuilder("dict")
    b.identity(nu * (1 - nu), nu - nu**2, "distribute")
    b.conclude({"D": nu - nu**2}, {"D": nu * (1 - nu)})
    assert b.finish({"D": nu - nu**2}).status == "proved"
    assert b.finish({"D": nu - 2 * nu**2}).status == "refuted"


