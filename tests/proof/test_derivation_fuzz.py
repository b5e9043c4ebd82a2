"""Property tests: adversarial and random JSON given to ``Derivation.from_json``, ``recheck()`` and
``Condition.holds()`` (issue 10). Whatever the file holds, (a) nothing in it is executed (a canary
file that every payload would write is never written), (b) every refusal is a DerivationFileError
or a ConditionError, never a raw SymPy, KeyError or RecursionError, (c) nothing hangs.

The inputs are mutations of real derivations of the catalogue (upwind, Lax-Wendroff, a TASEP
limit, a Godunov monotonicity proof, a Kushner-Dupuis limit): a node replaced by an adversarial
one, every string slot filled with code, a check kind or key changed, and half the time the sha256
digest recomputed (as a forger would) so that the re-run checks meet the edited arguments.

Small budget in the suite; ``MCGEN_SLOW=1`` runs the long fuzz.
"""

import copy
import json
import math
import os
import signal
import tempfile
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcgen.errors import ConditionError, DerivationFileError
from mcgen.proof import Condition, Derivation
from mcgen.proof.check import _PROCEDURES
from mcgen.proof.serialize import CONSTANTS, FUNCTIONS, from_data

SLOW = os.environ.get("MCGEN_SLOW") == "1"
SECONDS_PER_INPUT = 60 if SLOW else 30
CANARY = os.path.join(tempfile.mkdtemp(prefix="mcgen-canary-"), "canary")
WRITE = f"__import__('pathlib').Path({CANARY!r}).write_text('x')"
PAYLOADS = [
    WRITE, f"({WRITE}) or f", f"exec({WRITE!r})", f"x; {WRITE}", f"lambda: {WRITE}",
    f"Symbol('x') + ({WRITE} and 0)", "__import__", "__class__", "u_x", "nu", "1e999999",
    "nan", "inf", "9" * 5000, "", "\x00", "é",
]
REFUSED = (DerivationFileError, ConditionError)
KEYS = ["f", "args", "sym", "assume", "int", "rat", "flt", "float", "list", "dict", "matrix",
        "atom", "data", "undef", "ufunc", "const", "bool", "str", "dummy", "id", "kind"]
NAMES = ["sin", "Tuple", "Add", "Mul", "Pow", "LessThan", "Equality", "And", "Not", "Piecewise",
         "Derivative", "Sum", "Product", "Lambda", "Interval", "Contains", "Max", "Abs",
         "factorial", "Heaviside", "os.system", "eval", "Function", "Symbol", "Basic", "Integral"]
ATOMS = ["condition", "scheme", "law", "read", "derivation", "particle_system", "jump_process",
         "nope"]


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"an input took more than {SECONDS_PER_INPUT} s")


leaf = st.one_of(
    st.sampled_from(PAYLOADS), st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
    st.builds(lambda s: {"int": s}, st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=8))),
    st.builds(lambda p, q: {"rat": [p, q]}, st.sampled_from(["1", "0", "-3", "9" * 2000]),
              st.sampled_from(["0", "2", "x"])),
    st.builds(lambda v, p: {"flt": [v, p]},
              st.sampled_from(["1.5", "0x3p-1", "-0x1p99999", "1e999999", "nan", WRITE]),
              st.sampled_from([53, 0, -1, 100_000_000, 4096])),
    st.builds(lambda s: {"sym": s, "assume": {}}, st.sampled_from(PAYLOADS + ["nu", "x"])),
    st.builds(lambda s: {"const": s}, st.sampled_from(["Pi", "Infinity", "NaN", "Basic", WRITE])),
    st.builds(lambda s: {"float": s}, st.sampled_from(["0.1", "inf", "nan", WRITE])),
)


def _node(children):
    return st.one_of(
        st.builds(lambda f, a: {"f": f, "args": a}, st.sampled_from(NAMES),
                  st.lists(children, max_size=3)),
        st.builds(lambda f, a: {"undef": f, "args": a}, st.sampled_from(PAYLOADS + ["u"]),
                  st.lists(children, max_size=2)),
        st.builds(lambda a: {"list": a}, st.lists(children, max_size=3)),
        st.builds(lambda k, v: {"dict": [[k, v]]}, children, children),
        st.builds(lambda r, c, e: {"matrix": [r, c, e]}, st.integers(-2, 3), st.integers(-2, 3),
                  st.lists(children, max_size=4)),
        st.builds(lambda t, d: {"atom": t, "data": d}, st.sampled_from(ATOMS),
                  st.one_of(children, st.dictionaries(st.sampled_from(
                      ["expr", "update", "source", "fields", "dim", "kind", "variables",
                       "steps", "title"]), children, max_size=3))),
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=3),
    )


adversarial = st.recursive(leaf, _node, max_leaves=12)

# well-formed expressions of allowed nodes with hostile values: these pass the loader and reach
# the check procedures and the numeric evaluator
_ASSUME = st.dictionaries(st.sampled_from(["real", "positive", "nonnegative", "integer"]),
                          st.just(True), max_size=2)
valid_leaf = st.one_of(
    st.builds(lambda n, a: {"sym": n, "assume": a},
              st.sampled_from(["nu", "x", "c", "lambda", "u_L", "__import__", "exec", "os"]),
              _ASSUME),
    st.builds(lambda n: {"int": str(n)}, st.one_of(st.integers(-3, 3), st.integers())),
    st.builds(lambda d: {"int": d}, st.sampled_from(["9" * 1000, "-" + "7" * 999])),
    st.builds(lambda p, q: {"rat": [str(p), str(q)]}, st.integers(), st.integers(1, 10**30)),
    st.builds(lambda m, e: {"flt": [f"0x{m:x}p{e}", 53]}, st.integers(0, 2**53),
              st.integers(-1100, 1100)),
    st.builds(lambda c: {"const": c}, st.sampled_from(sorted(CONSTANTS))),
    st.builds(lambda b: {"bool": b}, st.booleans()),
)


def _valid_node(children):
    return st.one_of(
        st.builds(lambda f, a: {"f": f, "args": a}, st.sampled_from(sorted(FUNCTIONS)),
                  st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda f, a: {"undef": f, "args": a},
                  st.sampled_from(["f", "exec", "eval", "open", "u"]),
                  st.lists(children, min_size=1, max_size=2)),
    )


valid_expression = st.recursive(valid_leaf, _valid_node, max_leaves=10)
RELATIONS = ["LessThan", "StrictLessThan", "GreaterThan", "Equality", "Unequality"]
valid_boolean = st.recursive(
    st.builds(lambda r, a, b: {"f": r, "args": [a, b]}, st.sampled_from(RELATIONS),
              valid_expression, valid_expression),
    lambda c: st.builds(lambda f, a: {"f": f, "args": a},
                        st.sampled_from(["And", "Or", "Not", "Xor", "Implies"]),
                        st.lists(c, min_size=1, max_size=3)),
    max_leaves=4)
_EXPRESSION_KEYS = {"f", "sym", "int", "rat", "flt", "const", "undef"}


def _slots(node, path=()):
    """Every position in a JSON document, as a path of keys and indices."""
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _slots(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _slots(v, (*path, i))


def _set(doc, path, value):
    if not path:
        return value
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return doc


def _is_expression(doc, path):
    node = doc
    for k in path:
        node = node[k]
    return isinstance(node, dict) and bool(_EXPRESSION_KEYS & set(node))


def _fill_strings(node, text):
    if isinstance(node, str):
        return text
    if isinstance(node, dict):
        return {k: _fill_strings(v, text) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill_strings(v, text) for v in node]
    return node


def _conditions(obj):
    if isinstance(obj, Condition):
        yield obj
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            yield from _conditions(o)


def exercise(text, forge: bool) -> None:
    """Load, re-check and evaluate; only the two clear error types may come out."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_INPUT)
    try:
        try:
            d = Derivation.from_json(text)
            if forge:
                d = replace(d, digest=d.hash)
            r = d.recheck()
        except REFUSED:
            return
        for cond in _conditions(r.result):
            for vals in ({}, dict.fromkeys(cond.names, 0.5), dict.fromkeys(cond.names, math.nan),
                         dict.fromkeys(cond.names, 1e300)):
                try:
                    cond.holds(**vals)
                except REFUSED:
                    pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        assert not os.path.exists(CANARY), "text from a derivation file was executed"


@pytest.fixture(scope="module")
def documents(catalogue_json):
    return list(catalogue_json.values())


MUTATIONS = st.sampled_from(["replace", "expression", "expression", "region", "fill strings",
                             "kind", "drop key"])


@settings(max_examples=1000 if SLOW else 80, deadline=None, derandomize=not SLOW,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data(), mutation=MUTATIONS, forge=st.booleans())
def test_mutated_catalogue_derivations_never_run_and_fail_clearly(documents, data, mutation,
                                                                  forge):
    doc = copy.deepcopy(data.draw(st.sampled_from(documents)))
    if mutation == "fill strings":
        doc = _fill_strings(doc, data.draw(st.sampled_from(PAYLOADS)))
    else:
        slots = list(_slots(doc))
        path = data.draw(st.sampled_from(slots))
        if mutation == "replace":
            doc = _set(doc, path, data.draw(adversarial))
        elif mutation in ("expression", "region"):
            # a well-formed node where an expression was; "region" edits a condition's region
            exprs = [p for p in slots if _is_expression(doc, p)
                     and (mutation == "expression" or (p and p[-1] == "expr"))] or [()]
            where = data.draw(st.sampled_from(exprs))
            doc = _set(doc, where, data.draw(valid_boolean if mutation == "region"
                                             else st.one_of(valid_expression, valid_boolean)))
        elif mutation == "kind":
            checks = [p for p in slots if p and p[-1] == "kind" and "check" in p]
            doc = _set(doc, data.draw(st.sampled_from(checks)),
                       data.draw(st.sampled_from([*sorted(_PROCEDURES), WRITE])))
        else:
            parents = [p for p in slots if p and isinstance(p[-1], str)]
            victim = data.draw(st.sampled_from(parents))
            parent = doc
            for k in victim[:-1]:
                parent = parent[k]
            del parent[victim[-1]]
    exercise(json.dumps(doc), forge)


@settings(max_examples=3000 if SLOW else 150, deadline=None, derandomize=not SLOW,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(node=adversarial)
def test_random_expression_json_never_runs_and_fails_clearly(node):
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_INPUT)
    try:
        from_data(node)
    except REFUSED:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        assert not os.path.exists(CANARY), "text from a derivation file was executed"


def test_every_real_derivation_round_trips_and_rechecks(documents):
    for doc in documents:
        d = Derivation.from_json(json.dumps(doc))
        assert d.recheck().status == doc["status"] == "proved"
        assert d.render("json") == Derivation.from_data(doc).render("json")
