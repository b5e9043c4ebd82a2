"""The LLVM backend on hand-built IR: results against NumPy, vectorised inner loops, the object
cache, exported objects, and refusal of what it cannot print."""

from __future__ import annotations

import platform
from dataclasses import dataclass

import numpy as np
import pytest
from hand_ir_kernels import (
    I,
    c,
    reduction_module,
    select_module,
    upwind_module,
    upwind_reference,
)

from mcgen.codegen import ir
from mcgen.codegen.backends.llvm_backend import (
    build_llvm,
    emit_assembly,
    emit_ll,
    emit_object,
)
from mcgen.errors import CodegenError


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MCGEN_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def upwind():
    return build_llvm(upwind_module(), cache=False)


@pytest.mark.parametrize("nsteps", [0, 1, 6, 7])
def test_upwind_many_steps_equals_numpy_bitwise(upwind, nsteps):
    # No fast-math and no contraction: the kernel performs the same IEEE operations in the
    # same order as NumPy, so the numbers are identical, not merely close. Odd step counts
    # exercise the copy-back after the last buffer swap.
    n, nu = 257, 0.375
    u0 = np.random.default_rng(1).random(n)
    u = np.zeros(n + 2)
    u[1:-1] = u0
    v = np.zeros(n + 2)
    upwind.upwind_steps(u, v, n, nsteps, nu)
    assert np.array_equal(u[1:-1], upwind_reference(u0, nu, nsteps))


def test_upwind_conserves_mass(upwind):
    # sum_j (u_j - nu (u_j - u_{j-1})) = sum_j u_j on a ring: the scheme is conservative.
    n = 1000
    u0 = np.random.default_rng(2).random(n)
    u = np.concatenate([[0.0], u0, [0.0]])
    v = np.zeros_like(u)
    upwind.upwind_steps(u, v, n, 50, 0.8)
    assert abs(u[1:-1].sum() - u0.sum()) < 1e-11 * n


def test_reductions_return_scalars():
    k = build_llvm(reduction_module(), cache=False)
    rng = np.random.default_rng(3)
    x, y = rng.random(1001) - 0.5, rng.random(1001)
    assert k.dot(x, y, len(x)) == pytest.approx(x @ y, rel=1e-13)
    assert k.l1(x, len(x)) == pytest.approx(np.abs(x).sum(), rel=1e-13)
    assert k.dot(x, y, 0) == 0.0


def test_select_min_max_and_bool_cast():
    k = build_llvm(select_module(), cache=False)
    x = np.random.default_rng(4).normal(size=999)
    out = np.empty_like(x)
    k.clip(x, out, len(x), 0.5)
    assert np.array_equal(out, np.clip(x, -0.5, 0.5))
    assert k.count_over(x, len(x), 0.5) == int((x > 0.5).sum())


def test_unsigned_integer_arithmetic_matches_python_big_integers():
    a, b = ir.Var("a", "u64"), ir.Var("b", "u64")
    r = ir.Var("result", "u64")
    ops = {"mulhi": lambda p, q: (p * q) >> 64, ">>": lambda p, q: p >> (q % 64),
           "%": lambda p, q: p % q, "//": lambda p, q: p // q}
    kernels = []
    for name, op in zip(("hi", "shr", "rem", "quot"), ops, strict=True):
        rhs = ir.BinOp("%", b, c(64, "u64"), "u64") if op == ">>" else b
        kernels.append(ir.Kernel(name, (ir.Arg("a", "u64"), ir.Arg("b", "u64")),
                                 (ir.Assign(r, ir.BinOp(op, a, rhs, "u64")),), returns="u64"))
    k = build_llvm(ir.Module("uints", tuple(kernels)), cache=False)
    for p, q in [(2**64 - 1, 2**64 - 1), (0x9E3779B97F4A7C15, 12345678901234567), (7, 3)]:
        for name, op in zip(("hi", "shr", "rem", "quot"), ops.values(), strict=True):
            assert getattr(k, name)(p, q) == op(p, q), (name, p, q)


def test_inner_loop_is_vectorised():
    asm = emit_assembly(upwind_module())
    # packed double subtraction (xmm or ymm): the stencil loop ran through the loop vectoriser
    assert "vsubpd" in asm or "subpd" in asm


def test_llvm_ir_marks_arrays_noalias_and_verifies():
    text = emit_ll(upwind_module())
    assert text.count("noalias") == 2  # u and v, not the scalars
    assert "define void @\"upwind_steps\"(double* noalias" in text


def test_object_is_relocatable_elf_with_the_kernel_symbol():
    obj = emit_object(upwind_module(), cpu="x86-64-v3")
    assert obj[:4] == b"\x7fELF"
    assert int.from_bytes(obj[16:18], "little") == 1  # ET_REL: a relocatable object
    assert b"upwind_steps" in obj


def test_object_cache_hit_gives_the_same_kernel():
    first = build_llvm(upwind_module())
    second = build_llvm(upwind_module())
    assert (first.from_cache, second.from_cache) == (False, True)
    n = 64
    u0 = np.linspace(0.0, 1.0, n)
    outs = []
    for kern in (first, second):
        u = np.concatenate([[0.0], u0, [0.0]])
        kern.upwind_steps(u, np.zeros_like(u), n, 3, 0.5)
        outs.append(u)
    assert np.array_equal(*outs)


def test_generation_and_compilation_time_is_recorded():
    k = build_llvm(upwind_module(), cache=False)
    assert {"print", "optimise", "codegen", "total"} <= set(k.timings)
    assert k.timings["total"] > 0


def test_wrong_dtype_names_the_argument(upwind):
    u = np.zeros(10, dtype=np.float32)
    with pytest.raises(CodegenError, match="'u'"):
        upwind.upwind_steps(u, np.zeros(10), 8, 1, 0.5)
    with pytest.raises(CodegenError, match="5 arguments"):
        upwind.upwind_steps(u)


def test_unknown_node_raises():
    @dataclass(frozen=True)
    class Mystery:
        pass

    bad = ir.Module("bad", (ir.Kernel("k", (), (Mystery(),)),))
    with pytest.raises(CodegenError, match="Mystery"):
        build_llvm(bad, cache=False)


def test_reading_an_unassigned_variable_raises():
    bad = ir.Module("bad", (ir.Kernel("k", (ir.Arg("x", "f64", True),),
                                      (ir.Store("x", c(0, I), ir.Var("ghost")),)),))
    with pytest.raises(CodegenError, match="ghost"):
        build_llvm(bad, cache=False)


def test_unknown_cpu_is_refused_instead_of_aborting_the_process():
    # LLVM itself only warns and later aborts the interpreter: the backend must refuse first.
    with pytest.raises(CodegenError, match="pentium-pro-max"):
        emit_object(upwind_module(), cpu="pentium-pro-max")
    assert emit_object(upwind_module(), cpu="x86-64")[:4] == b"\x7fELF"


def test_object_cache_lives_in_the_config_cache_dir(tmp_path):
    from mcgen.codegen.config import KernelConfig

    build_llvm(upwind_module(), KernelConfig(backend="llvm", cache_dir=tmp_path / "here"))
    assert len(list((tmp_path / "here" / "llvm").glob("*.o"))) == 1


def _affine_module() -> ir.Module:
    """``u[i] = 0.3 u[i] + 0.7`` for i < n: floating-point constants in a loop."""
    i, n = ir.Var("i", I), ir.Var("n", I)
    body = ir.Store("u", i, ir.BinOp("+", ir.BinOp("*", ir.Const(0.3), ir.Load("u", i)),
                                     ir.Const(0.7)))
    return ir.Module("affine", (ir.Kernel("affine", (ir.Arg("u", "f64", True, "inout"),
                                                      ir.Arg("n", I)),
                                          (ir.For(i, c(0, I), n, (body,)),)),))


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 code models")
def test_the_jit_compiles_with_the_small_code_model():
    # x86-64's JIT default, the large code model, reaches every constant through a movabs of a
    # GOT offset; in WENO5's face loop those landed inside the hot loop (0.86-0.89x hand C)
    from mcgen.codegen.backends import llvm_backend

    tm = llvm_backend._target_machine(None, None, jit=True)
    asm = tm.emit_assembly(llvm_backend._optimised_module(_affine_module(), tm))
    assert "0.29999999999999999" in asm or ".quad\t0x3fd3333333333333" in asm  # in the pool
    assert "@GOTOFF" not in asm  # the large model's constant addressing
    u = np.arange(5.0)
    build_llvm(_affine_module(), cache=False).affine(u, np.int64(5))
    assert np.array_equal(u, 0.3 * np.arange(5.0) + 0.7)
