/* Hand-written C baseline for mcgen's 2-D Euler MUSCL-HLLC SSPRK(2,2) kernel (issue 14 item 4):
 * bench/hand_c_extra.py compiles it with gcc -O3 -march=native, checks it against mcgen's
 * NumPy reference (mcgen/run/system_stepper.py) and the generated SystemKernel, and times it.
 *
 * The scheme of euler_equations("hllc", "minmod", "primitive", "ssprk22", dim=2): gamma = 1.4;
 * per direction, minmod slopes of the primitive variables (rho, u_n, u_t, p) mapped to
 * conserved slopes with dU/dW at the cell centre; the Zhang-Shu scaling that keeps the two
 * interface states' density, then pressure, >= 1e-13; HLLC (Toro) with Einfeldt speeds from Roe
 * averages; unsplit, L = -(F_{i+1/2} - F_{i-1/2})/dx - (G_{j+1/2} - G_{j-1/2})/dy; SSPRK(2,2) in
 * Shu-Osher form; periodic. q[4][ny+4][nx+4] (rho, m_x, m_y, E), x fastest, 2 ghost layers.
 * Returns the largest dt (S_x/dx + S_y/dy) met on any stage, as the generated kernel does.
 *
 * Written the way bench/hand_systems.c is (plain C, the Riemann solver with the textbook's
 * branches, min/max as ternaries, restrict), with the minmod slope division-free and
 * branch-free: max(0, min(a, b)) + min(0, max(a, b)) (the reference's phi(dm/dp) dp, 0 at dp = 0,
 * is the same number up to the rounding of dm/dp*dp).
 *
 * -DMINMOD_DIVISION (for bench/hand_c_extra.py --causes only): minmod in the reference's and the
 * generated kernel's form, dp != 0 ? max(0, min(1, dm/dp)) dp : 0 (a division per slope). */
#include <math.h>
#include <stddef.h>

#define GAM 1.4
#define EPS 1e-13

static inline double mn(double a, double b) { return a < b ? a : b; }
static inline double mx(double a, double b) { return a > b ? a : b; }

#ifdef MINMOD_DIVISION
static inline double minmod(double dm, double dp) { return dp != 0 ? mx(0.0, mn(1.0, dm / dp)) * dp : 0.0; }
#else
static inline double minmod(double a, double b) { return mx(0.0, mn(a, b)) + mn(0.0, mx(a, b)); }
#endif

/* the Zhang-Shu factor that keeps both values a, b (of a quantity with centre c) >= EPS */
static inline double zs(double c, double a, double b)
{
    double t = 1.0;
    if (a < EPS && c > a) t = mn(t, mx(0.0, mn(1.0, (c - EPS) / (c - a))));
    if (b < EPS && c > b) t = mn(t, mx(0.0, mn(1.0, (c - EPS) / (c - b))));
    return t;
}

static inline double pres(double r, double mn_, double mt, double E)
{
    return (GAM - 1) * (E - 0.5 * (mn_ * mn_ + mt * mt) / r);
}

static void fill(double *q, long nx, long ny)
{
    long W = nx + 4, P = W * (ny + 4);
    for (int c = 0; c < 4; ++c) {
        double *a = q + c * P;
        for (long j = 2; j < ny + 2; ++j) {
            double *row = a + j * W;
            row[0] = row[nx]; row[1] = row[nx + 1]; row[nx + 2] = row[2]; row[nx + 3] = row[3];
        }
        for (long i = 0; i < W; ++i) {
            a[i] = a[ny * W + i]; a[W + i] = a[(ny + 1) * W + i];
            a[(ny + 2) * W + i] = a[2 * W + i]; a[(ny + 3) * W + i] = a[3 * W + i];
        }
    }
}

/* the limited, positivity-scaled conserved slope of cell k along stride d; components in the
 * frame (rho, normal momentum, transverse momentum, E) */
static inline void slope(const double *r, const double *qn, const double *qt, const double *E,
                         long k, long d, double *s)
{
    double rc = r[k], rm = r[k - d], rp = r[k + d];
    double ic = 1 / rc, im = 1 / rm, ip = 1 / rp;
    double uc = qn[k] * ic, um = qn[k - d] * im, up = qn[k + d] * ip;
    double vc = qt[k] * ic, vm = qt[k - d] * im, vp = qt[k + d] * ip;
    double pc = (GAM - 1) * (E[k] - 0.5 * (qn[k] * uc + qt[k] * vc));
    double pm = (GAM - 1) * (E[k - d] - 0.5 * (qn[k - d] * um + qt[k - d] * vm));
    double pp = (GAM - 1) * (E[k + d] - 0.5 * (qn[k + d] * up + qt[k + d] * vp));
    double dr = minmod(rc - rm, rp - rc), du = minmod(uc - um, up - uc);
    double dv = minmod(vc - vm, vp - vc), dp = minmod(pc - pm, pp - pc);
    double s0 = dr, s1 = uc * dr + rc * du, s2 = vc * dr + rc * dv;
    double s3 = 0.5 * (uc * uc + vc * vc) * dr + rc * (uc * du + vc * dv) + dp / (GAM - 1);
    double t = zs(rc, rc + 0.5 * s0, rc - 0.5 * s0);
    s0 *= t; s1 *= t; s2 *= t; s3 *= t;
    t = zs(pc, pres(rc + 0.5 * s0, qn[k] + 0.5 * s1, qt[k] + 0.5 * s2, E[k] + 0.5 * s3),
           pres(rc - 0.5 * s0, qn[k] - 0.5 * s1, qt[k] - 0.5 * s2, E[k] - 0.5 * s3));
    s[0] = s0 * t; s[1] = s1 * t; s[2] = s2 * t; s[3] = s3 * t;
}

/* HLLC flux of the frame states L, R; *s = max(|S_L|, |S_R|) */
static inline void hllc(const double *L, const double *R, double *F, double *s)
{
    double rL = L[0], nL = L[1], tL = L[2], EL = L[3], rR = R[0], nR = R[1], tR = R[2], ER = R[3];
    double iL = 1 / rL, iR = 1 / rR;
    double uL = nL * iL, vL = tL * iL, uR = nR * iR, vR = tR * iR;
    double pL = (GAM - 1) * (EL - 0.5 * (nL * uL + tL * vL));
    double pR = (GAM - 1) * (ER - 0.5 * (nR * uR + tR * vR));
    double cL = sqrt(GAM * pL * iL), cR = sqrt(GAM * pR * iR);
    double sl = sqrt(rL), sr = sqrt(rR), is = 1 / (sl + sr);
    double ut = (sl * uL + sr * uR) * is, vt = (sl * vL + sr * vR) * is;
    double Ht = (sl * (EL + pL) * iL + sr * (ER + pR) * iR) * is;
    double c2 = (GAM - 1) * (Ht - 0.5 * (ut * ut + vt * vt));
    double ct = sqrt(c2 > 0 ? c2 : 0);
    double SL = mn(uL - cL, ut - ct), SR = mx(uR + cR, ut + ct);
    *s = mx(fabs(SL), fabs(SR));
    if (SL >= 0) {
        F[0] = nL; F[1] = nL * uL + pL; F[2] = tL * uL; F[3] = (EL + pL) * uL;
        return;
    }
    if (SR <= 0) {
        F[0] = nR; F[1] = nR * uR + pR; F[2] = tR * uR; F[3] = (ER + pR) * uR;
        return;
    }
    double aL = rL * (SL - uL), aR = rR * (SR - uR);
    double Ss = (pR - pL + aL * uL - aR * uR) / (aL - aR);
    if (Ss >= 0) {
        double f = aL / (SL - Ss), e = EL * iL + (Ss - uL) * (Ss + pL / aL);
        F[0] = nL + SL * (f - rL); F[1] = nL * uL + pL + SL * (f * Ss - nL);
        F[2] = tL * uL + SL * (f * vL - tL); F[3] = (EL + pL) * uL + SL * (f * e - EL);
    } else {
        double f = aR / (SR - Ss), e = ER * iR + (Ss - uR) * (Ss + pR / aR);
        F[0] = nR + SR * (f - rR); F[1] = nR * uR + pR + SR * (f * Ss - nR);
        F[2] = tR * uR + SR * (f * vR - tR); F[3] = (ER + pR) * uR + SR * (f * e - ER);
    }
}

/* one direction: slopes along stride d into sl, the fluxes at the faces k - d/2 into f (frame
 * component c stored in its own plane); returns max S */
static double sweep(const double *src, double *restrict sl, double *restrict f, long nx,
                    long ny, int axis)
{
    long W = nx + 4, P = W * (ny + 4), d = axis ? W : 1;
    /* storage plane of each frame component: (rho, m_normal, m_transverse, E) */
    long pl[4] = {0, axis ? 2 * P : P, axis ? P : 2 * P, 3 * P};
    const double *r = src, *qn = src + pl[1], *qt = src + pl[2], *E = src + 3 * P;
    long i0 = axis ? 2 : 1, i1 = axis ? nx + 2 : nx + 3, j0 = axis ? 1 : 2, j1 = axis ? ny + 3 : ny + 2;
    for (long j = j0; j < j1; ++j)
        for (long i = i0; i < i1; ++i) {
            long k = j * W + i;
            double s[4];
            slope(r, qn, qt, E, k, d, s);
            for (int c = 0; c < 4; ++c) sl[pl[c] + k] = s[c];
        }
    double smax = 0;
    long fi1 = axis ? nx + 2 : nx + 3, fj1 = axis ? ny + 3 : ny + 2;
    for (long j = 2; j < fj1; ++j)
        for (long i = 2; i < fi1; ++i) {
            long k = j * W + i, l = k - d;
            double L[4], R[4], F[4], s;
            for (int c = 0; c < 4; ++c) {
                L[c] = src[pl[c] + l] + 0.5 * sl[pl[c] + l];
                R[c] = src[pl[c] + k] - 0.5 * sl[pl[c] + k];
            }
            hllc(L, R, F, &s);
            for (int c = 0; c < 4; ++c) f[pl[c] + k] = F[c];
            smax = mx(smax, s);
        }
    return smax;
}

/* out = a base + b (src + dt L(src)); returns dt (S_x/dx + S_y/dy) */
static double stage(double *src, const double *base, double *out, double *restrict sl,
                    double *restrict fx, double *restrict fy, long nx, long ny, double lx,
                    double ly, double a, double b)
{
    long W = nx + 4, P = W * (ny + 4);
    fill(src, nx, ny);
    double rate = lx * sweep(src, sl, fx, nx, ny, 0);
    rate += ly * sweep(src, sl, fy, nx, ny, 1);
    for (int c = 0; c < 4; ++c)
        for (long j = 2; j < ny + 2; ++j)
            for (long i = 2; i < nx + 2; ++i) {
                long k = c * P + j * W + i;
                out[k] = a * base[k] + b * (src[k] - lx * (fx[k + 1] - fx[k])
                                            - ly * (fy[k + W] - fy[k]));
            }
    return rate;
}

/* q, stage_, sl, fx, fy: 4 (ny + 4)(nx + 4) doubles; lx = dt/dx, ly = dt/dy */
double euler2d_muscl_hllc_ssprk2(double *restrict q, double *restrict stage_,
                                 double *restrict sl, double *restrict fx, double *restrict fy,
                                 long nx, long ny, long nsteps, double lx, double ly)
{
    double rate = 0;
    for (long s = 0; s < nsteps; ++s) {
        rate = mx(rate, stage(q, q, stage_, sl, fx, fy, nx, ny, lx, ly, 0.0, 1.0));
        rate = mx(rate, stage(stage_, q, q, sl, fx, fy, nx, ny, lx, ly, 0.5, 0.5));
    }
    return rate;
}
