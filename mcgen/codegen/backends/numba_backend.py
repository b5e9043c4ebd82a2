"""numba backend: the IR printed as a real, commented Python module on disk (jinja2 template
``templates/numba_module.py.jinja``), imported from there so that numba's ``cache=True`` works
(numba cannot cache functions made by ``exec``). The module imports only math, numpy and numba:
it runs where mcgen is not installed.

Every function is ``@numba.njit(cache=True, fastmath={'nsz','arcp','contract','afn','reassoc'})``:
never ``nnan``/``ninf``, so NaN and overflow checks on the results still work. Functions are
``nogil``, so a thread team (:mod:`mcgen.codegen.thread_team`) runs its members in parallel;
``Barrier`` is printed as a call of ``_team_barrier``, written in the module with two numba
intrinsics for atomic release/acquire accesses.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from mcgen.atomic_io import write_bytes_atomically
from mcgen.codegen import ir
from mcgen.codegen.backends import IRPrinter, atomic_write, template_env, text_hash, wrap_assignment
from mcgen.codegen.call_checks import (
    KernelArgumentError,
    contract_vars,
    expr_text,
    length_doc,
    runtime_source,
)
from mcgen.codegen.config import NUMBA_FASTMATH
from mcgen.errors import CodegenError

# Python operator precedence (higher binds tighter)
_PREC_BIN = {"+": 10, "-": 10, "*": 11, "/": 11, "//": 11, "%": 11, "<<": 9, ">>": 9,
             "&": 8, "^": 7, "|": 6}
_PREC_CMP, _PREC_SELECT, _PREC_NOT, _PREC_UNARY, _PREC_POW, _ATOM = 5, 1, 3, 12, 13, 20
_NP_TYPE = {"f64": "np.float64", "f32": "np.float32", "i64": "np.int64", "i32": "np.int32",
            "u64": "np.uint64", "u32": "np.uint32", "bool": "np.bool_"}
_UNARY_CALL = {"abs": "abs", "sqrt": "math.sqrt", "exp": "math.exp", "log": "math.log",
               "floor": "np.floor", "sin": "math.sin", "cos": "math.cos", "tanh": "math.tanh"}


class NumbaPrinter(IRPrinter):
    """Prints IR expressions as Python source (``(text, precedence)``) and statements as lines."""

    language = "numba"

    def __init__(self, indent: str = "    ") -> None:
        self.indent = indent
        self.uses_mulhi = False
        self.uses_barrier = False

    # ------------------------------------------------------------------ expressions
    def _print_Const(self, node: ir.Const) -> tuple[str, int]:
        v, t = node.value, node.type
        if t == "bool":
            return ("True" if v else "False"), _ATOM
        if t in ir.FLOATS:
            f = float(v)
            if f != f:
                text = "math.nan"
            elif f in (float("inf"), float("-inf")):
                text = "math.inf" if f > 0 else "-math.inf"
            else:
                text = repr(f)
            if t == "f32":
                return f"np.float32({text})", _ATOM
            return text, (_ATOM if not text.startswith("-") else _PREC_UNARY)
        if t in ("u64", "u32", "i32"):
            return f"{_NP_TYPE[t]}({int(v)})", _ATOM
        text = str(int(v))
        return text, (_ATOM if int(v) >= 0 else _PREC_UNARY)

    def _print_Var(self, node: ir.Var) -> tuple[str, int]:
        return node.name, _ATOM

    def index(self, node: ir.Expr) -> str:
        """An array index as an unsigned integer: numba then skips its negative-index
        wrap-around test, which otherwise blocks vectorisation of 2-D and 3-D sweeps (about
        8x slower measured)."""
        if isinstance(node, ir.Const) and int(node.value) >= 0:
            return self.expr(node)
        return f"np.uint64({self.expr(node)})"

    def _print_Load(self, node: ir.Load) -> tuple[str, int]:
        return f"{node.array}[{self.index(node.index)}]", _ATOM

    def _print_BinOp(self, node: ir.BinOp) -> tuple[str, int]:
        op = node.op
        if op in ("min", "max"):
            return f"{op}({self.expr(node.a)}, {self.expr(node.b)})", _ATOM
        if op == "pow":
            return f"{self.wrap(node.a, _PREC_POW + 1)} ** {self.wrap(node.b, _PREC_POW)}", \
                _PREC_POW
        if op == "mulhi":
            self.uses_mulhi = True
            return f"_mulhi({self.expr(node.a)}, {self.expr(node.b)})", _ATOM
        if op == "/" and node.type not in ir.FLOATS:
            op = "//"
        p = _PREC_BIN[op]
        return f"{self.wrap(node.a, p)} {op} {self.wrap(node.b, p + 1)}", p

    def _print_UnOp(self, node: ir.UnOp) -> tuple[str, int]:
        if node.op == "neg":
            return f"-{self.wrap(node.a, _PREC_UNARY)}", _PREC_UNARY
        if node.op == "not":
            return f"not {self.wrap(node.a, _PREC_NOT)}", _PREC_NOT
        return f"{_UNARY_CALL[node.op]}({self.expr(node.a)})", _ATOM

    def _print_Cmp(self, node: ir.Cmp) -> tuple[str, int]:
        return (f"{self.wrap(node.a, _PREC_CMP + 1)} {node.op} "
                f"{self.wrap(node.b, _PREC_CMP + 1)}"), _PREC_CMP

    def _print_Select(self, node: ir.Select) -> tuple[str, int]:
        return (f"{self.wrap(node.a, _PREC_SELECT + 1)} if {self.wrap(node.cond, 2)} "
                f"else {self.wrap(node.b, _PREC_SELECT)}"), _PREC_SELECT

    def _print_Cast(self, node: ir.Cast) -> tuple[str, int]:
        return f"{_NP_TYPE[node.type]}({self.expr(node.a)})", _ATOM

    # ------------------------------------------------------------------ statements
    def block(self, stmts: tuple[ir.Stmt, ...], depth: int) -> list[str]:
        lines: list[str] = []
        for s in stmts:
            lines += self.emit(s, depth)
        if not lines or all(ln.lstrip().startswith("#") for ln in lines):
            lines.append(self.indent * depth + "pass")
        return lines

    def _print_Assign(self, node: ir.Assign, depth: int) -> list[str]:
        return wrap_assignment(f"{self.indent * depth}{node.var.name} = ",
                               self.expr(node.value), "", self.indent)

    def _print_Store(self, node: ir.Store, depth: int) -> list[str]:
        return wrap_assignment(f"{self.indent * depth}{node.array}[{self.index(node.index)}] = ",
                               self.expr(node.value), "", self.indent)

    def _print_For(self, node: ir.For, depth: int) -> list[str]:
        rng = "numba.prange" if node.parallel else "range"
        head = (f"{self.indent * depth}for {node.var.name} in {rng}("
                f"{self.expr(node.start)}, {self.expr(node.stop)}):")
        return [head] + self.block(node.body, depth + 1)

    def _print_If(self, node: ir.If, depth: int) -> list[str]:
        lines = [f"{self.indent * depth}if {self.expr(node.cond)}:"]
        lines += self.block(node.then, depth + 1)
        if node.orelse:
            lines.append(f"{self.indent * depth}else:")
            lines += self.block(node.orelse, depth + 1)
        return lines

    def _print_SwapArrays(self, node: ir.SwapArrays, depth: int) -> list[str]:
        return [f"{self.indent * depth}{node.a}, {node.b} = {node.b}, {node.a}  # pointer swap"]

    def _print_Barrier(self, node: ir.Barrier, depth: int) -> list[str]:
        self.uses_barrier = True
        return [f"{self.indent * depth}_team_barrier({node.flags}, {self.expr(node.member)}, "
                f"{self.expr(node.size)}, {self.expr(node.epoch)})"]

    def _print_Comment(self, node: ir.Comment, depth: int) -> list[str]:
        return [f"{self.indent * depth}# {node.text}"]

    def _print_Kernel(self, node: ir.Kernel) -> dict[str, Any]:
        body = self.block(node.body, 1)
        if node.returns is not None:
            body.append(f"{self.indent}return result")
        parallel = ir.has_parallel_loop(node.body)
        args = ", ".join(a.name for a in node.args)
        arg_doc = [f"{a.name}: {length_doc(a)} ({a.intent})" if a.array
                   else f"{a.name}: {a.type}" for a in node.args]
        return {"name": node.name, "args": args, "parallel": parallel,
                "doc": textwrap.fill(_one_line(node.doc), 92,
                                     subsequent_indent=self.indent),
                "arg_doc": arg_doc, "body": "\n".join(body), "checks": check_lines(node)}


class _ContractPrinter(NumbaPrinter):
    """Prints a length or requirement over the checked integers ``_v_<name>`` (Python ints:
    no wrap-around, so a huge size cannot pass as a small one)."""

    def _print_Var(self, node: ir.Var) -> tuple[str, int]:
        return f"_v_{node.name}", _ATOM

    def _print_Const(self, node: ir.Const) -> tuple[str, int]:
        if node.type in ir.INTS:
            return str(int(node.value)), (_ATOM if int(node.value) >= 0 else _PREC_UNARY)
        return super()._print_Const(node)

    def _print_Cast(self, node: ir.Cast) -> tuple[str, int]:
        return f"int({self.expr(node.a)})", _ATOM


def check_lines(k: ir.Kernel) -> list[str]:
    """The Python statements that check a call of ``k`` (see mcgen.codegen.call_checks; the
    runtime helpers ``_mcg_*`` are printed into the module)."""
    p = _ContractPrinter()
    name = repr(k.name)
    lines = []
    for a in k.args:
        if not a.array and a.type in ir.INTS:
            lines.append(f"_v_{a.name} = _mcg_int({name}, {a.name!r}, {a.name}, {a.type!r})")
        elif not a.array:
            lines.append(f"_mcg_real({name}, {a.name!r}, {a.name}, {a.type!r})")
    for req in k.requires:
        used = sorted({n.name for n in contract_vars(req)})
        values = "{" + ", ".join(f"{u!r}: _v_{u}" for u in used) + "}"
        lines.append(f"_mcg_require({name}, {p.expr(req)}, {expr_text(req)!r}, {values})")
    arrays = []
    for a in k.args:
        if a.array:
            length = "None" if a.length is None else p.expr(a.length)
            text = "" if a.length is None else expr_text(a.length)
            written = a.intent != "in"
            lines.append(f"_mcg_array({name}, {a.name!r}, {a.name}, {_NP_TYPE[a.type]}, "
                         f"{written}, {length}, {text!r})")
            arrays.append(f"({a.name!r}, {a.name}, {written})")
    if len(arrays) > 1:
        lines.append(f"_mcg_disjoint({name}, ({', '.join(arrays)}))")
    return lines


def _one_line(text: str) -> str:
    """Text safe inside a generated comment or docstring line."""
    return re.sub(r"\s+", " ", str(text)).replace('"""', "'''").replace("\\", "/").strip()


def render_numba(module: ir.Module) -> str:
    """The source text of the numba module (deterministic: same IR, same bytes)."""
    printer = NumbaPrinter()
    kernels = [printer.emit(k) for k in module.kernels]
    meta = {k: _one_line(v) for k, v in sorted(module.meta.items())}
    fastmath = "{" + ", ".join(repr(f) for f in NUMBA_FASTMATH) + "}"
    return template_env().get_template("numba_module.py.jinja").render(
        module=module.name, meta=meta, kernels=kernels, fastmath=fastmath,
        uses_mulhi=printer.uses_mulhi, uses_barrier=printer.uses_barrier,
        barrier_stride=ir.BARRIER_STRIDE, runtime_checks=runtime_source())


@dataclass(frozen=True)
class NumbaArtifact:
    """The written module: its path, source text, and the imported Python module."""

    path: Path
    source: str
    module: ModuleType

    def function(self, name: str) -> Any:
        return sealed_function(self.module, self.path, name)


def _numba_cache_files(path: Path) -> list[Path]:
    """numba's index and data files of the generated module ``path`` (in ``__pycache__``)."""
    pycache = path.parent / "__pycache__"
    if not pycache.is_dir():
        return []
    return [p for p in pycache.glob(f"{path.stem}.*") if p.suffix in (".nbi", ".nbc")]


def verify_numba_cache(path: Path) -> None:
    """Remove numba's cache files of ``path`` that were not sealed (sha256 sidecar) by this
    user or that changed since: numba unpickles them, and a flipped byte crashes the process.
    numba then compiles again and the new files are sealed (:func:`sealed_function`)."""
    from mcgen.codegen import cache as kcache

    for p in _numba_cache_files(path):
        kcache.read_entry(p)


def seal_numba_cache(path: Path) -> None:
    """Record the sha256 of numba's cache files of ``path`` that have none yet or that numba
    rewrote since (an index gains an entry with each new signature; numba writes its files
    atomically when it compiles, and this runs right after)."""
    from mcgen.codegen import cache as kcache

    for p in _numba_cache_files(path):
        side = kcache.sidecar(p)
        try:
            st = p.stat()
            if st.st_uid != os.geteuid() or (side.exists()
                                             and side.stat().st_mtime_ns >= st.st_mtime_ns):
                continue
            write_bytes_atomically(side, hashlib.sha256(p.read_bytes()).hexdigest().encode(),
                                       suffix=".tmp", fsync=True)
        except FileNotFoundError:  # replaced by another process meanwhile: sealed next time
            continue


def sealed_function(module: ModuleType, path: Path, name: str) -> Any:
    """``module.name``, wrapped so that numba cache files written by its first calls (a
    compilation) are sealed at once. When the module has no compiled ``_mcg_impl_<name>``
    (another printer's), the function itself."""
    fn = getattr(module, name)
    impl = getattr(module, f"_mcg_impl_{name}", None)
    if impl is None or not hasattr(impl, "signatures"):
        return fn

    def call(*args: Any) -> Any:
        before = len(impl.signatures)
        out = fn(*args)
        if len(impl.signatures) != before:
            seal_numba_cache(path)
        return out

    call.__name__ = call.__qualname__ = name
    call.__doc__ = fn.__doc__
    return call


def write_numba(module: ir.Module, cache_dir: Path) -> tuple[Path, str]:
    """Render and write the module atomically to ``cache_dir/numba/``; return path and text.

    The file is compared with the rendered text on every build (a changed byte is rewritten);
    a file that another user owns or that others can write is removed first
    (:func:`mcgen.codegen.cache.distrust`), and so are numba's cache files of it that do not
    match the hash recorded when they were written (:func:`verify_numba_cache`), so only our own,
    intact code is imported."""
    from mcgen.codegen import cache as kcache

    source = render_numba(module)
    folder = kcache.ensure_root(Path(cache_dir)) / "numba"
    path = folder / f"{module.name}_{text_hash(source)[:16]}.py"
    kcache.distrust(path)
    atomic_write(path, source.encode())
    verify_numba_cache(path)
    return path, source


def load_module(path: Path) -> ModuleType:
    """Import a generated module from its file (no ``exec`` of a string)."""
    modname = "mcgen_generated_" + re.sub(r"\W", "_", path.stem)
    if modname in sys.modules and getattr(sys.modules[modname], "__file__", None) == str(path):
        return sys.modules[modname]
    spec = importlib.util.spec_from_file_location(modname, path)
    if spec is None or spec.loader is None:
        raise CodegenError(f"cannot import the generated module {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    if hasattr(mod, "KernelArgumentError"):
        # refused calls raise mcgen's error class in mcgen (the module's own one standalone)
        mod.__dict__["KernelArgumentError"] = KernelArgumentError
    return mod


def build_numba(module: ir.Module, cache_dir: Path) -> NumbaArtifact:
    """Render, write and import the numba module (numba compiles each function on first call,
    or loads it from its cache beside the file)."""
    path, source = write_numba(module, cache_dir)
    return NumbaArtifact(path, source, load_module(path))
