"""Names users give models and symbols: refused when they hold control characters, and mapped
to plain ASCII identifiers (deterministically) where they become names in generated code.

Non-ASCII letters are welcome in a model (``Scheme(..., name="Überströmung")``, a parameter
``α``): code generators call :func:`safe_identifier`, which transliterates accented letters to
their base letter (``Ü`` -> ``U``), spells Greek and other named letters (``α`` -> ``alpha``) and
writes anything else as its code point (``中`` -> ``u4e2d``). The validator of generated
identifiers (``mcgen.codegen.ir.ident``) still checks the result.
"""

from __future__ import annotations

import re
import unicodedata

from mcgen.errors import ModelError


def check_name(name: object, what: str) -> str:
    """``name`` if it is a string without control characters (NUL, newline, escape ...);
    otherwise a :class:`ModelError` naming the character and its position."""
    if not isinstance(name, str):
        raise ModelError(f"{what} {name!r} must be a string, not {type(name).__name__}")
    for i, ch in enumerate(name):
        if unicodedata.category(ch).startswith("C"):
            raise ModelError(f"{what} {name!r} holds the control character U+{ord(ch):04X} at "
                             f"position {i}: remove it (names may use any letters, digits, "
                             "spaces and punctuation)")
    return name


def _ascii_letters(ch: str) -> str:
    """One character as ASCII letters or digits: itself, its base letter, its Unicode letter
    name (Greek, Cyrillic ...) or ``uXXXX``."""
    if ch.isascii():
        return ch if ch.isalnum() or ch == "_" else "_"
    if unicodedata.category(ch) == "Mn":  # a combining accent: the letter before it stays
        return ""
    base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    if base and all(c.isalnum() for c in base):
        return base
    words = unicodedata.name(ch, "").split()
    if "LETTER" in words and words[-1].isalpha() and words[-1].isascii():
        word = words[-1].lower()
        return word.capitalize() if "CAPITAL" in words else word
    return f"u{ord(ch):04x}" if ch.isalnum() else "_"


def safe_identifier(name: str) -> str:
    """``name`` in ASCII letters, digits and underscores (runs of underscores merged); the
    same name always gives the same result. An ASCII name keeps its letters and digits, so
    generated code does not change for it; a caller prefixes a result that starts with a digit
    or is empty (``ir.ident`` refuses those).

    >>> safe_identifier("Über-Strömung"), safe_identifier("α"), safe_identifier("中 2")
    ('Uber_Stromung', 'alpha', 'u4e2d_2')
    """
    text = "".join(_ascii_letters(ch) for ch in unicodedata.normalize("NFKC", str(name)))
    return re.sub(r"_+", "_", text)
