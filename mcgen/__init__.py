"""mcgen: Markov chains, schemes and conservation laws.

A lattice update u_j^{n+1} = sum_k w_k u_{j+k}^n is at once a numerical scheme, a Markov chain and
a trainable layer. mcgen derives the macroscopic law such a model obeys, proves the conditions under
which its discretisation is stable and consistent, and generates kernels for it.
"""

__version__ = "0.1.0"
