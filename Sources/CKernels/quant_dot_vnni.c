#include "quant_internal.h"

// AVX-512 VNNI dot products (level 2; 256-bit vectors: AVX512VL forms of VPDPBUSD/VPDPWSSD, byte masks,
// VPMULTISHIFTQB). Two ideas carry most of the gain over the AVX2 kernels:
// - No sign trick. Weights go in as the unsigned operand of VPDPBUSD, shifted by a constant c
//   (Q4_0: the nibble, c = 8; Q5_0: the 5-bit code, c = 16; Q8_0: q XOR 0x80 = q + 128, c = 128), and
//   Σ(q+c)·a − c·Σa is exact: c·Σa over each lane's 4 activations is computed once per vector and
//   enters as the accumulator's starting value, so every int32 lane holds exactly the sum of its 4
//   products, as in ggml's kernels (the float rounding below then matches theirs bit for bit).
// - Weight scales are read through a 65,536-entry f16→f32 table: two loads, no shuffle-port work.


float sq_f16_table[65536];
static pthread_once_t f16_table_once = PTHREAD_ONCE_INIT;

__attribute__((target("avx2,fma,f16c")))
static void build_f16_table(void) {
    for (int i = 0; i < 65536; i++) sq_f16_table[i] = h2f((uint16_t)i);
}

void sq_f16_table_init(void) { pthread_once(&f16_table_once, build_f16_table); }

// Q8_0 (or Q8_1) activations rearranged for the VNNI kernels: the int8 values contiguous, each
// block's scale as a float, and the 8 per-lane starting values −c·(sum of the lane's 4 activations)
// (or, for Q4_1, d·Σa as a float).
typedef struct {
    const int8_t *qs;
    const float *d;
    const int32_t *start;   // Q4_0/Q5_0/Q8_0: 8 per block
    const float *sum;       // Q4_1: the stored s (f16) as a float
} prepared_q8;

// Bytes prepare_q8 needs for nb blocks (64-byte aligned pieces).
static size_t prepared_bytes(long nb) { return (size_t)nb * 64 + (size_t)nb * 8 + 192; }

static void prepare_q8(int type, const void *xq, long nb, void *buffer, prepared_q8 *p) {
    char *base = (char *)(((uintptr_t)buffer + 63) & ~(uintptr_t)63);
    int8_t *qs = (int8_t *)base;
    int32_t *start = (int32_t *)(base + nb * 32);
    float *d = (float *)(start + 8 * nb);
    float *s = d + nb;
    p->qs = qs;
    p->d = d;
    p->start = start;
    p->sum = s;
    if (type == T_Q4_1) {
        const block_q8_1 *x = xq;
        for (long i = 0; i < nb; i++) {
            memcpy(qs + 32 * i, x[i].qs, 32);
            d[i] = sq_f16_table[x[i].d];
            s[i] = sq_f16_table[x[i].s];
        }
        return;
    }
    const int c = sq_traits(type)->code_offset;
    const block_q8_0 *x = xq;
    for (long i = 0; i < nb; i++) {
        for (int l = 0; l < 8; l++) {
            const int8_t *a = x[i].qs + 4 * l;
            start[8 * i + l] = -c * (a[0] + a[1] + a[2] + a[3]);
        }
        memcpy(qs + 32 * i, x[i].qs, 32);
        d[i] = sq_f16_table[x[i].d];
    }
}

// 16 bytes of packed nibbles → 32 bytes: low nibbles first, then high. VPMULTISHIFTQB picks each
// byte's 8 bits at offset 8k (low lane) or 8k+4 (high lane) on the shuffle port, leaving ports 0/1
// to the products.
VNNI static inline __m256i unpack_nibbles_vnni(const uint8_t *p) {
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p));
    const __m256i ctl = _mm256_setr_epi64x(0x3830282018100800LL, 0x3830282018100800LL,
                                           0x3C342C241C140C04LL, 0x3C342C241C140C04LL);
    return _mm256_and_si256(_mm256_multishift_epi64_epi8(ctl, both), _mm256_set1_epi8(0x0F));
}

// Unsigned weight codes of one 32-value block of row `r` (see the section comment).
VNNI static inline __attribute__((always_inline)) __m256i codes_vnni(int type, const char *blk) {
    switch (type) {
    case T_Q4_0: return unpack_nibbles_vnni(((const block_q4_0 *)blk)->qs);
    case T_Q4_1: return unpack_nibbles_vnni(((const block_q4_1 *)blk)->qs);
    case T_Q5_0: {
        const block_q5_0 *b = (const block_q5_0 *)blk;
        // 16 where the fifth bit is set (a zero-masking move), merged in the nibbles' AND: (A & B) | C.
        const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)b->qs));
        const __m256i ctl = _mm256_setr_epi64x(0x3830282018100800LL, 0x3830282018100800LL,
                                               0x3C342C241C140C04LL, 0x3C342C241C140C04LL);
        const __m256i fifth = _mm256_maskz_mov_epi8(_cvtu32_mask32(load_u32(b->qh)), _mm256_set1_epi8(16));
        return _mm256_ternarylogic_epi32(_mm256_multishift_epi64_epi8(ctl, both), _mm256_set1_epi8(0x0F), fifth, 0xEA);
    }
    default: {  // Q8_0
        const block_q8_0 *b = (const block_q8_0 *)blk;
        return _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)b->qs), _mm256_set1_epi8((char)0x80));
    }
    }
}

// One row of a 32-value-block type against prepared activations. Rows are walked one at a time, so
// the weights are read as one sequential stream: four rows at once (sharing each activation load)
// made four interleaved streams, and the output matrix's products (DRAM-bound) ran at 0.70-0.75 of
// this speed on a 2-core Zen 4 (quant-bench --roofline: Q8_0 9.1 -> 6.3-7.2 ms per token, Q5_0
// 12.0 -> 11.0 ms); the activations stay in L1 either way.
VNNI static inline __attribute__((always_inline)) float row32_vnni(
    int type, const char *row, long row_bytes, const prepared_q8 *x, long nb) {
    const long bb = sq_traits(type)->block_bytes;
    __m256 acc = _mm256_setzero_ps();
    float mins = 0;
    for (long i = 0; i < nb; i++, row += bb) {
        const __m256i a = _mm256_load_si256((const __m256i *)(x->qs + 32 * i));
        const __m256i start = type == T_Q4_1 ? _mm256_setzero_si256() : _mm256_load_si256((const __m256i *)(x->start + 8 * i));
        // The same block four rows on: hardware prefetching alone left cold (DRAM-bound)
        // throughput at ~55% of this (measured).
        _mm_prefetch(row + 4 * row_bytes, _MM_HINT_T0);
        const __m256i p = _mm256_dpbusd_epi32(start, codes_vnni(type, row), a);
        // (dw·dx)·p as ggml: dw·dx is exact (two halves), so one rounding per lane, as theirs.
        // The weight scale is a broadcast memory operand, so no shuffle-port work.
        const __m256 d = _mm256_mul_ps(_mm256_set1_ps(sq_f16_table[*(const uint16_t *)row]), _mm256_set1_ps(x->d[i]));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
        if (type == T_Q4_1) mins += sq_f16_table[((const block_q4_1 *)row)->m] * x->sum[i];
    }
    return hsum8(acc) + mins;
}

#define ROWS32(NAME, TYPE)                                                                          \
    VNNI static void NAME(const char *w, long row_bytes, long rows, const prepared_q8 *x, long nb, float *y) { \
        for (long r = 0; r < rows; r++) y[r] = row32_vnni(TYPE, w + r * row_bytes, row_bytes, x, nb);     \
    }
ROWS32(rows_q4_0_vnni, T_Q4_0)
ROWS32(rows_q4_1_vnni, T_Q4_1)
ROWS32(rows_q5_0_vnni, T_Q5_0)
ROWS32(rows_q8_0_vnni, T_Q8_0)

// Q4_K: maddubs (nibble × int8, pair sums ≤ 3,810 fit int16) then VPDPWSSD by the sub-block's scale,
// which arrives in every word by one byte shuffle of the 8 decoded scales.
VNNI static float dot_q4_K_vnni(const block_q4_K *w, const block_q8_K *x, long nb, long ahead) {
    float acc = 0, accm = 0;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (long i = 0; i < nb; i++) {
        const char *next = (const char *)&w[i] + ahead;
        _mm_prefetch(next, _MM_HINT_T0);
        _mm_prefetch(next + 64, _MM_HINT_T0);
        _mm_prefetch(next + 128, _MM_HINT_T0);
        uint8_t sc[8], mn[8];
        q4_K_scales(w[i].scales, sc, mn);
        const __m128i m8 = _mm_loadl_epi64((const __m128i *)mn);
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));
        const __m256i pm = _mm256_madd_epi16(mins, _mm256_loadu_si256((const __m256i *)x[i].bsums));
        const __m256i scb = _mm256_broadcastsi128_si256(_mm_loadl_epi64((const __m128i *)sc));
        // Two accumulators, so the VPDPWSSD chains are short enough for the compiler to keep them.
        __m256i sum0 = _mm256_setzero_si256(), sum1 = sum0;
        for (int k = 0; k < 4; k++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(w[i].qs + 32 * k));
            const __m256i lo = _mm256_and_si256(q, low4);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            const __m256i p0 = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * k)));
            const __m256i p1 = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * k + 32)));
            const __m256i s0 = _mm256_shuffle_epi8(scb, _mm256_set1_epi16((short)(0x8000 | (2 * k))));
            const __m256i s1 = _mm256_shuffle_epi8(scb, _mm256_set1_epi16((short)(0x8000 | (2 * k + 1))));
            sum0 = dpwssd(sum0, p0, s0);
            sum1 = dpwssd(sum1, p1, s1);
        }
        acc = fmaf((float)hsum8i(_mm256_add_epi32(sum0, sum1)), sq_f16_table[w[i].d] * x[i].d, acc);
        accm = fmaf((float)hsum8i(pm), sq_f16_table[w[i].dmin] * x[i].d, accm);
    }
    return acc - accm;
}

// The per-64-value order of sq_dot_q4_K_per64_c, at the VNNI level.
VNNI float sq_dot_q4_K_per64_vnni(const block_q4_K *w, const block_q8_K *x, long nb) {
    float acc = 0, accm = 0;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (long i = 0; i < nb; i++) {
        uint8_t sc[8], mn[8];
        q4_K_scales(w[i].scales, sc, mn);
        const float d = sq_f16_table[w[i].d] * x[i].d, dmin = sq_f16_table[w[i].dmin] * x[i].d;
        for (int k = 0; k < 4; k++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(w[i].qs + 32 * k));
            const __m256i lo = _mm256_and_si256(q, low4);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            const __m256i p0 = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * k)));
            const __m256i p1 = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * k + 32)));
            const __m256i sum = dpwssd(dpwssd(_mm256_setzero_si256(), p0, _mm256_set1_epi16(sc[2 * k])), p1,
                                       _mm256_set1_epi16(sc[2 * k + 1]));
            const int16_t *bs = x[i].bsums + 4 * k;
            acc = fmaf((float)hsum8i(sum), d, acc);
            accm = fmaf((float)(mn[2 * k] * (bs[0] + bs[1]) + mn[2 * k + 1] * (bs[2] + bs[3])), dmin, accm);
        }
    }
    return acc - accm;
}

// Q6_K: 6-bit codes assembled with one ternary-logic op each ((low & 0x0F) | high-bits), maddubs
// (code ≤ 63 × int8: pair sums ≤ 16,002 fit int16), VPDPWSSD by the two 16-value groups' scales
// (one VPERMW per 32 values); the −32 offset is folded in once per super-block through bsums.
VNNI float sq_dot_q6_K_vnni(const block_q6_K *w, const block_q8_K *x, long nb, long ahead, int tiled) {
    __m256 acc = _mm256_setzero_ps();
    float t = 0;
    const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
    for (long i = 0; i < nb; i++) {
        const char *next = (const char *)&w[i] + ahead;
        _mm_prefetch(next, _MM_HINT_T0);
        _mm_prefetch(next + 64, _MM_HINT_T0);
        _mm_prefetch(next + 128, _MM_HINT_T0);
        _mm_prefetch(next + 192, _MM_HINT_T0);
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w[i].scales));
        const __m256i offset = _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)x[i].bsums));
        __m256i sumi = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offset, 5)), sum1 = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = w[i].ql + 64 * h;
            const int8_t *a = x[i].qs + 128 * h;
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(w[i].qh + 32 * h));
            // 0xE4 = C ? A : B with C = low4: the low nibble from A, bits 4-5 from B (B's other bits are 0).
            const __m256i q0 = _mm256_ternarylogic_epi32(l0, _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45), low4, 0xE4);
            const __m256i q1 = _mm256_ternarylogic_epi32(l1, _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45), low4, 0xE4);
            const __m256i q2 = _mm256_ternarylogic_epi32(_mm256_srli_epi16(l0, 4), _mm256_and_si256(qh, bits45), low4, 0xE4);
            const __m256i q3 = _mm256_ternarylogic_epi32(_mm256_srli_epi16(l1, 4), _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45), low4, 0xE4);
            const int g = 8 * h;
            const __m256i s0 = _mm256_permutexvar_epi16(_mm256_set_m128i(_mm_set1_epi16((short)(g + 1)), _mm_set1_epi16((short)g)), sc16);
            const __m256i s1 = _mm256_permutexvar_epi16(_mm256_set_m128i(_mm_set1_epi16((short)(g + 3)), _mm_set1_epi16((short)(g + 2))), sc16);
            const __m256i s2 = _mm256_permutexvar_epi16(_mm256_set_m128i(_mm_set1_epi16((short)(g + 5)), _mm_set1_epi16((short)(g + 4))), sc16);
            const __m256i s3 = _mm256_permutexvar_epi16(_mm256_set_m128i(_mm_set1_epi16((short)(g + 7)), _mm_set1_epi16((short)(g + 6))), sc16);
            sumi = dpwssd(sumi, _mm256_maddubs_epi16(q0, _mm256_loadu_si256((const __m256i *)a)), s0);
            sum1 = dpwssd(sum1, _mm256_maddubs_epi16(q1, _mm256_loadu_si256((const __m256i *)(a + 32))), s1);
            sumi = dpwssd(sumi, _mm256_maddubs_epi16(q2, _mm256_loadu_si256((const __m256i *)(a + 64))), s2);
            sum1 = dpwssd(sum1, _mm256_maddubs_epi16(q3, _mm256_loadu_si256((const __m256i *)(a + 96))), s3);
        }
        if (tiled) t = tiled_accumulate(t, hsum8i(_mm256_add_epi32(sumi, sum1)), sq_f16_table[w[i].d], x[i].d);
        else acc = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * sq_f16_table[w[i].d]), _mm256_cvtepi32_ps(_mm256_add_epi32(sumi, sum1)), acc);
    }
    return tiled ? t : hsum8(acc);
}

// Rows of any type at the VNNI level (K-quants prefetch two rows ahead, measured best of 1/2/4); F32/F16 have no integer work and take the AVX2 kernels.
static void rows_vnni(int type, const char *w, long row_bytes, long rows, long columns, const void *xq,
                      const prepared_q8 *p, float *y) {
    const long nb = columns / 32;
    switch (type) {
    case T_Q4_0: rows_q4_0_vnni(w, row_bytes, rows, p, nb, y); return;
    case T_Q4_1: rows_q4_1_vnni(w, row_bytes, rows, p, nb, y); return;
    case T_Q5_0: rows_q5_0_vnni(w, row_bytes, rows, p, nb, y); return;
    case T_Q8_0: rows_q8_0_vnni(w, row_bytes, rows, p, nb, y); return;
    case T_Q4_K:
        for (long r = 0; r < rows; r++, w += row_bytes) y[r] = dot_q4_K_vnni((const block_q4_K *)w, xq, columns / 256, 2 * row_bytes);
        return;
    case T_Q6_K:
        for (long r = 0; r < rows; r++, w += row_bytes) y[r] = sq_dot_q6_K_vnni((const block_q6_K *)w, xq, columns / 256, 2 * row_bytes, 0);
        return;
    case T_F32:
        for (long r = 0; r < rows; r++, w += row_bytes) y[r] = sq_dot_f32_avx2((const float *)w, xq, columns);
        return;
    case T_F16:
        for (long r = 0; r < rows; r++, w += row_bytes) y[r] = sq_dot_f16_avx2((const uint16_t *)w, xq, columns);
        return;
    default: __builtin_unreachable();  // the entry points reject other types
    }
}

// Prepared activations for up to this many bytes live on the stack; wider rows go to the heap.
enum { STACK_PREPARED = 48 * 1024 };

// One product at the VNNI level: prepares x (when the type needs it) and runs the rows.
int sq_matvec_vnni(int type, const char *w, long row_bytes, long rows, long columns, const void *xq, float *y) {
    sq_f16_table_init();
    char stack[STACK_PREPARED];
    prepared_q8 p = {0};
    void *buffer = NULL;
    if (sq_traits(type)->vnni_prepared) {
        const long nb = columns / 32;
        const size_t need = prepared_bytes(nb);
        buffer = need <= sizeof stack ? stack : malloc(need);
        if (!buffer) return SOTTO_QUANT_NO_MEMORY;
        prepare_q8(type, xq, nb, buffer, &p);
    }
    rows_vnni(type, w, row_bytes, rows, columns, xq, &p, y);
    if (buffer && buffer != stack) free(buffer);
    return SOTTO_QUANT_OK;
}
