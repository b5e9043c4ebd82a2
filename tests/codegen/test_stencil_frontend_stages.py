"""The stencil front-end's stages, each called alone on the previous stage's typed result:
analyse_update -> plan_layout -> lower_sweeps -> assemble_module (issue 15: named stages with
a typed program between them, consumed alike by blocking, Dask chunks and the backends)."""

from dataclasses import FrozenInstanceError, replace

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import ir
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.ir_interpreter import IRInterpreter
from mcgen.codegen.stencil_frontend import (
    BlockPosition,
    StencilProgram,
    analyse_update,
    assemble_module,
    build_stencil,
    lower_sweeps,
    plan_layout,
)
from mcgen.codegen.stencil_layout import time_at_step
from mcgen.codegen.stencil_sweeps import coordinate_value
from mcgen.model import Dirichlet, Field, Reflecting, Scheme
from mcgen.model.catalogue.linear import lax_wendroff
from mcgen.model.flux_split import shift_all

u, w = Field("u"), Field("u", dim=2)
nu, lam = sp.Symbol("nu"), sp.Symbol("lambda", positive=True)
_PLAIN = Scheme(("u",), 1, {"u": u[0]})
x, dx, dt, t = _PLAIN.coords[0], _PLAIN.spacing[0], _PLAIN.dt, sp.Symbol("t")


def _cfg(scheme, **kw):
    return KernelConfig(**kw).validated(scheme.dim)


def _rusanov_burgers():
    def flux(a, b):  # Rusanov flux of Burgers, f(u) = u^2/2
        return (a ** 2 + b ** 2) / 4 - sp.Max(sp.Abs(a), sp.Abs(b)) / 2 * (b - a)
    return Scheme(("u",), 1, {"u": u[0] - lam * (flux(u[0], u[1]) - flux(u[-1], u[0]))},
                  params=(lam,), name="rusanov")


# ------------------------------------------------------------------ stage 1: analyse_update


def test_lax_wendroff_weights_are_the_textbook_ones():
    """Weight form of Lax-Wendroff: w_-1 = nu(1 + nu)/2, w_0 = 1 - nu^2, w_1 = -nu(1 - nu)/2
    (LeVeque, Finite Volume Methods, eq. 6.40 with a dt/dx = nu)."""
    s = lax_wendroff()
    form = analyse_update(s, _cfg(s, backend="c"))
    assert form.interfaces == () and not form.zero_flux_walls
    terms, const = form.weights["u"]
    assert const == 0
    by_offset = {rd.offset: wk for wk, group in terms for rd in group}
    nu_ = next(iter(s.params))
    exact = {(-1,): nu_ * (1 + nu_) / 2, (0,): 1 - nu_ ** 2, (1,): -nu_ * (1 - nu_) / 2}
    assert set(by_offset) == set(exact)
    assert all(sp.simplify(by_offset[k] - exact[k]) == 0 for k in exact)
    # numba: never weight form (its fastmath would round blocked and unblocked differently)
    assert analyse_update(s, _cfg(s, backend="numba")).weights is None


def test_rusanov_flux_becomes_one_interface_quantity_that_reassembles_the_update():
    s = _rusanov_burgers()
    form = analyse_update(s, _cfg(s, backend="c"))
    assert form.weights is None and len(form.interfaces) == 1
    grp = form.interfaces[0]
    subs = {p: shift_all(grp.base, (rel,), s) for p, (k, rel) in form.placeholders.items()}
    assert sp.expand(form.updates["u"].xreplace(subs) - s.update["u"]) == 0
    with pytest.raises(FrozenInstanceError):
        form.weights = None  # stage results are frozen: edit a copy (dataclasses.replace)


def test_reflecting_wall_of_a_density_forces_flux_form():
    s = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, params=(nu,), reading="forward")
    form = analyse_update(s, _cfg(s, backend="c", bc=Reflecting()))
    assert form.zero_flux_walls and form.weights is None and len(form.interfaces) == 1


# ------------------------------------------------------------------ stage 2: plan_layout


def test_layout_arguments_in_order_with_safe_names():
    s = _rusanov_burgers()
    cfg = _cfg(s, backend="c", bc=Dirichlet(1 + t))
    lay = plan_layout(s, cfg, analyse_update(s, cfg))
    assert lay.arg_names == ("cur", "nxt", "flux0", "n0", "nsteps", "t0", "dt", "p_lambda")
    assert tuple(a.name for a in lay.args) == lay.arg_names
    assert lay.needs_time and lay.needs_dt and lay.block is None and lay.ghost == 1


def test_block_arguments_only_for_what_the_update_reads():
    y = Scheme(("u",), 2, {"u": w[0, 0]}).coords[1]
    s = Scheme(("u",), 2, {"u": w[0, 0] + dt * y * sp.cos(t)}, params=(t,))
    cfg = _cfg(s, backend="c", grid_block=True)
    lay = plan_layout(s, cfg, analyse_update(s, cfg))
    # y is read (axis 1), x is not: offsets for axis 1 only; the time offset
    assert lay.block.step0 == "mcg_step0" and lay.block.axes == ((1, "mcg_first1", "mcg_cells1"),)
    assert lay.arg_names[-3:] == ("mcg_step0", "mcg_first1", "mcg_cells1")
    assert BlockPosition(5, (-3, 7), (40, 50)).arguments(lay.block) == (5, 7, 50)
    # nothing read: grid_block adds no argument, so the kernel is the whole-grid one
    plain = lax_wendroff()
    assert build_stencil(plain, KernelConfig(backend="c", grid_block=True)).module == \
        build_stencil(plain, KernelConfig(backend="c")).module


def test_time_of_a_step_in_a_block_kernel_counts_the_steps_before_the_call():
    s = Scheme(("u",), 1, {"u": u[0] + dt * t}, params=(t,))
    cfg = _cfg(s, backend="c", grid_block=True)
    lay = plan_layout(s, cfg, analyse_update(s, cfg))
    it = IRInterpreter(ir.Kernel("k", (), ()))
    it.arrays, it.env = {}, {"t0": np.float64(0.1), "dt": np.float64(0.3), "mcg_step0": 64,
                             "step": 3}
    it.stmt(time_at_step(lay, ir.Var("step", "i64")))
    assert it.env["t"] == np.float64(0.1) + np.float64(67) * np.float64(0.3)


def test_block_coordinates_wrap_to_the_periodic_image():
    """A halo cell at global index -1 (left of a periodic grid of 40 cells) sits at x_39."""
    s = Scheme(("u",), 1, {"u": u[0] + dt * x}, name="src")
    cfg = _cfg(s, backend="c", grid_block=True)
    lay = plan_layout(s, cfg, analyse_update(s, cfg))
    expr = coordinate_value(lay, 0, ir.Var("x0", "f64"), ir.Var("dx", "f64"))
    it = IRInterpreter(ir.Kernel("k", (), ()))
    for first, i, j in ((-2, 2, 39), (-2, 4, 1), (38, 3, 0), (10, 5, 14)):  # j = i - g + first
        it.arrays, it.env = {}, {"x0": np.float64(0.0125), "dx": np.float64(0.025),
                                 "i0": i, "mcg_first0": first, "mcg_cells0": 40}
        assert it.expr(expr) == np.float64(0.0125) + np.float64(j) * np.float64(0.025)


# ------------------------------------------------------------------ stages 3 and 4


def _cell_value(program: StencilProgram, values: np.ndarray, **env):
    """Run the program's prologue and update body for the middle cell of ``values``."""
    it = IRInterpreter(ir.Kernel("k", (), ()))
    it.arrays = {"cur": values.astype(float), "nxt": np.zeros(len(values))}
    it.env = {"idx": len(values) // 2, **{k: np.float64(v) for k, v in env.items()}}
    it.block(program.sweeps.prologue)
    it.block(program.sweeps.update_body)
    return it.arrays["nxt"][len(values) // 2]


def test_update_body_computes_the_update_and_stages_re_enter_with_an_edited_form():
    """Stages called one by one give build_stencil's module; the weight form and the written
    form (an edited stage-1 result) both compute Lax-Wendroff's value of the middle cell."""
    s = lax_wendroff()
    cfg = _cfg(s, backend="c")
    prog = build_stencil(s, cfg)
    form = analyse_update(s, cfg)
    lay = plan_layout(s, cfg, form)
    sweeps = lower_sweeps(s, cfg, form, lay)
    assert assemble_module(s, cfg, lay, sweeps, prog.name, prog.meta) == prog.module
    assert prog.form == form and prog.sweeps == sweeps and prog.layout == lay
    assert len(sweeps.prologue) > 1  # the weights, once per call

    data = np.array([0.0, 0.3, 1.0, 0.5, 0.0])
    nu_ = next(iter(s.params))
    exact = float(s.update["u"].subs({u[-1]: 0.3, u[0]: 1.0, u[1]: 0.5, nu_: 0.4}))
    written = replace(form, weights=None)
    sweeps2 = lower_sweeps(s, cfg, written, lay)
    prog2 = replace(prog, form=written, sweeps=sweeps2,
                    module=assemble_module(s, cfg, lay, sweeps2, prog.name, prog.meta))
    assert sweeps2.prologue == () and prog2.module != prog.module
    for p in (prog, prog2):
        assert _cell_value(p, data, nu=0.4) == pytest.approx(exact, rel=1e-15)


def test_assembled_kernels_share_the_layout_arguments():
    s = _rusanov_burgers()
    prog = build_stencil(s, KernelConfig(backend="c", threads=2, bc="periodic"))
    serial, par, team = prog.module.kernels
    assert serial.args == par.args == prog.layout.args
    assert [f.axis for f in prog.sweeps.fluxes] == [0]
    assert prog.name == "rusanov" and team.name == "rusanov_team"
    assert set(prog.timings) >= {"interfaces", "layout", "cse", "assemble", "frontend"}


def test_block_kernel_counts_earlier_steps_in_the_temporally_blocked_kernel_too():
    """A block kernel called for 5 steps and then for 10 (step0 = 5) is bitwise one call of 15
    steps of the whole-grid kernel, also when the second call runs temporally blocked (which
    rebuilds its tiles from the same StencilProgram)."""
    from mcgen.codegen import compile

    s = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1]) + dt * sp.sin(3 * t)},
               params=(nu, t), name="src")
    whole = compile(s, backend="c", unsafe=True)
    block = compile(s, backend="c", unsafe=True,
                    config=KernelConfig(grid_block=True, time_block=4, tile=16))
    u0 = np.sin(np.linspace(0.0, 6.0, 80))
    ref = whole.run(u0, 15, t0=0.2, dt=0.01, nu=0.4)
    bufs = block.prepare(u0)
    block.advance(bufs, 5, t0=0.2, dt=0.01, nu=0.4, block=BlockPosition(0, (0,), (80,)))
    block.advance(bufs, 10, t0=0.2, dt=0.01, nu=0.4, block=BlockPosition(5, (0,), (80,)))
    assert block.last_call["time_block"] == 4  # the second call ran blocked
    assert np.array_equal(block.interior(bufs), ref)
    restarted = whole.run(whole.run(u0, 5, t0=0.2, dt=0.01, nu=0.4), 10, t0=0.2, dt=0.01,
                          nu=0.4)
    assert not np.array_equal(restarted, ref)  # the offset mattered
