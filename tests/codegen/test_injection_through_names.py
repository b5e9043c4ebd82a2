"""Model names never become code: generated modules stay inert whatever a scheme is called."""

import ast
import re

import pytest
import sympy as sp

from mcgen.codegen.backends.c_backend import render_c
from mcgen.codegen.backends.numba_backend import render_numba
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.stencil_frontend import build_stencil
from mcgen.errors import ModelError
from mcgen.model import Field, Scheme

# control characters (newlines, NUL) are refused in names (mcgen.model.names.check_name), so
# the attack that remains is quotes and comment breaks on one line
EVIL = 'x"""; import os; os.system("echo PWNED"); """*/ #include <evil.h> //'
nu = sp.Symbol("nu", real=True)


def _module():
    u = Field("u")
    return build_stencil(Scheme(("u",), 1, {"u": nu * u[-1] + (1 - nu) * u[0]}, name=EVIL),
                         KernelConfig()).module


def test_numba_module_imports_nothing_but_its_runtime():
    tree = ast.parse(render_numba(_module()))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= {"numba", "numpy", "math"}
    calls = {n.func.attr for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    assert "system" not in calls


def test_c_source_and_header_have_no_injected_directive_or_comment_break():
    c = render_c(_module())
    for text in (c.source, c.header):
        assert not re.search(r"^\s*#\s*include\s*<evil", text, re.M)
        # every comment that opens also closes on the same logical comment: no stray '*/'
        stripped = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        assert "*/" not in stripped


def test_names_with_line_breaks_or_nul_are_refused():
    u = Field("u")
    for name in ('x"""\nimport os\n"""', "*/\n#include <evil.h>\n", "a\x00b"):
        with pytest.raises(ModelError, match="control character"):
            Scheme(("u",), 1, {"u": nu * u[-1] + (1 - nu) * u[0]}, name=name)


def test_field_names_must_be_identifiers():
    with pytest.raises(ModelError, match="identifier"):
        Field("u); import os; (")
