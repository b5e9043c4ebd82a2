"""Halo sides: a block kernel reads the ghost cells it is given and never writes them."""

import numpy as np
import pytest

from mcgen.codegen import compile
from mcgen.codegen.config import KernelConfig
from mcgen.errors import ModelError
from mcgen.model import Outflow
from mcgen.model.boundary import Halo
from mcgen.model.catalogue.linear import ftcs_heat
from mcgen.run.numpy_stepper import pad_axis


def test_halo_ghosts_are_read_and_kept():
    k = compile(ftcs_heat(), backend="c", bc=[(Halo(), Outflow())], unsafe=True,
                config=KernelConfig(time_block=1))
    u = np.array([0.0, 1.0, 2.0, 4.0])
    bufs = k.prepare(u)
    for arr in (bufs.a, bufs.b):
        arr[0] = 10.0  # the low ghost cell: a neighbour's value
    k.advance(bufs, 1, r=0.25)
    new = k.interior(bufs)
    # cell 0 read the given ghost 10; the high side is outflow (ghost = 4)
    assert new[0] == 0.0 + 0.25 * (10.0 - 0.0 + 1.0)
    assert new[-1] == 4.0 + 0.25 * (4.0 - 8.0 + 2.0)
    assert bufs.current[0] == 10.0  # never filled


def test_numpy_reference_refuses_a_halo_side():
    with pytest.raises(ModelError, match="ghost cells are given"):
        pad_axis(np.zeros(4), 0, 1, Halo(), Outflow())
