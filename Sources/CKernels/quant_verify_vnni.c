// K-quant products of a few activation rows at once (a speculative decoder's verification pass),
// each output summed exactly as the one-row kernel sums it (sq_matvec_vnni), so every drafted token
// gets the logits its own pass would give. What the rows share is done once per super-block: the
// weight codes decoded, the scales unpacked and spread. Each row still does the one-row kernel's
// maddubs + VPDPWSSD per 32 values; what it saves besides, where that kernel's order leaves room:
// - Q4_K: that kernel reduces each super-block to two exact integers (Σ scale·codes·activations and
//   Σ minimum·bsums) before any float work, so the rows' integer vectors are reduced together (one
//   transposing reduction for up to 8 rows, in place of two horizontal sums a row) and the float
//   steps (one FMA per super-block and term) run for 8 rows in 8 lanes, each lane the one-row
//   kernel's scalar step.
// - Q6_K: that kernel keeps 8 float lanes a row, each lane's integer a fixed mix of scales and
//   products, so only the decoding is shared.

#include "quant_internal.h"

// Activation rows one call of a kernel below takes.
enum { VERIFY_ROWS = 8 };

// Lane v of the result: the sum of p[v]'s 8 lanes (exact in int32).
VNNI static inline __m256i lane_sums8(const __m256i p[VERIFY_ROWS]) {
    const __m256i t01 = _mm256_hadd_epi32(p[0], p[1]), t23 = _mm256_hadd_epi32(p[2], p[3]);
    const __m256i t45 = _mm256_hadd_epi32(p[4], p[5]), t67 = _mm256_hadd_epi32(p[6], p[7]);
    // Per 128-bit half: [Σp0, Σp1, Σp2, Σp3] of that half's 4 lanes (and of p4..p7).
    const __m256i u0 = _mm256_hadd_epi32(t01, t23), u1 = _mm256_hadd_epi32(t45, t67);
    return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
}

// One Q4_K weight row against m activation rows (m ≤ 8, or m ≤ 4 when `narrow`); out[v] for v < m.
// Wide: lane v of acc and accm is row v's running sum and minimum term; narrow: lanes 0-3 of acc
// are the sums and lanes 4-7 the minimum terms of rows 0-3 (one reduction for both). xd holds each
// super-block's 8 lanes of activation scales in that layout (zeros where no row is).
VNNI static inline __attribute__((always_inline)) void q4_K_rows_of(
    const block_q4_K *w, const block_q8_K *const *xs, int m, long nb, long ahead, const float *xd, float *out,
    const int narrow) {
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F), zero = _mm256_setzero_si256();
    for (long i = 0; i < nb; i++) {
        const char *next = (const char *)&w[i] + ahead;
        _mm_prefetch(next, _MM_HINT_T0);
        _mm_prefetch(next + 64, _MM_HINT_T0);
        _mm_prefetch(next + 128, _MM_HINT_T0);
        uint8_t sc[8], mn[8];
        q4_K_scales(w[i].scales, sc, mn);
        const __m128i m8 = _mm_loadl_epi64((const __m128i *)mn);
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));
        const __m256i scb = _mm256_broadcastsi128_si256(_mm_loadl_epi64((const __m128i *)sc));
        __m256i lo[4], hi[4], s0[4], s1[4];
        for (int k = 0; k < 4; k++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(w[i].qs + 32 * k));
            lo[k] = _mm256_and_si256(q, low4);
            hi[k] = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            s0[k] = _mm256_shuffle_epi8(scb, _mm256_set1_epi16((short)(0x8000 | (2 * k))));
            s1[k] = _mm256_shuffle_epi8(scb, _mm256_set1_epi16((short)(0x8000 | (2 * k + 1))));
        }
        // The one-row kernel's two integers per row, still spread over 8 lanes each.
        __m256i total[VERIFY_ROWS], minimum[VERIFY_ROWS];
        const int slots = narrow ? VERIFY_ROWS / 2 : VERIFY_ROWS;
        // Unrolled, so the rows' vectors stay in registers (through the stack, a 64-byte reload of
        // two 32-byte stores missed store forwarding and cost a quarter of the time).
#pragma clang loop unroll(full)
        for (int v = 0; v < slots; v++) {
            if (v >= m) {
                total[v] = minimum[v] = zero;
                continue;
            }
            const block_q8_K *x = xs[v] + i;
            __m256i sum0 = zero, sum1 = zero;
            for (int k = 0; k < 4; k++) {
                sum0 = dpwssd(sum0, _mm256_maddubs_epi16(lo[k], _mm256_loadu_si256((const __m256i *)(x->qs + 64 * k))), s0[k]);
                sum1 = dpwssd(sum1, _mm256_maddubs_epi16(hi[k], _mm256_loadu_si256((const __m256i *)(x->qs + 64 * k + 32))), s1[k]);
            }
            total[v] = _mm256_add_epi32(sum0, sum1);
            minimum[v] = _mm256_madd_epi16(mins, _mm256_loadu_si256((const __m256i *)x->bsums));
        }
        const __m256 d = _mm256_loadu_ps(xd + VERIFY_ROWS * i);
        const float dw = sq_f16_table[w[i].d], dmin = sq_f16_table[w[i].dmin];
        if (narrow) {
#pragma clang loop unroll(full)
            for (int v = 0; v < VERIFY_ROWS / 2; v++) total[VERIFY_ROWS / 2 + v] = minimum[v];
            const __m256 scale = _mm256_mul_ps(_mm256_set_m128(_mm_set1_ps(dmin), _mm_set1_ps(dw)), d);
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(lane_sums8(total)), scale, acc);
        } else {
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(lane_sums8(total)), _mm256_mul_ps(_mm256_set1_ps(dw), d), acc);
            accm = _mm256_fmadd_ps(_mm256_cvtepi32_ps(lane_sums8(minimum)), _mm256_mul_ps(_mm256_set1_ps(dmin), d), accm);
        }
    }
    float result[VERIFY_ROWS];
    if (narrow) accm = _mm256_permute2f128_ps(acc, acc, 0x01);
    _mm256_storeu_ps(result, _mm256_sub_ps(acc, accm));
    for (int v = 0; v < m; v++) out[v] = result[v];
}

VNNI static void q4_K_rows(const block_q4_K *w, const block_q8_K *const *xs, int m, long nb, long ahead, const float *xd, float *out) {
    q4_K_rows_of(w, xs, m, nb, ahead, xd, out, 0);
}

VNNI static void q4_K_rows_narrow(const block_q4_K *w, const block_q8_K *const *xs, int m, long nb, long ahead, const float *xd, float *out) {
    q4_K_rows_of(w, xs, m, nb, ahead, xd, out, 1);
}

// One Q6_K weight row against m ≤ 8 activation rows, lane for lane as sq_dot_q6_K_vnni (untiled).
VNNI static void q6_K_rows(const block_q6_K *w, const block_q8_K *const *xs, int m, long nb, long ahead, float *out) {
    __m256 acc[VERIFY_ROWS];
    for (int v = 0; v < m; v++) acc[v] = _mm256_setzero_ps();
    const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
    for (long i = 0; i < nb; i++) {
        const char *next = (const char *)&w[i] + ahead;
        _mm_prefetch(next, _MM_HINT_T0);
        _mm_prefetch(next + 64, _MM_HINT_T0);
        _mm_prefetch(next + 128, _MM_HINT_T0);
        _mm_prefetch(next + 192, _MM_HINT_T0);
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w[i].scales));
        __m256i q[2][4], s[2][4];
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = w[i].ql + 64 * h;
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(w[i].qh + 32 * h));
            q[h][0] = _mm256_ternarylogic_epi32(l0, _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45), low4, 0xE4);
            q[h][1] = _mm256_ternarylogic_epi32(l1, _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45), low4, 0xE4);
            q[h][2] = _mm256_ternarylogic_epi32(_mm256_srli_epi16(l0, 4), _mm256_and_si256(qh, bits45), low4, 0xE4);
            q[h][3] = _mm256_ternarylogic_epi32(_mm256_srli_epi16(l1, 4), _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45), low4, 0xE4);
            const int g = 8 * h;
            for (int j = 0; j < 4; j++)
                s[h][j] = _mm256_permutexvar_epi16(
                    _mm256_set_m128i(_mm_set1_epi16((short)(g + 2 * j + 1)), _mm_set1_epi16((short)(g + 2 * j))), sc16);
        }
        const float dw = sq_f16_table[w[i].d];
        for (int v = 0; v < m; v++) {
            const block_q8_K *x = xs[v] + i;
            const __m256i offset = _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)x->bsums));
            __m256i sumi = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offset, 5)), sum1 = _mm256_setzero_si256();
            for (int h = 0; h < 2; h++) {
                const int8_t *a = x->qs + 128 * h;
                sumi = dpwssd(sumi, _mm256_maddubs_epi16(q[h][0], _mm256_loadu_si256((const __m256i *)a)), s[h][0]);
                sum1 = dpwssd(sum1, _mm256_maddubs_epi16(q[h][1], _mm256_loadu_si256((const __m256i *)(a + 32))), s[h][1]);
                sumi = dpwssd(sumi, _mm256_maddubs_epi16(q[h][2], _mm256_loadu_si256((const __m256i *)(a + 64))), s[h][2]);
                sum1 = dpwssd(sum1, _mm256_maddubs_epi16(q[h][3], _mm256_loadu_si256((const __m256i *)(a + 96))), s[h][3]);
            }
            acc[v] = _mm256_fmadd_ps(_mm256_set1_ps(x->d * dw), _mm256_cvtepi32_ps(_mm256_add_epi32(sumi, sum1)), acc[v]);
        }
    }
    for (int v = 0; v < m; v++) out[v] = hsum8(acc[v]);
}

// Q4_K activation scales for up to this many super-blocks (131,072 columns) live on the stack.
enum { STACK_BLOCKS = 512 };

int sq_matmul_kquant_vnni(int type, const char *w, long row_bytes, long rows, long columns, const void *xq,
                          long xq_stride, long n, float *y, long ldy) {
    sq_f16_table_init();
    const long nb = columns / 256;
    float stack[STACK_BLOCKS * VERIFY_ROWS];
    float *xd = NULL;
    if (type == T_Q4_K) {
        xd = nb <= STACK_BLOCKS ? stack : malloc((size_t)nb * VERIFY_ROWS * sizeof(float));
        if (!xd) return SOTTO_QUANT_NO_MEMORY;
    }
    // Rows in groups of at most 8, as even as can be (9 rows: 5 and 4, not 8 and 1: a lone row
    // would pay the shared decoding alone).
    for (long i0 = 0; i0 < n;) {
        const long groups = (n - i0 + VERIFY_ROWS - 1) / VERIFY_ROWS;
        const int m = (int)((n - i0 + groups - 1) / groups);
        const block_q8_K *xs[VERIFY_ROWS];
        for (int v = 0; v < m; v++) xs[v] = (const block_q8_K *)((const char *)xq + (i0 + v) * xq_stride);
        if (xd)
            for (long i = 0; i < nb; i++)
                for (int v = 0; v < VERIFY_ROWS; v++) {
                    // Narrow: lanes 4-7 scale rows 0-3's minimum terms.
                    const int row = m <= VERIFY_ROWS / 2 ? v % (VERIFY_ROWS / 2) : v;
                    xd[VERIFY_ROWS * i + v] = row < m ? xs[row][i].d : 0;
                }
        float out[VERIFY_ROWS];
        const char *row = w;
        for (long r = 0; r < rows; r++, row += row_bytes) {
            if (type == T_Q4_K && m <= VERIFY_ROWS / 2) q4_K_rows_narrow((const block_q4_K *)row, xs, m, nb, 2 * row_bytes, xd, out);
            else if (type == T_Q4_K) q4_K_rows((const block_q4_K *)row, xs, m, nb, 2 * row_bytes, xd, out);
            else q6_K_rows((const block_q6_K *)row, xs, m, nb, 2 * row_bytes, out);
            for (int v = 0; v < m; v++) y[(i0 + v) * ldy + r] = out[v];
        }
        i0 += m;
    }
    if (xd && xd != stack) free(xd);
    return SOTTO_QUANT_OK;
}
