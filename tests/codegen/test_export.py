"""Exported folders stand alone: a C program built against the header gives the same numbers with
the object and with the C source, the numba module runs where mcgen cannot be imported, and an
export never destroys an existing folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hand_ir_kernels import upwind_module, upwind_reference
from without_mcgen import BLOCK_MCGEN

from mcgen.codegen import ir
from mcgen.codegen.export import c_header, export_kernel
from mcgen.errors import CodegenError

N, STEPS, NU = 200, 9, 0.625

MAIN_C = textwrap.dedent(f"""
    #include <math.h>
    #include <stdio.h>
    #include "upwind.h"
    int main(void) {{
        double u[{N} + 2], v[{N} + 2];
        for (int j = 0; j < {N}; ++j) u[j + 1] = sin(0.1 * j) + 0.01 * j;
        upwind_steps(u, v, {N}, {STEPS}, {NU});
        for (int j = 0; j < {N}; ++j) printf("%.17g\\n", u[j + 1]);
        return 0;
    }}
""")


def _initial() -> np.ndarray:
    j = np.arange(N)
    return np.sin(0.1 * j) + 0.01 * j


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    return export_kernel(upwind_module(), tmp_path_factory.mktemp("exp") / "upwind",
                         condition="0 <= nu <= 1")


def _build_and_run(folder: Path, tmp: Path, source: str) -> np.ndarray:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    (tmp / "main.c").write_text(MAIN_C)
    exe = tmp / f"main_{source.replace('.', '_')}"
    subprocess.run([cc, "-O2", "-std=c99", f"-I{folder}", str(tmp / "main.c"),
                    str(folder / source), "-lm", "-o", str(exe)], check=True,
                   capture_output=True, text=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return np.array([float(x) for x in out.split()])


def test_folder_has_every_artifact_and_a_truthful_manifest(exported):
    manifest = json.loads((exported / "manifest.json").read_text())
    import hashlib

    for name, digest in manifest["files"].items():
        assert hashlib.sha256((exported / name).read_bytes()).hexdigest() == digest
    assert {"upwind.ll", "upwind.o", "upwind.h", "README.md"} <= set(manifest["files"])
    assert manifest["target_cpu"] == "x86-64-v3"
    assert manifest["condition"] == "0 <= nu <= 1"
    readme = (exported / "README.md").read_text()
    assert "0 <= nu <= 1" in readme and "upwind_steps(" in readme


def test_c_program_linked_with_the_object_matches_numpy(exported, tmp_path):
    got = _build_and_run(exported, tmp_path, "upwind.o")
    # The object is x86-64-v3 code without FMA contraction: the same IEEE operations as NumPy.
    np.testing.assert_allclose(got, upwind_reference(_initial(), NU, STEPS), rtol=0, atol=1e-14)


def test_c_source_and_object_give_the_same_numbers(exported, tmp_path):
    if not (exported / "upwind.c").exists():
        pytest.skip("the C backend is not available yet")
    from_object = _build_and_run(exported, tmp_path, "upwind.o")
    from_source = _build_and_run(exported, tmp_path, "upwind.c")
    np.testing.assert_allclose(from_source, from_object, rtol=0, atol=1e-13)


def test_llvm_ir_text_builds_with_the_system_llc(exported, tmp_path):
    llc = shutil.which("llc")
    if llc is None:
        pytest.skip("no llc on this machine")
    obj = tmp_path / "from_ll.o"
    subprocess.run([llc, "-O3", "-filetype=obj", "-relocation-model=pic",
                    str(exported / "upwind.ll"), "-o", str(obj)], check=True,
                   capture_output=True, text=True)
    folder = tmp_path / "ll"
    folder.mkdir()
    shutil.copy(exported / "upwind.h", folder)
    shutil.copy(obj, folder / "upwind.o")
    got = _build_and_run(folder, tmp_path, "upwind.o")
    np.testing.assert_allclose(got, upwind_reference(_initial(), NU, STEPS), rtol=0, atol=1e-14)


def test_numba_module_runs_without_mcgen(exported, tmp_path):
    if not (exported / "upwind.py").exists():
        pytest.skip("the numba backend is not available yet")
    code = BLOCK_MCGEN + textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(exported)!r})
        try:
            import mcgen
        except ImportError:
            pass
        else:
            raise SystemExit("mcgen is importable here: the test proves nothing")
        import numpy as np
        from upwind import upwind_steps
        j = np.arange({N})
        u = np.zeros({N} + 2); u[1:-1] = np.sin(0.1 * j) + 0.01 * j
        v = np.zeros_like(u)
        upwind_steps(u, v, {N}, {STEPS}, {NU})
        print(" ".join(repr(float(x)) for x in u[1:-1]))
    """)
    # -I: isolated mode, neither the working directory nor PYTHONPATH reaches sys.path
    out = subprocess.run([sys.executable, "-I", "-c", code], cwd=tmp_path, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    got = np.array([float(x) for x in out.split()])
    np.testing.assert_allclose(got, upwind_reference(_initial(), NU, STEPS), rtol=0, atol=1e-13)


def test_existing_non_empty_folder_is_not_touched(exported, tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    (target / "precious.txt").write_text("keep me")
    with pytest.raises(CodegenError, match="overwrite=True"):
        export_kernel(upwind_module(), target, include_object=False)
    assert (target / "precious.txt").read_text() == "keep me"
    export_kernel(upwind_module(), target, include_object=False, overwrite=True)
    # issue 10 item 7: overwrite replaces mcgen's own files only; the user's stay
    assert (target / "precious.txt").read_text() == "keep me"
    assert (target / "upwind.h").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_export_is_deterministic(tmp_path):
    # same IR, same bytes, the object code included: exported text can be checked for freshness
    a = export_kernel(upwind_module(), tmp_path / "a")
    b = export_kernel(upwind_module(), tmp_path / "b")
    for f in a.iterdir():
        assert f.read_bytes() == (b / f.name).read_bytes(), f.name


def test_header_declares_read_only_arrays_const():
    x = ir.Arg("x", "f64", True, "in")
    y = ir.Arg("y", "f32", True, "out")
    k = ir.Kernel("scale", (x, y, ir.Arg("n", "i64")), ())
    h = c_header(ir.Module("m", (k,)))
    assert ("void scale(const double *MCGEN_RESTRICT x, float *MCGEN_RESTRICT y, int64_t n);"
            in h)


def test_exporting_a_compiled_kernel_records_the_model_hash(tmp_path):
    import sympy as sp

    from mcgen.codegen import compile as compile_kernel
    from mcgen.model.read import Field
    from mcgen.model.scheme import Scheme

    u, nu = Field("u"), sp.Symbol("nu")
    scheme = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, params=(nu,), name="upw")
    kernel = compile_kernel(scheme, backend="llvm", condition=False)
    folder = export_kernel(kernel, tmp_path / "k", condition="0 <= nu <= 1")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model_hash"] == scheme.hash
    assert manifest["kernels"][0]["name"] == kernel.ir.kernels[0].name
