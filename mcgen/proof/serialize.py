"""Safe JSON round trip and stable hashes for SymPy objects.

No ``eval``/``sympify`` on text: expressions are written as trees of whitelisted SymPy class names
and rebuilt by calling those classes. Types defined by later layers (lattice reads, for instance)
register an encoder/decoder pair with :func:`register_atom`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction
from sympy.core.symbol import Str

from mcgen.errors import McgenError

_ATOMS: dict[str, tuple[type, Callable[[Any], dict], Callable[[dict], Any]]] = {}


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

    Registered types are tried before the built-in SymPy cases (a Symbol subclass wins over
    Symbol).
    """
    _ATOMS[tag] = (cls, encode, decode)


_SYMPY_CLASSES: dict[str, type] = {}


def _all_sympy_classes() -> dict[str, type]:
    if not _SYMPY_CLASSES:
        stack = [sp.Basic]
        while stack:
            c = stack.pop()
            if (c.__module__ or "").startswith("sympy.") and c.__name__ not in _SYMPY_CLASSES:
                _SYMPY_CLASSES[c.__name__] = c
            stack.extend(c.__subclasses__() if c is not type else [])
        for name in dir(sp):  # public names win over internal classes of the same name
            obj = getattr(sp, name)
            if isinstance(obj, type) and issubclass(obj, sp.Basic):
                _SYMPY_CLASSES[obj.__name__] = obj
    return _SYMPY_CLASSES


def _class_by_name(name: str) -> type:
    cls = _all_sympy_classes().get(name)
    if cls is None:
        raise McgenError(f"cannot decode SymPy class {name!r}: not a SymPy type")
    return cls


def to_data(obj: Any) -> Any:
    """Encode a SymPy object (or plain container of them) as JSON-compatible data."""
    if isinstance(obj, (bool, int, str)) or obj is None:
        return obj
    if isinstance(obj, float):
        return {"float": repr(obj)}
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
        return {"flt": [str(obj), obj._prec]}
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
    if obj.is_Atom and not obj.args:
        return {"const": type(obj).__name__}
    return {"f": type(obj).__name__, "args": [to_data(a) for a in obj.args]}


def _assumptions(s: sp.Symbol) -> dict[str, bool]:
    return {k: v for k, v in sorted(s._assumptions_orig.items()) if v is not None}


def from_data(d: Any) -> Any:
    """Inverse of :func:`to_data`."""
    if not isinstance(d, dict):
        return d
    if "float" in d:
        return float(d["float"])
    if "list" in d:
        return tuple(from_data(o) for o in d["list"])
    if "dict" in d:
        return {from_data(k): from_data(v) for k, v in d["dict"]}
    if "matrix" in d:
        r, c, elems = d["matrix"]
        return sp.ImmutableMatrix(r, c, [from_data(e) for e in elems])
    if "atom" in d:
        if d["atom"] not in _ATOMS:
            load_registrations()
        if d["atom"] not in _ATOMS:
            raise McgenError(f"unknown atom type {d['atom']!r}: import the module that defines it")
        return _ATOMS[d["atom"]][2](d["data"])
    if "bool" in d:
        return sp.true if d["bool"] else sp.false
    if "int" in d:
        return sp.Integer(int(d["int"]))
    if "rat" in d:
        return sp.Rational(int(d["rat"][0]), int(d["rat"][1]))
    if "flt" in d:
        return sp.Float(d["flt"][0], precision=d["flt"][1])
    if "dummy" in d:
        return sp.Dummy(d["dummy"], dummy_index=d["id"], **d["assume"])
    if "sym" in d:
        return sp.Symbol(d["sym"], **d["assume"])
    if "str" in d:
        return Str(d["str"])
    if "undef" in d:
        return sp.Function(d["undef"])(*[from_data(a) for a in d["args"]])
    if "ufunc" in d:
        return sp.Function(d["ufunc"])
    if "const" in d:
        cls = _class_by_name(d["const"])
        return cls()
    if "f" in d:
        cls = _class_by_name(d["f"])
        args = [from_data(a) for a in d["args"]]
        if issubclass(cls, (sp.Add, sp.Mul, sp.Pow)):
            return cls(*args, evaluate=False)
        return cls(*args)
    raise McgenError(f"malformed serialized expression: {d!r}")


def dumps(obj: Any) -> str:
    """JSON text of a SymPy object (deterministic: sorted keys, no whitespace variation)."""
    return json.dumps(to_data(obj), sort_keys=True, separators=(",", ":"))


def loads(text: str) -> Any:
    """Inverse of :func:`dumps`."""
    return from_data(json.loads(text))


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


def register_class(tag: str) -> Callable[[type], type]:
    """Class decorator: serialize instances through their ``to_data``/``from_data`` methods."""

    def deco(cls: type) -> type:
        register_atom(tag, cls, lambda o: o.to_data(), cls.from_data)  # type: ignore[attr-defined]
        return cls

    return deco
