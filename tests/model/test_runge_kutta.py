"""Explicit Runge-Kutta methods as two-register Shu-Osher chains (what the 2-D / 3-D kernels run
without stored stage derivatives)."""

import sympy as sp

from mcgen.model.runge_kutta import classical_rk4, ssprk22, ssprk33, ssprk104, two_register_form


def test_two_register_form_is_the_textbook_shu_osher_chain():
    R = sp.Rational
    m = {name: f() for name, f in (("22", ssprk22), ("33", ssprk33), ("104", ssprk104),
                                   ("rk4", classical_rk4))}
    # Shu and Osher (1988), Gottlieb-Shu (1998): u1 = u + dt L(u),
    # u2 = 3/4 u + 1/4 (u1 + dt L(u1)), u^{n+1} = 1/3 u + 2/3 (u2 + dt L(u2))
    assert two_register_form(m["33"].A, m["33"].b) == [(0, 1), (R(3, 4), R(1, 4)),
                                                       (R(1, 3), R(2, 3))]
    assert two_register_form(m["22"].A, m["22"].b) == [(0, 1), (R(1, 2), R(1, 2))]
    # RK4's weights read every stage; SSPRK(10,4)'s last stages read earlier ones
    assert two_register_form(m["rk4"].A, m["rk4"].b) is None
    assert two_register_form(m["104"].A, m["104"].b) is None
