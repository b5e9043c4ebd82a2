/* Hand-written C baseline for the 3-D dimension-by-dimension kernel (issue 14 item 4):
 * u_t + u_x + u_y + u_z = 0, periodic, MUSCL with the minmod slope and the upwind (Godunov)
 * flux on every axis, unsplit SSPRK(2,2) in Shu-Osher form; u[nz+4][ny+4][nx+4] (x fastest,
 * 2 ghost cells per side). bench/system_kernels.py times it against HighResNDKernel;
 * tests/codegen/test_highres_nd_kernels.py checks it against mcgen's NumPy reference. */
#include <math.h>

/* branch-free minmod with ternary min/max (gcc vectorises these; fmin/fmax without
 * -ffast-math stay libm calls) */
static inline double mn(double a, double b) { return a < b ? a : b; }
static inline double mx(double a, double b) { return a > b ? a : b; }
static inline double minmod(double a, double b) { return mx(0.0, mn(a, b)) + mn(0.0, mx(a, b)); }

static void fill3(double *u, long nx, long ny, long nz)
{
    long W = nx + 4, S = W * (ny + 4);
    for (long k = 2; k < nz + 2; ++k)
        for (long j = 2; j < ny + 2; ++j) {
            double *r = u + k * S + j * W;
            r[0] = r[nx]; r[1] = r[nx + 1]; r[nx + 2] = r[2]; r[nx + 3] = r[3];
        }
    for (long k = 2; k < nz + 2; ++k)
        for (long i = 2; i < nx + 2; ++i) {
            double *c = u + k * S + i;
            c[0] = c[ny * W]; c[W] = c[(ny + 1) * W];
            c[(ny + 2) * W] = c[2 * W]; c[(ny + 3) * W] = c[3 * W];
        }
    for (long j = 2; j < ny + 2; ++j)
        for (long i = 2; i < nx + 2; ++i) {
            double *c = u + j * W + i;
            c[0] = c[nz * S]; c[S] = c[(nz + 1) * S];
            c[(nz + 2) * S] = c[2 * S]; c[(nz + 3) * S] = c[3 * S];
        }
}

/* upwind face value at +1/2 of cell p along stride d */
static inline double face(const double *p, long d)
{
    return p[0] + 0.5 * minmod(p[0] - p[-d], p[d] - p[0]);
}

/* out = a base + b (src - sum_d lam_d (F_d(+1/2) - F_d(-1/2))); three distinct buffers, all
 * restrict, so gcc vectorises the x loop */
static void stage3(double *src, const double *base, double *restrict out,
                   long nx, long ny, long nz, double lx, double ly, double lz, double a, double b)
{
    long W = nx + 4, S = W * (ny + 4);
    fill3(src, nx, ny, nz);
    for (long k = 2; k < nz + 2; ++k)
        for (long j = 2; j < ny + 2; ++j) {
            const double *p = src + k * S + j * W;
            const double *q = base + k * S + j * W;
            double *o = out + k * S + j * W;
            for (long i = 2; i < nx + 2; ++i) {
                double L = lx * (face(p + i, 1) - face(p + i - 1, 1))
                           + ly * (face(p + i, W) - face(p + i - W, W))
                           + lz * (face(p + i, S) - face(p + i - S, S));
                o[i] = a * q[i] + b * (p[i] - L);
            }
        }
}

/* u, s1, s2: (nz + 4)(ny + 4)(nx + 4) doubles; lx = dt/dx, ...; the result is left in u */
void muscl3d_minmod_ssprk2(double *restrict u, double *restrict s1, double *restrict s2, long nx,
                           long ny, long nz, long nsteps, double lx, double ly, double lz)
{
    long size = (nx + 4) * (ny + 4) * (nz + 4);
    double *cur = u, *nxt = s2;
    for (long s = 0; s < nsteps; ++s) {
        stage3(cur, cur, s1, nx, ny, nz, lx, ly, lz, 0.0, 1.0);  /* b = 1: base unused */
        stage3(s1, cur, nxt, nx, ny, nz, lx, ly, lz, 0.5, 0.5);
        double *t = cur; cur = nxt; nxt = t;
    }
    if (cur != u)
        for (long c = 0; c < size; ++c) u[c] = cur[c];
}
