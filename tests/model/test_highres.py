"""The high-resolution scheme catalogue: declarations, bad input, serialisation (issue 14)."""

import pytest
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.model.highres_scheme import HighResScheme
from mcgen.model.limiter import Limiter, as_limiter
from mcgen.model.runge_kutta import ButcherTableau
from mcgen.proof import dumps, loads

u = sp.Symbol("u")
BURGERS = scalar_law(u, u**2 / 2)


def test_declarations():
    s = muscl(BURGERS, limiter="minmod", flux="godunov", stepper="ssprk22")
    assert s.reconstruction == "muscl" and s.stepper.name == "SSPRK(2,2)" and s.order == 2
    w = weno5(BURGERS)
    assert w.order == 5 and w.radius == 3 and w.limiter is None
    r = sp.Symbol("r", real=True)
    mine = flux_limited(BURGERS, limiter=sp.Max(0, sp.Min(r, 1)), stepper=(
        [[0, 0], [1, 0]], [sp.Rational(1, 2), sp.Rational(1, 2)]))
    assert isinstance(mine.limiter, Limiter) and mine.stepper.stages == 2


def test_round_trip_through_json():
    s = muscl(BURGERS, limiter="van_leer", flux="lax_friedrichs", stepper="ssprk33",
              data_range=(-1, 1))
    back = loads(dumps(s))
    assert isinstance(back, HighResScheme) and back.hash == s.hash
    assert isinstance(back.stepper, ButcherTableau)


def test_bad_input_is_refused_with_the_fix():
    with pytest.raises(ModelError, match="use one of"):
        muscl(BURGERS, limiter="vanleer")
    with pytest.raises(ModelError, match="monotone two-point flux"):
        muscl(BURGERS, flux="roe")
    with pytest.raises(ModelError, match="source"):
        muscl(scalar_law(u, u, source=u))
    with pytest.raises(ModelError, match="besides"):
        as_limiter(Limiter(sp.Symbol("k") * sp.Symbol("r")))
    with pytest.raises(ModelError, match="min < max"):
        muscl(BURGERS, data_range=(1, 0))
