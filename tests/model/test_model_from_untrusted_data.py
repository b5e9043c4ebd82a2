"""Issue 10: a model read from a file (``Scheme.from_data(json.loads(model_json))``) is built
through the loader's type checks, so no string from the file reaches a constructor that would
parse it with ``sympify`` (which evaluates Python)."""

import json
import os

import pytest

from mcgen.errors import DerivationFileError
from mcgen.model import Law, Scheme
from mcgen.model.catalogue import linear
from mcgen.model.limiter import Limiter, as_limiter


@pytest.fixture
def canary(tmp_path):
    path = tmp_path / "canary"
    yield path
    assert not os.path.exists(path), "text from a model file was executed"


def _payload(canary):
    return f"__import__('pathlib').Path({str(canary)!r}).write_text('x') or u"


def test_scheme_with_a_string_in_its_update_is_refused(canary):
    data = json.loads(json.dumps(linear.upwind().to_data()))
    assert Scheme.from_data(data) == linear.upwind()
    data["update"]["dict"][0][1] = _payload(canary)
    with pytest.raises(DerivationFileError, match="update"):
        Scheme.from_data(data)


def test_law_with_a_string_flux_is_refused(canary):
    data = json.loads(json.dumps(linear.upwind().law.to_data()))
    assert Law.from_data(data) == linear.upwind().law
    data["flux"] = {"list": [_payload(canary)]}
    with pytest.raises(DerivationFileError, match="flux"):
        Law.from_data(data)


def test_limiter_with_a_string_function_is_refused(canary):
    data = json.loads(json.dumps(as_limiter("minmod").to_data()))
    assert Limiter.from_data(data) == as_limiter("minmod")
    data["phi"] = _payload(canary)
    with pytest.raises(DerivationFileError, match="phi"):
        Limiter.from_data(data)


def test_multistate_walk_with_a_string_probability_is_refused(canary):
    from mcgen.model.catalogue.kinetic import persistent_random_walk
    from mcgen.model.multistate_walk import MultiStateWalk
    w = persistent_random_walk()
    data = json.loads(json.dumps(w.to_data()))
    assert MultiStateWalk.from_data(data) == w
    row = next(iter(data["table"].values()))
    row[0][2] = _payload(canary)
    with pytest.raises(DerivationFileError, match="table"):
        MultiStateWalk.from_data(data)
    with pytest.raises(DerivationFileError, match="not a multi-state walk"):
        MultiStateWalk.from_data({**data, "ranges": 3})
