/* Hand-written C baselines for the high-resolution schemes of issue 14 (bench/highres_kernels.py
 * compiles them at run time with gcc -O3 -march=native; tests/run/test_highres_hand_c.py checks
 * mcgen's NumPy reference steppers against them).
 *
 * muscl_minmod_ssprk2: u_t + u_x = 0, periodic, MUSCL with the minmod slope, upwind (Godunov)
 *   flux, SSPRK(2,2); buffers padded with 2 ghost cells per side, nsteps steps per call.
 * euler2d_hllc: 2-D Euler, first-order HLLC (Einfeldt wave speeds from Roe averages), unsplit
 *   forward Euler, periodic; q[k][ny+2][nx+2] padded by one cell, nsteps steps of fixed dt. */
#include <math.h>
#include <stddef.h>
#include <string.h>

/* min/max as ternaries: gcc turns them into vector min/max, while fmin/fmax without
 * -ffast-math stay libm calls (C99 NaN rules) and keep the loop scalar */
static inline double mn(double a, double b) { return a < b ? a : b; }
static inline double mx(double a, double b) { return a > b ? a : b; }

/* minmod: the smaller magnitude when the signs agree, else 0; as four min/max (branch-free,
 * vectorises; a select form `a > 0 && b > 0 ? ...` ran at half the speed) */
static inline double minmod(double a, double b)
{
    return mx(0.0, mn(a, b)) + mn(0.0, mx(a, b));
}

static inline void fill2(double *u, long n)
{
    u[0] = u[n]; u[1] = u[n + 1]; u[n + 2] = u[2]; u[n + 3] = u[3];
}

/* out[i] = a*base[i] + b*(src[i] - nu*(F_{i+1/2} - F_{i-1/2})), interior i = 2..n+1; the face
 * values F_{i+1/2} = src[i] + minmod(...)/2 for i = 1..n+1 go to `face` first (no loop-carried
 * dependence, so both loops vectorise); `base` and `out` may be the same array */
static void muscl_stage(const double *restrict src, const double *base, double *out,
                        double *restrict face, long n, double nu, double a, double b)
{
    for (long i = 1; i <= n + 1; ++i)
        face[i] = src[i] + 0.5 * minmod(src[i] - src[i - 1], src[i + 1] - src[i]);
    for (long i = 2; i <= n + 1; ++i)
        out[i] = a * base[i] + b * (src[i] - nu * (face[i] - face[i - 1]));
}

/* u, stage, face: n + 4 doubles (2 ghost cells per side) */
void muscl_minmod_ssprk2(double *restrict u, double *restrict stage, double *restrict face,
                         long n, long nsteps, double nu)
{
    for (long s = 0; s < nsteps; ++s) {
        fill2(u, n);
        muscl_stage(u, u, stage, face, n, nu, 0.0, 1.0);   /* u1 = u + dt L(u) */
        fill2(stage, n);
        muscl_stage(stage, u, u, face, n, nu, 0.5, 0.5);   /* u = u/2 + (u1 + dt L(u1))/2 */
    }
}

#define G 1.4
typedef struct { double r, mn, mt, E; } St;

/* HLLC flux in the direction whose momentum is mn (mt transverse) */
static inline St hllc(St L, St R)
{
    double uL = L.mn / L.r, vL = L.mt / L.r, pL = (G - 1) * (L.E - 0.5 * (L.mn * uL + L.mt * vL));
    double uR = R.mn / R.r, vR = R.mt / R.r, pR = (G - 1) * (R.E - 0.5 * (R.mn * uR + R.mt * vR));
    double cL = sqrt(G * pL / L.r), cR = sqrt(G * pR / R.r);
    double sl = sqrt(L.r), sr = sqrt(R.r);
    double ut = (sl * uL + sr * uR) / (sl + sr), vt = (sl * vL + sr * vR) / (sl + sr);
    double Ht = (sl * (L.E + pL) / L.r + sr * (R.E + pR) / R.r) / (sl + sr);
    double c2 = (G - 1) * (Ht - 0.5 * (ut * ut + vt * vt));
    double ct = sqrt(c2 > 0 ? c2 : 0);
    double SL = mn(uL - cL, ut - ct), SR = mx(uR + cR, ut + ct);
    St FL = {L.mn, L.mn * uL + pL, L.mt * uL, (L.E + pL) * uL};
    St FR = {R.mn, R.mn * uR + pR, R.mt * uR, (R.E + pR) * uR};
    if (SL >= 0) return FL;
    if (SR <= 0) return FR;
    double Ss = (pR - pL + L.r * uL * (SL - uL) - R.r * uR * (SR - uR)) /
                (L.r * (SL - uL) - R.r * (SR - uR));
    if (Ss >= 0) {
        double f = L.r * (SL - uL) / (SL - Ss);
        double e = L.E / L.r + (Ss - uL) * (Ss + pL / (L.r * (SL - uL)));
        St o = {FL.r + SL * (f - L.r), FL.mn + SL * (f * Ss - L.mn), FL.mt + SL * (f * vL - L.mt),
                FL.E + SL * (f * e - L.E)};
        return o;
    }
    double f = R.r * (SR - uR) / (SR - Ss);
    double e = R.E / R.r + (Ss - uR) * (Ss + pR / (R.r * (SR - uR)));
    St o = {FR.r + SR * (f - R.r), FR.mn + SR * (f * Ss - R.mn), FR.mt + SR * (f * vR - R.mt),
            FR.E + SR * (f * e - R.E)};
    return o;
}

static void fill_periodic(double *q, long nx, long ny)
{
    long W = nx + 2;
    for (int k = 0; k < 4; ++k) {
        double *a = q + (size_t)k * (ny + 2) * W;
        for (long j = 1; j <= ny; ++j) { a[j * W] = a[j * W + nx]; a[j * W + nx + 1] = a[j * W + 1]; }
        memcpy(a, a + ny * W, sizeof(double) * W);
        memcpy(a + (ny + 1) * W, a + W, sizeof(double) * W);
    }
}

/* q, out: [4][ny+2][nx+2] (rho, m_x, m_y, E), x fastest; lx = dt/dx, ly = dt/dy */
void euler2d_hllc(double *restrict q, double *restrict out, long nx, long ny, long nsteps,
                  double lx, double ly)
{
    long W = nx + 2, P = (ny + 2) * W;
    for (long s = 0; s < nsteps; ++s) {
        fill_periodic(q, nx, ny);
        memcpy(out, q, sizeof(double) * 4 * P);
        for (long j = 1; j <= ny; ++j) {          /* x sweep: interfaces i-1/2, i = 1..nx+1 */
            for (long i = 1; i <= nx + 1; ++i) {
                long a = j * W + i - 1, b = j * W + i;
                St L = {q[a], q[P + a], q[2 * P + a], q[3 * P + a]};
                St R = {q[b], q[P + b], q[2 * P + b], q[3 * P + b]};
                St F = hllc(L, R);
                if (i - 1 >= 1) { out[a] -= lx * F.r; out[P + a] -= lx * F.mn;
                                  out[2 * P + a] -= lx * F.mt; out[3 * P + a] -= lx * F.E; }
                if (i <= nx) { out[b] += lx * F.r; out[P + b] += lx * F.mn;
                               out[2 * P + b] += lx * F.mt; out[3 * P + b] += lx * F.E; }
            }
        }
        for (long j = 1; j <= ny + 1; ++j) {      /* y sweep: normal momentum m_y */
            for (long i = 1; i <= nx; ++i) {
                long a = (j - 1) * W + i, b = j * W + i;
                St L = {q[a], q[2 * P + a], q[P + a], q[3 * P + a]};
                St R = {q[b], q[2 * P + b], q[P + b], q[3 * P + b]};
                St F = hllc(L, R);
                if (j - 1 >= 1) { out[a] -= ly * F.r; out[2 * P + a] -= ly * F.mn;
                                  out[P + a] -= ly * F.mt; out[3 * P + a] -= ly * F.E; }
                if (j <= ny) { out[b] += ly * F.r; out[2 * P + b] += ly * F.mn;
                               out[P + b] += ly * F.mt; out[3 * P + b] += ly * F.E; }
            }
        }
        memcpy(q, out, sizeof(double) * 4 * P);
    }
}
