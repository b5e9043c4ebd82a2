"""C backend: a C99 source and header printed from the IR (templates ``c_source.c.jinja`` and
``c_header.h.jinja``), built with the system compiler into a shared library loaded by ctypes.

Array arguments are ``restrict`` pointers (the caller passes distinct buffers); a loop marked
parallel gets ``#pragma omp parallel for`` (the library is then built with ``-fopenmp``).
min/max are printed as small inline functions around ``a < b ? a : b``, which compilers turn into
branch-free min/max instructions (``fmin`` would not be inlined without fast-math because of its
NaN rules).
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mcgen.codegen import ir
from mcgen.codegen.backends import (
    DEFAULT_CFLAGS,
    IRPrinter,
    atomic_write,
    c_type,
    template_env,
    text_hash,
    wrap_assignment,
)
from mcgen.codegen.call_checks import CallContract, expr_text, length_doc
from mcgen.errors import CodegenError

_PREC_BIN = {"*": 13, "/": 13, "//": 13, "%": 13, "+": 12, "-": 12, "<<": 11, ">>": 11,
             "&": 8, "^": 7, "|": 6}
_PREC_CMP = {"<": 10, "<=": 10, ">": 10, ">=": 10, "==": 9, "!=": 9}
_PREC_TERNARY, _PREC_UNARY, _ATOM = 3, 14, 20
_MATH = {"sqrt": "sqrt", "exp": "exp", "log": "log", "floor": "floor", "sin": "sin",
         "cos": "cos", "tanh": "tanh"}


def _children(node: Any) -> list[Any]:
    out: list[Any] = []
    if is_dataclass(node):
        for f in fields(node):
            v = getattr(node, f.name)
            if isinstance(v, tuple):
                out += [x for x in v if is_dataclass(x)]
            elif is_dataclass(v):
                out.append(v)
    return out


def _var_names(node: Any) -> set[str]:
    """Names of scalar variables read or written anywhere inside ``node``."""
    names: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ir.Var):
            names.add(n.name)
        stack += _children(n)
    return names


class CPrinter(IRPrinter):
    """Prints IR expressions as C99 (``(text, precedence)``) and statements as lines."""

    language = "C"

    def __init__(self, indent: str = "    ") -> None:
        self.indent = indent
        self.helpers: set[tuple[str, str]] = set()
        self.uses_omp = False
        self.uses_barrier = False
        self.decl_at: dict[tuple[int, ...], list[tuple[str, str]]] = {}
        self.private: dict[int, list[str]] = {}
        self.arrays: dict[str, str] = {}

    # ------------------------------------------------------------------ expressions
    def _print_Const(self, node: ir.Const) -> tuple[str, int]:
        v, t = node.value, node.type
        if t == "bool":
            return ("true" if v else "false"), _ATOM
        if t in ir.FLOATS:
            f = float(v)
            if f != f:
                text = "NAN"
            elif f in (float("inf"), float("-inf")):
                text = "INFINITY" if f > 0 else "-INFINITY"
            else:
                text = repr(f) + ("f" if t == "f32" else "")
            if t == "f32" and text in ("NAN", "INFINITY", "-INFINITY"):
                text = f"(float){text}"
            return text, (_PREC_UNARY if text.startswith("-") else _ATOM)
        iv = int(v)
        if t == "u64":
            return f"UINT64_C({iv})", _ATOM
        if t == "u32":
            return f"UINT32_C({iv})", _ATOM
        if t == "i64" and not -2**31 < iv < 2**31:
            return f"INT64_C({iv})", _ATOM
        return str(iv), (_PREC_UNARY if iv < 0 else _ATOM)

    def _print_Var(self, node: ir.Var) -> tuple[str, int]:
        return node.name, _ATOM

    def _print_Load(self, node: ir.Load) -> tuple[str, int]:
        return f"{node.array}[{self.expr(node.index)}]", _ATOM

    def _print_BinOp(self, node: ir.BinOp) -> tuple[str, int]:
        op, t = node.op, node.type
        if op in ("min", "max"):
            self.helpers.add((op, t))
            return f"mc_{op}_{t}({self.expr(node.a)}, {self.expr(node.b)})", _ATOM
        if op == "pow":
            fn = "powf" if t == "f32" else "pow"
            return f"{fn}({self.expr(node.a)}, {self.expr(node.b)})", _ATOM
        if op == "mulhi":
            return (f"(uint64_t)(((unsigned __int128)({self.expr(node.a)}) * "
                    f"({self.expr(node.b)})) >> 64)"), _ATOM
        if op == "%" and t in ir.FLOATS:
            fn = "fmodf" if t == "f32" else "fmod"
            return f"{fn}({self.expr(node.a)}, {self.expr(node.b)})", _ATOM
        if op == "//":
            if t in ir.FLOATS:
                fn = "floorf" if t == "f32" else "floor"
                return f"{fn}({self.expr(node.a)} / {self.wrap(node.b, 14)})", _ATOM
            op = "/"
        p = _PREC_BIN[op]
        return f"{self.wrap(node.a, p)} {op} {self.wrap(node.b, p + 1)}", p

    def _print_UnOp(self, node: ir.UnOp) -> tuple[str, int]:
        t = node.type
        if node.op == "neg":
            return f"-{self.wrap(node.a, _PREC_UNARY)}", _PREC_UNARY
        if node.op == "not":
            return f"!{self.wrap(node.a, _PREC_UNARY)}", _PREC_UNARY
        if node.op == "abs":
            fn = {"f64": "fabs", "f32": "fabsf", "i64": "llabs", "i32": "abs"}.get(t)
            if fn is None:
                return self.expr(node.a), _ATOM  # unsigned: already non-negative
            return f"{fn}({self.expr(node.a)})", _ATOM
        fn = _MATH[node.op] + ("f" if t == "f32" else "")
        return f"{fn}({self.expr(node.a)})", _ATOM

    def _print_Cmp(self, node: ir.Cmp) -> tuple[str, int]:
        p = _PREC_CMP[node.op]
        return f"{self.wrap(node.a, p + 1)} {node.op} {self.wrap(node.b, p + 1)}", p

    def _print_Select(self, node: ir.Select) -> tuple[str, int]:
        return (f"{self.wrap(node.cond, _PREC_TERNARY + 1)} ? "
                f"{self.wrap(node.a, _PREC_TERNARY + 1)} : "
                f"{self.wrap(node.b, _PREC_TERNARY)}"), _PREC_TERNARY

    def _print_Cast(self, node: ir.Cast) -> tuple[str, int]:
        return f"({c_type(node.type)}){self.wrap(node.a, _PREC_UNARY)}", _PREC_UNARY

    # ------------------------------------------------------------------ statements
    def block(self, stmts: tuple[ir.Stmt, ...], depth: int, path: tuple[int, ...]
              ) -> list[str]:
        lines = [f"{self.indent * depth}{c_type(t)} {name};"
                 for name, t in self.decl_at.get(path, [])]
        for i, s in enumerate(stmts):
            lines += self.emit(s, depth, path + (i,))
        return lines

    def _print_Assign(self, node: ir.Assign, depth: int, path: tuple[int, ...]) -> list[str]:
        return wrap_assignment(f"{self.indent * depth}{node.var.name} = ",
                               self.expr(node.value), ";", self.indent, paren=False)

    def _print_Store(self, node: ir.Store, depth: int, path: tuple[int, ...]) -> list[str]:
        return wrap_assignment(f"{self.indent * depth}{node.array}[{self.expr(node.index)}] = ",
                               self.expr(node.value), ";", self.indent, paren=False)

    def _print_For(self, node: ir.For, depth: int, path: tuple[int, ...],
                   in_region: bool = False) -> list[str]:
        pad = self.indent * depth
        lines = []
        v = node.var.name
        if node.parallel:
            self.uses_omp = True
            priv = self.private.get(id(node), [])
            clause = f" private({', '.join(priv)})" if priv else ""
            what = "for" if in_region else "parallel for"
            lines.append(f"{pad}#pragma omp {what} schedule(static){clause}")
        head = (f"{pad}for ({c_type(node.var.type)} {v} = {self.expr(node.start)}; "
                f"{v} < {self.expr(node.stop)}; ++{v}) {{")
        if not node.parallel and self._can_hoist_region(node, path):
            # One parallel region around the whole loop (several steps per region): every
            # thread runs the step loop with private copies of the swapped pointers, the
            # parallel sweeps are work-shared (each ends in a barrier) and the rest (ghost
            # fills) runs on one thread.
            self.uses_omp = True
            swapped = sorted({n for st in node.body if isinstance(st, ir.SwapArrays)
                              for n in (st.a, st.b)})
            clause = f" firstprivate({', '.join(swapped)})" if swapped else ""
            lines.append(f"{pad}#pragma omp parallel{clause}")
            lines.append(pad + "{")
            inner = self.indent * (depth + 1)
            lines.append(head.replace(pad, inner, 1))
            lines += [f"{inner}{self.indent}{c_type(t)} {name};"
                      for name, t in self.decl_at.get(path, [])]
            single: list[str] = []

            def flush() -> None:
                if single:
                    lines.append(f"{inner}{self.indent}#pragma omp single")
                    lines.append(f"{inner}{self.indent}{{")
                    lines.extend(single)
                    lines.append(f"{inner}{self.indent}}}")
                    single.clear()

            for i, st in enumerate(node.body):
                here = path + (i,)
                if isinstance(st, ir.For) and st.parallel:
                    flush()
                    lines += self._print_For(st, depth + 2, here, in_region=True)
                elif isinstance(st, (ir.Assign, ir.SwapArrays)):
                    flush()
                    lines += self.emit(st, depth + 2, here)
                elif isinstance(st, ir.Comment) and (not single or i + 1 == len(node.body) or (
                        isinstance(nxt := node.body[i + 1], (ir.For, ir.Assign, ir.SwapArrays))
                        and not (isinstance(nxt, ir.For) and not nxt.parallel))):
                    flush()
                    lines += self.emit(st, depth + 2, here)
                else:
                    single += self.emit(st, depth + 3, here)
            flush()
            lines.append(inner + "}")
            lines.append(pad + "}")
            return lines
        lines.append(head)
        lines += self.block(node.body, depth + 1, path)
        lines.append(pad + "}")
        return lines

    def _can_hoist_region(self, node: ir.For, path: tuple[int, ...]) -> bool:
        """A sequential loop whose body holds parallel loops directly, and whose other
        statements are safe to run on every thread (assignments to locals of the body, pointer
        swaps), gets one parallel region around it."""
        body = node.body
        if not any(isinstance(st, ir.For) and st.parallel for st in body):
            return False
        local = {name for name, _ in self.decl_at.get(path, [])}
        for st in body:
            if isinstance(st, ir.Assign) and st.var.name not in local:
                return False
            if isinstance(st, ir.For) and not st.parallel and ir.has_parallel_loop(st.body):
                return False
            if isinstance(st, ir.If) and ir.has_parallel_loop(st.then + st.orelse):
                return False
        return True

    def _print_If(self, node: ir.If, depth: int, path: tuple[int, ...]) -> list[str]:
        pad = self.indent * depth
        # locals used in both branches (and nowhere else) are planned at the If's own path:
        # declare them here, in the enclosing block, just before the if
        lines = [f"{pad}{c_type(t)} {name};" for name, t in self.decl_at.get(path, [])]
        lines.append(f"{pad}if ({self.expr(node.cond)}) {{")
        lines += self.block(node.then, depth + 1, path + (0,))
        if node.orelse:
            lines.append(pad + "} else {")
            lines += self.block(node.orelse, depth + 1, path + (1,))
        lines.append(pad + "}")
        return lines

    def _print_SwapArrays(self, node: ir.SwapArrays, depth: int, path: tuple[int, ...]
                          ) -> list[str]:
        t = self.arrays.get(node.a)
        if t is None or self.arrays.get(node.b) != t:
            raise CodegenError(f"SwapArrays({node.a}, {node.b}) needs two array arguments of "
                               "the same type")
        return [f"{self.indent * depth}{{ {c_type(t)} *swap_tmp = {node.a}; {node.a} = {node.b}; "
                f"{node.b} = swap_tmp; }}  /* pointer swap */"]

    def _print_Barrier(self, node: ir.Barrier, depth: int, path: tuple[int, ...]) -> list[str]:
        self.uses_barrier = True
        return [f"{self.indent * depth}mcgen_team_barrier({node.flags}, {self.expr(node.member)}, "
                f"{self.expr(node.size)}, {self.expr(node.epoch)});"]

    def _print_Comment(self, node: ir.Comment, depth: int, path: tuple[int, ...]) -> list[str]:
        return [f"{self.indent * depth}/* {node.text} */"]

    # ------------------------------------------------------------------ kernels
    def _plan_declarations(self, kernel: ir.Kernel) -> None:
        """Declare each local at the top of the innermost block holding all its uses; locals
        assigned inside a parallel loop but declared outside it are made private."""
        args = {a.name for a in kernel.args}
        types: dict[str, str] = {}
        paths: dict[str, list[tuple[int, ...]]] = {}
        loop_vars: set[str] = set()
        parallel_loops: list[tuple[ir.For, tuple[int, ...]]] = []

        def visit(stmts: tuple[ir.Stmt, ...], path: tuple[int, ...]) -> None:
            for i, s in enumerate(stmts):
                here = path + (i,)
                if isinstance(s, ir.Assign):
                    types.setdefault(s.var.name, s.var.type)
                for name in _var_names_stmt(s):
                    paths.setdefault(name, []).append(path)
                if isinstance(s, ir.For):
                    loop_vars.add(s.var.name)
                    if s.parallel:
                        parallel_loops.append((s, here))
                    visit(s.body, here)
                elif isinstance(s, ir.If):
                    visit(s.then, here + (0,))
                    visit(s.orelse, here + (1,))

        visit(kernel.body, ())
        self.decl_at = {}
        decl_path: dict[str, tuple[int, ...]] = {}
        for name, t in types.items():
            if name in args or name in loop_vars:
                continue
            ps = paths[name]
            common = ps[0]
            for p in ps[1:]:
                k = 0
                while k < min(len(common), len(p)) and common[k] == p[k]:
                    k += 1
                common = common[:k]
            decl_path[name] = common
            self.decl_at.setdefault(common, []).append((name, t))
        for s, here in parallel_loops:
            assigned = {n for n in _assigned_names(s.body)}
            self.private[id(s)] = sorted(n for n in assigned if n in decl_path and
                                         len(decl_path[n]) <= len(here) - 1 + 0 and
                                         here[:len(decl_path[n])] == decl_path[n])

    def signature(self, kernel: ir.Kernel) -> str:
        params = []
        for a in kernel.args:
            if a.array:
                const = "const " if a.intent == "in" else ""
                params.append(f"{const}{c_type(a.type)} *restrict {a.name}")
            else:
                params.append(f"{c_type(a.type)} {a.name}")
        ret = c_type(kernel.returns) if kernel.returns else "void"
        return f"{ret} {kernel.name}({', '.join(params)})"

    def _print_Kernel(self, kernel: ir.Kernel) -> dict[str, Any]:
        self.arrays = {a.name: a.type for a in kernel.args if a.array}
        for a in kernel.args:
            if a.array and a.intent == "in" and any(
                    isinstance(s, ir.SwapArrays) and a.name in (s.a, s.b)
                    for s in ir.walk(kernel.body)):
                raise CodegenError(f"array {a.name} is swapped but declared intent 'in'")
        self._plan_declarations(kernel)
        body = self.block(kernel.body, 1, ())
        if kernel.returns is not None:
            body.append(f"{self.indent}return result;")
        return {"name": kernel.name, "signature": self.signature(kernel),
                "doc": _comment_text(kernel.doc), "body": "\n".join(body),
                "args": [(a.name, f"{length_doc(a, c=True)} ({a.intent})" if a.array
                          else c_type(a.type))
                         for a in kernel.args],
                "requires": [expr_text(r) for r in kernel.requires]}


def _assigned_names(stmts: tuple[ir.Stmt, ...]) -> set[str]:
    return {s.var.name for s in ir.walk(stmts) if isinstance(s, ir.Assign)}


def _var_names_stmt(s: ir.Stmt) -> set[str]:
    """Variables a statement itself touches (not those of nested bodies)."""
    if isinstance(s, ir.Assign):
        return {s.var.name} | _var_names(s.value)
    if isinstance(s, ir.Store):
        return _var_names(s.index) | _var_names(s.value)
    if isinstance(s, ir.For):
        return _var_names(s.start) | _var_names(s.stop)
    if isinstance(s, ir.If):
        return _var_names(s.cond)
    return set()


def _comment_text(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).replace("*/", "* /").strip()


_HELPER = {
    "min": "static inline {t} mc_min_{n}({t} a, {t} b) {{ return a < b ? a : b; }}",
    "max": "static inline {t} mc_max_{n}({t} a, {t} b) {{ return a > b ? a : b; }}",
}


@dataclass(frozen=True)
class CSource:
    """The printed C source and header of a module."""

    name: str
    source: str
    header: str
    uses_omp: bool


def render_c(module: ir.Module) -> CSource:
    """C99 source and header of ``module`` (deterministic: same IR, same bytes)."""
    printer = CPrinter()
    kernels = [printer.emit(k) for k in module.kernels]
    helpers = [_HELPER[op].format(t=c_type(t), n=t) for op, t in sorted(printer.helpers)]
    meta = {k: _comment_text(v) for k, v in sorted(module.meta.items())}
    env = template_env()
    guard = f"MCGEN_{module.name.upper()}_H"
    ctx = {"module": module.name, "meta": meta, "kernels": kernels, "helpers": helpers,
           "uses_omp": printer.uses_omp, "guard": guard, "uses_barrier": printer.uses_barrier,
           "barrier_stride": ir.BARRIER_STRIDE, "cflags": " ".join(DEFAULT_CFLAGS)}
    source = env.get_template("c_source.c.jinja").render(**ctx)
    header = env.get_template("c_header.h.jinja").render(**ctx)
    return CSource(module.name, source, header, printer.uses_omp)


# ---------------------------------------------------------------------------- building

_CTYPE = {"f64": ctypes.c_double, "f32": ctypes.c_float, "i64": ctypes.c_int64,
          "i32": ctypes.c_int32, "u64": ctypes.c_uint64, "u32": ctypes.c_uint32,
          "bool": ctypes.c_bool}
_NPTYPE = {"f64": np.float64, "f32": np.float32, "i64": np.int64, "i32": np.int32,
           "u64": np.uint64, "u32": np.uint32, "bool": np.bool_}


class CFunction:
    """A ctypes-loaded kernel called with numpy arrays and Python scalars in IR argument order
    (every call is checked by :class:`mcgen.codegen.call_checks.CallContract`, then the arrays are
    passed as pointers)."""

    def __init__(self, lib: ctypes.CDLL, kernel: ir.Kernel) -> None:
        self.kernel = kernel
        self._fn = getattr(lib, kernel.name)
        self._fn.argtypes = [ctypes.c_void_p if a.array else _CTYPE[a.type]
                             for a in kernel.args]
        self._fn.restype = _CTYPE[kernel.returns] if kernel.returns else None
        self._arrays = [(i, a) for i, a in enumerate(kernel.args) if a.array]
        self._contract = CallContract(kernel)

    def __call__(self, *args: Any) -> Any:
        self._contract(args)  # shapes, lengths, dtypes, sizes: before any C runs
        conv = list(args)
        for i, _ in self._arrays:
            conv[i] = args[i].ctypes.data
        return self._fn(*conv)


@dataclass
class CArtifact:
    """A built C module: its printed source, the shared library and the loaded handle."""

    source: CSource
    path: Path        # the shared library
    lib: ctypes.CDLL
    module: ir.Module

    def function(self, name: str) -> CFunction:
        for k in self.module.kernels:
            if k.name == name:
                return CFunction(self.lib, k)
        raise CodegenError(f"no kernel {name!r} in {self.path}")


@functools.lru_cache(maxsize=16)
def compiler_identity(cc: str, flags: tuple[str, ...]) -> str:
    """What the compiler makes of ``flags`` on this machine: its version and its driver's
    expansion of the flags (``-###``: ``-march=native`` resolved to the CPU and its feature
    list), so the cache key changes with the compiler, its version and the target CPU."""
    try:
        version = subprocess.run([cc, "--version"], capture_output=True, text=True,
                                 timeout=60).stdout.splitlines()[:1]
        driver = subprocess.run([cc, *flags, "-###", "-E", "-x", "c", os.devnull],
                                capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.SubprocessError) as exc:
        raise CodegenError(f"cannot run the C compiler {cc!r} ({exc}): install one or set "
                           "KernelConfig.cc") from None
    return "\n".join(version) + "\n" + driver


def build_c(module: ir.Module, cache_dir: Path, cc: str = "cc",
            cflags: tuple[str, ...] = DEFAULT_CFLAGS) -> CArtifact:
    """Print, compile (``cc`` with :data:`DEFAULT_CFLAGS` ``[-fopenmp]``) and load the module.

    The library is cached under ``cache_dir/c/``, keyed by a hash of the source, the compiler,
    its version, the flags and the CPU ``-march=native`` resolves to
    (:func:`compiler_identity`); it is loaded only after its recorded sha256 and its owner are
    verified (:func:`mcgen.codegen.cache.read_entry`), else rebuilt."""
    from mcgen.codegen import cache as kcache

    src = render_c(module)
    flags = list(cflags) + (["-fopenmp"] if src.uses_omp else [])
    ident_text = compiler_identity(cc, tuple(flags))
    key = text_hash(src.source + "\0" + cc + "\0" + " ".join(flags) + "\0" + ident_text)[:16]
    folder = kcache.ensure_root(Path(cache_dir)) / "c"
    base = folder / f"{module.name}_{key}"
    so = base.with_suffix(".so")
    atomic_write(base.with_suffix(".c"), src.source.encode())  # rewritten if it differs
    atomic_write(base.with_suffix(".h"), src.header.encode())

    def compile_so() -> bytes:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{so.name}.", suffix=".tmp")
        os.close(fd)
        cmd = [cc, *flags, "-std=c99", "-o", tmp, str(base.with_suffix(".c")), "-lm"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        try:
            if proc.returncode != 0:
                raise CodegenError(f"the C compiler failed on {base.with_suffix('.c')}"
                                   f":\n{' '.join(cmd)}\n{proc.stderr[-4000:]}")
            return Path(tmp).read_bytes()
        finally:
            os.unlink(tmp)

    kcache.verified_or_built(so, key.ljust(16, "0"), compile_so, Path(cache_dir))
    lib = ctypes.CDLL(str(so))
    return CArtifact(src, so, lib, module)
