"""The layer order (DESIGN section 2) holds for every import, lazy ones included: a module
imports only its own layer and the layers before it; the package root sits above every layer
(no layer imports it, e.g. for the version: that is ``mcgen/_version.py``); and the NumPy
reference stays independent of the code generator it checks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mcgen"
ORDER = ("proof", "model", "analysis", "synthesis", "train", "codegen", "run", "cli")
#: modules below every layer (any layer may import them; they import no layer)
BASE = ("mcgen.errors", "mcgen._version", "mcgen.atomic_io")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """Every module ``path`` imports (top level and inside functions), absolute names
    (``source``: read this text as if it were the file's)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    text = path.read_text() if source is None else source
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append((node.lineno, mod))
            # ``from mcgen import x`` / ``from mcgen.codegen import ir``: x may be a module
            out += [(node.lineno, f"{mod}.{a.name}") for a in node.names]
    return out


def layer(module: str) -> int | str | None:
    """Rank in ORDER, "root" for the package itself, "base" for BASE, None outside mcgen."""
    if module == "mcgen":
        return "root"
    if not module.startswith("mcgen."):
        return None
    if any(module == b or module.startswith(b + ".") for b in BASE):
        return "base"
    top = module.split(".")[1]
    return ORDER.index(top) if top in ORDER else None


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_layer():
    for path in MODULES:
        name = module_name(path)
        assert name == "mcgen" or layer(name) is not None, f"{name} is in no layer"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_imports_a_layer_above_it(path):
    me = layer(module_name(path))
    if me == "root":
        return
    bad = []
    for line, mod in imports(path):
        other = layer(mod)
        if other is None:
            continue
        if other == "root":
            bad.append(f"line {line}: imports the package root `mcgen` (use mcgen._version "
                       "for the version)")
        elif me == "base" and other != "base":
            bad.append(f"line {line}: a base module imports the layer module {mod}")
        elif isinstance(me, int) and isinstance(other, int) and other > me:
            bad.append(f"line {line}: layer {ORDER[me]} imports {mod} of layer {ORDER[other]}")
    assert not bad, f"{module_name(path)}:\n" + "\n".join(bad)


def test_the_checker_sees_lazy_and_relative_imports():
    src = "def f():\n    from mcgen.codegen import ir\n    from ..run import grid\n"
    found = [m for _, m in imports(PACKAGE / "model" / "scheme.py", src)]
    assert "mcgen.codegen.ir" in found and "mcgen.run.grid" in found


def test_the_numpy_reference_does_not_use_the_code_generator():
    ref = PACKAGE / "run" / "numpy_stepper.py"
    used = [m for _, m in imports(ref) if m.startswith("mcgen.codegen")]
    assert not used, f"the NumPy reference imports {used}: it must not share the code it checks"
