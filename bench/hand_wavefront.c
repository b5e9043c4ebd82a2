/* Ceilings of mcgen's 2-D wavefront temporal blocking on this core (bench/wavefront_ceiling.py).
 *
 * 1. The row sweep of 2-D five-point heat and 2-D donor cell with all rows in L1: the generated
 *    kernels' arithmetic (same operations, same order), auto-vectorised as mcgen's C is, and by
 *    hand with AVX-512 intrinsics taking the x neighbours by shuffles of aligned loads (fewer
 *    loads per cell; same values, bit for bit); the two-row loop with its rows in L1 and in L2.
 * 2. A hand wavefront like mcgen's (periodic n x n, strips of B cells along axis 1 with halos of
 *    k cells, each of the k levels a ring of 4 rows (8 with 4 rows per pass), level L computing
 *    row j - L for input row j, the last level written to nxt), timed as it is and without its
 *    main-memory traffic (the input rows taken from 8 rows that stay in cache instead of cur,
 *    the last level written into its ring instead of nxt). Ring rows are padded so that the
 *    columns that are multiples of 8 lie on 64-byte line starts. Variants, each checked bitwise
 *    against one sweep per step:
 *    - JAM rows of a level in one x loop (1: mcgen's form before session 6; 2: since; 4);
 *    - JAM:CHUNK:LAG: the levels fused along the columns: the x loop goes over chunks of CHUNK
 *      columns and each level computes its rows in the chunk LAG columns behind the level
 *      before, so a level's fresh rows are read back from L1;
 *    - a8:JAM: single columns up to the first multiple of 8, then the plain loop (its vectors on
 *      line starts in the ring; mcgen's generated form since session 7);
 *    - x512:JAM / x512u:JAM (JAM 2): AVX-512 intrinsics, the x neighbours by shuffles of the
 *      aligned vectors kept in registers / by unaligned loads; edge vectors stored under a mask.
 *
 * The grids are on 2 MiB pages (madvise, as NumPy does for large arrays: on 4 KiB pages each row
 * of a strip is a TLB miss). Rates are per second of this thread's CPU time.
 *    - a8pf:D:L: a8:2 with software prefetch of cur's and nxt's rows D passes ahead (locality L).
 * Usage: hand_wavefront N K B STEPS REPS JAM [JAM:CHUNK:LAG | a8:JAM | x512:2 | x512u:2 |
 *                                             a8pf:D:L ...]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

enum { HEAT = 0, DONOR = 1 };
static const char *NAMES[2] = {"heat", "donor cell"};

/* d[x] for x in [lo, hi) from rows m (x - 1 along axis 0), c (x), p (x + 1): the generated
 * kernels' expressions (heat: r_x (N + S) + r_y (W + E) + wt C; donor: nu_x N + nu_y W + wt C) */
__attribute__((noinline)) static void row_heat(double *restrict d, const double *restrict m,
        const double *restrict c, const double *restrict p, int64_t lo, int64_t hi, double rx,
        double ry, double wt)
{
    for (int64_t x = lo; x < hi; ++x)
        d[x] = rx * (m[x] + p[x]) + ry * (c[x - 1] + c[x + 1]) + wt * c[x];
}

__attribute__((noinline)) static void row_donor(double *restrict d, const double *restrict m,
        const double *restrict c, const double *restrict p, int64_t lo, int64_t hi, double rx,
        double ry, double wt)
{
    (void)p;
    for (int64_t x = lo; x < hi; ++x)
        d[x] = rx * m[x] + ry * c[x - 1] + wt * c[x];
}

typedef void row_fn(double *restrict, const double *restrict, const double *restrict,
                    const double *restrict, int64_t, int64_t, double, double, double);
static row_fn *const ROWS[2] = {row_heat, row_donor};

/* the same for 2 and 4 rows c0.. (neighbours m above, p below) in one x loop: loads shared in
 * registers, each cell's arithmetic unchanged */
#define HEAT_AT(d, m, c, p) d[x] = rx * (m[x] + p[x]) + ry * (c[x - 1] + c[x + 1]) + wt * c[x]
#define DONOR_AT(d, m, c) d[x] = rx * m[x] + ry * c[x - 1] + wt * c[x]
typedef double *restrict out_t;
typedef const double *restrict in_t;
__attribute__((noinline)) static void rows2_heat(out_t d0, out_t d1, in_t m, in_t c0, in_t c1,
        in_t p, int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    for (int64_t x = lo; x < hi; ++x) {
        HEAT_AT(d0, m, c0, c1);
        HEAT_AT(d1, c0, c1, p);
    }
}

__attribute__((noinline)) static void rows2_donor(out_t d0, out_t d1, in_t m, in_t c0, in_t c1,
        in_t p, int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    (void)p;
    for (int64_t x = lo; x < hi; ++x) {
        DONOR_AT(d0, m, c0);
        DONOR_AT(d1, c0, c1);
    }
}

__attribute__((noinline)) static void rows4_heat(out_t d0, out_t d1, out_t d2, out_t d3, in_t m,
        in_t c0, in_t c1, in_t c2, in_t c3, in_t p, int64_t lo, int64_t hi, double rx, double ry,
        double wt)
{
    for (int64_t x = lo; x < hi; ++x) {
        HEAT_AT(d0, m, c0, c1);
        HEAT_AT(d1, c0, c1, c2);
        HEAT_AT(d2, c1, c2, c3);
        HEAT_AT(d3, c2, c3, p);
    }
}

__attribute__((noinline)) static void rows4_donor(out_t d0, out_t d1, out_t d2, out_t d3, in_t m,
        in_t c0, in_t c1, in_t c2, in_t c3, in_t p, int64_t lo, int64_t hi, double rx, double ry,
        double wt)
{
    (void)p;
    for (int64_t x = lo; x < hi; ++x) {
        DONOR_AT(d0, m, c0);
        DONOR_AT(d1, c0, c1);
        DONOR_AT(d2, c1, c2);
        DONOR_AT(d3, c2, c3);
    }
}

/* the same two rows exactly on [lo, hi): single columns up to the first multiple of 8, then one
 * plain loop (its vectors start on a 64-byte line in the ring) */
#define ALIGNED8(AT) \
    int64_t a8 = (lo + 7) & ~(int64_t)7; \
    if (a8 > hi) a8 = hi; \
    for (int64_t x = lo; x < a8; ++x) { AT; } \
    for (int64_t x = a8; x < hi; ++x) { AT; }
__attribute__((noinline)) static void rows2_heat_a8(out_t d0, out_t d1, in_t m, in_t c0, in_t c1,
        in_t p, int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    ALIGNED8(HEAT_AT(d0, m, c0, c1); HEAT_AT(d1, c0, c1, p))
}

__attribute__((noinline)) static void rows2_donor_a8(out_t d0, out_t d1, in_t m, in_t c0,
        in_t c1, in_t p, int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    (void)p;
    ALIGNED8(DONOR_AT(d0, m, c0); DONOR_AT(d1, c0, c1))
}

__attribute__((noinline)) static void rows4_heat_a8(out_t d0, out_t d1, out_t d2, out_t d3,
        in_t m, in_t c0, in_t c1, in_t c2, in_t c3, in_t p, int64_t lo, int64_t hi, double rx,
        double ry, double wt)
{
    ALIGNED8(HEAT_AT(d0, m, c0, c1); HEAT_AT(d1, c0, c1, c2); HEAT_AT(d2, c1, c2, c3);
             HEAT_AT(d3, c2, c3, p))
}

__attribute__((noinline)) static void rows4_donor_a8(out_t d0, out_t d1, out_t d2, out_t d3,
        in_t m, in_t c0, in_t c1, in_t c2, in_t c3, in_t p, int64_t lo, int64_t hi, double rx,
        double ry, double wt)
{
    (void)p;
    ALIGNED8(DONOR_AT(d0, m, c0); DONOR_AT(d1, c0, c1); DONOR_AT(d2, c1, c2);
             DONOR_AT(d3, c2, c3))
}

typedef void rows2_fn(out_t, out_t, in_t, in_t, in_t, in_t, int64_t, int64_t, double, double,
                      double);
typedef void rows4_fn(out_t, out_t, out_t, out_t, in_t, in_t, in_t, in_t, in_t, in_t, int64_t,
                      int64_t, double, double, double);
static rows2_fn *const ROWS2[2] = {rows2_heat, rows2_donor};
static rows2_fn *const A8_ROWS2[2] = {rows2_heat_a8, rows2_donor_a8};
static rows4_fn *const A8_ROWS4[2] = {rows4_heat_a8, rows4_donor_a8};
static rows4_fn *const ROWS4[2] = {rows4_heat, rows4_donor};

#ifdef __AVX512F__
/* the same rows with aligned loads and the x neighbours by valignq; lo, hi multiples of 8 */
#define ALIGNR(a, b, n) _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(a), \
                                                                _mm512_castpd_si512(b), n))
__attribute__((noinline)) static void row_heat_shuffle(double *restrict d,
        const double *restrict m, const double *restrict c, const double *restrict p,
        int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    __m512d vx = _mm512_set1_pd(rx), vy = _mm512_set1_pd(ry), vw = _mm512_set1_pd(wt);
    __m512d cp = _mm512_load_pd(c + lo - 8), cc = _mm512_load_pd(c + lo);
    for (int64_t x = lo; x < hi; x += 8) {
        __m512d cn = _mm512_load_pd(c + x + 8);
        __m512d a = _mm512_mul_pd(vx, _mm512_add_pd(_mm512_load_pd(m + x), _mm512_load_pd(p + x)));
        __m512d b = _mm512_mul_pd(vy, _mm512_add_pd(ALIGNR(cc, cp, 7), ALIGNR(cn, cc, 1)));
        _mm512_store_pd(d + x, _mm512_add_pd(_mm512_add_pd(a, b), _mm512_mul_pd(vw, cc)));
        cp = cc;
        cc = cn;
    }
}

__attribute__((noinline)) static void row_donor_shuffle(double *restrict d,
        const double *restrict m, const double *restrict c, const double *restrict p,
        int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    (void)p;
    __m512d vx = _mm512_set1_pd(rx), vy = _mm512_set1_pd(ry), vw = _mm512_set1_pd(wt);
    __m512d cp = _mm512_load_pd(c + lo - 8);
    for (int64_t x = lo; x < hi; x += 8) {
        __m512d cc = _mm512_load_pd(c + x);
        __m512d a = _mm512_add_pd(_mm512_mul_pd(vx, _mm512_load_pd(m + x)),
                                  _mm512_mul_pd(vy, ALIGNR(cc, cp, 7)));
        _mm512_store_pd(d + x, _mm512_add_pd(a, _mm512_mul_pd(vw, cc)));
        cp = cc;
    }
}
static row_fn *const SHUFFLE_ROWS[2] = {row_heat_shuffle, row_donor_shuffle};

/* the wavefront's rows by AVX-512 shuffles: any lo, hi (vectors from lo rounded down to a
 * multiple of 8, the first and last stored under a mask, so exactly [lo, hi) is written); the
 * input rows must be 64-byte aligned at columns that are multiples of 8 (the ring's rows), the
 * output rows need not be (nxt) */
static inline __mmask8 edge_mask(int64_t x, int64_t lo, int64_t hi)
{
    unsigned m = 0xFF;
    if (x < lo)
        m &= 0xFFu << (lo - x);
    if (x + 8 > hi)
        m &= 0xFFu >> (x + 8 - hi);
    return (__mmask8)m;
}

#define HEAT_V(m, p, cp, cc, cn) _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(vx, \
        _mm512_add_pd(m, p)), _mm512_mul_pd(vy, _mm512_add_pd(ALIGNR(cc, cp, 7), \
        ALIGNR(cn, cc, 1)))), _mm512_mul_pd(vw, cc))
#define DONOR_V(m, cp, cc) _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(vx, m), \
        _mm512_mul_pd(vy, ALIGNR(cc, cp, 7))), _mm512_mul_pd(vw, cc))
#define STORE_V(d, x, v) do { \
        if ((x) >= lo && (x) + 8 <= hi) _mm512_storeu_pd(d + (x), v); \
        else _mm512_mask_storeu_pd(d + (x), edge_mask(x, lo, hi), v); } while (0)

__attribute__((noinline)) static void row_heat_x512(double *restrict d, const double *restrict m,
        const double *restrict c, const double *restrict p, int64_t lo, int64_t hi, double rx,
        double ry, double wt)
{
    __m512d vx = _mm512_set1_pd(rx), vy = _mm512_set1_pd(ry), vw = _mm512_set1_pd(wt);
    int64_t x0 = lo & ~(int64_t)7;
    __m512d cp = _mm512_load_pd(c + x0 - 8), cc = _mm512_load_pd(c + x0);
    for (int64_t x = x0; x < hi; x += 8) {
        __m512d cn = _mm512_load_pd(c + x + 8);
        STORE_V(d, x, HEAT_V(_mm512_load_pd(m + x), _mm512_load_pd(p + x), cp, cc, cn));
        cp = cc;
        cc = cn;
    }
}

__attribute__((noinline)) static void row_donor_x512(double *restrict d,
        const double *restrict m, const double *restrict c, const double *restrict p,
        int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    (void)p;
    __m512d vx = _mm512_set1_pd(rx), vy = _mm512_set1_pd(ry), vw = _mm512_set1_pd(wt);
    int64_t x0 = lo & ~(int64_t)7;
    __m512d cp = _mm512_load_pd(c + x0 - 8);
    for (int64_t x = x0; x < hi; x += 8) {
        __m512d cc = _mm512_load_pd(c + x);
        STORE_V(d, x, DONOR_V(_mm512_load_pd(m + x), cp, cc));
        cp = cc;
    }
}

__attribute__((noinline)) static void rows2_heat_x512(out_t d0, out_t d1, in_t m, in_t c0,
        in_t c1, in_t p, int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    __m512d vx = _mm512_set1_pd(rx), vy = _mm512_set1_pd(ry), vw = _mm512_set1_pd(wt);
    int64_t x0 = lo & ~(int64_t)7;
    __m512d ap = _mm512_load_pd(c0 + x0 - 8), ac = _mm512_load_pd(c0 + x0);
    __m512d bp = _mm512_load_pd(c1 + x0 - 8), bc = _mm512_load_pd(c1 + x0);
    for (int64_t x = x0; x < hi; x += 8) {
        __m512d an = _mm512_load_pd(c0 + x + 8), bn = _mm512_load_pd(c1 + x + 8);
        STORE_V(d0, x, HEAT_V(_mm512_load_pd(m + x), bc, ap, ac, an));
        STORE_V(d1, x, HEAT_V(ac, _mm512_load_pd(p + x), bp, bc, bn));
        ap = ac, ac = an, bp = bc, bc = bn;
    }
}

__attribute__((noinline)) static void rows2_donor_x512(out_t d0, out_t d1, in_t m, in_t c0,
        in_t c1, in_t p, int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    (void)p;
    __m512d vx = _mm512_set1_pd(rx), vy = _mm512_set1_pd(ry), vw = _mm512_set1_pd(wt);
    int64_t x0 = lo & ~(int64_t)7;
    __m512d ap = _mm512_load_pd(c0 + x0 - 8), bp = _mm512_load_pd(c1 + x0 - 8);
    for (int64_t x = x0; x < hi; x += 8) {
        __m512d ac = _mm512_load_pd(c0 + x), bc = _mm512_load_pd(c1 + x);
        STORE_V(d0, x, DONOR_V(_mm512_load_pd(m + x), ap, ac));
        STORE_V(d1, x, DONOR_V(ac, bp, bc));
        ap = ac, bp = bc;
    }
}
/* the same two rows with the x neighbours by unaligned loads (no shuffles) */
__attribute__((noinline)) static void rows2_heat_x512u(out_t d0, out_t d1, in_t m, in_t c0,
        in_t c1, in_t p, int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    __m512d vx = _mm512_set1_pd(rx), vy = _mm512_set1_pd(ry), vw = _mm512_set1_pd(wt);
    for (int64_t x = lo & ~(int64_t)7; x < hi; x += 8) {
        __m512d ac = _mm512_load_pd(c0 + x), bc = _mm512_load_pd(c1 + x);
        __m512d v0 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(vx, _mm512_add_pd(
                _mm512_load_pd(m + x), bc)), _mm512_mul_pd(vy, _mm512_add_pd(
                _mm512_loadu_pd(c0 + x - 1), _mm512_loadu_pd(c0 + x + 1)))), _mm512_mul_pd(vw, ac));
        __m512d v1 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(vx, _mm512_add_pd(
                ac, _mm512_load_pd(p + x))), _mm512_mul_pd(vy, _mm512_add_pd(
                _mm512_loadu_pd(c1 + x - 1), _mm512_loadu_pd(c1 + x + 1)))), _mm512_mul_pd(vw, bc));
        STORE_V(d0, x, v0);
        STORE_V(d1, x, v1);
    }
}

__attribute__((noinline)) static void rows2_donor_x512u(out_t d0, out_t d1, in_t m, in_t c0,
        in_t c1, in_t p, int64_t lo, int64_t hi, double rx, double ry, double wt)
{
    (void)p;
    __m512d vx = _mm512_set1_pd(rx), vy = _mm512_set1_pd(ry), vw = _mm512_set1_pd(wt);
    for (int64_t x = lo & ~(int64_t)7; x < hi; x += 8) {
        __m512d ac = _mm512_load_pd(c0 + x), bc = _mm512_load_pd(c1 + x);
        __m512d v0 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(vx, _mm512_load_pd(m + x)),
                _mm512_mul_pd(vy, _mm512_loadu_pd(c0 + x - 1))), _mm512_mul_pd(vw, ac));
        __m512d v1 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(vx, ac),
                _mm512_mul_pd(vy, _mm512_loadu_pd(c1 + x - 1))), _mm512_mul_pd(vw, bc));
        STORE_V(d0, x, v0);
        STORE_V(d1, x, v1);
    }
}
static rows2_fn *const X512U_ROWS2[2] = {rows2_heat_x512u, rows2_donor_x512u};
static row_fn *const X512_ROWS[2] = {row_heat_x512, row_donor_x512};
static rows2_fn *const X512_ROWS2[2] = {rows2_heat_x512, rows2_donor_x512};
#else
#define X512_ROWS ROWS
#define X512_ROWS2 ROWS2
#define X512U_ROWS2 ROWS2
#endif

static double weight(int scheme, double rx, double ry)
{
    return scheme == HEAT ? 1.0 - 2.0 * rx - 2.0 * ry : 1.0 - rx - ry;
}

/* one sweep per step, periodic (ghost cells refilled every step) */
static void one_sweep(int scheme, double *cur, double *nxt, int64_t n, int64_t nsteps,
                      double rx, double ry)
{
    int64_t gs = n + 2;
    double wt = weight(scheme, rx, ry);
    for (int64_t s = 0; s < nsteps; ++s) {
        memcpy(cur + 1, cur + n * gs + 1, n * sizeof(double));
        memcpy(cur + (n + 1) * gs + 1, cur + gs + 1, n * sizeof(double));
        for (int64_t r = 0; r < n + 2; ++r) {
            cur[r * gs] = cur[r * gs + n];
            cur[r * gs + n + 1] = cur[r * gs + 1];
        }
        for (int64_t i = 1; i < n + 1; ++i)
            ROWS[scheme](nxt + i * gs, cur + (i - 1) * gs, cur + i * gs, cur + (i + 1) * gs, 1,
                         n + 1, rx, ry, wt);
        double *t = cur;
        cur = nxt;
        nxt = t;
    }
}

enum { FROM_CUR = 1, TO_NXT = 2 };

/* ring rows: B + 2k + 2 columns and 16-24 more on either side, rounded to whole 64-byte lines, the
 * columns that are multiples of 8 on line starts (for the AVX-512 rows) */
#define RING_W(b, k) ((((b) + 2 * (k) + 2 + 7) & ~(int64_t)7) + 48)
#define RING_SHIFT(a1, k) ((((a1) - (k) - 1) & ~(int64_t)7) - 16)

static double *ring_alloc(int64_t k, int64_t b)
{
    size_t bytes = (k + 1) * 8 * RING_W(b, k) * sizeof(double);
    double *r = aligned_alloc(64, bytes);
    memset(r, 0, bytes);
    return r;
}

/* the wavefront; ring: (k + 1) levels of 4 jam rows of B + 2k + 2 cells; mode: FROM_CUR | TO_NXT
 * for the real kernel (else input rows from rows 1-8 of cur, last level into its ring); jam: rows
 * of a level computed in one x loop (1 as mcgen's, 2 or 4) */
/* software prefetch (a8pf:D:L variants): while the levels of one pass run, the lines of cur's
 * input rows D passes ahead (and, for writing, nxt's output rows D passes ahead) are
 * prefetched, a share per level, so that a pass's main-memory reads and writes overlap the
 * arithmetic of the passes before; L: the locality hint (3: into L1, 2: L2, 1: L3, 0: none) */
static int64_t prefetch_passes = 0, prefetch_locality = 3;

#define PREFETCH(p, w) do { switch (prefetch_locality) { \
        case 3: __builtin_prefetch(p, w, 3); break; \
        case 2: __builtin_prefetch(p, w, 2); break; \
        case 1: __builtin_prefetch(p, w, 1); break; \
        default: __builtin_prefetch(p, w, 0); } } while (0)

static void prefetch_share(const double *row, int64_t lo, int64_t hi, int64_t part, int64_t parts,
                           int write)
{
    int64_t lines = (hi - lo + 7) / 8, a = lines * part / parts, b = lines * (part + 1) / parts;
    for (int64_t q = a; q < b; ++q) {
        if (write)
            PREFETCH(row + lo + 8 * q, 1);
        else
            PREFETCH(row + lo + 8 * q, 0);
    }
}

static void wavefront(int scheme, int mode, int jam, int simd, double *cur, double *nxt, double *ring,
                      int64_t n, int64_t k, int64_t b, int64_t nsteps, double rx, double ry)
{
    int64_t gs = n + 2, w = RING_W(b, k), nt = (n + b - 1) / b, slots = jam == 4 ? 8 : 4;
    double wt = weight(scheme, rx, ry);
    int64_t nsw = (nsteps + k - 1) / k;
    if ((nsw + nsteps) & 1)
        nsw += 1;  /* the newest values end where one sweep per step leaves them */
    for (int64_t sw = 0; sw < nsw; ++sw) {
        int64_t kk = nsteps / nsw + (sw < nsteps % nsw), h = kk;
        for (int64_t t = 0; t < nt; ++t) {
            int64_t a1 = 1 + t * b, b1 = a1 + b < n + 1 ? a1 + b : n + 1, sh = RING_SHIFT(a1, k);
#define RING(L, i) (ring + ((L) * slots + (((i) + slots * (k + 2)) & (slots - 1))) * w - sh)
#define OUT(L, i) ((L) == kk && (mode & TO_NXT) ? nxt + (i) * gs : RING(L, i))
            for (int64_t j0 = 1 - h; j0 < n + 1 + h; j0 += jam) {
                for (int64_t j = j0; j < j0 + jam && j < n + 1 + h; ++j) {
                    int64_t src = (mode & FROM_CUR) ? (j < 1 ? j + n : j > n ? j - n : j)
                                                    : (j & 7) + 1;
                    double *d = RING(0, j), *s = cur + src * gs;
                    int64_t lo = a1 - h, hi = b1 + h;  /* columns, wrapped (periodic axis) */
                    for (int64_t x = lo; x < (hi < 1 ? hi : 1); ++x) d[x] = s[x + n];
                    for (int64_t x = lo > 1 ? lo : 1; x < (hi < n + 1 ? hi : n + 1); ++x)
                        d[x] = s[x];
                    for (int64_t x = lo > n + 1 ? lo : n + 1; x < hi; ++x) d[x] = s[x - n];
                }
                for (int64_t lv = 1; lv <= kk; ++lv) {
                    int64_t i = j0 - lv, e = kk - lv, lo = a1 - e, hi = b1 + e;
                    if (prefetch_passes && (mode & FROM_CUR)) {
                        for (int64_t q = 0; q < jam; ++q) {
                            int64_t j = j0 + prefetch_passes * jam + q;
                            if (j >= 1 && j <= n)
                                prefetch_share(cur + j * gs, a1, b1, lv - 1, kk, 0);
                            int64_t o = j - kk;
                            if ((mode & TO_NXT) && o >= 1 && o <= n)
                                prefetch_share(nxt + o * gs, a1, b1, lv - 1, kk, 1);
                        }
                    }
#define LEVEL(q) RING(lv - 1, i + (q))
                    if (jam > 1 && i >= 1 - e && i + jam <= n + 1 + e) {
                        if (jam == 2)
                            (simd == 5 ? A8_ROWS2
                             : simd == 2 ? X512U_ROWS2 : simd ? X512_ROWS2 : ROWS2)[scheme](OUT(lv, i), OUT(lv, i + 1), LEVEL(-1), LEVEL(0),
                                          LEVEL(1), LEVEL(2), lo, hi, rx, ry, wt);
                        else
                            (simd == 5 ? A8_ROWS4 : ROWS4)[scheme](OUT(lv, i), OUT(lv, i + 1),
                                          OUT(lv, i + 2), OUT(lv, i + 3), LEVEL(-1), LEVEL(0), LEVEL(1),
                                          LEVEL(2), LEVEL(3), LEVEL(4), lo, hi, rx, ry, wt);
                        continue;
                    }
                    for (int64_t q = 0; q < jam; ++q)
                        if (i + q >= 1 - e && i + q < n + 1 + e)
                            (simd == 1 || simd == 2 ? X512_ROWS : ROWS)[scheme](OUT(lv, i + q), LEVEL(q - 1), LEVEL(q), LEVEL(q + 1),
                                         lo, hi, rx, ry, wt);
                }
            }
        }
        double *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
}

/* the same wavefront with the levels fused along the columns: the x loop goes over chunks of
 * `chunk` columns, and in each chunk level L (0 = the input rows copied from cur) computes its
 * jam rows at columns shifted by L * lag to the left, so a level's fresh rows are read back by
 * the next level from L1 (only its two older rows come from the L2 ring); each cell's
 * arithmetic and inputs unchanged */
static void copy_cols(double *d, const double *s, int64_t n, int64_t lo, int64_t hi)
{
    for (int64_t x = lo; x < (hi < 1 ? hi : 1); ++x) d[x] = s[x + n];
    for (int64_t x = lo > 1 ? lo : 1; x < (hi < n + 1 ? hi : n + 1); ++x) d[x] = s[x];
    for (int64_t x = lo > n + 1 ? lo : n + 1; x < hi; ++x) d[x] = s[x - n];
}

static void wavefront_fused(int scheme, int mode, int jam, int64_t chunk, int64_t lag,
                            double *cur, double *nxt, double *ring, int64_t n, int64_t k,
                            int64_t b, int64_t nsteps, double rx, double ry)
{
    int64_t gs = n + 2, w = RING_W(b, k), nt = (n + b - 1) / b, slots = jam == 4 ? 8 : 4;
    double wt = weight(scheme, rx, ry);
    int64_t nsw = (nsteps + k - 1) / k;
    if ((nsw + nsteps) & 1)
        nsw += 1;
    for (int64_t sw = 0; sw < nsw; ++sw) {
        int64_t kk = nsteps / nsw + (sw < nsteps % nsw), h = kk;
        for (int64_t t = 0; t < nt; ++t) {
            int64_t a1 = 1 + t * b, b1 = a1 + b < n + 1 ? a1 + b : n + 1, sh = RING_SHIFT(a1, k);
            for (int64_t j0 = 1 - h; j0 < n + 1 + h; j0 += jam) {
                for (int64_t s = a1 - h; s - kk * lag < b1; s += chunk) {
                    for (int64_t j = j0; j < j0 + jam && j < n + 1 + h; ++j) {
                        int64_t src = (mode & FROM_CUR) ? (j < 1 ? j + n : j > n ? j - n : j)
                                                        : (j & 7) + 1;
                        int64_t lo = s > a1 - h ? s : a1 - h, hi = s + chunk;
                        hi = hi < b1 + h ? hi : b1 + h;
                        if (lo < hi)
                            copy_cols(RING(0, j), cur + src * gs, n, lo, hi);
                    }
                    for (int64_t lv = 1; lv <= kk; ++lv) {
                        int64_t i = j0 - lv, e = kk - lv, lo = s - lv * lag, hi = lo + chunk;
                        lo = lo > a1 - e ? lo : a1 - e;
                        hi = hi < b1 + e ? hi : b1 + e;
                        if (lo >= hi)
                            continue;
                        if (jam > 1 && i >= 1 - e && i + jam <= n + 1 + e) {
                            if (jam == 2)
                                ROWS2[scheme](OUT(lv, i), OUT(lv, i + 1), LEVEL(-1), LEVEL(0),
                                              LEVEL(1), LEVEL(2), lo, hi, rx, ry, wt);
                            else
                                ROWS4[scheme](OUT(lv, i), OUT(lv, i + 1), OUT(lv, i + 2),
                                              OUT(lv, i + 3), LEVEL(-1), LEVEL(0), LEVEL(1),
                                              LEVEL(2), LEVEL(3), LEVEL(4), lo, hi, rx, ry, wt);
                            continue;
                        }
                        for (int64_t q = 0; q < jam; ++q)
                            if (i + q >= 1 - e && i + q < n + 1 + e)
                                ROWS[scheme](OUT(lv, i + q), LEVEL(q - 1), LEVEL(q),
                                             LEVEL(q + 1), lo, hi, rx, ry, wt);
                    }
                }
            }
        }
        double *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
}

static double *grid(int64_t n, unsigned seed)
{
    size_t bytes = ((n + 2) * (n + 2) * sizeof(double) + (1 << 21) - 1) >> 21 << 21;
    double *u = aligned_alloc(1 << 21, bytes);
#ifdef MADV_HUGEPAGE
    madvise(u, bytes, MADV_HUGEPAGE);  /* as NumPy does for large arrays */
#endif
    srand(seed);
    for (int64_t i = 0; i < (n + 2) * (n + 2); ++i)
        u[i] = rand() / (double)RAND_MAX;
    return u;
}

/* a wavefront variant: jam rows per x loop; chunk > 0: levels fused along the columns in chunks
 * of that many columns, each level lag columns behind the one before */
typedef struct {
    int jam;
    int64_t chunk, lag;
    int simd;  /* AVX-512 rows (not fused): 1 the x neighbours by shuffles, 2 unaligned loads */
    int64_t prefetch, locality;  /* passes ahead (with a8), the locality hint */
} variant;

static void run_variant(variant v, int scheme, int mode, double *cur, double *nxt, double *ring,
                        int64_t n, int64_t k, int64_t b, int64_t nsteps)
{
    if (v.chunk > 0)
        wavefront_fused(scheme, mode, v.jam, v.chunk, v.lag, cur, nxt, ring, n, k, b, nsteps,
                        0.2, 0.15);
    else {
        prefetch_passes = v.prefetch;
        prefetch_locality = v.locality;
        wavefront(scheme, mode, v.jam, v.simd, cur, nxt, ring, n, k, b, nsteps, 0.2, 0.15);
        prefetch_passes = 0;
    }
}

/* cells of the two results that differ (interior only) */
static int64_t check(variant v, int scheme, int64_t n, int64_t k, int64_t b, int64_t nsteps)
{
    double *c1 = grid(n, 1), *x1 = grid(n, 2), *c2 = grid(n, 1), *x2 = grid(n, 2);
    double *ring = ring_alloc(k, b);
    one_sweep(scheme, c1, x1, n, nsteps, 0.2, 0.15);
    run_variant(v, scheme, FROM_CUR | TO_NXT, c2, x2, ring, n, k, b, nsteps);
    double *r1 = nsteps & 1 ? x1 : c1, *r2 = nsteps & 1 ? x2 : c2;
    int64_t bad = 0;
    for (int64_t i = 1; i <= n; ++i)
        for (int64_t j = 1; j <= n; ++j)
            bad += r1[i * (n + 2) + j] != r2[i * (n + 2) + j];
    free(c1), free(x1), free(c2), free(x2), free(ring);
    return bad;
}

static void l1_rows(int scheme, int reps)
{
    const int64_t w = 480, stride = w + 16;  /* 4 rows of 3.9 KB: L1; no 4 KiB stride */
    double *a = aligned_alloc(64, 4 * stride * sizeof(double));
    for (int64_t i = 0; i < 4 * stride; ++i)
        a[i] = rand() / (double)RAND_MAX;
    row_fn *fns[2] = {ROWS[scheme], NULL};
#ifdef __AVX512F__
    fns[1] = SHUFFLE_ROWS[scheme];
    double *d2 = aligned_alloc(64, stride * sizeof(double));
    ROWS[scheme](a + 3 * stride, a, a + stride, a + 2 * stride, 8, w - 8, 0.2, 0.15, 0.3);
    fns[1](d2, a, a + stride, a + 2 * stride, 8, w - 8, 0.2, 0.15, 0.3);
    int64_t bad = 0;
    for (int64_t x = 8; x < w - 8; ++x)
        bad += d2[x] != a[3 * stride + x];
    free(d2);
#endif
    double best[2] = {0, 0};
    int64_t calls = 200000;
    for (int r = 0; r < reps; ++r)
        for (int f = 0; f < 2 && fns[f]; ++f) {
            double t = cpu_now();
            for (int64_t q = 0; q < calls; ++q)
                fns[f](a + 3 * stride, a, a + stride, a + 2 * stride, 8, w - 8, 0.2, 0.15, 0.3);
            t = cpu_now() - t;
            double v = (double)(w - 16) * calls / t;
            best[f] = v > best[f] ? v : best[f];
        }
    printf("%-10s row sweep in L1 (rows of %ld cells): auto-vectorised %5.0f Mcell/s", NAMES[scheme],
           (long)(w - 16), best[0] / 1e6);
#ifdef __AVX512F__
    printf(", AVX-512 shuffles %5.0f Mcell/s (bitwise equal: %s)", best[1] / 1e6,
           bad ? "NO" : "yes");
#endif
    printf("\n");
    free(a);
}

/* the two-row loop (as mcgen's wavefront runs it) on rows of w cells, cycling through `rows`
 * rows: 6 rows of 464 cells stay in L1, 48 rows of 2000 cells (750 KB) in L2 */
static double rows2_rate(int scheme, int64_t w, int rows, int reps)
{
    int64_t stride = w + 24;
    double *a = aligned_alloc(64, rows * stride * sizeof(double));
    for (int64_t i = 0; i < rows * stride; ++i)
        a[i] = rand() / (double)RAND_MAX;
    int64_t calls = 200000000 / w;
    double best = 0;
    for (int r = 0; r < reps; ++r) {
        double t = cpu_now();
        for (int64_t q = 0; q < calls; ++q) {
            double *b = a + (q * 6) % rows * stride + 8;
            ROWS2[scheme](b + 4 * stride, b + 5 * stride, b, b + stride, b + 2 * stride,
                          b + 3 * stride, 0, w, 0.2, 0.15, 0.3);
        }
        t = cpu_now() - t;
        double v = 2.0 * w * calls / t;
        best = v > best ? v : best;
    }
    free(a);
    return best;
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s N K B STEPS REPS JAM [JAM:CHUNK:LAG ...]\n", argv[0]);
        return 2;
    }
    int64_t n = atol(argv[1]), k = atol(argv[2]), b = atol(argv[3]), steps = atol(argv[4]);
    int reps = atoi(argv[5]);
    enum { MAXV = 16 };
    variant vs[MAXV] = {{1, 0, 0, 0, 0, 0}};  /* one row per x loop (as mcgen's before session 6) */
    int nv = 1;
    vs[nv++] = (variant){atoi(argv[6]), 0, 0, 0, 0, 0};
    for (int a = 7; a < argc && nv < MAXV; ++a) {
        variant v = {0, 0, 0, 0, 0, 0};
        if (sscanf(argv[a], "a8pf:%ld:%ld", &v.prefetch, &v.locality) == 2) {
            if (v.prefetch < 1 || v.locality < 0 || v.locality > 3) {
                fprintf(stderr, "a8pf:D:L needs D >= 1 and L in 0..3\n");
                return 2;
            }
            v.jam = 2;
            v.simd = 5;
        } else if (sscanf(argv[a], "a8:%d", &v.jam) == 1) {
            v.simd = 5;
        } else if (sscanf(argv[a], "x512:%d", &v.jam) == 1
                   || sscanf(argv[a], "x512u:%d", &v.jam) == 1) {
#ifndef __AVX512F__
            fprintf(stderr, "x512 variants need AVX-512\n");
            return 2;
#endif
            v.simd = argv[a][4] == 'u' ? 2 : 1;
        } else if (sscanf(argv[a], "%d:%ld:%ld", &v.jam, &v.chunk, &v.lag) != 3
                   || v.chunk < 1 || v.lag < 1) {
            fprintf(stderr, "bad variant %s (JAM:CHUNK:LAG, CHUNK and LAG >= 1, or x512:JAM)\n",
                    argv[a]);
            return 2;
        }
        vs[nv++] = v;
    }
    for (int q = 0; q < nv; ++q)
        if (vs[q].jam != 1 && vs[q].jam != 2 && vs[q].jam != 4) {
            fprintf(stderr, "JAM must be 1, 2 or 4\n");
            return 2;
        }
    {   /* clock estimate: a chain of dependent integer adds (one per cycle) */
        int64_t a = 0, iters = 300000000;
        double t = cpu_now();
        for (int64_t i = 0; i < iters; ++i) {
            a += i;
            __asm__ volatile("" : "+r"(a));
        }
        t = cpu_now() - t;
        printf("clock (dependent adds): %.2f GHz\n", iters / t / 1e9);
    }
    for (int s = 0; s < 2; ++s)
        l1_rows(s, reps);
    for (int s = 0; s < 2; ++s)
        printf("%-10s two rows per x loop (auto-vectorised): rows in L1 (6 of 464 cells) %5.0f "
               "Mcell/s, in L2 (48 of 2000 cells, 750 KB) %5.0f Mcell/s\n", NAMES[s],
               rows2_rate(s, 464, 6, reps) / 1e6, rows2_rate(s, 2000, 48, reps) / 1e6);
    static const char *MODES[4] = {"no main memory (input rows in cache, last level to ring)",
                                   "input rows from cur, last level to ring",
                                   "input rows in cache, last level to nxt",
                                   "as mcgen's: from cur, to nxt"};
    for (int s = 0; s < 2; ++s) {
        printf("%s: hand wavefront %ldx%ld, k=%ld B=%ld, %ld steps\n", NAMES[s], (long)n,
               (long)n, (long)k, (long)b, (long)steps);
        double *cur = grid(n, 3), *nxt = grid(n, 4);
        double *ring = ring_alloc(k, b);
        double best[MAXV][4] = {{0}}, best_sweep = 0;
        one_sweep(s, cur, nxt, n, 2, 0.2, 0.15);  /* first touch */
        for (int r = 0; r < reps; ++r) {
            double t = cpu_now();
            one_sweep(s, cur, nxt, n, steps, 0.2, 0.15);
            t = cpu_now() - t;
            double v = (double)n * n * steps / t;
            best_sweep = v > best_sweep ? v : best_sweep;
            for (int q = 0; q < nv; ++q)
                for (int mode = 0; mode < 4; mode += 3) {
                    t = cpu_now();
                    run_variant(vs[q], s, mode, cur, nxt, ring, n, k, b, steps);
                    t = cpu_now() - t;
                    v = (double)n * n * steps / t;
                    best[q][mode] = v > best[q][mode] ? v : best[q][mode];
                }
        }
        printf("  %-69s %6.0f Mcell/s\n", "one sweep per step", best_sweep / 1e6);
        for (int q = 0; q < nv; ++q) {
            int64_t bad = check(vs[q], s, 187, 7, 50, 23) + check(vs[q], s, 240, 16, 100, 32);
            if (vs[q].simd == 5 && vs[q].prefetch)
                printf("  %d rows per x loop, plain C, single columns up to a multiple of 8, then "
                       "one loop, prefetch of cur and nxt rows %ld passes ahead, locality %ld "
                       "(bitwise equal to one sweep per step: %s)\n", vs[q].jam,
                       (long)vs[q].prefetch, (long)vs[q].locality, bad ? "NO" : "yes");
            else if (vs[q].simd == 5)
                printf("  %d rows per x loop, plain C, single columns up to a multiple of 8, then "
                       "one loop (bitwise equal to one sweep per step: %s)\n", vs[q].jam,
                       bad ? "NO" : "yes");
            else if (vs[q].simd)
                printf("  %d rows per x loop, AVX-512, %s (bitwise equal to one sweep per "
                       "step: %s)\n", vs[q].jam, vs[q].simd == 1 ? "x neighbours by shuffles"
                       : "x neighbours by unaligned loads", bad ? "NO" : "yes");
            else if (vs[q].chunk)
                printf("  %d rows per x loop, levels fused in chunks of %ld columns, lag %ld "
                       "(bitwise equal to one sweep per step: %s)\n", vs[q].jam,
                       (long)vs[q].chunk, (long)vs[q].lag, bad ? "NO" : "yes");
            else
                printf("  %d rows per x loop (bitwise equal to one sweep per step: %s)\n",
                       vs[q].jam, bad ? "NO" : "yes");
            for (int mode = 3; mode >= 0; mode -= 3)
                printf("    wavefront, %-56s %6.0f Mcell/s\n", MODES[mode], best[q][mode] / 1e6);
        }
        free(cur), free(nxt), free(ring);
    }
    return 0;
}
