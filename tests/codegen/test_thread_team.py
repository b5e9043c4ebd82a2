"""Thread teams (numba and LLVM threading, several steps per parallel region): the member kernel
gives the serial kernel's bits whatever the team size, for 1-D/2-D/3-D grids, systems, interface
fluxes, reflecting walls and time-dependent boundaries; writes outside parallel loops run on one
member, behind a barrier."""

import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import KernelConfig, compile, ir
from mcgen.codegen.stencil_frontend import build_stencil
from mcgen.codegen.thread_team import MEMBER, run_team, team_kernel, team_kernel_name
from mcgen.errors import CodegenError
from mcgen.model import Dirichlet, Field, Reflecting, Scheme, scalar_law
from mcgen.model.catalogue.conservative import conservative_scheme

CFG = KernelConfig(cache_dir=Path(tempfile.gettempdir()) / "mcgen-test-cache",
                   parallel_threshold=0, time_block=1)
t = sp.Symbol("t", nonnegative=True)
u, p, q = Field("u"), Field("p"), Field("q")
v2, w3 = Field("v", 2), Field("w", 3)
a, c = sp.Symbol("a"), sp.Symbol("c")
U = sp.Symbol("u")

CASES = {
    # 1-D, time-dependent Dirichlet on the left (the step's time is set before the fill)
    "lw_dirichlet_t": (Scheme(("u",), 1, {"u": u[0] - a / 2 * (u[1] - u[-1])
                                          + a**2 / 2 * (u[1] - 2 * u[0] + u[-1])},
                              name="team_lw"),
                       [(Dirichlet(sp.sin(3 * t)), "outflow")], (1001,), {"a": 0.7, "dt": 0.01}),
    # 1-D system
    "wave_system": (Scheme(("p", "q"), 1, {"p": (p[-1] + p[1]) / 2 - c * (q[1] - q[-1]) / 2,
                                           "q": (q[-1] + q[1]) / 2 - c * (p[1] - p[-1]) / 2},
                           name="team_wave"), "periodic", (777,), {"c": 0.5}),
    # nonlinear interface flux between reflecting walls (the wall flux is zeroed every step)
    "burgers_walls": (conservative_scheme(scalar_law(U, U**2 / 2), flux="rusanov"),
                      Reflecting(), (900,), {"lambda": 0.4}),
    # 2-D, fewer rows than... enough rows for uneven chunks
    "heat2d": (Scheme(("v",), 2, {"v": v2[0, 0] + a * (v2[1, 0] + v2[-1, 0] + v2[0, 1]
                                                       + v2[0, -1] - 4 * v2[0, 0])},
                      name="team_heat"), "periodic", (37, 29), {"a": 0.2}),
    # 3-D with mixed boundaries
    "heat3d": (Scheme(("w",), 3, {"w": w3[0, 0, 0] + a * (w3[1, 0, 0] + w3[0, -1, 0]
                                                          + w3[0, 0, 1] - 3 * w3[0, 0, 0])},
                      name="team_3d"), ["outflow", "periodic", (Dirichlet(1), "outflow")],
               (9, 7, 6), {"a": 0.1}),
}


def _initial(shape, fields):
    rng = np.random.default_rng(11)
    if len(fields) == 1:
        return rng.random(shape)
    return {f: rng.random(shape) for f in fields}


@pytest.mark.parametrize("backend", ["numba", "llvm", "c"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_team_gives_the_serial_bits(backend, case):
    scheme, bc, shape, params = CASES[case]
    k = compile(scheme, backend=backend, bc=bc, threads=3, unsafe=True, config=CFG)
    x = _initial(shape, scheme.fields)
    serial = k.run(x, 13, threads=1, **params)
    assert k.last_call["kernel"] == k.ir.kernels[0].name
    threaded = k.run(x, 13, threads=3, **params)
    expected = team_kernel_name(k.ir.kernels[0].name) if backend != "c" \
        else k.ir.kernels[0].name + "_par"
    assert k.last_call["kernel"] == expected
    for f in (scheme.fields if isinstance(x, dict) else [None]):
        got, want = (threaded[f], serial[f]) if f else (threaded, serial)
        assert np.array_equal(got, want), f"{case} {backend} field {f}"


@pytest.mark.parametrize("backend", ["numba", "llvm"])
def test_more_members_than_rows(backend):
    """Members whose chunk is empty still meet every barrier (5 members, 2 rows)."""
    scheme, bc, _, params = CASES["heat2d"]
    k = compile(scheme, backend=backend, bc=bc, threads=5, unsafe=True, config=CFG)
    x = _initial((2, 6), scheme.fields)
    assert np.array_equal(k.run(x, 6, threads=5, **params), k.run(x, 6, threads=1, **params))


def test_c_team_kernel_runs_as_a_team_too():
    """The C module carries the member kernel as well (for callers with their own threads);
    driven by run_team it gives the serial bits."""
    scheme, bc, shape, params = CASES["heat2d"]
    k = compile(scheme, backend="c", bc=bc, threads=2, unsafe=True, config=CFG)
    x = _initial(shape, scheme.fields)
    ref = k.run(x, 5, **params)
    bufs = k.prepare(x)
    args = [bufs.a, bufs.b, *[np.int64(n) for n in shape], np.int64(5), 0.0, 0.0, 0.2]
    run_team(k.functions[team_kernel_name(k.ir.kernels[0].name)], args, 4)
    bufs.parity ^= 1  # five steps: the newest values are in the second buffer
    assert np.array_equal(k.interior(bufs), ref)


def _walk(stmts, under_member0=False):
    for s in stmts:
        yield s, under_member0
        if isinstance(s, ir.For):
            yield from _walk(s.body, under_member0)
        elif isinstance(s, ir.If):
            guard = isinstance(s.cond, ir.Cmp) and isinstance(s.cond.a, ir.Var) \
                and s.cond.a.name == MEMBER
            yield from _walk(s.then, under_member0 or guard)
            yield from _walk(s.orelse, under_member0)


def test_member_kernel_structure():
    """No parallel loop is left; every store outside a chunked sweep is member 0's and is
    followed by a barrier; barriers are numbered 1, 2, ... (the epoch)."""
    scheme, bc, _, _ = CASES["burgers_walls"]
    module = build_stencil(scheme, replace(CFG, threads=2, bc=bc).validated(1)).module
    par = next(k for k in module.kernels if k.name.endswith("_par"))
    team = team_kernel(par)
    stmts = list(_walk(team.body))
    assert not any(isinstance(s, ir.For) and s.parallel for s, _ in stmts)
    step = next(s for s in team.body if isinstance(s, ir.For))
    kinds = [type(s).__name__ for s in step.body if not isinstance(s, ir.Comment)]
    # ghost fill (member 0) | flux sweep | wall fluxes (member 0) | update sweep | swap
    assert kinds.count("Barrier") == 4
    assert kinds[-1] == "SwapArrays" and kinds[-2] == "Barrier"
    guarded = [s for s in step.body if isinstance(s, ir.If)]
    assert len(guarded) == 2 and all(g.cond.a.name == MEMBER for g in guarded)


def test_team_rejects_what_it_cannot_run():
    k = ir.Kernel("f", (ir.Arg("team_size", "i64"),), ())
    with pytest.raises(CodegenError, match="team_size"):
        team_kernel(k)
    r = ir.Kernel("g", (), (ir.Assign(ir.Var("result", "f64"), ir.Const(1.0)),), "f64")
    with pytest.raises(CodegenError, match="returns a value"):
        team_kernel(r)


def test_scalar_code_runs_on_every_member():
    """An if of scalar assignments (the blocked kernel's sweep count) is every member's: were it
    member 0's alone, the members would disagree on the loop bounds and never meet again."""
    i, n, m = ir.Var("i", "i64"), ir.Var("n", "i64"), ir.Var("m", "i64")
    body = (ir.Assign(m, n),
            ir.If(ir.Cmp(">", m, ir.Const(3, "i64")), (ir.Assign(m, ir.Const(3, "i64")),)),
            ir.For(i, ir.Const(0, "i64"), m, (ir.Store("x", i, ir.Const(1.0)),), True))
    k = ir.Kernel("k", (ir.Arg("x", "f64", True, "inout"), ir.Arg("n", "i64")), body)
    team = team_kernel(k)
    scalar_if = team.body[2]
    assert isinstance(scalar_if, ir.If) and scalar_if.cond.a.name == "m"
    mixed = ir.Kernel("k2", k.args, (ir.If(ir.Cmp(">", n, ir.Const(0, "i64")), (
        ir.Assign(m, n), ir.Store("x", ir.Const(0, "i64"), ir.Const(0.0)))),) + body[2:])
    with pytest.raises(CodegenError, match="assigns locals"):
        team_kernel(mixed)


_FORKED: dict = {}


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_a_forked_child_gets_its_own_team_threads():
    """A child made by fork inherits the parent's pool object but none of its threads; the team
    must not hand its members to that pool (they would never start)."""
    import multiprocessing as mp

    scheme, bc, shape, params = CASES["heat2d"]
    k = compile(scheme, backend="numba", bc=bc, threads=2, unsafe=True, config=CFG)
    x = _initial(shape, scheme.fields)
    want = k.run(x, 4, threads=2, **params)  # the parent's pool exists now
    _FORKED.update(kernel=k, x=x, params=params)  # inherited by the forked child
    with mp.get_context("fork").Pool(1) as pool:
        got = pool.apply_async(_run_in_child).get(timeout=60)
    assert np.array_equal(got, want)


def _run_in_child():
    return _FORKED["kernel"].run(_FORKED["x"], 4, threads=2, **_FORKED["params"])
