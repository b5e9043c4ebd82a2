/* Hand-written C baselines for the generated system kernels (issue 14 item 4):
 * bench/system_kernels.py compiles this with gcc -O3 -march=native and times it against the
 * generated kernels; tests/codegen/test_system_kernels_hand_c.py checks that it computes what
 * mcgen's NumPy reference stepper (mcgen/run/system_stepper.py) computes.
 *
 * euler1d_muscl_hllc_ssprk2: 1-D Euler (gamma = 1.4), MUSCL with minmod slopes in primitive
 *   variables (rho, u, p) mapped to conserved slopes at the cell centre, the Zhang-Shu scaling
 *   that keeps interface density and pressure >= 1e-13, HLLC with Einfeldt speeds, SSPRK(2,2)
 *   in Shu-Osher form; periodic; q[3][n+4] (2 ghost cells per side).
 * sw2d_muscl_hll_ssprk2: 2-D shallow water (g = 1), the same reconstruction in (h, u, v) with
 *   the depth scaling, HLL with Einfeldt speeds, unsplit SSPRK(2,2); periodic;
 *   q[3][ny+4][nx+4], x fastest.
 * Both return the largest dt sum_d S_d/dx_d met on any stage (what the positivity check needs,
 * and what the generated kernels return). */
#include <math.h>
#include <stddef.h>

#define GAM 1.4
#define GRAV 1.0
#define EPS 1e-13

/* min/max as ternaries (what the generated code does; gcc vectorises them, while fmin/fmax
 * without -ffast-math stay calls with NaN semantics) */
static inline double mn(double a, double b) { return a < b ? a : b; }
static inline double mx(double a, double b) { return a > b ? a : b; }

/* minmod as the reference writes it: phi(r) d+ with phi = max(0, min(1, r)), 0 when d+ = 0 */
static inline double mm(double dm, double dp)
{
    return dp != 0 ? mx(0.0, mn(1.0, dm / dp)) * dp : 0.0;
}

/* the Zhang-Shu factor that keeps both values a, b (of a quantity with centre c) >= EPS */
static inline double zs(double c, double a, double b)
{
    double t = 1.0;
    if (a < EPS && c > a) t = mn(t, mx(0.0, mn(1.0, (c - EPS) / (c - a))));
    if (b < EPS && c > b) t = mn(t, mx(0.0, mn(1.0, (c - EPS) / (c - b))));
    return t;
}

static inline double pres(double r, double m, double E) { return (GAM - 1) * (E - 0.5 * m * m / r); }

/* ------------------------------------------------------------------ 1-D Euler */

static void fill1(double *q, long n)
{
    long W = n + 4;
    for (int c = 0; c < 3; ++c) {
        double *a = q + c * W;
        a[0] = a[n]; a[1] = a[n + 1]; a[n + 2] = a[2]; a[n + 3] = a[3];
    }
}

/* HLLC flux of (r, m, E) states; *s = max(|S_L|, |S_R|) */
static inline void hllc1(double rL, double mL, double EL, double rR, double mR, double ER,
                         double *F, double *s)
{
    double uL = mL / rL, uR = mR / rR, pL = pres(rL, mL, EL), pR = pres(rR, mR, ER);
    double cL = sqrt(GAM * pL / rL), cR = sqrt(GAM * pR / rR);
    double sl = sqrt(rL), sr = sqrt(rR), is = 1.0 / (sl + sr);
    double ut = (sl * uL + sr * uR) * is;
    double Ht = (sl * (EL + pL) / rL + sr * (ER + pR) / rR) * is;
    double c2 = (GAM - 1) * (Ht - 0.5 * ut * ut);
    double ct = sqrt(c2 > 0 ? c2 : 0);
    double SL = mn(uL - cL, ut - ct), SR = mx(uR + cR, ut + ct);
    *s = mx(fabs(SL), fabs(SR));
    if (SL >= 0) { F[0] = mL; F[1] = mL * uL + pL; F[2] = (EL + pL) * uL; return; }
    if (SR <= 0) { F[0] = mR; F[1] = mR * uR + pR; F[2] = (ER + pR) * uR; return; }
    double aL = rL * (SL - uL), aR = rR * (SR - uR);
    double Ss = (pR - pL + aL * uL - aR * uR) / (aL - aR);
    if (Ss >= 0) {
        double f = aL / (SL - Ss), e = EL / rL + (Ss - uL) * (Ss + pL / aL);
        F[0] = mL + SL * (f - rL); F[1] = mL * uL + pL + SL * (f * Ss - mL);
        F[2] = (EL + pL) * uL + SL * (f * e - EL);
    } else {
        double f = aR / (SR - Ss), e = ER / rR + (Ss - uR) * (Ss + pR / aR);
        F[0] = mR + SR * (f - rR); F[1] = mR * uR + pR + SR * (f * Ss - mR);
        F[2] = (ER + pR) * uR + SR * (f * e - ER);
    }
}

/* out = a base + b (src - lam dF); returns lam max S. src ghosts are filled here. */
static double euler1d_stage(double *src, const double *base, double *out,
                            double *restrict sl, double *restrict f, long n, double lam,
                            double a, double b)
{
    long W = n + 4;
    fill1(src, n);
    const double *r = src, *m = src + W, *E = src + 2 * W;
    for (long i = 1; i <= n + 2; ++i) {
        double ri = r[i], ui = m[i] / ri, pi = pres(ri, m[i], E[i]);
        double um = m[i - 1] / r[i - 1], up = m[i + 1] / r[i + 1];
        double pm = pres(r[i - 1], m[i - 1], E[i - 1]), pp = pres(r[i + 1], m[i + 1], E[i + 1]);
        double dr = mm(ri - r[i - 1], r[i + 1] - ri), du = mm(ui - um, up - ui);
        double dp = mm(pi - pm, pp - pi);
        double s0 = dr, s1 = ui * dr + ri * du, s2 = 0.5 * ui * ui * dr + ri * ui * du + dp / (GAM - 1);
        double t = zs(ri, ri + 0.5 * s0, ri - 0.5 * s0);
        s0 *= t; s1 *= t; s2 *= t;
        t = zs(pi, pres(ri + 0.5 * s0, m[i] + 0.5 * s1, E[i] + 0.5 * s2),
               pres(ri - 0.5 * s0, m[i] - 0.5 * s1, E[i] - 0.5 * s2));
        sl[i] = s0 * t; sl[W + i] = s1 * t; sl[2 * W + i] = s2 * t;
    }
    double smax = 0;
    for (long i = 2; i <= n + 2; ++i) {
        double F[3], s;
        hllc1(r[i - 1] + 0.5 * sl[i - 1], m[i - 1] + 0.5 * sl[W + i - 1],
              E[i - 1] + 0.5 * sl[2 * W + i - 1], r[i] - 0.5 * sl[i], m[i] - 0.5 * sl[W + i],
              E[i] - 0.5 * sl[2 * W + i], F, &s);
        f[i] = F[0]; f[W + i] = F[1]; f[2 * W + i] = F[2];
        smax = mx(smax, s);
    }
    for (int c = 0; c < 3; ++c)
        for (long i = 2; i <= n + 1; ++i) {
            long k = c * W + i;
            out[k] = a * base[k] + b * (src[k] - lam * (f[k + 1] - f[k]));
        }
    return smax * lam;
}

/* q, stage, sl, f: 3 (n + 4) doubles; lam = dt/dx */
double euler1d_muscl_hllc_ssprk2(double *restrict q, double *restrict stage,
                                 double *restrict sl, double *restrict f, long n, long nsteps,
                                 double lam)
{
    double rate = 0;
    for (long s = 0; s < nsteps; ++s) {
        rate = mx(rate, euler1d_stage(q, q, stage, sl, f, n, lam, 0.0, 1.0));
        rate = mx(rate, euler1d_stage(stage, q, q, sl, f, n, lam, 0.5, 0.5));
    }
    return rate;
}

/* ------------------------------------------------------------------ 2-D shallow water */

static void fill2(double *q, long nx, long ny)
{
    long W = nx + 4, P = W * (ny + 4);
    for (int c = 0; c < 3; ++c) {
        double *a = q + c * P;
        for (long j = 2; j < ny + 2; ++j) {
            double *row = a + j * W;
            row[0] = row[nx]; row[1] = row[nx + 1]; row[nx + 2] = row[2]; row[nx + 3] = row[3];
        }
        for (long i = 2; i < nx + 2; ++i) {
            a[i] = a[ny * W + i]; a[W + i] = a[(ny + 1) * W + i];
            a[(ny + 2) * W + i] = a[2 * W + i]; a[(ny + 3) * W + i] = a[3 * W + i];
        }
    }
}

/* slope of (h, qn, qt) from its neighbours at offsets -d, +d (primitive minmod, depth scaling) */
static inline void sw_slope(const double *h, const double *qn, const double *qt, long k, long d,
                            double *s)
{
    double hc = h[k], hm = h[k - d], hp = h[k + d];
    double uc = qn[k] / hc, um = qn[k - d] / hm, up = qn[k + d] / hp;
    double vc = qt[k] / hc, vm = qt[k - d] / hm, vp = qt[k + d] / hp;
    double dh = mm(hc - hm, hp - hc), du = mm(uc - um, up - uc), dv = mm(vc - vm, vp - vc);
    double t = zs(hc, hc + 0.5 * dh, hc - 0.5 * dh);
    s[0] = dh * t; s[1] = (uc * dh + hc * du) * t; s[2] = (vc * dh + hc * dv) * t;
}

static inline void hll_sw(double hL, double nL, double tL, double hR, double nR, double tR,
                          double *F, double *s)
{
    double uL = nL / hL, uR = nR / hR;
    double cL = sqrt(GRAV * hL), cR = sqrt(GRAV * hR);
    double sl = sqrt(hL), sr = sqrt(hR);
    double ut = (sl * uL + sr * uR) / (sl + sr), ct = sqrt(0.5 * GRAV * (hL + hR));
    double SL = mn(uL - cL, ut - ct), SR = mx(uR + cR, ut + ct);
    *s = mx(fabs(SL), fabs(SR));
    double FL[3] = {nL, nL * uL + 0.5 * GRAV * hL * hL, tL * uL};
    double FR[3] = {nR, nR * uR + 0.5 * GRAV * hR * hR, tR * uR};
    if (SL >= 0) { F[0] = FL[0]; F[1] = FL[1]; F[2] = FL[2]; return; }
    if (SR <= 0) { F[0] = FR[0]; F[1] = FR[1]; F[2] = FR[2]; return; }
    double iw = 1.0 / (SR - SL);
    F[0] = (SR * FL[0] - SL * FR[0] + SL * SR * (hR - hL)) * iw;
    F[1] = (SR * FL[1] - SL * FR[1] + SL * SR * (nR - nL)) * iw;
    F[2] = (SR * FL[2] - SL * FR[2] + SL * SR * (tR - tL)) * iw;
}

/* one direction: slopes along stride d into sl, fluxes at the faces k - d/2 into f (normal
 * momentum component cn, transverse ct); returns max S */
static double sw_sweep(const double *src, double *restrict sl, double *restrict f, long nx,
                       long ny, int axis)
{
    long W = nx + 4, P = W * (ny + 4), d = axis ? W : 1;
    const double *h = src, *qn = src + (axis ? 2 : 1) * P, *qt = src + (axis ? 1 : 2) * P;
    long i0 = axis ? 2 : 1, i1 = axis ? nx + 2 : nx + 3, j0 = axis ? 1 : 2, j1 = axis ? ny + 3 : ny + 2;
    for (long j = j0; j < j1; ++j)
        for (long i = i0; i < i1; ++i) {
            long k = j * W + i;
            double s[3];
            sw_slope(h, qn, qt, k, d, s);
            sl[k] = s[0]; sl[P + k] = s[1]; sl[2 * P + k] = s[2];
        }
    double smax = 0;
    long fi1 = axis ? nx + 2 : nx + 3, fj1 = axis ? ny + 3 : ny + 2;
    for (long j = 2; j < fj1; ++j)
        for (long i = 2; i < fi1; ++i) {
            long k = j * W + i, l = k - d;
            double F[3], s;
            hll_sw(h[l] + 0.5 * sl[l], qn[l] + 0.5 * sl[P + l], qt[l] + 0.5 * sl[2 * P + l],
                   h[k] - 0.5 * sl[k], qn[k] - 0.5 * sl[P + k], qt[k] - 0.5 * sl[2 * P + k], F, &s);
            f[k] = F[0]; f[(axis ? 2 : 1) * P + k] = F[1]; f[(axis ? 1 : 2) * P + k] = F[2];
            smax = mx(smax, s);
        }
    return smax;
}

static double sw2d_stage(double *src, const double *base, double *out,
                         double *restrict sl, double *restrict fx, double *restrict fy, long nx,
                         long ny, double lx, double ly, double a, double b)
{
    long W = nx + 4, P = W * (ny + 4);
    fill2(src, nx, ny);
    double rate = lx * sw_sweep(src, sl, fx, nx, ny, 0);
    rate += ly * sw_sweep(src, sl, fy, nx, ny, 1);
    for (int c = 0; c < 3; ++c)
        for (long j = 2; j < ny + 2; ++j)
            for (long i = 2; i < nx + 2; ++i) {
                long k = c * P + j * W + i;
                out[k] = a * base[k] + b * (src[k] - lx * (fx[k + 1] - fx[k])
                                            - ly * (fy[k + W] - fy[k]));
            }
    return rate;
}

/* q, stage, sl, fx, fy: 3 (ny + 4)(nx + 4) doubles; lx = dt/dx, ly = dt/dy */
double sw2d_muscl_hll_ssprk2(double *restrict q, double *restrict stage, double *restrict sl,
                             double *restrict fx, double *restrict fy, long nx, long ny,
                             long nsteps, double lx, double ly)
{
    double rate = 0;
    for (long s = 0; s < nsteps; ++s) {
        rate = mx(rate, sw2d_stage(q, q, stage, sl, fx, fy, nx, ny, lx, ly, 0.0, 1.0));
        rate = mx(rate, sw2d_stage(stage, q, q, sl, fx, fy, nx, ny, lx, ly, 0.5, 0.5));
    }
    return rate;
}
