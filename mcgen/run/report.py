"""Reports: one list of blocks written as Markdown and as a self-contained HTML page.

No Markdown library is needed: the blocks (headings, paragraphs, tables, images, code,
derivations) are rendered to HTML directly; the small inline syntax used in derivations
(``**bold**``, ``*italic*``, ```code```) is converted after escaping, so text from a model can
never inject markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcgen.atomic_io import write_text_atomically
from mcgen.proof import render

CSS = """body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;
line-height:1.45;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid
#bbb;padding:.25em .6em;text-align:right}th{background:#f0f0f0}code,pre{background:#f6f6f6}
pre{padding:.6em;overflow-x:auto}img{max-width:100%}.pass{color:#060;font-weight:bold}
.fail{color:#a00;font-weight:bold}.deriv{border-left:3px solid #ccd;padding-left:1em}"""


@dataclass
class Report:
    title: str
    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> Report:
        self.blocks.append(("heading", (level, text)))
        return self

    def paragraph(self, text: str) -> Report:
        self.blocks.append(("paragraph", text))
        return self

    def table(self, headers: list[str], rows: list[list[Any]]) -> Report:
        self.blocks.append(("table", (headers, rows)))
        return self

    def image(self, path: str, caption: str) -> Report:
        self.blocks.append(("image", (path, caption)))
        return self

    def code(self, text: str, lang: str = "") -> Report:
        self.blocks.append(("code", (text, lang)))
        return self

    def derivation(self, d: Any) -> Report:
        """A derivation: the object itself (Markdown in ``markdown()``, MathML in ``html()``) or
        text already rendered by ``Derivation.render("md")``."""
        self.blocks.append(("derivation", d))
        return self

    # ------------------------------------------------------------------ Markdown
    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for kind, val in self.blocks:
            if kind == "heading":
                out += ["#" * val[0] + " " + val[1], ""]
            elif kind == "paragraph":
                out += [val, ""]
            elif kind == "table":
                headers, rows = val
                out.append("| " + " | ".join(headers) + " |")
                out.append("|" + "|".join("---" for _ in headers) + "|")
                out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
                out.append("")
            elif kind == "image":
                out += [f"![{val[1]}]({val[0]})", "", f"*{val[1]}*", ""]
            elif kind == "code":
                out += [f"```{val[1]}", val[0].rstrip("\n"), "```", ""]
            elif kind == "derivation":
                md = val if isinstance(val, str) else val.render("md")
                out += [md.replace("\n### ", "\n#### ").replace("### ", "#### ", 1), ""]
        return "\n".join(out)

    # ------------------------------------------------------------------ HTML
    def html(self) -> str:
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for kind, val in self.blocks:
            if kind == "heading":
                body.append(f"<h{val[0]}>{_inline(val[1])}</h{val[0]}>")
            elif kind == "paragraph":
                body.append(f"<p>{_inline(val)}</p>")
            elif kind == "table":
                headers, rows = val
                th = "".join(f"<th>{_inline(h)}</th>" for h in headers)
                trs = "".join("<tr>" + "".join(f"<td>{_inline(_cell(c))}</td>" for c in r)
                              + "</tr>" for r in rows)
                body.append(f"<table><tr>{th}</tr>{trs}</table>")
            elif kind == "image":
                body.append(f'<figure><img src="{html.escape(val[0])}" alt="'
                            f'{html.escape(val[1])}"><figcaption>{_inline(val[1])}'
                            "</figcaption></figure>")
            elif kind == "code":
                body.append(f"<pre><code>{html.escape(val[0])}</code></pre>")
            elif kind == "derivation":
                inner = _derivation_html(val) if isinstance(val, str) else \
                    render.derivation_html(val)
                body.append(f'<div class="deriv">{inner}</div>')
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head>"
                "<body>\n" + "\n".join(body) + "\n</body></html>\n")

    def write(self, directory: str | Path, stem: str = "report") -> tuple[Path, Path]:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        md, ht = d / f"{stem}.md", d / f"{stem}.html"
        write_text_atomically(md, self.markdown())
        write_text_atomically(ht, self.html())
        return md, ht


def _cell(c: Any) -> str:
    if isinstance(c, float):
        return f"{c:.4g}"
    if isinstance(c, bool):
        return "PASS" if c else "FAIL"
    return str(c)


def _inline(text: str) -> str:
    s = html.escape(str(text))
    s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", s)
    s = re.sub(r"(?<![\w*])\*([^*]+)\*(?![\w*])", r"<i>\1</i>", s)
    s = s.replace("PASS", '<span class="pass">PASS</span>')
    s = s.replace("FAIL", '<span class="fail">FAIL</span>')
    return s


def _derivation_html(md: str) -> str:
    out, items = [], []
    for line in md.splitlines():
        m = re.match(r"^(#+) (.*)$", line)
        if m:
            out.append(f"<h4>{_inline(m.group(2))}</h4>")
        elif re.match(r"^\d+\. ", line):
            items.append(_inline(re.sub(r"^\d+\. ", "", line).rstrip()))
        elif line.startswith("   ") and items:
            items[-1] += "<br>" + _inline(line.strip())
        elif line.strip():
            if items:
                out.append("<ol>" + "".join(f"<li>{i}</li>" for i in items) + "</ol>")
                items = []
            out.append(f"<p>{_inline(line)}</p>")
    if items:
        out.append("<ol>" + "".join(f"<li>{i}</li>" for i in items) + "</ol>")
    return "\n".join(out)


def fresh_directory(base: str | Path, force: bool = False) -> Path:
    """``base`` if it does not exist (or ``force``), otherwise ``base-2``, ``base-3`` ...:
    an existing report is never overwritten unless asked."""
    base = Path(base)
    if force or not base.exists():
        return base
    k = 2
    while True:
        cand = base.with_name(f"{base.name}-{k}")
        if not cand.exists():
            return cand
        k += 1
