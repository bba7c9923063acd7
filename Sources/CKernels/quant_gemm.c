#include "quant_internal.h"

// Integer GEMM at the VNNI level (prefill: many activation rows against one weight matrix)
//
// Weights are decoded a tile at a time (32 rows × a block of columns) into unsigned 8-bit codes,
// interleaved so one 64-byte vector holds 4 consecutive codes of each of 16 rows; one VPDPBUSD
// with 4 bytes of an activation row broadcast then adds 4 products to each row's lane. The decoded
// tile is reused for every activation row (4 at a time, each broadcast feeding both 16-row halves:
// loads, not VPDPBUSD, were the limit with 16 rows × 8), so decoding costs nothing per product. Each group of values sharing a scale (16 for Q6_K, 32 otherwise) is summed in int32 and
// then scaled in float: (Σ code·a + start)·dx·dw, where start = −c·Σa removes the code offset c
// (Q6_K 32, Q5_0 16, Q8_0 128) and Q4_K's minimums enter once per super-block through VPDPWSSD.
// Integer sums per group are exact, so results differ from the matvec kernels only by float rounding.

enum { GEMM_ROWS = 32, GEMM_COLS = 4 };

static int gemm_group(int type) { return sq_traits(type)->gemm_group; }
static int gemm_handles(int type) { return sq_traits(type) && sq_traits(type)->gemm_group > 0; }

// Where each part of the prepared activations lives, for n rows of `columns` values: int8 values
// (n × columns), then per group of each row the float scale dx and the int32 start, then (Q4_K)
// per 64 values the two 32-value sums as an int16 pair.
typedef struct {
    long qs, dx, start, pairs, total;
} gemm_layout;

static long round64(long v) { return (v + 63) & ~63L; }

static gemm_layout gemm_activation_layout(int type, long columns, long n) {
    gemm_layout l;
    const long groups = columns / gemm_group(type);
    l.qs = 0;
    l.dx = round64(n * columns);
    l.start = l.dx + round64(n * groups * 4);
    l.pairs = l.start + round64(n * groups * 4);
    l.total = l.pairs + (type == T_Q4_K ? round64(n * (columns / 64) * 4) : 0) + 64;
    return l;
}

long sotto_quant_gemm_activation_bytes(int type, long columns, long n) {
    if (!gemm_handles(type) || columns <= 0 || n <= 0 || sotto_quant_activation_bytes(type, columns) == 0) return 0;
    return gemm_activation_layout(type, columns, n).total;
}

static char *align64(void *p) { return (char *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

int sotto_quant_gemm_prepare(int type, const float *x, long columns, long first, long count, long n, void *buffer) {
    if (!sq_traits(type)) return SOTTO_QUANT_UNKNOWN_TYPE;
    if (sotto_quant_gemm_activation_bytes(type, columns, n) == 0) return SOTTO_QUANT_BAD_SHAPE;
    const long block_bytes = sotto_quant_activation_bytes(type, columns);
    void *row = malloc((size_t)block_bytes);
    if (!row) return SOTTO_QUANT_NO_MEMORY;
    const gemm_layout l = gemm_activation_layout(type, columns, n);
    char *base = align64(buffer);
    const long G = gemm_group(type), groups = columns / G;
    for (long i = first; i < first + count; i++) {
        sotto_quant_quantize(type, x + i * columns, columns, row, 1);
        int8_t *qs = (int8_t *)(base + l.qs) + i * columns;
        float *dx = (float *)(base + l.dx) + i * groups;
        int32_t *start = (int32_t *)(base + l.start) + i * groups;
        if (type == T_Q4_K || type == T_Q6_K) {
            const block_q8_K *b = row;
            int32_t *pairs = (int32_t *)(base + l.pairs) + i * (columns / 64);
            for (long s = 0; s < columns / 256; s++) {
                memcpy(qs + 256 * s, b[s].qs, 256);
                for (int g = 0; g < 256 / G; g++) {
                    dx[s * (256 / G) + g] = b[s].d;
                    // Q6_K codes are v + 32: subtract 32·Σa of each 16 values.
                    start[s * (256 / G) + g] = type == T_Q6_K ? -32 * b[s].bsums[g] : 0;
                }
                if (type == T_Q4_K) {
                    for (int p = 0; p < 4; p++) {
                        const int lo = b[s].bsums[4 * p] + b[s].bsums[4 * p + 1];
                        const int hi = b[s].bsums[4 * p + 2] + b[s].bsums[4 * p + 3];
                        pairs[4 * s + p] = (int32_t)((uint32_t)(uint16_t)lo | ((uint32_t)(uint16_t)hi << 16));
                    }
                }
            }
        } else {
            const block_q8_0 *b = row;
            const int c = sq_traits(type)->code_offset;
            for (long s = 0; s < groups; s++) {
                memcpy(qs + 32 * s, b[s].qs, 32);
                int sum = 0;
                for (int j = 0; j < 32; j++) sum += b[s].qs[j];
                dx[s] = h2f(b[s].d);
                start[s] = -c * sum;
            }
        }
    }
    free(row);
    return SOTTO_QUANT_OK;
}

// One decoded tile: codes[k/4][2][16][4], a float scale per group and row ([group][32]), and for
// Q4_K the int16 minimum pairs per 64 values ([k/64][32]) and −dmin per super-block ([k/256][32]).
typedef struct {
    uint8_t *codes;
    float *scale;
    int32_t *mins;
    float *dmin;
    uint8_t *rows;  // scratch: the tile's rows decoded side by side, [32][kb]
} gemm_tile;

// Decodes values [k0, k0 + kb) of one weight row into codes and the row's group scales (stride 16).
VNNI static void gemm_decode_row(int type, const char *w, long k0, long kb, uint8_t *codes, float *scale,
                            int32_t *mins, float *dmin) {
    switch (type) {
    case T_Q4_K: {
        const block_q4_K *b = (const block_q4_K *)w + k0 / 256;
        for (long s = 0; s < kb / 256; s++, codes += 256) {
            uint8_t sc[8], mn[8];
            q4_K_scales(b[s].scales, sc, mn);
            const float d = h2f(b[s].d);
            for (int k = 0; k < 4; k++) {
                const uint8_t *q = b[s].qs + 32 * k;
                for (int j = 0; j < 32; j++) {
                    codes[64 * k + j] = q[j] & 0x0F;
                    codes[64 * k + 32 + j] = q[j] >> 4;
                }
            }
            for (int j = 0; j < 8; j++) scale[(8 * s + j) * GEMM_ROWS] = d * (float)sc[j];
            for (int p = 0; p < 4; p++) mins[(4 * s + p) * GEMM_ROWS] = (int32_t)(mn[2 * p] | ((uint32_t)mn[2 * p + 1] << 16));
            dmin[s * GEMM_ROWS] = -h2f(b[s].dmin);
        }
        return;
    }
    case T_Q6_K: {
        const block_q6_K *b = (const block_q6_K *)w + k0 / 256;
        for (long s = 0; s < kb / 256; s++, codes += 256) {
            for (int h = 0; h < 2; h++) {
                const uint8_t *ql = b[s].ql + 64 * h, *qh = b[s].qh + 32 * h;
                uint8_t *o = codes + 128 * h;
                for (int l = 0; l < 32; l++) {
                    o[l] = (uint8_t)((ql[l] & 0x0F) | ((qh[l] & 3) << 4));
                    o[l + 32] = (uint8_t)((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4));
                    o[l + 64] = (uint8_t)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
                    o[l + 96] = (uint8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
                }
            }
            const float d = h2f(b[s].d);
            for (int g = 0; g < 16; g++) scale[(16 * s + g) * GEMM_ROWS] = d * (float)b[s].scales[g];
        }
        return;
    }
    case T_Q5_0: {
        const block_q5_0 *b = (const block_q5_0 *)w + k0 / 32;
        for (long s = 0; s < kb / 32; s++, codes += 32) {
            uint32_t qh;
            memcpy(&qh, b[s].qh, 4);
            for (int j = 0; j < 16; j++) {
                codes[j] = (uint8_t)((b[s].qs[j] & 0x0F) | (((qh >> j) & 1) << 4));
                codes[j + 16] = (uint8_t)((b[s].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
            }
            scale[s * GEMM_ROWS] = h2f(b[s].d);
        }
        return;
    }
    default: {  // Q8_0: q + 128
        const block_q8_0 *b = (const block_q8_0 *)w + k0 / 32;
        for (long s = 0; s < kb / 32; s++, codes += 32) {
            for (int j = 0; j < 32; j++) codes[j] = (uint8_t)(b[s].qs[j] ^ 0x80);
            scale[s * GEMM_ROWS] = h2f(b[s].d);
        }
        return;
    }
    }
}

// Decodes rows [0, count) of a tile (count ≤ 32; missing rows get zero codes and scales).
VNNI static void gemm_decode_tile(int type, const char *w, long row_bytes, long count, long k0, long kb, gemm_tile *t) {
    const long groups = kb / gemm_group(type);
    memset(t->scale, 0, (size_t)groups * GEMM_ROWS * sizeof(float));
    if (type == T_Q4_K) {
        memset(t->mins, 0, (size_t)(kb / 64) * GEMM_ROWS * 4);
        memset(t->dmin, 0, (size_t)(kb / 256) * GEMM_ROWS * 4);
    }
    for (long r = 0; r < GEMM_ROWS; r++) {
        uint8_t *codes = t->rows + r * kb;
        if (r >= count) {
            memset(codes, 0, (size_t)kb);
            continue;
        }
        gemm_decode_row(type, w + r * row_bytes, k0, kb, codes, t->scale + r, t->mins + r, t->dmin + r);
    }
    // Interleave: 4 codes of each of rows 0-15, then of rows 16-31, then the next 4 columns (one
    // gather per vector).
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i index0 = _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int)kb));
    const __m512i index1 = _mm512_add_epi32(index0, _mm512_set1_epi32((int)(16 * kb)));
    const uint8_t *rows = t->rows;
    uint8_t *out = t->codes;
    for (long k4 = 0; k4 < kb / 4; k4++, out += 128) {
        _mm512_store_si512((void *)out, _mm512_i32gather_epi32(index0, (const void *)(rows + 4 * k4), 1));
        _mm512_store_si512((void *)(out + 64), _mm512_i32gather_epi32(index1, (const void *)(rows + 4 * k4), 1));
    }
}

typedef struct {
    const int8_t *qs;
    const float *dx;
    const int32_t *start;
    const int32_t *pairs;
    long columns, groups;
} gemm_activations;

// C activation rows (from i0) × the tile's 32 rows over values [k0, k0 + kb): y[(i0+c)·ldy + r]
// (adding to what is there when `accumulate`); only rows whose bit is set in `valid` are stored.
// Groups sharing an activation scale (a K-quant super-block; one block otherwise) are summed in
// float by their weight scales first, then multiplied by the activation scale once.
VNNI static inline __attribute__((always_inline)) void gemm_kernel(
    int type, const gemm_tile *t, const gemm_activations *x, long i0, long k0, long kb, float *y, long ldy,
    uint32_t valid, int accumulate, const int C) {
    const int G = sq_traits(type)->gemm_group;
    const int span = sq_traits(type)->block_values == 256 ? 256 / G : 1;
    const long g0 = k0 / G, groups = kb / G;
    const __mmask16 valid0 = (__mmask16)valid, valid1 = (__mmask16)(valid >> 16);
    __m512 acc0[GEMM_COLS], acc1[GEMM_COLS];
    const int8_t *xq[GEMM_COLS];
    const float *dx[GEMM_COLS];
    const int32_t *start[GEMM_COLS];
    for (int c = 0; c < C; c++) {
        acc0[c] = accumulate ? _mm512_maskz_loadu_ps(valid0, y + (i0 + c) * ldy) : _mm512_setzero_ps();
        acc1[c] = accumulate ? _mm512_maskz_loadu_ps(valid1, y + (i0 + c) * ldy + 16) : _mm512_setzero_ps();
        xq[c] = x->qs + (i0 + c) * x->columns + k0;
        dx[c] = x->dx + (i0 + c) * x->groups + g0;
        start[c] = x->start + (i0 + c) * x->groups + g0;
    }
    const uint8_t *codes = t->codes;
    for (long sb = 0; sb < groups / span; sb++) {
        __m512 f0[GEMM_COLS], f1[GEMM_COLS];
        for (int c = 0; c < C; c++) f0[c] = f1[c] = _mm512_setzero_ps();
        for (int gg = 0; gg < span; gg++) {
            const long g = sb * span + gg;
            __m512i s0[GEMM_COLS], s1[GEMM_COLS];
            for (int c = 0; c < C; c++)
                s0[c] = s1[c] = type == T_Q4_K ? _mm512_setzero_si512() : _mm512_set1_epi32(start[c][g]);
            for (int step = 0; step < G / 4; step++, codes += 128) {
                const __m512i w0 = _mm512_load_si512((const void *)codes);
                const __m512i w1 = _mm512_load_si512((const void *)(codes + 64));
                for (int c = 0; c < C; c++) {
                    const __m512i a = _mm512_set1_epi32((int)load_u32(xq[c] + g * G + 4 * step));
                    s0[c] = _mm512_dpbusd_epi32(s0[c], w0, a);
                    s1[c] = _mm512_dpbusd_epi32(s1[c], w1, a);
                }
            }
            const __m512 sc0 = _mm512_load_ps(t->scale + g * GEMM_ROWS), sc1 = _mm512_load_ps(t->scale + g * GEMM_ROWS + 16);
            for (int c = 0; c < C; c++) {
                f0[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s0[c]), sc0, f0[c]);
                f1[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s1[c]), sc1, f1[c]);
            }
        }
        if (type == T_Q4_K) {
            const __m512 dm0 = _mm512_load_ps(t->dmin + sb * GEMM_ROWS), dm1 = _mm512_load_ps(t->dmin + sb * GEMM_ROWS + 16);
            for (int c = 0; c < C; c++) {
                const int32_t *pairs = x->pairs + (i0 + c) * (x->columns / 64) + k0 / 64 + 4 * sb;
                __m512i m0 = _mm512_setzero_si512(), m1 = m0;
                for (int p = 0; p < 4; p++) {
                    const __m512i b = _mm512_set1_epi32(pairs[p]);
                    m0 = _mm512_dpwssd_epi32(m0, _mm512_load_si512((const void *)(t->mins + (4 * sb + p) * GEMM_ROWS)), b);
                    m1 = _mm512_dpwssd_epi32(m1, _mm512_load_si512((const void *)(t->mins + (4 * sb + p) * GEMM_ROWS + 16)), b);
                }
                f0[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(m0), dm0, f0[c]);
                f1[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(m1), dm1, f1[c]);
            }
        }
        for (int c = 0; c < C; c++) {
            const __m512 d = _mm512_set1_ps(dx[c][sb * span]);
            acc0[c] = _mm512_fmadd_ps(f0[c], d, acc0[c]);
            acc1[c] = _mm512_fmadd_ps(f1[c], d, acc1[c]);
        }
    }
    for (int c = 0; c < C; c++) {
        _mm512_mask_storeu_ps(y + (i0 + c) * ldy, valid0, acc0[c]);
        _mm512_mask_storeu_ps(y + (i0 + c) * ldy + 16, valid1, acc1[c]);
    }
}

#define GEMM_KERNEL(NAME, TYPE)                                                                      \
    VNNI static void NAME(const gemm_tile *t, const gemm_activations *x, long i0, long count, long k0, long kb, \
                          float *y, long ldy, uint32_t valid, int accumulate) {                     \
        switch (count) {                                                                             \
        case 4: gemm_kernel(TYPE, t, x, i0, k0, kb, y, ldy, valid, accumulate, 4); break;            \
        case 3: gemm_kernel(TYPE, t, x, i0, k0, kb, y, ldy, valid, accumulate, 3); break;            \
        case 2: gemm_kernel(TYPE, t, x, i0, k0, kb, y, ldy, valid, accumulate, 2); break;            \
        default: gemm_kernel(TYPE, t, x, i0, k0, kb, y, ldy, valid, accumulate, 1); break;           \
        }                                                                                            \
    }
GEMM_KERNEL(gemm_q4_K, T_Q4_K)
GEMM_KERNEL(gemm_q6_K, T_Q6_K)
GEMM_KERNEL(gemm_q5_0, T_Q5_0)
GEMM_KERNEL(gemm_q8_0, T_Q8_0)

// Activation values per column block: the block's share of all n rows stays in L2 (~1 MB) while
// every tile of weight rows meets it, and the tile's codes (32·kb bytes) stay in L1.
static long gemm_column_block(int type, long columns, long n) {
    long kb = (1L << 20) / (n > 0 ? n : 1) / 256 * 256;
    if (kb < 256) kb = 256;
    if (kb > 1024) kb = 1024;
    (void)type;
    return kb < columns ? kb : columns;
}

static int quant_gemm(int type, const void *w, long row_bytes, long rows, long columns,
                      const void *prepared, long n, float *y, long ldy, int add) {
    if (!sq_traits(type)) return SOTTO_QUANT_UNKNOWN_TYPE;
    if (sotto_quant_gemm_activation_bytes(type, columns, n) == 0 || sotto_quant_best_level() < 2) return SOTTO_QUANT_BAD_SHAPE;
    if (rows <= 0) return SOTTO_QUANT_OK;
    const gemm_layout l = gemm_activation_layout(type, columns, n);
    const char *base = align64((void *)prepared);
    const long G = gemm_group(type);
    const gemm_activations x = {
        (const int8_t *)(base + l.qs), (const float *)(base + l.dx), (const int32_t *)(base + l.start),
        (const int32_t *)(base + l.pairs), columns, columns / G};
    const long kbMax = gemm_column_block(type, columns, n);
    // codes 32·kb, scales 32·4·kb/16, mins 32·4·kb/64, dmin 32·4·kb/256, rows 32·kb (+ alignment)
    const size_t codes = (size_t)GEMM_ROWS * kbMax, scales = (size_t)GEMM_ROWS * 4 * (kbMax / 16);
    const size_t mins = (size_t)GEMM_ROWS * 4 * (kbMax / 64 + 1), dmins = (size_t)GEMM_ROWS * 4 * (kbMax / 256 + 1);
    void *memory = malloc(codes * 2 + scales + mins + dmins + 5 * 64);
    if (!memory) return SOTTO_QUANT_NO_MEMORY;
    gemm_tile t;
    char *p = align64(memory);
    t.codes = (uint8_t *)p;
    p = align64(p + codes);
    t.scale = (float *)p;
    p = align64(p + scales);
    t.mins = (int32_t *)p;
    p = align64(p + mins);
    t.dmin = (float *)p;
    p = align64(p + dmins);
    t.rows = (uint8_t *)p;
    for (long k0 = 0; k0 < columns; k0 += kbMax) {
        const long kb = columns - k0 < kbMax ? columns - k0 : kbMax;
        for (long r0 = 0; r0 < rows; r0 += GEMM_ROWS) {
            const long count = rows - r0 < GEMM_ROWS ? rows - r0 : GEMM_ROWS;
            gemm_decode_tile(type, (const char *)w + r0 * row_bytes, row_bytes, count, k0, kb, &t);
            const uint32_t valid = count == 32 ? 0xFFFFFFFFu : (1u << count) - 1;
            for (long i0 = 0; i0 < n; i0 += GEMM_COLS) {
                const long c = n - i0 < GEMM_COLS ? n - i0 : GEMM_COLS;
                float *out = y + r0;
                switch (type) {
                case T_Q4_K: gemm_q4_K(&t, &x, i0, c, k0, kb, out, ldy, valid, add || k0 > 0); break;
                case T_Q6_K: gemm_q6_K(&t, &x, i0, c, k0, kb, out, ldy, valid, add || k0 > 0); break;
                case T_Q5_0: gemm_q5_0(&t, &x, i0, c, k0, kb, out, ldy, valid, add || k0 > 0); break;
                case T_Q8_0: gemm_q8_0(&t, &x, i0, c, k0, kb, out, ldy, valid, add || k0 > 0); break;
                default: __builtin_unreachable();  // gemm_handles admits only these
                }
            }
        }
    }
    free(memory);
    return SOTTO_QUANT_OK;
}

int sotto_quant_gemm(int type, const void *w, long row_bytes, long rows, long columns,
                     const void *prepared, long n, float *y, long ldy) {
    return quant_gemm(type, w, row_bytes, rows, columns, prepared, n, y, ldy, 0);
}

int sotto_quant_gemm_add(int type, const void *w, long row_bytes, long rows, long columns,
                         const void *prepared, long n, float *y, long ldy) {
    return quant_gemm(type, w, row_bytes, rows, columns, prepared, n, y, ldy, 1);
}
