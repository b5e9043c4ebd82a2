"""The stencil front-end: interface fluxes found and computed once, the IR's shape, bad input."""

import pytest
import sympy as sp

from mcgen.codegen import ir
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.stencil_frontend import build_stencil
from mcgen.errors import CodegenError
from mcgen.model import Dirichlet, Field, Scheme
from mcgen.model.flux_split import interface_quantities
from mcgen.model.flux_split import shift_all as _shift_all

u = Field("u")
lam, nu = sp.Symbol("lambda", positive=True), sp.Symbol("nu")


def rusanov(f, a, b):
    speed = sp.Max(sp.Abs(sp.diff(f(sp.Symbol("s")), sp.Symbol("s")).subs("s", a)),
                   sp.Abs(sp.diff(f(sp.Symbol("s")), sp.Symbol("s")).subs("s", b)))
    return (f(a) + f(b)) / 2 - speed / 2 * (b - a)


def burgers(v):
    return v**2 / 2


def conservative(flux):
    return Scheme(("u",), 1, {"u": u[0] - lam * (flux(u[0], u[1]) - flux(u[-1], u[0]))},
                  name="cons")


def _reassemble(out, groups, placeholders, scheme, field):
    """Substitute each scratch read by its defining expression at the right cell."""
    subs = {}
    for sym, (k, rel) in placeholders.items():
        shift = tuple(rel if d == groups[k].axis else 0 for d in range(scheme.dim))
        subs[sym] = _shift_all(groups[k].base, shift, scheme)
    return out[field].xreplace(subs)


def test_rusanov_flux_is_one_interface_quantity_equal_to_lambda_times_the_flux():
    s = conservative(lambda a, b: rusanov(burgers, a, b))
    out, groups, ph = interface_quantities(s.update, s)
    assert len(groups) == 1 and groups[0].axis == 0
    # stored at cell j: lambda * F(u_{j-1}, u_j), the flux through the left face
    assert sp.simplify(groups[0].base - lam * rusanov(burgers, u[-1], u[0])) == 0
    assert sp.expand(_reassemble(out, groups, ph, s, "u") - s.update["u"]) == 0


def test_godunov_flux_of_burgers_is_found_and_reassembles_exactly():
    def godunov(a, b):
        return sp.Max(burgers(sp.Max(a, 0)), burgers(sp.Min(b, 0)))
    s = conservative(godunov)
    out, groups, ph = interface_quantities(s.update, s)
    assert len(groups) == 1
    assert sp.simplify(groups[0].base - lam * godunov(u[-1], u[0])) == 0
    assert sp.expand(_reassemble(out, groups, ph, s, "u") - s.update["u"]) == 0


def test_two_dimensional_divergence_splits_along_both_axes():
    v = Field("v", 2)
    a, b = sp.symbols("a b")
    upd = v[0, 0] - a * (v[0, 0]**2 - v[-1, 0]**2) - b * (v[0, 0] * v[0, 1] - v[0, -1] * v[0, 0]) \
        + (v[1, 1] * v[0, 0] - v[0, 0] * v[-1, -1])
    s = Scheme(("v",), 2, {"v": upd})
    out, groups, ph = interface_quantities(s.update, s)
    assert sorted(g.axis for g in groups) == [0, 1]
    assert sp.expand(_reassemble(out, groups, ph, s, "v") - s.update["v"]) == 0


def test_linear_and_non_conservative_terms_stay_direct():
    s = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])})
    assert interface_quantities(s.update, s)[1] == []
    # u_j^2 - u_{j-1} u_{j+1}: coefficients of the class do not cancel, so no flux form
    s2 = Scheme(("u",), 1, {"u": u[0] + nu * (u[0]**2 - 2 * u[-1] * u[1])})
    assert interface_quantities(s2.update, s2)[1] == []


def _loops(stmts):
    for s in stmts:
        if isinstance(s, ir.For):
            yield s
            yield from _loops(s.body)


def _nodes(node):
    yield node
    for v in vars(node).values():
        for x in (v if isinstance(v, tuple) else (v,)):
            if hasattr(x, "__dataclass_fields__"):
                yield from _nodes(x)


def test_update_sweep_is_unit_stride_without_wrap_or_branch():
    s = conservative(lambda a, b: rusanov(burgers, a, b))
    prog = build_stencil(s, KernelConfig(bc="periodic"))
    kernel = prog.module.kernels[0]
    step = next(s for s in kernel.body if isinstance(s, ir.For))
    sweeps = [s for s in step.body if isinstance(s, ir.For)]
    flux_sweep, update_sweep = sweeps[-2], sweeps[-1]
    for sweep in (flux_sweep, update_sweep):
        inner = list(_loops((sweep,)))[-1]
        nodes = [n for st in inner.body for n in _nodes(st)]
        assert not any(isinstance(n, (ir.If, ir.Select, ir.Cmp)) for n in nodes)
        assert not any(isinstance(n, ir.BinOp) and n.op in ("%", "//") for n in nodes)
        # every load/store index is idx + constant: unit stride in the innermost index
        assert inner.body[0] == ir.Assign(ir.Var("idx", "i64"), ir.Var("i0", "i64"))
    # one flux evaluation per interface: the flux sweep runs over n0 + 1 interfaces
    assert flux_sweep.stop == ir.BinOp("+", ir.Var("n0", "i64"), ir.Const(2, "i64"), "i64")
    assert prog.layout.scratch == ("flux0",)
    # min/max/abs are IR operators, not branches
    assert any(isinstance(n, ir.BinOp) and n.op == "max"
               for st in flux_sweep.body for n in _nodes(st))
    assert kernel.body[-1].body[-1] == ir.SwapArrays("cur", "nxt")


def test_parameters_are_runtime_arguments_with_safe_names():
    s = conservative(lambda a, b: rusanov(burgers, a, b))
    prog = build_stencil(s)
    assert ("lambda", "p_lambda") in prog.layout.params  # 'lambda' is a Python keyword
    names = [a.name for a in prog.module.kernels[0].args]
    assert "p_lambda" in names and "nsteps" in names


def test_threads_add_a_parallel_variant_of_the_sweeps():
    s = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="upwind")
    prog = build_stencil(s, KernelConfig(threads=2))
    serial, par, team = prog.module.kernels
    assert par.name == "upwind_par" and team.name == "upwind_team"
    assert not any(lp.parallel for lp in _loops(serial.body))
    assert any(lp.parallel for lp in _loops(par.body))
    # the team member runs chunks of the same loops, serially within each member
    assert not any(lp.parallel for lp in _loops(team.body))
    assert [a.name for a in team.args[:len(serial.args)]] == [a.name for a in serial.args]


def test_bad_input_is_refused_with_the_fix():
    s = Scheme(("u",), 1, {"u": sp.Eq(u.new, u[0] + nu * (u.at(1, level=1) - u.new))})
    with pytest.raises(CodegenError, match="explicit two-level"):
        build_stencil(s)
    s2 = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])})
    with pytest.raises(CodegenError, match="periodic on one side"):
        build_stencil(s2, KernelConfig(bc=[("periodic", "outflow")]))
    with pytest.raises(CodegenError, match="per axis"):
        build_stencil(s2, KernelConfig(bc=["outflow", "outflow"]))
    with pytest.raises(CodegenError, match="dtype"):
        build_stencil(s2, KernelConfig(dtype="f16"))
    with pytest.raises(CodegenError, match="Heaviside|cannot generate"):
        build_stencil(Scheme(("u",), 1, {"u": u[0] * sp.gamma(u[1])}))
    assert build_stencil(s2, KernelConfig(bc=Dirichlet(sp.Symbol("t") ** 2))).layout.needs_dt
