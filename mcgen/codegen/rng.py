"""A counter-based random number generator written in IR operations.

Every draw is a pure function of ``(seed, stream, counter)``:

    key    = mix64(seed ^ mix64(stream + STREAM_OFFSET))
    u64    = mix64(key + (counter + 1) * GOLDEN)
    double = (u64 >> 11) * 2**-53          in [0, 1), the top 53 bits

``mix64`` is the SplitMix64 finaliser (Steele, Lea & Flood, OOPSLA 2014; passes BigCrush), so the
draws of one stream are exactly the SplitMix64 sequence started from ``key``. A Monte Carlo kernel
uses one stream per walker or replica and a counter that counts steps (or attempts), so a result
depends only on the seed and on which walker/step drew it: never on the thread count, on how the
walkers are split into blocks, or on how a run is split into calls.

In a hot loop the counter is kept as the running state ``key + c * GOLDEN`` (one add per draw),
which is the same number as the closed form above.

Bounded integers use Lemire's multiply-shift on the top 32 bits, ``((u64 >> 32) * n) >> 32``,
exact in u64 arithmetic for ``n < 2**32`` (bias below n / 2**32) and free of a u64 ``mulhi``
that some backends emulate slowly.

``reference_*`` functions compute the same numbers with NumPy, without the IR: tests hold the
generated kernels to them bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mcgen.codegen.ir import Assign, BinOp, Cast, Const, Expr, Stmt, UnOp, Var

GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
STREAM_OFFSET = 0x632BE59BD9B4E019
TWO_M53 = 2.0 ** -53
MAX_BELOW = 2 ** 32


def _u(value: int) -> Const:
    return Const(value, "u64")


def _op(op: str, a: Expr, b: Expr) -> BinOp:
    return BinOp(op, a, b, "u64")


def mix64_stmts(out: Var, value: Expr) -> list[Stmt]:
    """Statements that set ``out`` (a u64 local) to ``mix64(value)``."""
    return [
        Assign(out, value),
        Assign(out, _op("*", _op("^", out, _op(">>", out, _u(30))), _u(MIX1))),
        Assign(out, _op("*", _op("^", out, _op(">>", out, _u(27))), _u(MIX2))),
        Assign(out, _op("^", out, _op(">>", out, _u(31)))),
    ]


def uniform_of(bits: Expr) -> Expr:
    """The double in [0, 1) made of the top 53 bits of a u64."""
    return BinOp("*", Cast(_op(">>", bits, _u(11)), "f64"), Const(TWO_M53), "f64")


def below_of(bits: Expr, n: Expr) -> Expr:
    """An integer in [0, n) (u64) from a u64, for ``n < 2**32`` (Lemire's multiply-shift)."""
    return _op(">>", _op("*", _op(">>", bits, _u(32)), n), _u(32))


def exponential_of(bits: Expr) -> Expr:
    """A unit-mean exponential, ``-log(1 - U)`` with U = :func:`uniform_of` (never log 0)."""
    return UnOp("neg", UnOp("log", BinOp("-", Const(1.0), uniform_of(bits), "f64"), "f64"),
                "f64")


@dataclass(frozen=True)
class CounterStream:
    """One stream of the generator inside a kernel: its state lives in a u64 local.

    Parameters
    ----------
    prefix : a name prefix for the locals this stream declares (``<prefix>_state``,
        ``<prefix>_bits``, ``<prefix>_key``).
    """

    prefix: str = "rng"

    @property
    def state(self) -> Var:
        return Var(f"{self.prefix}_state", "u64")

    @property
    def bits(self) -> Var:
        return Var(f"{self.prefix}_bits", "u64")

    @property
    def key(self) -> Var:
        return Var(f"{self.prefix}_key", "u64")

    def start(self, seed: Expr, stream: Expr, counter: Expr) -> list[Stmt]:
        """Position the stream at draw number ``counter`` of stream ``stream`` (all u64)."""
        return (mix64_stmts(self.key, _op("+", stream, _u(STREAM_OFFSET)))
                + mix64_stmts(self.key, _op("^", seed, self.key))
                + [Assign(self.state, _op("+", self.key, _op("*", counter, _u(GOLDEN)))),
                   Assign(self.bits, _u(0))])

    def next_bits(self) -> list[Stmt]:
        """Advance the counter by one and leave the draw's 64 bits in :attr:`bits`."""
        return [Assign(self.state, _op("+", self.state, _u(GOLDEN)))] + \
            mix64_stmts(self.bits, self.state)

    def uniform(self, out: Var) -> list[Stmt]:
        """Draw ``out`` (f64) uniform on [0, 1)."""
        return self.next_bits() + [Assign(out, uniform_of(self.bits))]

    def below(self, out: Var, n: Expr) -> list[Stmt]:
        """Draw ``out`` (u64) uniform on {0, ..., n-1}; ``n`` (u64) must be below 2**32."""
        return self.next_bits() + [Assign(out, below_of(self.bits, n))]

    def exponential(self, out: Var) -> list[Stmt]:
        """Draw ``out`` (f64) exponential with mean one."""
        return self.next_bits() + [Assign(out, exponential_of(self.bits))]


# ---------------------------------------------------------------- NumPy reference (no IR)

def reference_mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on a uint64 array (wrapping arithmetic)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(MIX1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(MIX2)
    return z ^ (z >> np.uint64(31))


def reference_key(seed: int, stream: np.ndarray) -> np.ndarray:
    """The key of each stream, as :meth:`CounterStream.start` computes it."""
    stream = np.asarray(stream, dtype=np.uint64)
    with np.errstate(over="ignore"):
        k = reference_mix64(stream + np.uint64(STREAM_OFFSET))
    return reference_mix64(np.uint64(seed) ^ k)


def reference_bits(seed: int, stream: np.ndarray, counter: np.ndarray) -> np.ndarray:
    """The 64 bits of draw ``counter`` of ``stream`` (broadcasting NumPy arrays)."""
    key = reference_key(seed, stream)
    with np.errstate(over="ignore"):
        c = np.asarray(counter, dtype=np.uint64) + np.uint64(1)
        return reference_mix64(key + c * np.uint64(GOLDEN))


def reference_uniform(seed: int, stream: np.ndarray, counter: np.ndarray) -> np.ndarray:
    """Draw ``counter`` of ``stream`` as a double in [0, 1)."""
    bits = reference_bits(seed, stream, counter)
    return (bits >> np.uint64(11)).astype(np.float64) * TWO_M53


def reference_below(seed: int, stream: np.ndarray, counter: np.ndarray, n: int) -> np.ndarray:
    """Draw ``counter`` of ``stream`` as an integer in [0, n)."""
    bits = reference_bits(seed, stream, counter)
    with np.errstate(over="ignore"):
        return ((bits >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32)
