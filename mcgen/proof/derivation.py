"""Derivations: numbered, checked steps a person can read and a machine can re-check."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from mcgen.errors import DerivationFileError
from mcgen.proof import serialize
from mcgen.proof.check import _RANK, STATUSES, Check, weakest
from mcgen.proof.condition import Condition

# Decision procedures whose cost grows steeply with their input: each bounds its own input (and
# refuses beyond), and a derivation may ask for only so many of them, so that recheck of a file
# (a forged one included) does bounded work. mcgen's 2-D analysis writes at most a dozen.
COSTLY_CHECKS_PER_DERIVATION = {"nonneg_on_plane": 16, "plane_region": 4,
                                "plane_region_mirrored": 4, "plane_region_sufficient": 4,
                                "plane_region_necessary": 4,
                                "nonneg_on_segment_closed_form": 4, "sos_on_torus": 2}

_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


def _status(v: Any, path: str) -> str:
    if v not in (*STATUSES,):
        raise DerivationFileError(f"{path}: status {str(v)[:40]!r} is not one of {STATUSES}")
    return str(v)


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
    def from_data(cls, d: Any, path: str = "$", depth: int = 0) -> Step:
        """Rebuild from :meth:`to_data` output read from a file (see :mod:`serialize`).

        A claim may be text or an expression: it is shown, never evaluated.
        """
        if not isinstance(d, dict):
            raise DerivationFileError(f"{path}: expected a step object")
        serialize.expect_keys(d, ("claim", "reason", "check", "uses"), ("status",), path)
        uses = d["uses"]
        if not isinstance(uses, list):
            raise DerivationFileError(f"{path}.uses: expected a list of step indices")
        return cls(serialize.from_data(d["claim"], path + ".claim", depth + 1),
                   serialize.text(d["reason"], path + ".reason"),
                   Check.from_data(d["check"], path + ".check", depth + 1),
                   tuple(serialize.raw_int(u, f"{path}.uses[{i}]") for i, u in enumerate(uses)),
                   _status(d.get("status", "unknown"), path + ".status"))


@serialize.register_class("derivation", decode=lambda d, p, n: Derivation.from_data(d, p, n))
@dataclass(frozen=True)
class Derivation:
    """A titled sequence of checked steps ending in a result.

    ``status`` is the weakest status of any step, where a step is no stronger than the steps it
    uses. Use :class:`DerivationBuilder` to make one; :meth:`recheck` re-runs every check.

    ``digest`` is the sha256 recorded in the file the derivation was read from (empty for one
    built in memory). JSON always carries the content hash (:attr:`hash`: title, steps with their
    claims, check kinds and arguments, and the result), and :meth:`recheck` refuses a derivation
    whose content no longer matches the recorded digest (an edited result, a changed check
    kind). It is a checksum, not a signature: whoever edits a file can recompute it, which is
    why every check is also re-run and the result's status is capped by what the re-run proves.
    """

    title: str
    steps: tuple[Step, ...]
    result: Any
    status: str = "unknown"
    meta: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    # the digest of the content exactly as read from a file (what the recorded digest covers);
    # comparing re-encoded objects instead would depend on how SymPy rebuilds them
    read_content: str = field(default="", compare=False, repr=False)

    # ------------------------------------------------------------------ checking
    def recheck(self) -> Derivation:
        """Re-run every check (also valid after a JSON round trip) and return the result.

        The returned derivation's status is the weakest of its steps, and a :class:`Condition`
        result is capped at that status (a sampled derivation never yields a ``proved``
        condition). The recorded digest, once verified, is dropped (the result is new content).

        Raises
        ------
        DerivationFileError : the content does not match the recorded digest, a step uses a
            step that does not precede it, or a check kind is not registered.
        """
        content = self.hash
        if self.digest and self.digest != content:
            raise DerivationFileError(
                f"derivation {self.title[:80]!r}: its content does not match its sha256 digest "
                f"(recorded {self.digest[:12]}..., content {content[:12]}...): it was edited "
                "after mcgen wrote it (a changed result, claim or check kind); derive it again")
        costly = Counter(st.check.kind for st in self.steps
                         if st.check.kind in COSTLY_CHECKS_PER_DERIVATION)
        for kind, n in costly.items():
            if n > COSTLY_CHECKS_PER_DERIVATION[kind]:
                raise DerivationFileError(
                    f"derivation {self.title[:80]!r}: {n} steps use the costly check {kind!r}; "
                    f"at most {COSTLY_CHECKS_PER_DERIVATION[kind]} are re-run (mcgen's analyses "
                    "write far fewer); the file was not written by mcgen as it is")
        done: list[Step] = []
        for i, st in enumerate(self.steps):
            bad = [u for u in st.uses if not 0 <= u < i]
            if bad:
                raise DerivationFileError(f"derivation {self.title[:80]!r}: step {i + 1} uses "
                                          f"steps {bad} that do not precede it")
            own = st.check.run()
            inherited = [done[u].status for u in st.uses]
            done.append(replace(st, status=weakest([own, *inherited])))
        status = weakest(s.status for s in done)
        result = self.result
        loose = _unconcluded(tuple(done), result)
        if loose:
            # issue 12: a result the steps do not conclude (edited after the fact, even with a
            # recomputed digest) is refuted, whatever the steps' own statuses
            status = "refuted"
            result = replace(result, status="refuted") if isinstance(result, Condition) else result
            return replace(self, steps=tuple(done), status=status, result=result, digest="",
                           read_content="", meta={**self.meta, "refuted_because":
                                 "the result is not the conclusion of any step: " + loose})
        if isinstance(result, Condition) and _RANK[result.status] < _RANK[status]:
            # a condition is never stronger than the derivation that produced it
            result = replace(result, status=status)
        return replace(self, steps=tuple(done), status=status, result=result, digest="",
                       read_content="")

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
        from mcgen.proof import render
        return render.derivation_markdown(self)

    def _latex(self) -> str:
        from mcgen.proof import render
        return render.derivation_latex(self)

    def _repr_markdown_(self) -> str:
        return self._markdown()

    def _repr_latex_(self) -> str:
        return self._latex()

    def _repr_html_(self) -> str:
        from mcgen.proof import render
        return render.derivation_html(self)

    def __str__(self) -> str:
        return self._markdown()

    # ------------------------------------------------------------------ JSON
    def to_data(self) -> dict[str, Any]:
        from mcgen._version import __version__
        meta = {"mcgen_version": __version__, **self.meta}
        return {"title": self.title, "status": self.status,
                "steps": [s.to_data() for s in self.steps],
                "result": serialize.to_data(self.result), "meta": serialize.to_data(meta),
                "sha256": self.digest or self.hash}

    @classmethod
    def from_data(cls, d: Any, path: str = "$", depth: int = 0) -> Derivation:
        """Rebuild from :meth:`to_data` output read from a file: only what the schema allows
        is built (see :mod:`mcgen.proof.serialize`); nothing in the file is executed.

        Raises
        ------
        DerivationFileError : a node is unknown, malformed or out of bounds (the message names
            its JSON path), or the derivation carries no sha256 digest.
        """
        if isinstance(d, list):
            raise DerivationFileError(
                f"{path}: a list of {len(d)} derivations (as `mcgen derive --format json` "
                "writes), not one: read it with Derivation.list_from_json(text)")
        if not isinstance(d, dict):
            raise DerivationFileError(f"{path}: expected a derivation object, got "
                                      f"{type(d).__name__}")
        if "sha256" not in d and {"title", "steps"} <= set(d):
            raise DerivationFileError(f"{path}: no sha256 digest (written by an mcgen before "
                                      "0.2 or by hand): derive it again with `mcgen derive`")
        serialize.expect_keys(d, ("title", "status", "steps", "result", "meta", "sha256"), (),
                              path)
        digest = serialize.text(d["sha256"], path + ".sha256", 64)
        if not _HEX64.match(digest):
            raise DerivationFileError(f"{path}.sha256: not a sha256 hex digest")
        steps = d["steps"]
        if not isinstance(steps, list):
            raise DerivationFileError(f"{path}.steps: expected a list of steps")
        meta = serialize.from_data(d["meta"], path + ".meta", depth + 1)
        if not isinstance(meta, dict) or not all(isinstance(k, str) for k in meta):
            raise DerivationFileError(f"{path}.meta: expected a dictionary with string keys")
        return cls(serialize.text(d["title"], path + ".title"),
                   tuple(Step.from_data(s, f"{path}.steps[{i}]", depth + 2)
                         for i, s in enumerate(steps)),
                   serialize.from_data(d["result"], path + ".result", depth + 1),
                   _status(d["status"], path + ".status"), meta, digest,
                   _content_digest(d["title"], steps, d["result"]))

    @classmethod
    def from_json(cls, text: str | bytes) -> Derivation:
        """Read one derivation from JSON text (``render("json")``); untrusted text is safe.

        For the list that ``mcgen derive --format json`` writes use :meth:`list_from_json`.
        """
        return cls.from_data(serialize.load_json(text))

    @classmethod
    def list_from_json(cls, text: str | bytes) -> list[Derivation]:
        """Read the JSON list ``mcgen derive --format json`` writes (a single object is read as
        a list of one)."""
        data = serialize.load_json(text)
        if isinstance(data, dict):
            return [cls.from_data(data)]
        if not isinstance(data, list):
            raise DerivationFileError(f"$: expected a list of derivations, got "
                                      f"{type(data).__name__}")
        return [cls.from_data(d, f"$[{i}]") for i, d in enumerate(data)]

    @property
    def hash(self) -> str:
        """sha256 of the title, the steps (claims, reasons, check kinds and arguments, uses) and
        the result as encoded (not of the statuses the steps and the derivation were given); for
        a derivation read from a file, of the content as read."""
        return self.read_content or _content_digest(self.title, [s.to_data() for s in self.steps],
                               serialize.to_data(self.result))


def _content_digest(title: Any, steps: list[Any], result: Any) -> str:
    """sha256 of encoded content: canonical JSON of the title, the steps without their
    statuses, and the result (the same bytes whether computed at writing or from a file)."""
    body = [title, [{k: v for k, v in st.items() if k != "status"} if isinstance(st, dict)
                    else st for st in steps], result]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


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

    def conclude(self, result: Any, computed: Any = None,
                 reason: str = "the result, as derived in the steps above",
                 uses: Sequence[int] = ()) -> int:
        """A final step stating ``result`` (by default using the step before it).

        With ``computed`` (the same value as built by the steps: an expression, a dict or a
        :class:`Condition`) the step re-checks the result against it, entry by entry; without,
        the step follows from the steps it uses. :meth:`Derivation.recheck` refutes a
        derivation whose result no step concludes (issue 12).
        """
        uses = tuple(uses) or ((len(self.steps) - 1,) if self.steps else ())
        check = Check("follows") if computed is None else Check("identity",
                                                                _pair(result, computed))
        return self.step(result, reason, check, uses)

    def finish_concluded(self, result: Any,
                         reason: str = "the result, from the steps above") -> Derivation:
        """:meth:`finish` after a concluding step that states ``result`` and uses every step
        before it (skipped when the last step already states it)."""
        if not (self.steps and _concludes(self.steps[-1].claim, result)):
            self.conclude(result, reason=reason, uses=range(len(self.steps)))
        return self.finish(result)

    def finish(self, result: Any) -> Derivation:
        return Derivation(self.title, tuple(self.steps), result, "unknown", self.meta).recheck()


def _pair(result: Any, computed: Any) -> tuple[Any, Any]:
    """``(lhs, rhs)`` arguments of an identity check between a result and its computed value."""
    if isinstance(result, dict):
        keys = sorted(result, key=str)
        return (tuple(result[k] for k in keys), tuple(computed[k] for k in keys))
    if isinstance(result, Condition):
        parts = [(p, getattr(computed, p)) for p in ("expr", "sufficient", "necessary")
                 if getattr(result, p) is not None]
        return (tuple(_as_expr(getattr(result, p)) for p, _ in parts),
                tuple(_as_expr(c) for _, c in parts))
    return (result, computed)


def _as_expr(b: Any) -> Any:
    """A Boolean as a 0/1 Piecewise, so that the identity check compares regions exactly."""
    return sp.Piecewise((1, b), (0, True)) if isinstance(b, sp.logic.boolalg.Boolean) else b


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        if a == b:
            return True
    except Exception:  # noqa: BLE001 - a comparison SymPy cannot decide is no match
        return False
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, sp.Expr) and isinstance(b, sp.Expr) and not isinstance(a, sp.Piecewise):
        try:
            return bool(sp.cancel(a - b) == 0)
        except (sp.PolynomialError, TypeError, ValueError):
            return False
    if isinstance(a, sp.Equality) and isinstance(b, sp.Equality):
        return _same(a.lhs - a.rhs, b.lhs - b.rhs)
    return False


def _concludes(claim: Any, value: Any) -> bool:
    """Whether a step's claim states ``value``: the claim itself, the right side of an equation
    or identity pair, an entry of a dict/tuple claim, or the matching part of a Condition."""
    cands = [claim]
    if isinstance(claim, sp.Equality):
        cands.append(claim.rhs)
    if isinstance(claim, tuple):
        cands.extend(claim)
    if isinstance(claim, dict):
        cands.extend(claim.values())
    if isinstance(claim, Condition):
        cands.extend(p for p in (claim.expr, claim.sufficient, claim.necessary) if p is not None)
    return any(_same(c, value) for c in cands)


def _unconcluded(steps: tuple[Step, ...], result: Any) -> str:
    """The parts of ``result`` no re-verified (not fiat, not refuted) step concludes, as text
    ("" when every part is concluded)."""
    if result is None:
        return ""
    if isinstance(result, Condition):
        parts = [(p, getattr(result, p)) for p in ("expr", "sufficient", "necessary")
                 if getattr(result, p) is not None]
    elif isinstance(result, dict):
        parts = [(str(k), v) for k, v in result.items()]
    elif isinstance(result, tuple):
        parts = [(f"result[{i}]", v) for i, v in enumerate(result) if v is not None]
    else:
        parts = [("result", result)]
    # a step backs the result when its check re-verifies its claim, or it follows from earlier
    # steps (whose statuses it inherits); a definition or a bare "follows" is fiat
    backed = [st for st in steps if st.status != "refuted" and st.check.kind != "definition"
              and (st.check.kind != "follows" or st.uses)]
    whole = any(_concludes(st.claim, result) for st in backed)
    loose = [f"{name} = {str(v)[:80]}" for name, v in parts
             if not whole and not any(_concludes(st.claim, v) for st in backed)]
    return "; ".join(loose)
