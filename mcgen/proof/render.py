"""Readable mathematics for derivations, conditions and laws: text, LaTeX and HTML (MathML).

Laws are written in subscript notation, as in a textbook: ``rho_t + (rho*(1 - rho))_x = 0``
rather than ``Eq(Derivative(-(rho(x, t) - 1)*rho(x, t), x) + Derivative(rho(x, t), t), 0)``:
an applied field ``rho(x, t)`` prints as ``rho``, a derivative of a field as ``rho_x``, a
derivative of anything else as ``(...)_x``. LaTeX keeps every ``_`` and ``^`` inside math mode
(prose is escaped); HTML carries presentation MathML printed by SymPy, so it needs no network.

A step whose claim is trivial once evaluated (``Eq(1, 1)``, ``True``) is collapsed into one line
that shows what its check compared instead (``identity: lhs = rhs``).
"""

from __future__ import annotations

import html
import re
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.str import StrPrinter

# ---------------------------------------------------------------- subscript notation


def _vars(d: sp.Derivative) -> str:
    return "".join(str(v) * int(n) for v, n in d.variable_count)


def _simple(e: sp.Basic) -> bool:
    return isinstance(e, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in e.args)


def _tidy(e: Any) -> list[Any] | None:
    """-(rho - 1)*rho -> [rho, 1 - rho]: a leading minus sign absorbed by the one sum factor,
    returned as factors to print in that order (SymPy would reorder a Mul)."""
    if isinstance(e, sp.Mul):
        coeff, rest = e.as_coeff_Mul()
        facs = list(sp.Mul.make_args(rest))
        adds = [f for f in facs if isinstance(f, sp.Add)]
        if coeff == -1 and len(adds) == 1:
            return [f for f in facs if f is not adds[0]] + [sp.expand(-adds[0])]
        if coeff == 1 and adds and len(facs) > len(adds):  # rho*(1 - rho), not (1 - rho)*rho
            return [f for f in facs if not isinstance(f, sp.Add)] + adds
    return None


def _time_first(terms: list[Any]) -> list[Any]:
    """u_t + (f(u))_x: the time derivative of a field first, as a law is read."""
    def key(t: Any) -> int:
        d = t if isinstance(t, sp.Derivative) else None
        return 0 if d is not None and _simple(d.expr) and _vars(d) == "t" else 1
    return sorted(terms, key=key)


class _Text(StrPrinter):
    def _as_ordered_terms(self, expr: Any, order: Any = None) -> list[Any]:
        return _time_first(super()._as_ordered_terms(expr, order))

    def _print_Derivative(self, d: sp.Derivative) -> str:
        if _simple(d.expr):
            return f"{d.expr.func.__name__}_{_vars(d)}"
        fs = _tidy(d.expr)
        inner = "*".join(self.parenthesize(f, 50) for f in fs) if fs else self._print(d.expr)
        return f"({inner})_{_vars(d)}"

    def _print_Function(self, e: Any) -> str:
        if _simple(e):
            return e.func.__name__
        return super()._print_Function(e)

    def _print_Equality(self, e: sp.Eq) -> str:
        return f"{self._print(e.lhs)} = {self._print(e.rhs)}"


class _Latex(LatexPrinter):
    def _as_ordered_terms(self, expr: Any, order: Any = None) -> list[Any]:
        return _time_first(super()._as_ordered_terms(expr, order))

    def _print_Derivative(self, d: sp.Derivative) -> str:
        if _simple(d.expr):
            return f"{self._print(sp.Symbol(d.expr.func.__name__))}_{{{_vars(d)}}}"
        fs = _tidy(d.expr)
        inner = " ".join(self.parenthesize(f, 50) for f in fs) if fs else self._print(d.expr)
        return rf"\left({inner}\right)_{{{_vars(d)}}}"

    def _print_Function(self, e: Any, exp: Any = None) -> str:
        if _simple(e):
            out = self._print(sp.Symbol(e.func.__name__))
            return f"{out}^{{{exp}}}" if exp else out
        return super()._print_Function(e, exp)


class _MathML(MathMLPresentationPrinter):
    def _as_ordered_terms(self, expr: Any, order: Any = None) -> list[Any]:
        return _time_first(super()._as_ordered_terms(expr, order))

    def _print_Derivative(self, d: sp.Derivative) -> Any:
        msub = self.dom.createElement("msub")
        if _simple(d.expr):
            msub.appendChild(self._print(sp.Symbol(d.expr.func.__name__)))
        else:
            row = self.dom.createElement("mrow")
            fs = _tidy(d.expr) or [d.expr]
            parts: list[Any] = ["("]
            for f in fs:
                parts += ["(", f, ")"] if isinstance(f, sp.Add) and len(fs) > 1 else [f]
            for part in (*parts, ")"):
                if isinstance(part, str):
                    mo = self.dom.createElement("mo")
                    mo.appendChild(self.dom.createTextNode(part))
                    row.appendChild(mo)
                else:
                    row.appendChild(self._print(part))
            msub.appendChild(row)
        mi = self.dom.createElement("mi")
        mi.appendChild(self.dom.createTextNode(_vars(d)))
        msub.appendChild(mi)
        return msub

    def _print_Function(self, e: Any) -> Any:
        if _simple(e):
            return self._print(sp.Symbol(e.func.__name__))
        return super()._print_Function(e)


def text(e: Any) -> str:
    """Plain text, laws in subscript notation: ``rho_t + (rho*(1 - rho))_x = 0``."""
    return _Text().doprint(sp.sympify(e))


def latex_math(e: Any) -> str:
    """LaTeX math (no delimiters), laws in subscript notation: ``\\rho_{t} + ...``."""
    return _Latex().doprint(sp.sympify(e))


def mathml(e: Any) -> str:
    """Presentation MathML of an expression (a ``<math>`` element, inline)."""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{_MathML().doprint(sp.sympify(e))}</math>'


# ---------------------------------------------------------------- objects


def _is_trivial(claim: Any) -> bool:
    if claim is sp.true or claim is True:
        return True
    if isinstance(claim, sp.Equality):
        return sp.srepr(claim.lhs) == sp.srepr(claim.rhs)
    return False


def _checked(step: Any) -> Any:
    """What a trivial step's check compared, shown instead of its evaluated claim."""
    args = step.check.args
    if step.check.kind == "identity" and len(args) == 2:
        lhs, rhs = args
        if isinstance(lhs, tuple):
            return ", ".join(f"{text(a)} = {text(b)}" for a, b in zip(lhs, rhs, strict=False))
        return sp.Eq(sp.sympify(lhs), sp.sympify(rhs), evaluate=False)
    return None


def _md(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "describe"):
        return str(obj.describe())
    if isinstance(obj, sp.Basic):
        return f"`{text(obj)}`"
    if isinstance(obj, (tuple, list)):
        return ", ".join(_md(o) for o in obj)
    if isinstance(obj, dict):
        return "; ".join(f"{_md(k)}: {_md(v)}" for k, v in obj.items())
    return f"`{obj}`"


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_",
                "{": r"\{", "}": r"\}", "$": r"\$", "^": r"\^{}", "~": r"\~{}"}


def tex_escape(s: str) -> str:
    """Prose for LaTeX: every special character escaped (``_`` and ``^`` never reach math)."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in s)


def _tex(obj: Any) -> str:
    if isinstance(obj, str):
        return tex_escape(obj)
    if hasattr(obj, "pde"):  # a law
        try:
            return f"${latex_math(obj.pde())}$"
        except Exception:  # noqa: BLE001 - systems have no single pde(); fall back to words
            return tex_escape(str(obj))
    if hasattr(obj, "kind") and hasattr(obj, "expr") and hasattr(obj, "status"):
        return condition_latex(obj)
    if isinstance(obj, sp.Basic):
        return f"${latex_math(obj)}$"
    if isinstance(obj, (tuple, list)):
        return ", ".join(_tex(o) for o in obj)
    if isinstance(obj, dict):
        return "; ".join(f"{_tex(k)}: {_tex(v)}" for k, v in obj.items())
    return tex_escape(str(obj))


def _html(obj: Any) -> str:
    if isinstance(obj, str):
        return html.escape(obj)
    if hasattr(obj, "pde"):
        try:
            return mathml(obj.pde())
        except Exception:  # noqa: BLE001 - systems: words
            return html.escape(str(obj))
    if hasattr(obj, "kind") and hasattr(obj, "expr") and hasattr(obj, "status"):
        return condition_html(obj)
    if isinstance(obj, sp.Basic):
        return mathml(obj)
    if isinstance(obj, (tuple, list)):
        return ", ".join(_html(o) for o in obj)
    if isinstance(obj, dict):
        return "; ".join(f"{_html(k)}: {_html(v)}" for k, v in obj.items())
    return html.escape(str(obj))


def condition_latex(c: Any) -> str:
    name = f"{tex_escape(c.name)}: " if c.name else ""
    return f"{name}${latex_math(c.expr)}$ ({tex_escape(c.kind)}, {tex_escape(c.status)})"


def condition_html(c: Any) -> str:
    name = f"{html.escape(c.name)}: " if c.name else ""
    words = f" &mdash; {html.escape(c.description)}" if c.description else ""
    return f"{name}{mathml(c.expr)} ({html.escape(c.kind)}, <b>{html.escape(c.status)}</b>)" \
        f"{words}"


def _uses(st: Any) -> str:
    return f" (from {', '.join(str(u + 1) for u in st.uses)})" if st.uses else ""


def derivation_markdown(d: Any) -> str:
    lines = [f"### {d.title}", "", f"*status: **{d.status}***", ""]
    if "refuted_because" in d.meta:
        lines += [f"*{d.meta['refuted_because']}*", ""]
    for i, st in enumerate(d.steps, 1):
        if _is_trivial(st.claim):
            shown = _checked(st)
            what = f"{_md(shown)} " if shown is not None else ""
            lines.append(f"{i}. checked {what}-- *{st.reason}*{_uses(st)}: "
                         f"{st.check.kind} -> **{st.status}**.")
            continue
        lines.append(f"{i}. {_md(st.claim)}  \n   *{st.reason}*{_uses(st)}. "
                     f"Check: {st.check.kind} -> **{st.status}**.")
    lines += ["", f"**Result.** {_md(d.result)}"]
    return "\n".join(lines) + "\n"


def derivation_latex(d: Any) -> str:
    lines = [f"\\paragraph{{{tex_escape(d.title)}}} (status: {tex_escape(d.status)})",
             "\\begin{enumerate}"]
    for st in d.steps:
        check = f"check \\texttt{{{tex_escape(st.check.kind)}}}: {tex_escape(st.status)}."
        if _is_trivial(st.claim):
            shown = _checked(st)
            what = f"{_tex(shown)} " if shown is not None else ""
            lines.append(f"  \\item checked {what}--- \\emph{{{tex_escape(st.reason)}}}"
                         f"{_uses(st)}; {check}")
            continue
        lines.append(f"  \\item {_tex(st.claim)}\\\\ \\emph{{{tex_escape(st.reason)}}}"
                     f"{_uses(st)}; {check}")
    lines += ["\\end{enumerate}", f"Result: {_tex(d.result)}"]
    return "\n".join(lines) + "\n"


def derivation_html(d: Any) -> str:
    out = [f"<h4>{html.escape(d.title)}</h4>", f"<p><i>status: <b>{html.escape(d.status)}"
           "</b></i></p>", "<ol>"]
    for st in d.steps:
        check = f"{html.escape(st.check.kind)} &rarr; <b>{html.escape(st.status)}</b>"
        if _is_trivial(st.claim):
            shown = _checked(st)
            what = f"{_html(shown)} " if shown is not None else ""
            out.append(f"<li>checked {what}&mdash; <i>{html.escape(st.reason)}</i>"
                       f"{_uses(st)}: {check}</li>")
            continue
        out.append(f"<li>{_html(st.claim)}<br><i>{html.escape(st.reason)}</i>{_uses(st)}. "
                   f"Check: {check}</li>")
    out += ["</ol>", f"<p><b>Result.</b> {_html(d.result)}</p>"]
    return "\n".join(out) + "\n"


def math_fragments(latex: str) -> list[str]:
    """The ``$...$`` fragments of a LaTeX text (for checks that every one parses)."""
    return re.findall(r"(?<!\\)\$(.+?)(?<!\\)\$", latex, flags=re.S)


__all__ = ["text", "latex_math", "mathml", "tex_escape", "condition_latex", "condition_html",
           "derivation_markdown", "derivation_latex", "derivation_html", "math_fragments"]
