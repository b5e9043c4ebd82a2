/* Hand-written C baselines for bench/stencils.py, compiled at run time with
 * gcc -O3 -march=native. Same contract as mcgen's generated kernels: padded buffers with one
 * ghost cell per side, periodic ghost fill outside the hot loop, nsteps steps per call with a
 * pointer swap; the newest values end in `cur` when nsteps is even, in `nxt` otherwise. */
#include <stddef.h>
#include <string.h>

#define SWAP(a, b) do { double *t_ = (a); (a) = (b); (b) = t_; } while (0)

static inline double max2(double a, double b) { return a > b ? a : b; }
static inline double min2(double a, double b) { return a < b ? a : b; }
static inline double fabs_(double a) { return a < 0 ? -a : a; }

static inline void fill1(double *u, long n) { u[0] = u[n]; u[n + 1] = u[1]; }

void upwind(double *restrict cur, double *restrict nxt, long n, long nsteps, double nu)
{
    for (long s = 0; s < nsteps; ++s) {
        fill1(cur, n);
        for (long i = 1; i <= n; ++i) nxt[i] = cur[i] - nu * (cur[i] - cur[i - 1]);
        SWAP(cur, nxt);
    }
}

void lax_wendroff(double *restrict cur, double *restrict nxt, long n, long nsteps, double nu)
{
    const double a = 0.5 * nu, b = 0.5 * nu * nu;
    for (long s = 0; s < nsteps; ++s) {
        fill1(cur, n);
        for (long i = 1; i <= n; ++i)
            nxt[i] = cur[i] - a * (cur[i + 1] - cur[i - 1])
                     + b * (cur[i + 1] - 2.0 * cur[i] + cur[i - 1]);
        SWAP(cur, nxt);
    }
}

/* Burgers f(u) = u^2/2; each interface flux computed once per step into `flux`. */
void burgers_rusanov(double *restrict cur, double *restrict nxt, double *restrict flux, long n,
                     long nsteps, double lam)
{
    for (long s = 0; s < nsteps; ++s) {
        fill1(cur, n);
        for (long i = 0; i <= n; ++i) {  /* interface i+1/2 between cells i and i+1 */
            double a = cur[i], b = cur[i + 1];
            flux[i] = 0.25 * (a * a + b * b) - 0.5 * max2(fabs_(a), fabs_(b)) * (b - a);
        }
        for (long i = 1; i <= n; ++i) nxt[i] = cur[i] - lam * (flux[i] - flux[i - 1]);
        SWAP(cur, nxt);
    }
}

void burgers_godunov(double *restrict cur, double *restrict nxt, double *restrict flux, long n,
                     long nsteps, double lam)
{
    for (long s = 0; s < nsteps; ++s) {
        fill1(cur, n);
        for (long i = 0; i <= n; ++i) {
            double a = max2(cur[i], 0.0), b = min2(cur[i + 1], 0.0);
            flux[i] = 0.5 * max2(a * a, b * b);
        }
        for (long i = 1; i <= n; ++i) nxt[i] = cur[i] - lam * (flux[i] - flux[i - 1]);
        SWAP(cur, nxt);
    }
}

static void fill2(double *u, long nx, long ny)
{
    const long w = ny + 2;
    for (long i = 1; i <= nx; ++i) { u[i * w] = u[i * w + ny]; u[i * w + ny + 1] = u[i * w + 1]; }
    memcpy(u, u + nx * w, (size_t)w * sizeof(double));
    memcpy(u + (nx + 1) * w, u + w, (size_t)w * sizeof(double));
}

void heat2d(double *restrict cur, double *restrict nxt, long nx, long ny, long nsteps, double r)
{
    const long w = ny + 2;
    for (long s = 0; s < nsteps; ++s) {
        fill2(cur, nx, ny);
        for (long i = 1; i <= nx; ++i) {
            const double *c = cur + i * w;
            double *o = nxt + i * w;
            for (long j = 1; j <= ny; ++j)
                o[j] = c[j] + r * (c[j - w] + c[j + w] + c[j - 1] + c[j + 1] - 4.0 * c[j]);
        }
        SWAP(cur, nxt);
    }
}

void donor2d(double *restrict cur, double *restrict nxt, long nx, long ny, long nsteps,
             double cx, double cy)
{
    const long w = ny + 2;
    for (long s = 0; s < nsteps; ++s) {
        fill2(cur, nx, ny);
        for (long i = 1; i <= nx; ++i) {
            const double *c = cur + i * w;
            double *o = nxt + i * w;
            for (long j = 1; j <= ny; ++j)
                o[j] = c[j] - cx * (c[j] - c[j - w]) - cy * (c[j] - c[j - 1]);
        }
        SWAP(cur, nxt);
    }
}

/* STREAM copy, measured in the same run: a[i] = b[i]. */
void stream_copy(double *restrict a, const double *restrict b, long n, long reps)
{
    for (long r = 0; r < reps; ++r) {
        for (long i = 0; i < n; ++i) a[i] = b[i];
        __asm__ __volatile__("" : : "r"(a) : "memory");  /* keep every repetition */
    }
}
