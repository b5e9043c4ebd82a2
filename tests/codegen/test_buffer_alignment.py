"""Padded work buffers put the first interior cell on a 64-byte boundary (numpy alone aligns to
16 bytes, so the interior used to start ``ghost`` values past wherever the allocation fell), while
keeping the exact lengths the kernels' argument checks expect."""

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import compile
from mcgen.codegen.call_checks import check_buffers
from mcgen.codegen.compiled_kernel import ALIGN_BYTES, aligned_zeros
from mcgen.model import Field, Scheme

u, w = Field("u"), Field("u", dim=2)
nu = sp.Symbol("nu")
UPWIND = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="al_upwind")
WIDE = Scheme(("u",), 1, {"u": u[0] - nu * (3 * u[0] - 4 * u[-1] + u[-2]) / 2}, name="al_bw")
HEAT2 = Scheme(("u",), 2, {"u": w[0, 0] + nu * (w[1, 0] + w[-1, 0] + w[0, 1] + w[0, -1]
                                                - 4 * w[0, 0])}, name="al_heat2")


@pytest.mark.parametrize("lead", [0, 1, 2, 7, 13])
def test_aligned_zeros_puts_lead_on_64_bytes(lead):
    for _ in range(20):  # many allocations: not the luck of one
        a = aligned_zeros(101, np.float64, lead)
        assert a.shape == (101,) and a.dtype == np.float64 and not a.any()
        assert (a.ctypes.data + 8 * lead) % ALIGN_BYTES == 0
        f = aligned_zeros(33, np.float32, lead)
        assert (f.ctypes.data + 4 * lead) % ALIGN_BYTES == 0


@pytest.mark.parametrize("scheme,shape", [(UPWIND, (37,)), (WIDE, (50,)), (HEAT2, (9, 11))])
def test_prepared_interior_is_aligned_and_lengths_unchanged(scheme, shape, tmp_path):
    k = compile(scheme, backend="numba", unsafe=True)
    x = np.random.default_rng(1).standard_normal(shape)
    for _ in range(10):
        bufs = k.prepare(x)
        g = k.layout.ghost
        padded = tuple(n + 2 * g for n in shape)
        assert bufs.a.shape == bufs.b.shape == (int(np.prod(padded)),)
        check_buffers(k.layout, bufs)  # the argument length checks accept them
        lead = sum(g * int(np.prod(padded[d + 1:])) for d in range(len(padded)))
        for arr in (bufs.a, bufs.b):
            assert (arr.ctypes.data + arr.itemsize * lead) % ALIGN_BYTES == 0
            view = arr.reshape(padded)[tuple(slice(g, g + n) for n in shape)]
            assert np.array_equal(view, x)  # both buffers hold u, ghosts set by the kernel
    # the kernel still runs on the aligned views and agrees with numpy
    if scheme is HEAT2:
        y = k.run(x, 1, nu=0.1)
        ref = x + 0.1 * (np.roll(x, 1, 0) + np.roll(x, -1, 0) + np.roll(x, 1, 1)
                         + np.roll(x, -1, 1) - 4 * x)
        assert np.allclose(y, ref, rtol=0, atol=1e-14)
