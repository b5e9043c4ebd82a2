"""Safe JSON round trip and stable hashes for SymPy objects.

Reading builds only what the schema allows: every node of the file is one of a closed list of
SymPy node types, each rebuilt by calling that class on already-rebuilt arguments. No string from
a file is ever given to ``sympify``, ``lambdify``, ``parse_expr`` or ``eval``: names of symbols and
functions are checked against a pattern, numbers against size bounds (digits, precision, exponents)
and nesting against a depth bound, so a hostile or corrupt file is refused quickly with a
:class:`~mcgen.errors.DerivationFileError` naming the JSON path of the bad node.

Types defined by later layers (lattice reads, model objects) register an encoder/decoder pair with
:func:`register_atom`, or :func:`register_class` for frozen dataclasses, whose fields are then
checked against the class's type hints before the class is called.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import types
import typing
from collections.abc import Callable
from typing import Any

import sympy as sp
from mpmath.libmp import from_man_exp
from sympy.core.assumptions import _assume_defined
from sympy.core.function import AppliedUndef, UndefinedFunction
from sympy.core.symbol import Str
from sympy.functions.elementary.piecewise import ExprCondPair

from mcgen.errors import DerivationFileError, McgenError

# ---------------------------------------------------------------- bounds on what a file may ask for
MAX_DEPTH = 120          # JSON nesting levels (the catalogue's deepest derivation uses ~30)
MAX_TEXT = 100_000       # characters of a free-text string (titles, reasons)
MAX_DIGITS = 1000        # decimal digits of an integer, numerator or denominator
MAX_PREC = 4096          # bits of precision of a Float
MAX_FLOAT_EXP = 100_000  # |binary or decimal exponent| of a Float literal
MAX_EXPONENT = 100       # |p| and q of a rational power, the order of a derivative
MAX_NUMBER_BITS = 100_000  # estimated size of a number a check could be asked to form
MAX_RANGE = 10_000       # length of a numeric Sum/Product range, argument of factorial
MAX_RAW_INT = 2**31      # plain JSON integers (indices, dimensions, offsets)
MAX_MATRIX_SIDE = 256    # rows and columns of a matrix (exact rank and LP checks on it)

# A Symbol's name is never evaluated (the loader calls Symbol(name) itself), so labels such as
# "(I + r K)^{-1}" or "==" are fine; quotes, backslashes and control characters stay out so a
# name can never close a string in any printed source, and the length is bounded.
MAX_SYMBOL_NAME = 160
_LABEL_CHARS = r"\w()\[\]{},.+\-*/^<>=!|:"
_SYMBOL_NAME = re.compile(f"[{_LABEL_CHARS}][ {_LABEL_CHARS}]{{0,{MAX_SYMBOL_NAME - 1}}}\\Z")
_FUNCTION_NAME = re.compile(r"(?!__)[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
_TAG = re.compile(r"[a-z_]{1,32}\Z")
_INT = re.compile(rf"[+-]?[0-9]{{1,{MAX_DIGITS}}}\Z")
_DECIMAL = re.compile(r"([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))(?:[eE]([+-]?[0-9]{1,6}))?\Z")
_HEX_FLOAT = re.compile(rf"(-?)0x([0-9a-f]{{1,{MAX_PREC // 4 + 1}}})p([+-]?[0-9]{{1,6}})\Z")
_PY_FLOAT = re.compile(r"[+-]?(?:[0-9.]{1,40}(?:e[+-]?[0-9]{1,4})?|inf|nan)\Z")

_Decoder = Callable[[Any, str, int], Any]
_ATOMS: dict[str, tuple[type, Callable[[Any], Any], _Decoder]] = {}


def load_registrations() -> None:
    """Import mcgen's later layers, which register their types and check procedures.

    The proof layer names them only by string (it imports nothing of mcgen statically), so a
    derivation read back from JSON in a fresh process re-checks without the caller importing
    anything first.
    """
    import importlib

    for name in ("mcgen.model", "mcgen.analysis", "mcgen.synthesis"):
        importlib.import_module(name)


def register_atom(tag: str, cls: type, encode: Callable[[Any], Any],
                  decode: Callable[[Any], Any]) -> None:
    """Teach the serializer a type defined outside SymPy (a SymPy subclass or a model object).

    ``decode`` receives plain JSON data only (``None``, booleans, bounded integers and strings,
    lists of them: checked before it is called) and must validate it itself. Registered types are
    tried before the built-in SymPy cases (a Symbol subclass wins over Symbol).
    """

    def checked(data: Any, path: str, depth: int) -> Any:
        _plain(data, path, depth)
        return _construct(decode, (data,), {}, path, tag)

    _ATOMS[tag] = (cls, encode, checked)


def register_class(tag: str, decode: _Decoder | None = None) -> Callable[[type], type]:
    """Class decorator: serialize instances through their ``to_data`` method.

    Reading decodes each field and checks it against the dataclass's type hints before calling
    the class (so no field typed ``Any`` or ``sp.Expr`` can smuggle in a string to be parsed);
    ``decode(data, path, depth)`` replaces that for classes with their own schema.
    """

    def deco(cls: type) -> type:
        dec: _Decoder = decode or (lambda d, p, n: decode_dataclass(cls, d, p, n))
        _ATOMS[tag] = (cls, lambda o: o.to_data(), dec)  # type: ignore[attr-defined]
        return cls

    return deco


# ---------------------------------------------------------------- writing


def to_data(obj: Any) -> Any:
    """Encode a SymPy object (or plain container of them) as JSON-compatible data."""
    if isinstance(obj, (bool, int, str)) or obj is None:
        return obj
    if isinstance(obj, float):
        return {"float": repr(obj)}  # repr round-trips a binary64 exactly
    if isinstance(obj, (list, tuple)):
        return {"list": [to_data(o) for o in obj]}
    if isinstance(obj, dict):
        return {"dict": [[to_data(k), to_data(v)] for k, v in obj.items()]}
    for tag, (cls, enc, _) in _ATOMS.items():
        if isinstance(obj, cls):
            return {"atom": tag, "data": enc(obj)}
    if isinstance(obj, sp.MatrixBase):
        return {"matrix": [obj.rows, obj.cols, [to_data(e) for e in obj]]}
    if not isinstance(obj, sp.Basic):
        raise McgenError(f"cannot serialize {type(obj).__name__}: only SymPy objects, mcgen "
                         "model objects and plain containers of them")
    if obj is sp.true or obj is sp.false:
        return {"bool": bool(obj)}
    if isinstance(obj, sp.Integer):
        return {"int": str(obj.p)}
    if isinstance(obj, sp.Rational):
        return {"rat": [str(obj.p), str(obj.q)]}
    if isinstance(obj, sp.Float):
        return {"flt": [_hex_float(obj), obj._prec]}
    if isinstance(obj, sp.Dummy):
        return {"dummy": obj.name, "id": obj.dummy_index, "assume": _assumptions(obj)}
    if isinstance(obj, sp.Symbol):
        return {"sym": obj.name, "assume": _assumptions(obj)}
    if isinstance(obj, Str):
        return {"str": obj.name}
    if isinstance(obj, AppliedUndef):
        return {"undef": obj.func.__name__, "args": [to_data(a) for a in obj.args]}
    if isinstance(obj, UndefinedFunction):
        return {"ufunc": obj.__name__}
    if (obj.is_Atom or CONSTANTS.get(type(obj).__name__) is obj) and not obj.args:
        return {"const": type(obj).__name__}  # singletons: numbers and sets (EmptySet, Reals)
    return {"f": type(obj).__name__, "args": [to_data(a) for a in obj.args]}


def _hex_float(x: sp.Float) -> str:
    """The exact binary value of a Float: ``[-]0x<mantissa>p<exponent>`` (no decimal rounding,
    so a proved derivation with floats stays proved after a round trip)."""
    sign, man, exp, _ = x._mpf_
    return f"{'-' if sign else ''}0x{int(man):x}p{int(exp)}"


def _assumptions(s: sp.Symbol) -> dict[str, bool]:
    return {k: v for k, v in sorted(s._assumptions_orig.items()) if v is not None}


# ---------------------------------------------------------------- reading: the allowed node types


def _functions() -> dict[str, type]:
    from sympy.core.relational import (
        Equality,
        GreaterThan,
        LessThan,
        StrictGreaterThan,
        StrictLessThan,
        Unequality,
    )
    classes: tuple[type, ...] = (
        sp.Add, sp.Mul, sp.Pow, sp.Abs, sp.sign, sp.Max, sp.Min, sp.Piecewise, ExprCondPair,
        sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.cot, sp.sinh, sp.cosh, sp.tanh, sp.asin,
        sp.acos, sp.atan, sp.atan2, sp.Heaviside, sp.DiracDelta, sp.KroneckerDelta, sp.floor,
        sp.ceiling, sp.re, sp.im, sp.conjugate, sp.arg, sp.factorial, sp.chebyshevt,
        sp.elliptic_k,
        Equality, Unequality, LessThan, StrictLessThan, GreaterThan, StrictGreaterThan,
        sp.And, sp.Or, sp.Not, sp.Xor, sp.Implies, sp.Equivalent, sp.ITE, sp.Contains,
        sp.Tuple, sp.Derivative, sp.Sum, sp.Product, sp.Integral, sp.Lambda,
        sp.Interval, sp.Union, sp.Intersection, sp.Complement, sp.FiniteSet, sp.CRootOf)
    return {c.__name__: c for c in classes}


FUNCTIONS: dict[str, type] = _functions()
"""Node types a file may contain as ``{"f": name, "args": [...]}`` (closed list)."""

CONSTANTS: dict[str, sp.Basic] = {
    name: getattr(sp.S, name) for name in (
        "Pi", "Exp1", "ImaginaryUnit", "Infinity", "NegativeInfinity", "ComplexInfinity", "NaN",
        "Zero", "One", "NegativeOne", "Half", "EulerGamma", "EmptySet", "Reals", "Integers",
        "Naturals", "Naturals0", "Complexes", "UniversalSet")}
"""Constants a file may name as ``{"const": name}``."""

_ASSUMPTIONS = frozenset(_assume_defined)
_NO_EVALUATE_OPTION = (ExprCondPair, sp.Sum, sp.Product, sp.Integral, sp.Lambda, sp.Interval,
                       sp.CRootOf)


def _fail(path: str, why: str) -> DerivationFileError:
    return DerivationFileError(f"{path}: {why}")


def expect_keys(d: dict, required: tuple[str, ...], optional: tuple[str, ...],
                path: str) -> None:
    """Refuse an object whose keys are not exactly ``required`` plus some of ``optional``."""
    extra = sorted(set(d) - set(required) - set(optional))
    missing = [k for k in required if k not in d]
    if extra or missing:
        raise _fail(path, f"expected keys {list(required)}"
                    + (f" (optionally {list(optional)})" if optional else "")
                    + (f"; unexpected {extra}" if extra else "")
                    + (f"; missing {missing}" if missing else ""))


def text(v: Any, path: str, limit: int = MAX_TEXT) -> str:
    """A bounded string from a file (refused otherwise)."""
    if not isinstance(v, str):
        raise _fail(path, f"expected a string, got {type(v).__name__}")
    if len(v) > limit:
        raise _fail(path, f"string of {len(v)} characters (at most {limit})")
    return v


def raw_int(v: Any, path: str) -> int:
    """A bounded plain JSON integer (not a boolean)."""
    if isinstance(v, bool) or not isinstance(v, int):
        raise _fail(path, f"expected an integer, got {type(v).__name__}")
    if abs(v) > MAX_RAW_INT:
        raise _fail(path, f"integer {v} out of range (|n| <= {MAX_RAW_INT})")
    return v


def _name(v: Any, path: str, pattern: re.Pattern[str], what: str) -> str:
    s = text(v, path, 1000)
    if not pattern.match(s):
        raise _fail(path, f"{what} name {s[:80]!r} is not allowed: it must match "
                          f"{pattern.pattern[:-2]}")
    return s


def _big_int(v: Any, path: str) -> int:
    if not isinstance(v, str):
        raise _fail(path, f"expected an integer as a string of digits, got {type(v).__name__}")
    s = v
    if len(s) > MAX_DIGITS + 1 or not _INT.match(s):
        raise _fail(path, f"{s[:40]!r} is not an integer of at most {MAX_DIGITS} digits")
    return int(s)


def _plain(v: Any, path: str, depth: int) -> None:
    """Plain JSON data for a registered atom decoder: no floats, no objects, everything bounded."""
    if depth > MAX_DEPTH:
        raise _fail(path, f"nested deeper than {MAX_DEPTH} levels")
    if v is None or isinstance(v, bool):
        return
    if isinstance(v, int):
        raw_int(v, path)
    elif isinstance(v, str):
        text(v, path)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            _plain(x, f"{path}[{i}]", depth + 1)
    else:
        raise _fail(path, f"unexpected {type(v).__name__} in plain data")


def load_json(text_: str | bytes) -> Any:
    """``json.loads`` whose every failure is a :class:`DerivationFileError`."""
    try:
        return json.loads(text_)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DerivationFileError(f"not valid JSON: {e}") from None
    except (RecursionError, ValueError) as e:  # nesting or integer-digit limits of the parser
        raise DerivationFileError(f"JSON refused by the parser: {type(e).__name__}: "
                                  f"{str(e)[:200]}") from None


def from_data(d: Any, path: str = "$", depth: int = 0) -> Any:
    """Inverse of :func:`to_data`, building only allowed nodes (see the module docstring).

    Raises
    ------
    DerivationFileError : a node is unknown, malformed or out of bounds (the message names its
        JSON ``path``).
    """
    if depth > MAX_DEPTH:
        raise _fail(path, f"nested deeper than {MAX_DEPTH} levels")
    if d is None or isinstance(d, bool):
        return d
    if isinstance(d, int):
        return raw_int(d, path)
    if isinstance(d, str):
        return text(d, path)
    if isinstance(d, float):
        raise _fail(path, f"bare JSON number {d!r}: numbers are written as {{\"float\": ...}}, "
                          "{\"int\": ...}, {\"rat\": ...} or {\"flt\": ...}")
    if not isinstance(d, dict):
        raise _fail(path, f"expected an encoded object, got a {type(d).__name__}")
    if len(d) == 0:
        raise _fail(path, "empty object")
    key = next(iter(sorted(k for k in d if k in _DECODERS)), None) if d else None
    if key is None:
        raise _fail(path, f"unknown node with keys {sorted(map(str, d))[:8]}")
    return _DECODERS[key](d, path, depth)


def _dec_float(d: dict, path: str, depth: int) -> float:
    expect_keys(d, ("float",), (), path)
    s = text(d["float"], path + ".float", 48)
    if not _PY_FLOAT.match(s):
        raise _fail(path, f"{s!r} is not a float literal")
    try:
        return float(s)
    except ValueError:
        raise _fail(path, f"{s!r} is not a float literal") from None


def _dec_list(d: dict, path: str, depth: int) -> tuple:
    expect_keys(d, ("list",), (), path)
    items = d["list"]
    if not isinstance(items, list):
        raise _fail(path + ".list", "expected a JSON array")
    return tuple(from_data(o, f"{path}.list[{i}]", depth + 1) for i, o in enumerate(items))


def _dec_dict(d: dict, path: str, depth: int) -> dict:
    expect_keys(d, ("dict",), (), path)
    pairs = d["dict"]
    if not isinstance(pairs, list):
        raise _fail(path + ".dict", "expected a JSON array of [key, value] pairs")
    out: dict[Any, Any] = {}
    for i, kv in enumerate(pairs):
        p = f"{path}.dict[{i}]"
        if not isinstance(kv, list) or len(kv) != 2:
            raise _fail(p, "expected a [key, value] pair")
        k = from_data(kv[0], p + "[0]", depth + 2)
        try:
            hash(k)
        except TypeError:
            raise _fail(p + "[0]", f"a {type(k).__name__} cannot be a dictionary key") from None
        out[k] = from_data(kv[1], p + "[1]", depth + 2)
    return out


def _dec_matrix(d: dict, path: str, depth: int) -> sp.ImmutableMatrix:
    expect_keys(d, ("matrix",), (), path)
    m = d["matrix"]
    if not (isinstance(m, list) and len(m) == 3 and isinstance(m[2], list)):
        raise _fail(path, "expected [rows, cols, [elements]]")
    r, c = raw_int(m[0], path + ".matrix[0]"), raw_int(m[1], path + ".matrix[1]")
    if not (0 <= r <= MAX_MATRIX_SIDE and 0 <= c <= MAX_MATRIX_SIDE):
        raise _fail(path, f"a {r} x {c} matrix (at most {MAX_MATRIX_SIDE} rows and columns)")
    if r * c != len(m[2]):
        raise _fail(path, f"a {r} x {c} matrix with {len(m[2])} elements")
    elems = [_basic(from_data(e, f"{path}.matrix[2][{i}]", depth + 2), f"{path}.matrix[2][{i}]")
             for i, e in enumerate(m[2])]
    return sp.ImmutableMatrix(r, c, elems)


def _dec_atom(d: dict, path: str, depth: int) -> Any:
    expect_keys(d, ("atom", "data"), (), path)
    tag = text(d["atom"], path + ".atom", 32)
    if not _TAG.match(tag):
        raise _fail(path + ".atom", f"{tag!r} is not an atom tag")
    if tag not in _ATOMS:
        load_registrations()
    if tag not in _ATOMS:
        raise _fail(path + ".atom", f"unknown atom type {tag!r}")
    return _ATOMS[tag][2](d["data"], path + ".data", depth + 1)


def _dec_bool(d: dict, path: str, depth: int) -> sp.Basic:
    expect_keys(d, ("bool",), (), path)
    if not isinstance(d["bool"], bool):
        raise _fail(path + ".bool", "expected true or false")
    return sp.true if d["bool"] else sp.false


def _dec_int(d: dict, path: str, depth: int) -> sp.Integer:
    expect_keys(d, ("int",), (), path)
    return sp.Integer(_big_int(d["int"], path + ".int"))


def _dec_rat(d: dict, path: str, depth: int) -> sp.Rational:
    expect_keys(d, ("rat",), (), path)
    pq = d["rat"]
    if not isinstance(pq, list) or len(pq) != 2:
        raise _fail(path + ".rat", "expected [numerator, denominator]")
    p, q = _big_int(pq[0], path + ".rat[0]"), _big_int(pq[1], path + ".rat[1]")
    if q == 0:
        raise _fail(path + ".rat", "zero denominator")
    return sp.Rational(p, q)


def _dec_flt(d: dict, path: str, depth: int) -> sp.Float:
    expect_keys(d, ("flt",), (), path)
    v = d["flt"]
    if not isinstance(v, list) or len(v) != 2:
        raise _fail(path + ".flt", "expected [value, precision in bits]")
    s, prec = text(v[0], path + ".flt[0]", MAX_PREC), raw_int(v[1], path + ".flt[1]")
    if not 1 <= prec <= MAX_PREC:
        raise _fail(path + ".flt[1]", f"precision {prec} bits (allowed: 1 to {MAX_PREC})")
    hx = _HEX_FLOAT.match(s)
    if hx:  # exact binary value, as written by this version
        man, exp = int(hx.group(2), 16), int(hx.group(3))
        if abs(exp) > MAX_FLOAT_EXP:
            raise _fail(path + ".flt[0]", f"binary exponent {exp} (|e| <= {MAX_FLOAT_EXP})")
        man = -man if hx.group(1) else man
        return sp.Float._new(from_man_exp(man, exp), prec)
    dec = _DECIMAL.match(s)  # decimal, as written by earlier versions
    if not dec or len(dec.group(1)) > MAX_DIGITS:
        raise _fail(path + ".flt[0]", f"{s[:40]!r} is not a float literal of at most "
                                      f"{MAX_DIGITS} digits")
    if dec.group(2) and abs(int(dec.group(2))) > MAX_FLOAT_EXP:
        raise _fail(path + ".flt[0]", f"decimal exponent {dec.group(2)} (|e| <= {MAX_FLOAT_EXP})")
    return sp.Float(s, precision=prec)


def _assume(d: dict, path: str) -> dict[str, bool]:
    a = d.get("assume", {})
    if not isinstance(a, dict):
        raise _fail(path + ".assume", "expected an object of assumptions")
    for k, v in a.items():
        if k not in _ASSUMPTIONS or not isinstance(v, bool):
            raise _fail(f"{path}.assume.{str(k)[:40]}", "not a SymPy assumption with a boolean")
    return a


def _dec_dummy(d: dict, path: str, depth: int) -> sp.Dummy:
    expect_keys(d, ("dummy", "id"), ("assume",), path)
    name = _name(d["dummy"], path + ".dummy", _SYMBOL_NAME, "symbol")
    return _construct(sp.Dummy, (name,), {"dummy_index": raw_int(d["id"], path + ".id"),
                                          **_assume(d, path)}, path, "Dummy")


def _dec_sym(d: dict, path: str, depth: int) -> sp.Symbol:
    expect_keys(d, ("sym",), ("assume",), path)
    name = _name(d["sym"], path + ".sym", _SYMBOL_NAME, "symbol")
    return _construct(sp.Symbol, (name,), _assume(d, path), path, "Symbol")


def _dec_str(d: dict, path: str, depth: int) -> Str:
    expect_keys(d, ("str",), (), path)
    return Str(_name(d["str"], path + ".str", _SYMBOL_NAME, "string atom"))


def _dec_undef(d: dict, path: str, depth: int) -> sp.Basic:
    expect_keys(d, ("undef", "args"), (), path)
    f = sp.Function(_name(d["undef"], path + ".undef", _FUNCTION_NAME, "function"))
    args = _args(d, path, depth)
    return _construct(f, args, {}, path, "undefined function")


def _dec_ufunc(d: dict, path: str, depth: int) -> Any:
    expect_keys(d, ("ufunc",), (), path)
    return sp.Function(_name(d["ufunc"], path + ".ufunc", _FUNCTION_NAME, "function"))


def _dec_const(d: dict, path: str, depth: int) -> sp.Basic:
    expect_keys(d, ("const",), (), path)
    name = text(d["const"], path + ".const", 64)
    if name not in CONSTANTS:
        raise _fail(path + ".const", f"{name!r} is not an allowed constant")
    return CONSTANTS[name]


def _dec_f(d: dict, path: str, depth: int) -> sp.Basic:
    expect_keys(d, ("f", "args"), (), path)
    name = text(d["f"], path + ".f", 64)
    cls = FUNCTIONS.get(name)
    if cls is None:
        raise _fail(path + ".f", f"{name!r} is not an allowed node type (allowed: "
                                 f"{', '.join(sorted(FUNCTIONS))})")
    args = _args(d, path, depth)
    _kinds(cls, args, path)
    _bounded(cls, args, path)
    # rebuild exactly what was written: evaluation could change the form (And(0 <= nu, ...)
    # with nu >= 0 drops a part), and with it the derivation's hash
    kwargs = {} if issubclass(cls, _NO_EVALUATE_OPTION) else {"evaluate": False}
    return _construct(cls, args, kwargs, path, name)


def _args(d: dict, path: str, depth: int) -> tuple[sp.Basic, ...]:
    if not isinstance(d["args"], list):
        raise _fail(path + ".args", "expected a JSON array")
    return tuple(_basic(from_data(a, f"{path}.args[{i}]", depth + 1), f"{path}.args[{i}]")
                 for i, a in enumerate(d["args"]))


def _basic(v: Any, path: str) -> sp.Basic:
    # SymPy classes sympify their arguments: a plain string here would be parsed as Python
    if not isinstance(v, sp.Basic):
        raise _fail(path, f"expected a SymPy expression, got {type(v).__name__}")
    return v


def _construct(cls: Any, args: tuple, kwargs: dict, path: str, what: str) -> Any:
    try:
        return cls(*args, **kwargs)
    except DerivationFileError:
        raise
    except Exception as e:  # noqa: BLE001  (whatever a constructor raises on file data)
        raise _fail(path, f"{what} refused its arguments: {type(e).__name__}: "
                          f"{str(e)[:200]}") from None


def _kinds(cls: type, args: tuple[sp.Basic, ...], path: str) -> None:
    """Arithmetic, functions and order relations take numbers (Expr); logic takes truth values.
    Eq and Ne compare any two objects (sets, tuples, truth values) and are left to SymPy."""
    from sympy.core.relational import Relational
    from sympy.logic.boolalg import Boolean, BooleanFunction
    if issubclass(cls, (sp.Add, sp.Mul, sp.Pow, sp.Function, Relational)) and \
            cls not in (sp.Piecewise, sp.Eq, sp.Ne):
        want: type = sp.Expr
    elif issubclass(cls, BooleanFunction) and cls is not sp.Contains:
        want = Boolean
    else:
        return
    for i, a in enumerate(args):
        if not isinstance(a, want):
            raise _fail(f"{path}.args[{i}]", f"{cls.__name__} takes "
                        f"{'expressions' if want is sp.Expr else 'truth values'}, not "
                        f"{type(a).__name__}")


def _bounded(cls: type, args: tuple[sp.Basic, ...], path: str) -> None:
    """Refuse arguments that would make a later exact computation explode (10**10**9, a
    derivative of order 10**9, a sum over a billion terms)."""
    if cls is sp.Pow and len(args) == 2:
        e = args[1]
        if isinstance(e, sp.Rational) and (abs(e.p) > MAX_EXPONENT or e.q > MAX_EXPONENT):
            raise _fail(path, f"exponent {e} too large (|p|, q <= {MAX_EXPONENT})")
        if isinstance(e, sp.Rational) and _bits(args[0]) * abs(e.p) > MAX_NUMBER_BITS:
            raise _fail(path, f"power of a number of ~{_bits(args[0])} bits to {e}: the result "
                              f"would exceed {MAX_NUMBER_BITS} bits")
    elif cls is sp.Derivative:
        for v in args[1:]:
            n = v.args[1] if isinstance(v, sp.Tuple) and len(v.args) == 2 else None
            if n is not None and (not isinstance(n, sp.Integer) or not 0 <= n <= MAX_EXPONENT):
                raise _fail(path, f"derivative order {n} (an integer from 0 to {MAX_EXPONENT})")
    elif cls in (sp.Sum, sp.Product):
        for lim in args[1:]:
            if isinstance(lim, sp.Tuple) and len(lim.args) == 3 and \
                    all(isinstance(b, sp.Integer) for b in lim.args[1:]) and \
                    abs(lim.args[2] - lim.args[1]) > MAX_RANGE:
                raise _fail(path, f"range {lim.args[1]}..{lim.args[2]} longer than {MAX_RANGE}")
    elif cls is sp.Integral and not (len(args) == 2 and isinstance(args[1], sp.Tuple) and
                                     len(args[1].args) == 3 and
                                     isinstance(args[1].args[0], sp.Symbol)):
        raise _fail(path, "Integral needs one definite range (variable, lower, upper)")
    elif cls is sp.factorial and args and isinstance(args[0], sp.Integer) and \
            abs(args[0]) > MAX_RANGE:
        raise _fail(path, f"factorial({args[0]}): argument above {MAX_RANGE}")
    elif cls is sp.CRootOf:  # an exact algebraic number: root `index` of a univariate polynomial
        poly = args[0] if len(args) == 2 else None
        gens = poly.free_symbols if isinstance(poly, sp.Expr) else set()
        if not isinstance(poly, sp.Expr) or len(gens) != 1 or \
                not isinstance(args[1], sp.Integer) or not poly.is_polynomial(*gens) or \
                not 1 <= sp.degree(poly, *gens) <= MAX_EXPONENT or \
                not 0 <= int(args[1]) < sp.degree(poly, *gens):
            raise _fail(path, "CRootOf needs a polynomial in one symbol of degree 1 to "
                              f"{MAX_EXPONENT} and a root index below the degree")
    elif cls is sp.chebyshevt and args and isinstance(args[0], sp.Integer) and \
            abs(args[0]) > MAX_EXPONENT:
        raise _fail(path, f"chebyshevt of degree {args[0]} (at most {MAX_EXPONENT})")


def _bits(e: sp.Basic) -> int:
    """A cheap upper estimate of the bits of the number ``e`` evaluates to (1 for a symbol)."""
    if isinstance(e, sp.Integer):
        return max(1, int(e.p).bit_length())
    if isinstance(e, sp.Rational):
        return int(e.p).bit_length() + int(e.q).bit_length()
    if isinstance(e, sp.Float):
        return int(e._prec)
    if isinstance(e, sp.Pow) and isinstance(e.exp, sp.Rational):
        return _bits(e.base) * max(1, abs(int(e.exp.p)))
    if not e.args:
        return 1
    parts = [_bits(a) for a in e.args]
    return max(parts) + len(parts) if isinstance(e, sp.Add) else sum(parts)


_DECODERS: dict[str, _Decoder] = {
    "float": _dec_float, "list": _dec_list, "dict": _dec_dict, "matrix": _dec_matrix,
    "atom": _dec_atom, "bool": _dec_bool, "int": _dec_int, "rat": _dec_rat, "flt": _dec_flt,
    "dummy": _dec_dummy, "sym": _dec_sym, "str": _dec_str, "undef": _dec_undef,
    "ufunc": _dec_ufunc, "const": _dec_const, "f": _dec_f,
}


# ---------------------------------------------------------------- dataclass fields by type hint


def decode_dataclass(cls: type, data: Any, path: str = "$", depth: int = 0) -> Any:
    """Rebuild a frozen dataclass from ``{field: encoded value}``, each field checked against its
    type hint before the class is called (so the constructor's own ``sympify`` never sees a
    string where an expression belongs)."""
    if not isinstance(data, dict):
        raise _fail(path, f"expected the fields of a {cls.__name__} as a JSON object")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    extra = sorted(str(k)[:40] for k in data if k not in fields)
    if extra:
        raise _fail(path, f"{cls.__name__} has no fields {extra}")
    missing = [n for n, f in fields.items() if n not in data and
               f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise _fail(path, f"{cls.__name__} needs fields {missing}")
    return construct_checked(cls, {k: from_data(v, f"{path}.{k}", depth + 1)
                                   for k, v in data.items()}, path)


def construct_checked(cls: type, values: dict[str, Any], path: str = "$") -> Any:
    """Call ``cls(**values)`` (values already decoded from a file) after checking each against
    its field's type hint: a file's string never reaches a constructor that would parse it."""
    hints = _hints(cls)
    for k, value in values.items():
        hint = hints.get(k, Any)
        if not _conforms(value, hint):
            raise _fail(f"{path}.{k}", f"{cls.__name__}.{k} must be {_hint_name(hint)}, got "
                                       f"{type(value).__name__}")
    return _construct(cls, (), values, path, cls.__name__)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        try:
            _HINTS[cls] = typing.get_type_hints(cls)
        except (NameError, TypeError):  # unresolvable hints: every field treated as Any
            _HINTS[cls] = {}
    return _HINTS[cls]


def _hint_name(hint: Any) -> str:
    return "an expression (not a string)" if hint is Any else str(hint).replace("typing.", "")


def _conforms(v: Any, hint: Any) -> bool:
    if hint is Any or hint is object:
        return not has_text(v)  # model constructors sympify their Any fields
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(v, a) for a in args)
    if hint is type(None):
        return v is None
    if origin is tuple:
        if not isinstance(v, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(x, args[0]) for x in v)
        return len(args) == len(v) and all(_conforms(x, a) for x, a in zip(v, args, strict=True))
    if origin is dict:
        return isinstance(v, dict) and all(_conforms(k, args[0]) and _conforms(x, args[1])
                                           for k, x in v.items())
    if origin is not None:
        return not has_text(v)
    if hint in (int, bool):
        return isinstance(v, hint) and (hint is bool or not isinstance(v, bool))
    if hint is float:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if isinstance(hint, type):
        return isinstance(v, hint)
    return not has_text(v)


def has_text(v: Any) -> bool:
    """Whether a plain string hides in ``v`` (a decoded value, through tuples and dicts)."""
    if isinstance(v, str):
        return True
    if isinstance(v, tuple):
        return any(has_text(x) for x in v)
    if isinstance(v, dict):
        return any(has_text(k) or has_text(x) for k, x in v.items())
    return False


# ---------------------------------------------------------------- text and hashes


def dumps(obj: Any) -> str:
    """JSON text of a SymPy object (deterministic: sorted keys, no whitespace variation)."""
    return json.dumps(to_data(obj), sort_keys=True, separators=(",", ":"))


def loads(text_: str) -> Any:
    """Inverse of :func:`dumps` (safe on untrusted text: see :func:`from_data`)."""
    return from_data(load_json(text_))


def stable_hash(*objs: Any) -> str:
    """sha256 of the canonical serialization: independent of PYTHONHASHSEED and of the process."""
    h = hashlib.sha256()
    for o in objs:
        h.update(dumps(_canonical(o)).encode())
        h.update(b"\x00")
    return h.hexdigest()


def _canonical(o: Any) -> Any:
    if isinstance(o, dict):
        items = [(_canonical(k), _canonical(v)) for k, v in o.items()]
        return dict(sorted(items, key=lambda kv: dumps(kv[0])))
    if isinstance(o, (set, frozenset)):
        return tuple(sorted((_canonical(x) for x in o), key=dumps))
    if isinstance(o, (list, tuple)):
        return tuple(_canonical(x) for x in o)
    return o
