"""Uniform cell-centred grids in 1-3 D."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mcgen.errors import ModelError
from mcgen.run.inputs import check_cells, real_number


@dataclass(frozen=True)
class Grid:
    """``shape[d]`` cells on ``[bounds[d][0], bounds[d][1]]``; values live at cell centres.

    >>> g = Grid((4,), ((0.0, 1.0),))
    >>> g.spacing, g.centres()[0].tolist()
    ((0.25,), [0.125, 0.375, 0.625, 0.875])
    """

    shape: tuple[int, ...]
    bounds: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        raw = self.shape if isinstance(self.shape, (tuple, list)) else (self.shape,)
        shape = tuple(check_cells(n, "grid cells") for n in raw)
        bounds = self.bounds
        if bounds and not isinstance(bounds[0], (tuple, list)):
            bounds = (tuple(bounds),)  # type: ignore[assignment]
        bounds = tuple((real_number(a, "grid bound"), real_number(b, "grid bound"))
                       for a, b in bounds)
        if len(shape) != len(bounds) or not 1 <= len(shape) <= 3:
            raise ModelError(f"grid shape {shape} and bounds {bounds} must both have 1-3 "
                             "entries, one per dimension")
        for n, (a, b) in zip(shape, bounds, strict=False):
            if n < 1 or not b > a:
                raise ModelError(f"grid axis with {n} cells on [{a}, {b}]: need n >= 1 and b > a")
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "bounds", bounds)

    @classmethod
    def uniform(cls, n: int | tuple[int, ...], bounds: Any = (0.0, 1.0)) -> Grid:
        """``Grid.uniform(200, (-1, 1))`` or ``Grid.uniform((64, 64), ((0, 1), (0, 1)))``."""
        shape = tuple(n) if isinstance(n, (tuple, list)) else (n,)
        if not isinstance(bounds[0], (tuple, list)):
            bounds = (tuple(bounds),) * len(shape)
        return cls(shape, tuple(tuple(b) for b in bounds))

    @property
    def dim(self) -> int:
        return len(self.shape)

    @property
    def spacing(self) -> tuple[float, ...]:
        return tuple((b - a) / n for n, (a, b) in zip(self.shape, self.bounds, strict=False))

    @property
    def cell_volume(self) -> float:
        return float(np.prod(self.spacing))

    def centres(self) -> tuple[np.ndarray, ...]:
        """One 1-D array of cell centres per axis."""
        return tuple(a + (np.arange(n) + 0.5) * h
                     for n, (a, b), h in zip(self.shape, self.bounds, self.spacing, strict=False))

    def mesh(self) -> tuple[np.ndarray, ...]:
        """Cell-centre coordinates broadcast to the grid shape (``indexing="ij"``)."""
        return tuple(np.meshgrid(*self.centres(), indexing="ij"))


def as_grid(grid: Any) -> Grid:
    """Accept a Grid, ``(n, (a, b))`` or ``((nx, ny), ((ax, bx), (ay, by)))``."""
    if isinstance(grid, Grid):
        return grid
    if isinstance(grid, tuple) and len(grid) == 2:
        return Grid.uniform(grid[0], grid[1])
    raise ModelError(f"grid {grid!r}: pass mcgen.run.Grid.uniform(n, (a, b)) or a tuple "
                     "(n, (a, b))")
