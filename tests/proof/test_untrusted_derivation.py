"""Issue 10, items 1, 5 and 6: a derivation file is data. Loading, re-checking and evaluating one
never runs code from it, refuses what its schema does not allow with a DerivationFileError naming
the JSON path, and an edited derivation does not re-check as proved."""

import copy
import json
import math
import subprocess
import sys

import pytest
import sympy as sp

from mcgen.errors import ConditionError, DerivationFileError
from mcgen.proof import Check, Condition, Derivation, DerivationBuilder

nu = sp.Symbol("nu", real=True)


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "canary"
    yield path
    assert not path.exists(), "text from a derivation file was executed"


def payload(canary) -> str:
    return f"__import__('pathlib').Path({str(canary)!r}).write_text('x')"


def with_claim(doc: dict, node) -> str:
    data = copy.deepcopy(doc)
    data["steps"][0]["claim"] = node
    return json.dumps(data)


# ---------------------------------------------------------------- item 1: nothing runs at load


def test_string_argument_of_a_function_is_refused_not_run(catalogue_json, canary):
    text = with_claim(catalogue_json["upwind positivity"], {"f": "sin", "args": [payload(canary)]})
    with pytest.raises(DerivationFileError, match=r"\$\.steps\[0\]\.claim\.args\[0\]"):
        Derivation.from_json(text)


def test_string_in_a_tuple_is_refused_not_run(catalogue_json, canary):
    text = with_claim(catalogue_json["upwind positivity"],
                      {"f": "Tuple", "args": [{"int": "1"}, payload(canary)]})
    with pytest.raises(DerivationFileError, match="expected a SymPy expression"):
        Derivation.from_json(text)


def test_string_as_a_condition_expression_is_refused_not_run(catalogue_json, canary):
    data = copy.deepcopy(catalogue_json["upwind positivity"])
    data["result"]["data"]["expr"] = payload(canary)
    with pytest.raises(DerivationFileError, match=r"\$\.result\.data\.expr"):
        Derivation.from_json(json.dumps(data))


@pytest.mark.parametrize("kind", ["identity", "truth"])
def test_string_arguments_of_checks_are_refused_before_recheck(catalogue_json, canary, kind):
    data = copy.deepcopy(catalogue_json["upwind positivity"])
    data["steps"][0]["check"] = {"kind": kind, "args": {"list": [payload(canary), {"int": "0"}]}}
    with pytest.raises(DerivationFileError, match=r"\$\.steps\[0\]\.check\.args"):
        Derivation.from_json(json.dumps(data)).recheck()


def test_function_name_that_is_code_is_refused_at_load(catalogue_json, canary):
    data = copy.deepcopy(catalogue_json["upwind positivity"])
    data["result"]["data"]["expr"] = {"f": "LessThan", "args": [
        {"undef": f"{payload(canary)} or f", "args": [{"sym": "nu", "assume": {}}]}, {"int": "1"}]}
    with pytest.raises(DerivationFileError, match="function name"):
        Derivation.from_json(json.dumps(data))


def test_holds_never_prints_a_function_name_into_code(canary):
    f = sp.Function(f"({payload(canary)}) or f")
    c = Condition(f(nu) <= 1, (nu,), "l2")
    with pytest.raises(ConditionError, match="cannot evaluate"):
        c.holds(nu=0.5)


def test_model_objects_in_a_file_get_no_strings_to_parse(catalogue_json, canary):
    data = copy.deepcopy(catalogue_json["upwind stability"])
    law = catalogue_json["tasep limit"]["result"]
    law = copy.deepcopy(law)
    law["data"]["source"] = payload(canary)
    data["steps"][0]["claim"] = law
    with pytest.raises(DerivationFileError, match=r"claim\.data\.source: Law\.source must be"):
        Derivation.from_json(json.dumps(data))


@pytest.mark.parametrize("node, why", [
    ({"f": "os.system", "args": []}, "not an allowed node type"),
    ({"f": "Function", "args": [{"str": "f"}]}, "not an allowed node type"),
    ({"const": "Basic"}, "not an allowed constant"),
    ({"sym": "x", "assume": {"__class__": True}}, "not a SymPy assumption"),
    ({"int": "9" * 5000}, "at most 1000 digits"),
    ({"rat": ["1", "0"]}, "zero denominator"),
    ({"flt": ["1.5", 5000]}, "precision 5000 bits"),
    ({"flt": ["1e999999", 53]}, "decimal exponent"),
    ({"f": "Pow", "args": [{"int": "10"}, {"int": "1000000000"}]}, "exponent 1000000000 too"),
    ({"f": "Derivative", "args": [{"undef": "u", "args": [{"sym": "x"}]},
                                  {"f": "Tuple", "args": [{"sym": "x"}, {"int": "10000000"}]}]},
     "derivative order"),
    ({"f": "Sum", "args": [{"sym": "k"}, {"f": "Tuple", "args": [{"sym": "k"}, {"int": "0"},
                                                                 {"int": "10000000000"}]}]},
     "range"),
    (1.5, "bare JSON number"),
    ({"matrix": [100000, 100000, []]}, "at most 256 rows"),
    ({"matrix": [2, 2, [{"int": "1"}]]}, "with 1 elements"),
    ({"int": "1", "junk": 0}, "unexpected"),
])
def test_out_of_schema_nodes_are_refused_with_their_path(catalogue_json, node, why):
    with pytest.raises(DerivationFileError, match=why) as err:
        Derivation.from_json(with_claim(catalogue_json["upwind positivity"], node))
    assert "$.steps[0].claim" in str(err.value)


def test_power_towers_are_refused():
    tower = {"int": "1" + "0" * 900}
    for _ in range(3):
        tower = {"f": "Pow", "args": [tower, {"int": "100"}]}
    from mcgen.proof.serialize import from_data
    with pytest.raises(DerivationFileError, match="would exceed"):
        from_data(tower)


def test_deep_nesting_is_refused_not_a_recursion_error():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(DerivationFileError):
        Derivation.from_json(deep)
    nested = {"int": "1"}
    for _ in range(150):
        nested = {"list": [nested]}
    with pytest.raises(DerivationFileError, match="nested deeper"):
        Derivation.from_json(json.dumps({"title": "t", "status": "proved", "steps": [],
                                         "result": nested, "meta": {"dict": []},
                                         "sha256": "0" * 64}))


def test_huge_float_precision_is_refused_quickly():
    # issue 10 item 6: this hung the loader; a subprocess so that a hang fails instead of blocking
    code = ("from mcgen.proof.serialize import loads\n"
            "try:\n    loads('{\"flt\": [\"1.5\", 100000000]}')\n"
            "except ValueError as e:\n    print(type(e).__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "DerivationFileError", out.stderr[-2000:]


def test_the_list_mcgen_derive_writes_has_its_own_loader(catalogue_json):
    text = json.dumps([catalogue_json["upwind positivity"], catalogue_json["tasep limit"]])
    with pytest.raises(DerivationFileError, match="list_from_json"):
        Derivation.from_json(text)
    ds = Derivation.list_from_json(text)
    assert [d.recheck().status for d in ds] == ["proved", "proved"]


# ---------------------------------------------------------------- item 6: integrity


def test_a_widened_region_fails_recheck(catalogue_json):
    data = copy.deepcopy(catalogue_json["upwind positivity"])
    original = Derivation.from_json(json.dumps(data)).recheck()
    assert not original.result.holds(nu=1.5)
    for part in ("expr", "sufficient", "necessary"):  # nu <= 1 becomes nu <= 2
        data["result"]["data"][part] = {"f": "LessThan", "args": [
            {"sym": "nu", "assume": {"nonnegative": True}}, {"int": "2"}]}
    edited = Derivation.from_json(json.dumps(data))
    assert edited.result.holds(nu=1.5)  # what the edit claims, before recheck ...
    with pytest.raises(DerivationFileError, match="edited after mcgen wrote it"):
        edited.recheck()  # ... which refuses it


def test_a_changed_diffusion_coefficient_fails_recheck(catalogue_json):
    data = copy.deepcopy(catalogue_json["kushner-dupuis limit"])
    assert data["result"]["data"]["diffusion"] == {"matrix": [1, 1, [{"rat": ["1", "2"]}]]}
    data["result"]["data"]["diffusion"] = {"matrix": [1, 1, [{"int": "1"}]]}
    with pytest.raises(DerivationFileError, match="does not match its sha256 digest"):
        Derivation.from_json(json.dumps(data)).recheck()


def _sampled_derivation() -> Derivation:
    region = Condition(sp.Abs(nu) <= 1, (nu,), "l2", status="proved")
    b = DerivationBuilder("a region checked at sample points only")
    b.step(region.expr, "checked at 1000 points", Check("sampled"))
    return b.finish(region)


def test_a_check_kind_is_part_of_what_is_rechecked():
    d = _sampled_derivation()
    assert d.status == "sampled" and d.result.status == "sampled"
    data = json.loads(d.render("json"))
    data["steps"][0]["check"]["kind"] = "definition"
    with pytest.raises(DerivationFileError, match="check kind"):
        Derivation.from_json(json.dumps(data)).recheck()


def test_recheck_caps_the_result_condition_at_the_derivation_status():
    data = json.loads(_sampled_derivation().render("json"))
    data["result"]["data"]["status"] = "proved"
    data["sha256"] = Derivation.from_json(json.dumps(data)).hash  # a forger recomputes it
    again = Derivation.from_json(json.dumps(data)).recheck()
    assert again.status == "sampled" and again.result.status == "sampled"


def test_floats_round_trip_exactly_so_proved_stays_proved():
    lhs = sp.Float(0.1) + sp.Float(0.2)
    rhs = sp.Float(0.30000000000000004)
    b = DerivationBuilder("binary sum")
    b.identity(lhs, rhs, "0.1 + 0.2 in binary64")
    b.step(sp.Float("0.1", 100) * 3, "a 100-bit float", Check("follows"), [0])
    d = b.finish(sp.Float("0.1", 100) * 3)
    assert d.status == "proved"
    again = Derivation.from_json(d.render("json"))
    assert again.recheck().status == "proved"
    assert again.result == d.result and again.steps[1].claim == d.steps[1].claim


# ---------------------------------------------------------------- item 5: non-finite values


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_holds_refuses_non_finite_values(bad):
    c = Condition(sp.And(nu >= 0, nu <= 1), (nu,), "l2")
    with pytest.raises(ConditionError, match=f"nu={bad!r}"):
        c.holds(nu=bad)


def test_tolerance_never_becomes_infinite():
    c = Condition(nu**2 <= 1, (nu,), "l2")
    assert not c.holds(nu=1e200)  # nu**2 overflows to inf: compared exactly, not within inf
    with pytest.raises(ConditionError, match="rtol"):
        c.holds(rtol=math.inf, nu=0.5)


def test_holds_names_missing_and_unknown_values():
    dt, dx, a = sp.symbols("dt dx a", positive=True)
    c = Condition(sp.And(nu >= 0, nu <= 1), (nu,), "l2", definitions={nu: a * dt / dx})
    assert c.holds(a=1.0, dt=0.05, dx=0.1) and not c.holds(a=1.0, dt=0.2, dx=0.1)
    with pytest.raises(ConditionError, match=r"needs values for \['nu'\]; it has no "
                                             r"parameters \['nuu'\]"):
        c.holds(nuu=0.5)
    with pytest.raises(ConditionError, match=r"needs values for \['nu'\]$"):
        c.holds(a=1.0, dx=0.1)
    with pytest.raises(ConditionError, match="not a real number"):
        c.holds(nu="0.5")


def test_a_file_cannot_ask_a_check_for_an_enormous_ring(catalogue_json):
    import signal

    def hang(signum, frame):
        raise TimeoutError("the ring check enumerated an enormous state space")

    tasep = Derivation.from_json(json.dumps(catalogue_json["tasep limit"]))
    step = next(s for s in tasep.steps if s.check.kind == "rings_stationary")
    system, weight, _ = step.check.args
    old = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:  # 21**40 occupation vectors; a million rings
        assert Check("rings_stationary", (system, weight, ((40, 20),))).run() == "unknown"
        assert Check("rings_stationary", (system, weight, ((3, 1),) * 10**6)).run() == "unknown"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
