/* Hand-written OpenMP baselines for bench/threads.py, compiled at run time with
 * gcc -O3 -march=native -fopenmp. The same updates as bench/hand_stencils.c, written the way an
 * OpenMP programmer would: one parallel region around the whole time loop (threads start once
 * per call, not once per step), each sweep work-shared with a static schedule (its implicit
 * barrier orders the steps), the ghost fill done by one thread (`single`, barrier after). */
#include <stddef.h>
#include <string.h>

#define SWAP(a, b) do { double *t_ = (a); (a) = (b); (b) = t_; } while (0)

static inline double max2(double a, double b) { return a > b ? a : b; }
static inline double min2(double a, double b) { return a < b ? a : b; }
static inline double fabs_(double a) { return a < 0 ? -a : a; }

void upwind_omp(double *restrict cur, double *restrict nxt, long n, long nsteps, double nu)
{
#pragma omp parallel firstprivate(cur, nxt)
    for (long s = 0; s < nsteps; ++s) {
#pragma omp single
        { cur[0] = cur[n]; cur[n + 1] = cur[1]; }
#pragma omp for schedule(static)
        for (long i = 1; i <= n; ++i) nxt[i] = cur[i] - nu * (cur[i] - cur[i - 1]);
        SWAP(cur, nxt);
    }
}

void lax_wendroff_omp(double *restrict cur, double *restrict nxt, long n, long nsteps, double nu)
{
    const double a = 0.5 * nu, b = 0.5 * nu * nu;
#pragma omp parallel firstprivate(cur, nxt)
    for (long s = 0; s < nsteps; ++s) {
#pragma omp single
        { cur[0] = cur[n]; cur[n + 1] = cur[1]; }
#pragma omp for schedule(static)
        for (long i = 1; i <= n; ++i)
            nxt[i] = cur[i] - a * (cur[i + 1] - cur[i - 1])
                     + b * (cur[i + 1] - 2.0 * cur[i] + cur[i - 1]);
        SWAP(cur, nxt);
    }
}

void burgers_rusanov_omp(double *restrict cur, double *restrict nxt, double *restrict flux,
                         long n, long nsteps, double lam)
{
#pragma omp parallel firstprivate(cur, nxt)
    for (long s = 0; s < nsteps; ++s) {
#pragma omp single
        { cur[0] = cur[n]; cur[n + 1] = cur[1]; }
#pragma omp for schedule(static)
        for (long i = 0; i <= n; ++i) {
            double a = cur[i], b = cur[i + 1];
            flux[i] = 0.25 * (a * a + b * b) - 0.5 * max2(fabs_(a), fabs_(b)) * (b - a);
        }
#pragma omp for schedule(static)
        for (long i = 1; i <= n; ++i) nxt[i] = cur[i] - lam * (flux[i] - flux[i - 1]);
        SWAP(cur, nxt);
    }
}

void burgers_godunov_omp(double *restrict cur, double *restrict nxt, double *restrict flux,
                         long n, long nsteps, double lam)
{
#pragma omp parallel firstprivate(cur, nxt)
    for (long s = 0; s < nsteps; ++s) {
#pragma omp single
        { cur[0] = cur[n]; cur[n + 1] = cur[1]; }
#pragma omp for schedule(static)
        for (long i = 0; i <= n; ++i) {
            double a = max2(cur[i], 0.0), b = min2(cur[i + 1], 0.0);
            flux[i] = 0.5 * max2(a * a, b * b);
        }
#pragma omp for schedule(static)
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

void heat2d_omp(double *restrict cur, double *restrict nxt, long nx, long ny, long nsteps,
                double r)
{
    const long w = ny + 2;
#pragma omp parallel firstprivate(cur, nxt)
    for (long s = 0; s < nsteps; ++s) {
#pragma omp single
        fill2(cur, nx, ny);
#pragma omp for schedule(static)
        for (long i = 1; i <= nx; ++i) {
            const double *c = cur + i * w;
            double *o = nxt + i * w;
            for (long j = 1; j <= ny; ++j)
                o[j] = c[j] + r * (c[j - w] + c[j + w] + c[j - 1] + c[j + 1] - 4.0 * c[j]);
        }
        SWAP(cur, nxt);
    }
}

void donor2d_omp(double *restrict cur, double *restrict nxt, long nx, long ny, long nsteps,
                 double cx, double cy)
{
    const long w = ny + 2;
#pragma omp parallel firstprivate(cur, nxt)
    for (long s = 0; s < nsteps; ++s) {
#pragma omp single
        fill2(cur, nx, ny);
#pragma omp for schedule(static)
        for (long i = 1; i <= nx; ++i) {
            const double *c = cur + i * w;
            double *o = nxt + i * w;
            for (long j = 1; j <= ny; ++j)
                o[j] = c[j] - cx * (c[j] - c[j - w]) - cy * (c[j] - c[j - 1]);
        }
        SWAP(cur, nxt);
    }
}

/* STREAM copy on all threads: a[i] = b[i], work-shared statically. */
void stream_copy_omp(double *restrict a, const double *restrict b, long n, long reps)
{
#pragma omp parallel
    for (long r = 0; r < reps; ++r) {
#pragma omp for schedule(static)
        for (long i = 0; i < n; ++i) a[i] = b[i];
        __asm__ __volatile__("" : : "r"(a) : "memory");
    }
}

#include <omp.h>
void hand_set_threads(int n) { omp_set_num_threads(n); }
