/* Hand-written C baseline for mcgen's WENO5 kernels (issue 14 item 4): bench/hand_c_extra.py
 * compiles it with gcc -O3 -march=native, checks it against mcgen's NumPy references
 * (mcgen/run/highres_stepper.py, and mcgen/run/highres_nd_stepper.py for the 2-D and 3-D
 * functions at the end) and times it against the generated HighResKernel / HighResNDKernel.
 *
 * The scheme of mcgen.model.catalogue.highres.weno5 with the Lax-Friedrichs splitting:
 * u_t + f(u)_x = 0, periodic, f+- = (f(u) +- alpha u)/2 with the global alpha = max |f'| on the
 * data range, the Jiang-Shu WENO5 value (epsilon = 1e-6, p = 2, linear weights 1/10, 6/10,
 * 3/10) of f+ from the left and of f- from the right at each face, F = f+^- + f-^+, SSPRK(3,3)
 * in Shu-Osher form; buffers padded with 3 ghost cells per side, nsteps steps per call.
 *
 * weno5_advection_ssprk3: f = u (alpha = 1, so f+ = u and f- = 0 exactly: the f- half, zero,
 *   is not computed).
 * weno5_burgers_ssprk3: f = u^2/2 with the caller's alpha (max |u| on the data range).
 *
 * Written for speed: each face value is computed once (a face loop, then an update loop;
 * neither has a loop-carried dependence, both vectorise), the 1/6 of the candidate stencils is
 * taken out of the weighted sum, constants are multiplications.
 *
 * -DWENO5_FACES_TWICE (for bench/hand_c_extra.py --causes only): the advection kernel computes
 * both face values of each cell in the cell's own loop, as the generated kernel does. */
#include <stddef.h>

#define WENO_EPS 1e-6

/* Jiang-Shu fifth-order value at the right face of the v3 cell, upwind from the left */
static inline double weno5(double v1, double v2, double v3, double v4, double v5)
{
    const double c13 = 13.0 / 12.0;
    double d0 = v1 - 2 * v2 + v3, e0 = v1 - 4 * v2 + 3 * v3;
    double d1 = v2 - 2 * v3 + v4, e1 = v2 - v4;
    double d2 = v3 - 2 * v4 + v5, e2 = 3 * v3 - 4 * v4 + v5;
    double b0 = WENO_EPS + c13 * d0 * d0 + 0.25 * e0 * e0;
    double b1 = WENO_EPS + c13 * d1 * d1 + 0.25 * e1 * e1;
    double b2 = WENO_EPS + c13 * d2 * d2 + 0.25 * e2 * e2;
    double a0 = 0.1 / (b0 * b0), a1 = 0.6 / (b1 * b1), a2 = 0.3 / (b2 * b2);
    double q0 = 2 * v1 - 7 * v2 + 11 * v3;   /* six times the candidate values */
    double q1 = -v2 + 5 * v3 + 2 * v4;
    double q2 = 2 * v3 + 5 * v4 - v5;
    return (a0 * q0 + a1 * q1 + a2 * q2) / (6 * (a0 + a1 + a2));
}

static inline void fill3(double *u, long n)
{
    u[0] = u[n]; u[1] = u[n + 1]; u[2] = u[n + 2];
    u[n + 3] = u[3]; u[n + 4] = u[4]; u[n + 5] = u[5];
}

/* out[i] = a*base[i] + b*(src[i] - lam*(face[i] - face[i-1])), interior i = 3..n+2, with
 * face[i] = F_{i+1/2} for i = 2..n+2; `out` may be `src` or `base` (elementwise) */
static void update(const double *src, const double *base, double *out,
                   const double *restrict face, long n, double lam, double a, double b)
{
    for (long i = 3; i <= n + 2; ++i)
        out[i] = a * base[i] + b * (src[i] - lam * (face[i] - face[i - 1]));
}

/* ------------------------------------------------------------------ linear advection */

static void adv_stage(double *src, const double *base, double *out,
                      double *restrict face, long n, double lam, double a, double b)
{
    fill3(src, n);
#ifdef WENO5_FACES_TWICE
    for (long i = 3; i <= n + 2; ++i)  /* face[i] holds F_{i+1/2} - F_{i-1/2} here */
        face[i] = weno5(src[i - 2], src[i - 1], src[i], src[i + 1], src[i + 2])
                - weno5(src[i - 3], src[i - 2], src[i - 1], src[i], src[i + 1]);
    for (long i = 3; i <= n + 2; ++i)
        out[i] = a * base[i] + b * (src[i] - lam * face[i]);
#else
    for (long i = 2; i <= n + 2; ++i)
        face[i] = weno5(src[i - 2], src[i - 1], src[i], src[i + 1], src[i + 2]);
    update(src, base, out, face, n, lam, a, b);
#endif
}

/* u, u1, face: n + 6 doubles (3 ghost cells per side); lam = dt/dx */
void weno5_advection_ssprk3(double *restrict u, double *restrict u1, double *restrict face,
                            long n, long nsteps, double lam)
{
    for (long s = 0; s < nsteps; ++s) {
        adv_stage(u, u, u1, face, n, lam, 0.0, 1.0);                /* u1 = u + dt L(u) */
        adv_stage(u1, u, u1, face, n, lam, 0.75, 0.25);             /* u2 = 3u/4 + (u1 + dt L)/4 */
        adv_stage(u1, u, u, face, n, lam, 1.0 / 3.0, 2.0 / 3.0);    /* u = u/3 + 2(u2 + dt L)/3 */
    }
}

/* ------------------------------------------------------------------ Burgers */

static void burgers_stage(double *src, const double *base, double *out,
                          double *restrict fp, double *restrict fm, double *restrict face,
                          long n, double lam, double alpha, double a, double b)
{
    fill3(src, n);
    for (long i = 0; i < n + 6; ++i) {
        double f = 0.5 * src[i] * src[i];
        fp[i] = 0.5 * (f + alpha * src[i]);
        fm[i] = 0.5 * (f - alpha * src[i]);
    }
    for (long i = 2; i <= n + 2; ++i)
        face[i] = weno5(fp[i - 2], fp[i - 1], fp[i], fp[i + 1], fp[i + 2])
                + weno5(fm[i + 3], fm[i + 2], fm[i + 1], fm[i], fm[i - 1]);
    update(src, base, out, face, n, lam, a, b);
}

/* u, u1, fp, fm, face: n + 6 doubles; alpha = max |u| on the data range */
void weno5_burgers_ssprk3(double *restrict u, double *restrict u1, double *restrict fp,
                          double *restrict fm, double *restrict face, long n, long nsteps,
                          double lam, double alpha)
{
    for (long s = 0; s < nsteps; ++s) {
        burgers_stage(u, u, u1, fp, fm, face, n, lam, alpha, 0.0, 1.0);
        burgers_stage(u1, u, u1, fp, fm, face, n, lam, alpha, 0.75, 0.25);
        burgers_stage(u1, u, u, fp, fm, face, n, lam, alpha, 1.0 / 3.0, 2.0 / 3.0);
    }
}

/* ------------------------------------------------------------------ 2-D, dimension by dimension
 *
 * u_t + f(u)_x + f(u)_y = 0 on a periodic nx x ny grid, the same f on both axes (f = u:
 * advection along the diagonal; f = u^2/2: Burgers), the 1-D scheme above along each axis,
 * SSPRK(3,3) in Shu-Osher form. Arrays: (ny + 6) rows of nx + 6 doubles, x fastest, 3 ghost
 * cells per side; lamx = dt/dx, lamy = dt/dy. Each stage fills the ghost cells (x ghosts of the
 * interior rows, y ghosts of the interior columns: the face passes read no corner), computes
 * each x face and each y face once (fx, fy), then updates the interior (x fastest, so every
 * loop vectorises along x). */

static void fill3_2d(double *u, long nx, long ny)
{
    const long W = nx + 6;
    for (long j = 3; j < ny + 3; ++j)
        fill3(u + j * W, nx);
    for (long k = 0; k < 3; ++k)
        for (long i = 3; i < nx + 3; ++i) {
            u[k * W + i] = u[(ny + k) * W + i];
            u[(ny + 3 + k) * W + i] = u[(3 + k) * W + i];
        }
}

/* out = a*base + b*(src - lamx (fx[c] - fx[c-1]) - lamy (fy[c] - fy[c-W])) on the interior;
 * `out` may be `src` or `base` (elementwise) */
static void update_2d(const double *src, const double *base, double *out,
                      const double *restrict fx, const double *restrict fy, long nx, long ny,
                      double lamx, double lamy, double a, double b)
{
    const long W = nx + 6;
    for (long j = 3; j < ny + 3; ++j)
        for (long i = j * W + 3; i < j * W + nx + 3; ++i)
            out[i] = a * base[i] + b * (src[i] - lamx * (fx[i] - fx[i - 1])
                                        - lamy * (fy[i] - fy[i - W]));
}

/* the x faces F_{i+1/2} (i = 2 .. nx + 2) of the interior rows and the y faces F_{j+1/2}
 * (j = 2 .. ny + 2) of the interior columns, of the split fluxes fp (from the left) and, when
 * fm is not NULL, fm (from the right) */
static void faces_2d(const double *fp, const double *fm, double *restrict fx,
                     double *restrict fy, long nx, long ny)
{
    const long W = nx + 6;
    for (long j = 3; j < ny + 3; ++j) {
        const double *p = fp + j * W, *m = fm ? fm + j * W : NULL;
        double *f = fx + j * W;
        for (long i = 2; i <= nx + 2; ++i)
            f[i] = weno5(p[i - 2], p[i - 1], p[i], p[i + 1], p[i + 2])
                 + (m ? weno5(m[i + 3], m[i + 2], m[i + 1], m[i], m[i - 1]) : 0.0);
    }
    for (long j = 2; j <= ny + 2; ++j)
        for (long i = j * W + 3; i < j * W + nx + 3; ++i)
            fy[i] = weno5(fp[i - 2 * W], fp[i - W], fp[i], fp[i + W], fp[i + 2 * W])
                  + (fm ? weno5(fm[i + 3 * W], fm[i + 2 * W], fm[i + W], fm[i], fm[i - W])
                        : 0.0);
}

/* u, u1, fx, fy: (nx + 6) (ny + 6) doubles; f = u on both axes (f+ = u, f- = 0) */
void weno5_2d_advection_ssprk3(double *restrict u, double *restrict u1, double *restrict fx,
                               double *restrict fy, long nx, long ny, long nsteps,
                               double lamx, double lamy)
{
    for (long s = 0; s < nsteps; ++s) {
        fill3_2d(u, nx, ny);
        faces_2d(u, NULL, fx, fy, nx, ny);
        update_2d(u, u, u1, fx, fy, nx, ny, lamx, lamy, 0.0, 1.0);
        fill3_2d(u1, nx, ny);
        faces_2d(u1, NULL, fx, fy, nx, ny);
        update_2d(u1, u, u1, fx, fy, nx, ny, lamx, lamy, 0.75, 0.25);
        fill3_2d(u1, nx, ny);
        faces_2d(u1, NULL, fx, fy, nx, ny);
        update_2d(u1, u, u, fx, fy, nx, ny, lamx, lamy, 1.0 / 3.0, 2.0 / 3.0);
    }
}

/* fp, fm = (f(src) +- alpha src)/2 at each of the `size` doubles of the array */
static void split_array(const double *src, double *restrict fp, double *restrict fm, long size,
                        double alpha)
{
    for (long i = 0; i < size; ++i) {
        double f = 0.5 * src[i] * src[i];
        fp[i] = 0.5 * (f + alpha * src[i]);
        fm[i] = 0.5 * (f - alpha * src[i]);
    }
}

/* u, u1, fp, fm, fx, fy: (nx + 6) (ny + 6) doubles; f = u^2/2 on both axes, alpha = max |u| on
 * the data range (the corners of fp, fm are computed and never read) */
void weno5_2d_burgers_ssprk3(double *restrict u, double *restrict u1, double *restrict fp,
                             double *restrict fm, double *restrict fx, double *restrict fy,
                             long nx, long ny, long nsteps, double lamx, double lamy,
                             double alpha)
{
    for (long s = 0; s < nsteps; ++s) {
        fill3_2d(u, nx, ny);
        split_array(u, fp, fm, (nx + 6) * (ny + 6), alpha);
        faces_2d(fp, fm, fx, fy, nx, ny);
        update_2d(u, u, u1, fx, fy, nx, ny, lamx, lamy, 0.0, 1.0);
        fill3_2d(u1, nx, ny);
        split_array(u1, fp, fm, (nx + 6) * (ny + 6), alpha);
        faces_2d(fp, fm, fx, fy, nx, ny);
        update_2d(u1, u, u1, fx, fy, nx, ny, lamx, lamy, 0.75, 0.25);
        fill3_2d(u1, nx, ny);
        split_array(u1, fp, fm, (nx + 6) * (ny + 6), alpha);
        faces_2d(fp, fm, fx, fy, nx, ny);
        update_2d(u1, u, u, fx, fy, nx, ny, lamx, lamy, 1.0 / 3.0, 2.0 / 3.0);
    }
}

/* ------------------------------------------------------------------ 3-D, dimension by dimension
 *
 * u_t + f(u)_x + f(u)_y + f(u)_z = 0 on a periodic nx x ny x nz grid, the same f on all three
 * axes, as the 2-D kernels above: arrays of (nz + 6) planes of (ny + 6) rows of nx + 6 doubles,
 * x fastest, 3 ghost cells per side; lamx, lamy, lamz = dt/dx, dt/dy, dt/dz. Each stage fills
 * the ghost cells of the interior lines (the face passes read no edge or corner), computes each
 * x, y and z face once (fx, fy, fz), then updates the interior (every loop runs along x). */

/* F_{c+1/2} along the axis of stride s at the flat index c: fp from the left plus, when fm is
 * not NULL, fm from the right */
static inline double face_at(const double *fp, const double *fm, long c, long s)
{
    return weno5(fp[c - 2 * s], fp[c - s], fp[c], fp[c + s], fp[c + 2 * s])
         + (fm ? weno5(fm[c + 3 * s], fm[c + 2 * s], fm[c + s], fm[c], fm[c - s]) : 0.0);
}

static void fill3_3d(double *u, long nx, long ny, long nz)
{
    const long W = nx + 6, P = W * (ny + 6);
    for (long k = 3; k < nz + 3; ++k) {
        for (long j = 3; j < ny + 3; ++j)  /* x ghosts */
            fill3(u + k * P + j * W, nx);
        for (long m = 0; m < 3; ++m)       /* y ghosts */
            for (long i = 3; i < nx + 3; ++i) {
                u[k * P + m * W + i] = u[k * P + (ny + m) * W + i];
                u[k * P + (ny + 3 + m) * W + i] = u[k * P + (3 + m) * W + i];
            }
    }
    for (long m = 0; m < 3; ++m)           /* z ghosts */
        for (long j = 3; j < ny + 3; ++j)
            for (long i = 3; i < nx + 3; ++i) {
                u[m * P + j * W + i] = u[(nz + m) * P + j * W + i];
                u[(nz + 3 + m) * P + j * W + i] = u[(3 + m) * P + j * W + i];
            }
}

/* the x faces (i = 2 .. nx + 2), y faces (j = 2 .. ny + 2) and z faces (k = 2 .. nz + 2) of the
 * interior lines along each axis */
static void faces_3d(const double *fp, const double *fm, double *restrict fx,
                     double *restrict fy, double *restrict fz, long nx, long ny, long nz)
{
    const long W = nx + 6, P = W * (ny + 6);
    for (long k = 3; k < nz + 3; ++k)
        for (long j = 3; j < ny + 3; ++j)
            for (long c = k * P + j * W + 2; c <= k * P + j * W + nx + 2; ++c)
                fx[c] = face_at(fp, fm, c, 1);
    for (long k = 3; k < nz + 3; ++k)
        for (long j = 2; j <= ny + 2; ++j)
            for (long c = k * P + j * W + 3; c < k * P + j * W + nx + 3; ++c)
                fy[c] = face_at(fp, fm, c, W);
    for (long k = 2; k <= nz + 2; ++k)
        for (long j = 3; j < ny + 3; ++j)
            for (long c = k * P + j * W + 3; c < k * P + j * W + nx + 3; ++c)
                fz[c] = face_at(fp, fm, c, P);
}

/* out = a*base + b*(src - lamx (fx[c] - fx[c-1]) - lamy (fy[c] - fy[c-W])
 *                   - lamz (fz[c] - fz[c-P])) on the interior; `out` may be `src` or `base` */
static void update_3d(const double *src, const double *base, double *out,
                      const double *restrict fx, const double *restrict fy,
                      const double *restrict fz, long nx, long ny, long nz, double lamx,
                      double lamy, double lamz, double a, double b)
{
    const long W = nx + 6, P = W * (ny + 6);
    for (long k = 3; k < nz + 3; ++k)
        for (long j = 3; j < ny + 3; ++j)
            for (long c = k * P + j * W + 3; c < k * P + j * W + nx + 3; ++c)
                out[c] = a * base[c] + b * (src[c] - lamx * (fx[c] - fx[c - 1])
                                            - lamy * (fy[c] - fy[c - W])
                                            - lamz * (fz[c] - fz[c - P]));
}

/* u, u1, fx, fy, fz: (nx + 6) (ny + 6) (nz + 6) doubles; f = u on all axes (f+ = u, f- = 0) */
void weno5_3d_advection_ssprk3(double *restrict u, double *restrict u1, double *restrict fx,
                               double *restrict fy, double *restrict fz, long nx, long ny,
                               long nz, long nsteps, double lamx, double lamy, double lamz)
{
    static const double a[3] = {0.0, 0.75, 1.0 / 3.0}, b[3] = {1.0, 0.25, 2.0 / 3.0};
    for (long s = 0; s < nsteps; ++s)
        for (int r = 0; r < 3; ++r) {  /* u1 = u + dt L(u); u1 = 3u/4 + ..; u = u/3 + .. */
            double *src = r ? u1 : u, *out = r == 2 ? u : u1;
            fill3_3d(src, nx, ny, nz);
            faces_3d(src, NULL, fx, fy, fz, nx, ny, nz);
            update_3d(src, u, out, fx, fy, fz, nx, ny, nz, lamx, lamy, lamz, a[r], b[r]);
        }
}

/* u, u1, fp, fm, fx, fy, fz: (nx + 6) (ny + 6) (nz + 6) doubles; f = u^2/2 on all axes,
 * alpha = max |u| on the data range (fp, fm are computed on the whole array) */
void weno5_3d_burgers_ssprk3(double *restrict u, double *restrict u1, double *restrict fp,
                             double *restrict fm, double *restrict fx, double *restrict fy,
                             double *restrict fz, long nx, long ny, long nz, long nsteps,
                             double lamx, double lamy, double lamz, double alpha)
{
    static const double a[3] = {0.0, 0.75, 1.0 / 3.0}, b[3] = {1.0, 0.25, 2.0 / 3.0};
    for (long s = 0; s < nsteps; ++s)
        for (int r = 0; r < 3; ++r) {
            double *src = r ? u1 : u, *out = r == 2 ? u : u1;
            fill3_3d(src, nx, ny, nz);
            split_array(src, fp, fm, (nx + 6) * (ny + 6) * (nz + 6), alpha);
            faces_3d(fp, fm, fx, fy, fz, nx, ny, nz);
            update_3d(src, u, out, fx, fy, fz, nx, ny, nz, lamx, lamy, lamz, a[r], b[r]);
        }
}
