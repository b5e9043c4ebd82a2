"""A forward-Euler high-resolution scheme written out as a Scheme goes through compile with its
proved TVD condition enforced, and gives the NumPy reference stepper's numbers (issue 14)."""

import itertools
import shutil

import numpy as np
import pytest
import sympy as sp

from mcgen.analysis.tvd import tvd_condition
from mcgen.errors import ModelError, StabilityError
from mcgen.model import scalar_law
from mcgen.model.catalogue.highres import flux_limited, muscl, weno5
from mcgen.model.highres_as_scheme import as_scheme
from mcgen.run.highres_stepper import HighResStepper

u = sp.Symbol("u")

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@pytest.mark.parametrize(("hs", "lo"), [
    (muscl(scalar_law(u, u), "minmod", "godunov", data_range=(0, 1)), 0.0),
    (flux_limited(scalar_law(u, u**2 / 2), "superbee", data_range=(-1, 1)), -1.0),
])
def test_compiled_forward_euler_scheme_matches_the_reference_and_enforces_tvd(hs, lo):
    from mcgen.codegen.compile import compile

    n = 48
    u0 = lo + (1 - lo) * np.random.default_rng(5).random(n)
    cond = tvd_condition(hs).result
    bound = float(cond.expr.rhs)
    kernel = compile(as_scheme(hs), backend="c", condition=cond)
    st = HighResStepper(hs, n)
    ref = st.run(u0, 8 * bound * st.dx, dt=bound * st.dx)
    out = kernel.run(u0, 8, **{"lambda": bound})
    assert np.abs(out - ref).max() < 1e-13
    with pytest.raises(StabilityError, match="TVD CFL"):
        kernel.run(u0, 1, **{"lambda": 1.05 * bound})


def test_limiters_outside_the_division_free_class_and_weno_are_refused():
    with pytest.raises(ModelError, match="division-free"):
        as_scheme(muscl(scalar_law(u, u), "van_leer", data_range=(0, 1)))
    with pytest.raises(ModelError, match="WENO5"):
        as_scheme(weno5(scalar_law(u, u), data_range=(0, 1)))
    with pytest.raises(ModelError, match="data_range"):
        as_scheme(muscl(scalar_law(u, u), "minmod"))


def test_two_stage_scheme_compiles_in_seconds_and_matches_the_reference():
    # shifting the terms of the SSPRK(2,2) update re-evaluated every Max/Min (9 s of the 9.5 s
    # compile); a shift is a renaming and now rebuilds them unevaluated
    from mcgen.codegen.compile import compile

    hs = muscl(scalar_law(u, u), "minmod", "godunov", stepper="ssprk22", data_range=(0, 1))
    cond = tvd_condition(hs).result
    kernel = compile(as_scheme(hs), backend="c", condition=cond)
    n = 48
    u0 = np.random.default_rng(5).random(n)
    st = HighResStepper(hs, n)
    ref = st.run(u0, 8 * (2 / 3) * st.dx, dt=(2 / 3) * st.dx)
    assert np.abs(kernel.run(u0, 8, **{"lambda": 2 / 3}) - ref).max() < 1e-13


def _within(seconds):
    """Fail (instead of hanging for minutes) when the block takes longer than ``seconds``."""
    import signal

    def stop(*_):
        raise TimeoutError(f"took more than {seconds} s")
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    return signal


@pytest.mark.parametrize("stepper", ["euler", "ssprk22", "ssprk33", "ssprk104"])
def test_every_catalogue_combination_is_written_out_or_refused_in_seconds(stepper):
    # issue 14: as_scheme of limited SSPRK(2,2) schemes took minutes (Max/Min re-evaluated on
    # every substitution, then sp.expand of the whole update in the flux split); SSPRK(3,3)
    # and (10,4) grow as (reads per stage)^stages and are refused before they are built
    from mcgen.model.flux_split import check_flux_split, interface_quantities
    from mcgen.model.highres_as_scheme import MAX_TREE_NODES, written_out_size
    from mcgen.model.limiter import LIMITERS

    written = refused = 0
    laws = (u**2 / 2, u) if stepper == "ssprk22" else (u**2 / 2,)
    for limiter, build, flux in itertools.product(LIMITERS, (muscl, flux_limited), laws):
        hs = build(scalar_law(u, flux), limiter, stepper=stepper, data_range=(-1, 1))
        alarm = _within(30)
        try:
            try:
                sch = as_scheme(hs)
            except ModelError as err:
                if limiter in ("van_leer", "van_albada"):
                    assert "division-free" in str(err)
                else:
                    assert written_out_size(hs) > MAX_TREE_NODES
                    assert "mcgen.codegen.compile(scheme)" in str(err)
                refused += 1
                continue
            updates, groups, placeholders = interface_quantities(dict(sch.update), sch)
            check_flux_split(sch, updates, groups, placeholders)  # raises if it is wrong
        finally:
            alarm.alarm(0)
        assert len(groups) == 1  # the update telescopes: one flux per interface
        assert written_out_size(hs) <= MAX_TREE_NODES
        written += 1
    assert written + refused == 2 * len(LIMITERS) * len(laws)
    # every division-free limiter with forward Euler, and with SSPRK(2,2) all but flux-limited
    # Burgers with superbee and Koren (the limited term written P + Q, proved equal to the
    # sign form: half its size); the rest is refused, naming compile()
    assert written == {"euler": 8, "ssprk22": 14}.get(stepper, 0)


def test_written_out_two_stage_burgers_update_steps_like_the_reference():
    # the defect's own scheme (MUSCL-minmod, Godunov, SSPRK(2,2), Burgers), through the flux
    # split of the NumPy stepper, against the stage-by-stage reference
    from mcgen.run.grid import Grid
    from mcgen.run.numpy_stepper import NumpyStepper

    hs = muscl(scalar_law(u, u**2 / 2), "minmod", "godunov", stepper="ssprk22",
               data_range=(-1, 1))
    n = 40
    u0 = np.sin(2 * np.pi * (np.arange(n) + 0.5) / n) + 0.3 * np.cos(6 * np.pi * np.arange(n) / n)
    u0 = np.clip(u0, -1, 1)
    ref = HighResStepper(hs, n, data_range=(-1, 1))
    dt = 0.25 * ref.dx
    expected = ref.run(u0, 3 * dt, dt=dt)
    alarm = _within(60)
    try:
        st = NumpyStepper(as_scheme(hs), Grid.uniform(n, (0.0, 1.0)), "periodic", {})
    finally:
        alarm.alarm(0)
    out = st.run({"u": u0}, 0.0, dt, 3)["u"]
    assert np.abs(out - expected).max() < 1e-13


def test_limited_term_is_p_plus_q_exactly_where_proved():
    # phi(num/den) den, division-free: P + Q (half the operations of the sign form) only for
    # limiters whose two homogenized forms are proved one-sided; every form equals the
    # reference's phi(num/den) den (0 at den = 0) on random and on zero arguments
    from mcgen.model.highres_as_scheme import _limited, one_sided
    from mcgen.model.limiter import LIMITERS, R

    num, den = sp.symbols("num den", real=True)
    rng = np.random.default_rng(0)
    pairs = [(a, b) for a in (-2, 0, 3) for b in (-1, 0, 2)] + \
        [tuple(rng.integers(-9, 10, 2)) for _ in range(40)]
    cases = {name: LIMITERS[name] for name in ("minmod", "superbee", "mc", "koren")}
    cases |= {"lax_wendroff": sp.Integer(1), "beam_warming": R}  # phi(r) = 1, phi(r) = r
    for name, phi in cases.items():
        proved = one_sided(phi, R)
        assert proved == (name in ("minmod", "superbee", "mc", "koren")), name
        form = _limited(phi, R, num, den)
        assert not (proved and form.has(sp.sign)), name
        for a, b in pairs:
            if b or name != "beam_warming":  # phi(r) = r is unbounded: no limit 0 at den = 0
                want = phi.subs(R, sp.Rational(a, b)) * b if b else 0
                assert form.subs({num: a, den: b}) == want, (name, a, b)
    # outside the division-free class (a rational limiter): not proved, and no error
    assert not one_sided(LIMITERS["van_leer"], R)
