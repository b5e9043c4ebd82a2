"""Weight form of linear updates and factored interface quantities (KernelConfig options
``linear_weights`` and ``factored_fluxes``): the front-end prints fewer operations per cell,
and the kernels still agree with the NumPy oracle (np.roll on the SymPy update, no IR) to
rounding, on every backend; weights and flux factors are computed once per call, before the
step loop, also in the temporally blocked kernel (whose bitwise equality to step-by-step is
tested in test_temporal_blocking.py)."""

import tempfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import KernelConfig, compile, ir
from mcgen.codegen.stencil_frontend import (
    build_stencil,
    factored_interface_quantity,
    interface_quantities,
    linear_weight_form,
)
from mcgen.codegen.temporal_blocking import build_blocked
from mcgen.model import Dirichlet, Field, Scheme
from mcgen.run.numpy_stepper import oracle_run

CACHE = Path(tempfile.gettempdir()) / "mcgen-test-cache"
u, v, w2 = Field("u"), Field("v"), Field("u", dim=2)
nu, lam, r, c, a = sp.symbols("nu lam r c a")
_PLAIN = Scheme(("u",), 1, {"u": u[0]})
x, dx = _PLAIN.coords[0], _PLAIN.spacing[0]

LAX_WENDROFF = Scheme(("u",), 1, {"u": u[0] - nu / 2 * (u[1] - u[-1])
                                  + nu**2 / 2 * (u[1] - 2 * u[0] + u[-1])}, name="lw_weights")
HEAT2D = Scheme(("u",), 2, {"u": w2[0, 0] + r * (w2[1, 0] + w2[-1, 0] + w2[0, 1] + w2[0, -1]
                                                 - 4 * w2[0, 0])}, name="heat_weights")
# a system, a source term (affine) and a radius-2 stencil with a spacing in the weights
ACOUSTICS = Scheme(("u", "v"), 1, {"u": u[0] - c / 2 * (v[1] - v[-1]) + a,
                                   "v": v[0] - c / 2 * (u[1] - u[-1])
                                   + c / 2 * (v[1] - 2 * v[0] + v[-1])},
                   name="acoustics_weights", params=(c, a))
WIDE = Scheme(("u",), 1, {"u": u[0] - nu * (3 * u[0] - 4 * u[-1] + u[-2]) / (2 * dx)},
              name="wide_weights", params=(nu,))


def _rusanov(p, q):
    return (p**2 + q**2) / 4 - sp.Max(sp.Abs(p), sp.Abs(q)) * (q - p) / 2


BURGERS = Scheme(("u",), 1, {"u": u[0] - lam * (_rusanov(u[0], u[1]) - _rusanov(u[-1], u[0]))},
                 params=(lam,), name="rusanov_factored")


def _walk(node):
    yield node
    if isinstance(node, tuple):
        for item in node:
            yield from _walk(item)
    elif hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            yield from _walk(getattr(node, name))


def _store_value(program):
    return [s for s in program.sweeps.update_body if isinstance(s, ir.Store)][0].value


def test_lax_wendroff_has_one_weight_per_read():
    form = linear_weight_form(dict(LAX_WENDROFF.update), LAX_WENDROFF)
    terms, const = form["u"]
    assert const == 0
    weights = {grp[0].offset: wk for wk, grp in terms}
    assert set(weights) == {(-1,), (0,), (1,)}
    assert sp.simplify(weights[(0,)] - (1 - nu**2)) == 0
    assert sp.simplify(weights[(1,)] - (nu**2 - nu) / 2) == 0
    assert sp.simplify(weights[(-1,)] - (nu**2 + nu) / 2) == 0


def test_reads_with_equal_weights_share_one_multiplication():
    terms, _ = linear_weight_form(dict(HEAT2D.update), HEAT2D)["u"]
    assert sorted(len(grp) for _, grp in terms) == [1, 4]
    prog = build_stencil(HEAT2D, KernelConfig(backend="c"))
    muls = [n for n in _walk(_store_value(prog)) if isinstance(n, ir.BinOp) and n.op == "*"
            and n.type == "f64"]
    assert len(muls) == 2


def test_nonlinear_or_position_dependent_updates_keep_the_written_form():
    assert linear_weight_form(dict(BURGERS.update), BURGERS) is None
    varying = Scheme(("u",), 1, {"u": u[0] - nu * x * (u[0] - u[-1])}, name="varying",
                     params=(nu,))
    assert linear_weight_form(dict(varying.update), varying) is None


def test_weights_are_computed_before_the_step_loop_and_only_there():
    prog = build_stencil(LAX_WENDROFF, KernelConfig(backend="c"))
    body = prog.module.kernels[0].body
    step = [s for s in body if isinstance(s, ir.For)][0]
    pre = body[:body.index(step)]
    assigned = {s.var.name for s in pre if isinstance(s, ir.Assign)}
    assert len(assigned) == 3
    # the sweep multiplies loads by those variables and does no arithmetic on nu
    value = _store_value(prog)
    names = {n.name for n in _walk(value) if isinstance(n, ir.Var) and n.type == "f64"}
    assert names == assigned
    assert sum(isinstance(n, ir.BinOp) and n.type == "f64" for n in _walk(value)) == 5
    assert prog.sweeps.prologue[1:] == tuple(s for s in pre if isinstance(s, ir.Assign)
                                               and s.var.name in assigned)


def test_numba_and_the_option_off_keep_the_written_form():
    for cfg in (KernelConfig(backend="numba"), KernelConfig(backend="c", linear_weights=False)):
        prog = build_stencil(LAX_WENDROFF, cfg)
        assert not prog.sweeps.prologue
        names = {n.name for n in _walk(_store_value(prog)) if isinstance(n, ir.Var)
                 and n.type == "f64"}
        assert "nu" in names


def test_blocked_kernel_starts_with_the_same_prologue():
    cfg = KernelConfig(backend="c", time_block=4).validated(1)
    prog = build_stencil(LAX_WENDROFF, cfg)
    blocked = build_blocked(prog, cfg).kernels[0]
    n = len(prog.sweeps.prologue)
    assert n > 1 and blocked.body[:n] == prog.sweeps.prologue


def test_rusanov_interface_quantity_is_factored_and_cheaper():
    _, groups, _ = interface_quantities(dict(BURGERS.update), BURGERS)
    g = groups[0].base
    coef, rest = factored_interface_quantity(g, BURGERS)
    assert coef == lam / 4
    assert sp.expand(coef * rest - g) == 0
    assert sp.count_ops(rest) < sp.count_ops(g) - 4
    # a coordinate stays in the per-cell part; without a parameter nothing is pulled out
    coef2, rest2 = factored_interface_quantity(x * g, BURGERS)
    assert coef2 == lam / 4 and x in rest2.free_symbols
    assert sp.expand(coef2 * rest2 - x * g) == 0
    coef3, rest3 = factored_interface_quantity(sp.expand(g / lam), BURGERS)
    assert coef3.is_number and sp.expand(coef3 * rest3 - g / lam) == 0


CASES = [
    (LAX_WENDROFF, {"nu": 0.7}, "periodic", (37,)),
    (LAX_WENDROFF, {"nu": 0.45}, [(Dirichlet(0.25), "outflow")], (23,)),
    (HEAT2D, {"r": 0.2}, "periodic", (9, 11)),
    (HEAT2D, {"r": 0.15}, [("outflow", "reflecting"), (Dirichlet(-1.0), "outflow")], (8, 7)),
    (ACOUSTICS, {"c": 0.6, "a": 0.01}, "periodic", (31,)),
    (WIDE, {"nu": 0.3, "dx": 0.5}, "outflow", (29,)),
    (BURGERS, {"lam": 0.3}, "periodic", (41,)),
    (BURGERS, {"lam": 0.2}, [("outflow", Dirichlet(0.5))], (26,)),
]


@pytest.mark.parametrize("backend", ["c", "llvm", "numba"])
@pytest.mark.parametrize("scheme, params, bc, shape", CASES)
def test_kernels_match_the_oracle_to_rounding(scheme, params, bc, shape, backend):
    rng = np.random.default_rng(len(shape) * 31 + shape[0])
    if len(scheme.fields) == 1:
        u0 = rng.uniform(-1, 1, shape)
    else:
        u0 = {f: rng.uniform(-1, 1, shape) for f in scheme.fields}
    k = compile(scheme, backend=backend, bc=bc, unsafe=True, config=KernelConfig(
        cache_dir=CACHE, time_block=1))
    nsteps = 7
    out = k.run(u0, nsteps, **params)
    ref = oracle_run(scheme, u0, nsteps, bc=k.config.bc, **params)
    outs, refs = (out, ref) if isinstance(ref, dict) else ({"u": out}, {"u": ref})
    for f in refs:
        scale = 1 + np.abs(refs[f]).max()
        assert np.abs(outs[f] - refs[f]).max() <= 1e-13 * scale, (scheme.name, bc, f)
