"""Derivations: numbered, checked steps a person can read and a machine can re-check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from mcgen.proof import serialize
from mcgen.proof.check import Check, weakest


@dataclass(frozen=True)
class Step:
    """One claim, why it holds, how that is checked, and which earlier steps it uses."""

    claim: Any
    reason: str
    check: Check
    uses: tuple[int, ...] = ()
    status: str = "unknown"  # filled in by Derivation.recheck

    def to_data(self) -> dict[str, Any]:
        return {"claim": serialize.to_data(self.claim), "reason": self.reason,
                "check": self.check.to_data(), "uses": list(self.uses), "status": self.status}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> Step:
        return cls(serialize.from_data(d["claim"]), d["reason"], Check.from_data(d["check"]),
                   tuple(d["uses"]), d.get("status", "unknown"))


@serialize.register_class("derivation")
@dataclass(frozen=True)
class Derivation:
    """A titled sequence of checked steps ending in a result.

    ``status`` is the weakest status of any step, where a step is no stronger than the steps it
    uses. Use :class:`DerivationBuilder` to make one; :meth:`recheck` re-runs every check.
    """

    title: str
    steps: tuple[Step, ...]
    result: Any
    status: str = "unknown"
    meta: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ checking
    def recheck(self) -> Derivation:
        """Re-run every check (also valid after a JSON round trip) and return the result."""
        done: list[Step] = []
        for i, st in enumerate(self.steps):
            bad = [u for u in st.uses if not 0 <= u < i]
            if bad:
                raise ValueError(f"step {i + 1} uses steps {bad} that do not precede it")
            own = st.check.run()
            inherited = [done[u].status for u in st.uses]
            done.append(replace(st, status=weakest([own, *inherited])))
        return replace(self, steps=tuple(done), status=weakest(s.status for s in done))

    # ------------------------------------------------------------------ rendering
    def render(self, fmt: str = "md") -> str:
        """Render as ``"md"`` (Markdown), ``"latex"`` or ``"json"``."""
        if fmt == "md":
            return self._markdown()
        if fmt == "latex":
            return self._latex()
        if fmt == "json":
            return json.dumps(self.to_data(), indent=1, sort_keys=True)
        raise ValueError(f"unknown format {fmt!r}: use 'md', 'latex' or 'json'")

    def _markdown(self) -> str:
        lines = [f"### {self.title}", "", f"*status: **{self.status}***", ""]
        for i, st in enumerate(self.steps, 1):
            uses = f" (from {', '.join(str(u + 1) for u in st.uses)})" if st.uses else ""
            lines.append(f"{i}. {_md(st.claim)}  \n   *{st.reason}*{uses}. "
                         f"Check: {st.check.kind} -> **{st.status}**.")
        lines += ["", f"**Result.** {_md(self.result)}"]
        return "\n".join(lines) + "\n"

    def _latex(self) -> str:
        lines = [f"\\paragraph{{{_tex_escape(self.title)}}} (status: {self.status})",
                 "\\begin{enumerate}"]
        for st in self.steps:
            uses = f" (from {', '.join(str(u + 1) for u in st.uses)})" if st.uses else ""
            lines.append(f"  \\item {_tex(st.claim)}\\\\ \\emph{{{_tex_escape(st.reason)}}}{uses}; "
                         f"check \\texttt{{{st.check.kind}}}: {st.status}.")
        lines += ["\\end{enumerate}", f"Result: {_tex(self.result)}"]
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:
        return self._markdown()

    def _repr_latex_(self) -> str:
        return self._latex()

    def __str__(self) -> str:
        return self._markdown()

    # ------------------------------------------------------------------ JSON
    def to_data(self) -> dict[str, Any]:
        from mcgen._version import __version__
        meta = {"mcgen_version": __version__, **self.meta}
        return {"title": self.title, "status": self.status,
                "steps": [s.to_data() for s in self.steps],
                "result": serialize.to_data(self.result), "meta": serialize.to_data(meta)}

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> Derivation:
        return cls(d["title"], tuple(Step.from_data(s) for s in d["steps"]),
                   serialize.from_data(d["result"]), d["status"],
                   serialize.from_data(d["meta"]))

    @classmethod
    def from_json(cls, text: str) -> Derivation:
        return cls.from_data(json.loads(text))

    @property
    def hash(self) -> str:
        """sha256 of the steps and result (not of the statuses)."""
        return serialize.stable_hash(self.title, [(s.claim, s.reason, s.check.kind, s.check.args,
                                                    s.uses) for s in self.steps], self.result)


class DerivationBuilder:
    """Accumulate steps, then :meth:`finish` runs every check.

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> b = DerivationBuilder("square")
    >>> i = b.identity((x + 1)**2, x**2 + 2*x + 1, "expand the square")
    >>> b.finish(x**2 + 2*x + 1).status
    'proved'
    """

    def __init__(self, title: str, meta: dict[str, Any] | None = None) -> None:
        self.title = title
        self.meta = dict(meta or {})
        self.steps: list[Step] = []

    def step(self, claim: Any, reason: str, check: Check | None = None,
             uses: tuple[int, ...] | list[int] = ()) -> int:
        """Add a step; returns its index for later ``uses``."""
        self.steps.append(Step(claim, reason, check or Check("follows"), tuple(uses)))
        return len(self.steps) - 1

    def identity(self, lhs: Any, rhs: Any, reason: str, uses: tuple[int, ...] | list[int] = (),
                 claim: Any = None) -> int:
        """A step claiming lhs == rhs, checked by cancel/simplify."""
        if claim is None:
            claim = sp.Eq(lhs, rhs, evaluate=False) if not isinstance(lhs, tuple) else (lhs, rhs)
        return self.step(claim, reason, Check("identity", (lhs, rhs)), uses)

    def define(self, claim: Any, reason: str) -> int:
        return self.step(claim, reason, Check("definition"))

    def finish(self, result: Any) -> Derivation:
        d = Derivation(self.title, tuple(self.steps), result, "unknown", self.meta).recheck()
        from mcgen.proof.check import _RANK
        from mcgen.proof.condition import Condition
        if isinstance(result, Condition) and _RANK[result.status] < _RANK[d.status]:
            # a condition is never stronger than the derivation that produced it
            d = replace(d, result=replace(result, status=d.status))
        return d


def _md(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "describe"):
        return obj.describe()
    if isinstance(obj, sp.Basic):
        return f"`{sp.sstr(obj)}`"
    if isinstance(obj, (tuple, list)):
        return ", ".join(_md(o) for o in obj)
    if isinstance(obj, dict):
        return "; ".join(f"{_md(k)}: {_md(v)}" for k, v in obj.items())
    return f"`{obj}`"


def _tex(obj: Any) -> str:
    if isinstance(obj, str):
        return _tex_escape(obj)
    if hasattr(obj, "latex"):
        return obj.latex()
    if isinstance(obj, sp.Basic):
        return f"${sp.latex(obj)}$"
    if isinstance(obj, (tuple, list)):
        return ", ".join(_tex(o) for o in obj)
    if isinstance(obj, dict):
        return "; ".join(f"{_tex(k)}: {_tex(v)}" for k, v in obj.items())
    return _tex_escape(str(obj))


def _tex_escape(s: str) -> str:
    for a, b in (("\\", "\\textbackslash{}"), ("&", "\\&"), ("%", "\\%"), ("#", "\\#"),
                 ("_", "\\_"), ("{", "\\{"), ("}", "\\}")):
        s = s.replace(a, b)
    return s
