"""Conventional symbols shared by the model catalogue (users may use their own)."""

import sympy as sp

x, y, z = sp.symbols("x y z", real=True)
t = sp.Symbol("t", nonnegative=True)
dx, dy, dz = sp.symbols("dx dy dz", positive=True)
dt = sp.Symbol("dt", positive=True)
h = sp.Symbol("h", positive=True)
nu = sp.Symbol("nu", real=True)          # Courant number a dt/dx
r = sp.Symbol("r", nonnegative=True)     # diffusion number D dt/dx^2
lam = sp.Symbol("lambda", positive=True)  # dt/dx for nonlinear conservative schemes
a = sp.Symbol("a", real=True)            # advection speed
D = sp.Symbol("D", positive=True)        # diffusion coefficient
N_FROM = sp.Symbol("n_from", integer=True, nonnegative=True)  # occupation of departure site
N_TO = sp.Symbol("n_to", integer=True, nonnegative=True)      # occupation of target site
# nearest-neighbour interaction (Katz-Lebowitz-Spohn): for a move from x by k (s = sign k),
# the occupation of x - s (behind the departure site) and of x + k + s (beyond the target)
N_BEHIND = sp.Symbol("n_behind", integer=True, nonnegative=True)
N_AHEAD = sp.Symbol("n_ahead", integer=True, nonnegative=True)

COORDS = (x, y, z)
SPACINGS = (dx, dy, dz)
