// The encoder's linear layers: C += A · Wᵀ over weights packed once (CKernelsGEMM.h).
//
// Blocking: the inputs in slices of KC, the outputs in blocks of NC (8 panels of 32), and within a
// block every MR-row strip of A runs across the block's panels. A slice of a block of packed W
// (KC × NC floats, 384 KB) stays in L2 while the strips stream past it; a strip of A (MR × KC
// floats) stays in L1 across the panels. Each tile keeps its MR × 32 sums in registers for a
// whole slice, adding them to C once.

#include "CKernelsGEMM.h"
#include "cpu_features.h"
#include <immintrin.h>

enum { PANEL = 32, KC = 384, NC = 8 * PANEL };

// Every loop over a tile's rows is unrolled whole, so that its sums live in registers (without
// this clang keeps them on the stack and the kernel runs at half speed).
#define EACH_ROW _Pragma("clang loop unroll(full)") for

int sotto_sgemm_best_level(void) {
    unsigned f = sotto_cpu_features();
    if (f & CPU_AVX512F) return 2;
    if ((f & (CPU_AVX2 | CPU_FMA)) == (CPU_AVX2 | CPU_FMA)) return 1;
    return 0;
}

long sotto_sgemm_packed_count(long outputs, long inputs) {
    return (outputs + PANEL - 1) / PANEL * PANEL * inputs;
}

void sotto_sgemm_pack(const float *w, long outputs, long inputs, float *packed) {
    long panels = (outputs + PANEL - 1) / PANEL;
    for (long p = 0; p < panels; p++) {
        float *panel = packed + p * PANEL * inputs;
        for (long k = 0; k < inputs; k++) {
            for (long j = 0; j < PANEL; j++) {
                long o = p * PANEL + j;
                panel[k * PANEL + j] = o < outputs ? w[o * inputs + k] : 0.0f;
            }
        }
    }
}

// AVX-512: a tile of m ≤ 12 rows × 32 columns (n of them stored), 24 accumulators.
enum { MR512 = 12 };

__attribute__((target("avx512f"), always_inline))
static inline void tile512(int m, const float *a, long lda, const float *b, float *c, long ldc, long kc, long n) {
    __mmask16 lo = n >= 16 ? 0xFFFF : (__mmask16)((1u << n) - 1);
    __mmask16 hi = n >= 32 ? 0xFFFF : (n > 16 ? (__mmask16)((1u << (n - 16)) - 1) : 0);
    __m512 acc0[MR512], acc1[MR512];
    EACH_ROW (int i = 0; i < m; i++) { acc0[i] = _mm512_setzero_ps(); acc1[i] = _mm512_setzero_ps(); }
    for (long k = 0; k < kc; k++) {
        __m512 b0 = _mm512_loadu_ps(b + k * PANEL), b1 = _mm512_loadu_ps(b + k * PANEL + 16);
        EACH_ROW (int i = 0; i < m; i++) {
            __m512 x = _mm512_set1_ps(a[i * lda + k]);
            acc0[i] = _mm512_fmadd_ps(x, b0, acc0[i]);
            acc1[i] = _mm512_fmadd_ps(x, b1, acc1[i]);
        }
    }
    EACH_ROW (int i = 0; i < m; i++) {
        float *row = c + i * ldc;
        _mm512_mask_storeu_ps(row, lo, _mm512_add_ps(_mm512_maskz_loadu_ps(lo, row), acc0[i]));
        if (hi) _mm512_mask_storeu_ps(row + 16, hi, _mm512_add_ps(_mm512_maskz_loadu_ps(hi, row + 16), acc1[i]));
    }
}

// One call per row count, so that each copy's loops unroll and its sums live in registers.
#define TILE512(M) \
    __attribute__((target("avx512f"))) \
    static void tile512_##M(const float *a, long lda, const float *b, float *c, long ldc, long kc, long n) { \
        tile512(M, a, lda, b, c, ldc, kc, n); \
    }
TILE512(1) TILE512(2) TILE512(3) TILE512(4) TILE512(5) TILE512(6)
TILE512(7) TILE512(8) TILE512(9) TILE512(10) TILE512(11) TILE512(12)

typedef void (*tile_fn)(const float *, long, const float *, float *, long, long, long);
static const tile_fn tiles512[MR512 + 1] = {
    0, tile512_1, tile512_2, tile512_3, tile512_4, tile512_5, tile512_6,
    tile512_7, tile512_8, tile512_9, tile512_10, tile512_11, tile512_12,
};

// AVX2: a tile of m ≤ 6 rows × 16 columns (half a panel), 12 accumulators.
enum { MR256 = 6 };

__attribute__((target("avx2,fma"), always_inline))
static inline void tile256(int m, const float *a, long lda, const float *b, float *c, long ldc, long kc, long n) {
    __m256 acc0[MR256], acc1[MR256];
    EACH_ROW (int i = 0; i < m; i++) { acc0[i] = _mm256_setzero_ps(); acc1[i] = _mm256_setzero_ps(); }
    for (long k = 0; k < kc; k++) {
        __m256 b0 = _mm256_loadu_ps(b + k * PANEL), b1 = _mm256_loadu_ps(b + k * PANEL + 8);
        EACH_ROW (int i = 0; i < m; i++) {
            __m256 x = _mm256_broadcast_ss(a + i * lda + k);
            acc0[i] = _mm256_fmadd_ps(x, b0, acc0[i]);
            acc1[i] = _mm256_fmadd_ps(x, b1, acc1[i]);
        }
    }
    EACH_ROW (int i = 0; i < m; i++) {
        float *row = c + i * ldc;
        if (n >= 16) {
            _mm256_storeu_ps(row, _mm256_add_ps(_mm256_loadu_ps(row), acc0[i]));
            _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_loadu_ps(row + 8), acc1[i]));
        } else {
            float sums[16];
            _mm256_storeu_ps(sums, acc0[i]);
            _mm256_storeu_ps(sums + 8, acc1[i]);
            for (long j = 0; j < n; j++) row[j] += sums[j];
        }
    }
}

#define TILE256(M) \
    __attribute__((target("avx2,fma"))) \
    static void tile256_##M(const float *a, long lda, const float *b, float *c, long ldc, long kc, long n) { \
        tile256(M, a, lda, b, c, ldc, kc, n); \
        if (n > 16) tile256(M, a, lda, b + 16, c + 16, ldc, kc, n - 16); \
    }
TILE256(1) TILE256(2) TILE256(3) TILE256(4) TILE256(5) TILE256(6)

static const tile_fn tiles256[MR256 + 1] = {
    0, tile256_1, tile256_2, tile256_3, tile256_4, tile256_5, tile256_6,
};

void sotto_sgemm_packed(int level, const float *a, long lda, const float *packed, float *c, long ldc,
                        long rows, long inputs, long outputs) {
    const tile_fn *tiles = level >= 2 ? tiles512 : tiles256;
    long mr = level >= 2 ? MR512 : MR256;
    for (long k0 = 0; k0 < inputs; k0 += KC) {
        long kc = inputs - k0 < KC ? inputs - k0 : KC;
        for (long j0 = 0; j0 < outputs; j0 += NC) {
            long j1 = outputs - j0 < NC ? outputs : j0 + NC;
            for (long i0 = 0; i0 < rows; i0 += mr) {
                long m = rows - i0 < mr ? rows - i0 : mr;
                for (long j = j0; j < j1; j += PANEL) {
                    long n = j1 - j < PANEL ? j1 - j : PANEL;
                    tiles[m](a + i0 * lda + k0, lda, packed + j * inputs + k0 * PANEL, c + i0 * ldc + j, ldc, kc, n);
                }
            }
        }
    }
}
