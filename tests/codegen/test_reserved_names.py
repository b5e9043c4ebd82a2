"""Issue 10, item 4: parameters named like the variables the thread-team and temporal-blocking
passes add (team_lo, tb_kk, ...) gave results off by 1e28, NaN or raw llvmlite errors. Model
names now never enter mcgen's reserved namespace (``ir.user_ident``), and the passes check that
their own names are reserved and unused (``ir.internal_names``)."""

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import compile, ir
from mcgen.codegen.config import KernelConfig
from mcgen.errors import CodegenError
from mcgen.model import Field, Scheme

u = Field("u")
#: every name the thread team and the temporal blocking of a 1-D stencil use for themselves
INTERNAL = ("team_lo", "team_hi", "team_len", "team_epoch", "team_member", "team_size",
            "team_flags", "tb_lo", "tb_hi", "tb_s", "tb_c", "tb_a", "tb_b", "tb_h", "tb_p",
            "tb_kk", "tb_sh", "tb_tt", "tb_sw", "tb_nsw", "tb_KR", "tb_W", "tb_GP",
            "tb_kblock", "tb_btile", "tb_nchunk", "tb_tile_a", "tb_tile_b", "_team_barrier",
            "mc_min_f64", "mcgen_team_barrier",
            # and the functions and builtins the printed code calls
            "exp", "sqrt", "pow", "fabs", "range", "min", "max", "abs", "int")


def _scheme(names):
    """Upwind with nu split into len(names) parameters: nu = sum_i w_i p_i with distinct w_i, so
    a parameter read as another variable changes the result."""
    ps = [sp.Symbol(n) for n in names]
    weights = [sp.Rational(1, 2 ** (i + 2)) for i in range(len(ps))]
    nu = sum(w * p for w, p in zip(weights, ps, strict=True))
    return Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="reserved_names",
                  params=tuple(ps))


@pytest.mark.parametrize("backend", ["numba", "llvm", "c"])
def test_parameters_named_like_internal_variables(backend):
    cfg = dict(backend=backend, threads=2, unsafe=True)
    plain = [f"a{i}" for i in range(len(INTERNAL))]
    values = {n: 0.9 for n in INTERNAL}
    n_cells = 4096
    u0 = np.sin(np.linspace(0, 2 * np.pi, n_cells, endpoint=False)) + 0.1
    config = KernelConfig(parallel_threshold=0, time_block=4, tile=256)
    refs = compile(_scheme(plain), config=config, **cfg)
    gots = compile(_scheme(INTERNAL), config=config, **cfg)
    for k in (1, 4):  # thread team (OpenMP for C) step by step, then temporally blocked
        ref, got = refs.with_blocking(k, 256), gots.with_blocking(k, 256)
        want = ref.run(u0, 9, **dict(zip(plain, values.values(), strict=True)))
        out = got.run(u0, 9, **values)
        assert got.last_call["nchunk"] == 2  # the threaded (team / OpenMP) path ran
        assert got.last_call["time_block"] == k
        # SymPy orders the sum of parameters by name: rounding may differ, nothing more
        np.testing.assert_allclose(out, want, rtol=1e-13, atol=1e-15)
        assert np.isfinite(out).all()
    # the model's names became arguments outside the reserved namespace
    names = {a.name for k in got.ir.kernels for a in k.args}
    assert "p_team_lo" in names and "p_tb_kk" in names and "p_team_barrier" in names


def test_user_ident_keeps_models_out_of_the_reserved_namespace():
    taken: set[str] = set()
    assert ir.user_ident("nu", taken) == "nu"
    for name in INTERNAL:
        got = ir.user_ident(name, taken)
        assert not ir.is_reserved(got) and got.startswith("p")
    assert ir.user_ident("team_lo", taken) == "p1_team_lo"  # p_team_lo is taken now


def test_a_pass_refuses_a_kernel_that_already_uses_its_names():
    from mcgen.codegen.thread_team import team_kernel

    loop = ir.For(ir.Var("i", "i64"), ir.Const(0, "i64"), ir.Var("n", "i64"),
                  (ir.Store("a", ir.Var("i", "i64"), ir.Var("team_lo")),), True)
    k = ir.Kernel("k", (ir.Arg("a", "f64", True, "out"), ir.Arg("n", "i64"),
                        ir.Arg("team_lo")), (loop,))
    with pytest.raises(CodegenError, match=r"already uses \['team_lo'\]"):
        team_kernel(k)
