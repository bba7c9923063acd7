#include "quant_internal.h"

// Dequantization (for BLAS over tiles; the Swift reference dequantizers are the specification)

// Inlined into two wrappers below so the AVX2 one converts f16 scales with F16C instructions (the
// plain one falls back to a slow software conversion).
static inline __attribute__((always_inline)) void dequantize_row(int type, const void *w, long columns, float *out) {
    const long nb32 = columns / 32, nb256 = columns / 256;
    switch (type) {
    case T_F32: memcpy(out, w, (size_t)columns * 4); break;
    case T_F16: {
        const uint16_t *h = w;
        for (long i = 0; i < columns; i++) out[i] = h2f(h[i]);
        break;
    }
    case T_Q4_0: {
        const block_q4_0 *b = w;
        for (long i = 0; i < nb32; i++, out += 32) {
            const float d = h2f(b[i].d);
            for (int j = 0; j < 16; j++) {
                out[j] = (float)((b[i].qs[j] & 0x0F) - 8) * d;
                out[j + 16] = (float)((b[i].qs[j] >> 4) - 8) * d;
            }
        }
        break;
    }
    case T_Q4_1: {
        const block_q4_1 *b = w;
        for (long i = 0; i < nb32; i++, out += 32) {
            const float d = h2f(b[i].d), m = h2f(b[i].m);
            for (int j = 0; j < 16; j++) {
                out[j] = (float)(b[i].qs[j] & 0x0F) * d + m;
                out[j + 16] = (float)(b[i].qs[j] >> 4) * d + m;
            }
        }
        break;
    }
    case T_Q5_0: {
        const block_q5_0 *b = w;
        for (long i = 0; i < nb32; i++, out += 32) {
            const float d = h2f(b[i].d);
            uint32_t qh;
            memcpy(&qh, b[i].qh, 4);
            for (int j = 0; j < 16; j++) {
                const int lo = (b[i].qs[j] & 0x0F) | (int)(((qh >> j) & 1) << 4);
                const int hi = (b[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
                out[j] = (float)(lo - 16) * d;
                out[j + 16] = (float)(hi - 16) * d;
            }
        }
        break;
    }
    case T_Q8_0: {
        const block_q8_0 *b = w;
        for (long i = 0; i < nb32; i++, out += 32) {
            const float d = h2f(b[i].d);
            for (int j = 0; j < 32; j++) out[j] = (float)b[i].qs[j] * d;
        }
        break;
    }
    case T_Q4_K: {
        const block_q4_K *b = w;
        for (long i = 0; i < nb256; i++) {
            uint8_t sc[8], mn[8];
            q4_K_scales(b[i].scales, sc, mn);
            const float d = h2f(b[i].d), dmin = h2f(b[i].dmin);
            for (int k = 0; k < 4; k++, out += 64) {
                const uint8_t *q = b[i].qs + 32 * k;
                const float d0 = d * sc[2 * k], m0 = dmin * mn[2 * k];
                const float d1 = d * sc[2 * k + 1], m1 = dmin * mn[2 * k + 1];
                for (int j = 0; j < 32; j++) {
                    out[j] = d0 * (float)(q[j] & 0x0F) - m0;
                    out[j + 32] = d1 * (float)(q[j] >> 4) - m1;
                }
            }
        }
        break;
    }
    case T_Q6_K: {
        const block_q6_K *b = w;
        for (long i = 0; i < nb256; i++) {
            const float d = h2f(b[i].d);
            for (int h = 0; h < 2; h++, out += 128) {
                const uint8_t *ql = b[i].ql + 64 * h, *qh = b[i].qh + 32 * h;
                const int8_t *sc = b[i].scales + 8 * h;
                for (int l = 0; l < 32; l++) {
                    const int g = l / 16;
                    out[l] = d * (float)sc[g] * (float)(((ql[l] & 0x0F) | ((qh[l] & 3) << 4)) - 32);
                    out[l + 32] = d * (float)sc[g + 2] * (float)(((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32);
                    out[l + 64] = d * (float)sc[g + 4] * (float)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                    out[l + 96] = d * (float)sc[g + 6] * (float)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
                }
            }
        }
        break;
    }
    default: __builtin_unreachable();  // sotto_quant_dequantize rejects other types
    }
}

static void dequantize_rows_c(int type, const char *row, long row_bytes, long rows, long columns, float *out, long ld) {
    for (long r = 0; r < rows; r++, row += row_bytes) dequantize_row(type, row, columns, out + r * ld);
}

__attribute__((target("avx2,fma,f16c")))
static void dequantize_rows_f16c(int type, const char *row, long row_bytes, long rows, long columns, float *out, long ld) {
    for (long r = 0; r < rows; r++, row += row_bytes) dequantize_row(type, row, columns, out + r * ld);
}

int sotto_quant_dequantize(int type, const void *w, long row_bytes, long rows, long columns,
                           float *out, long ld) {
    const quant_traits *t = sq_traits(type);
    if (!t) return SOTTO_QUANT_UNKNOWN_TYPE;
    if (columns < 0 || columns % t->block_values) return SOTTO_QUANT_BAD_SHAPE;
    if (sotto_kernels_have_avx2()) dequantize_rows_f16c(type, w, row_bytes, rows, columns, out, ld);
    else dequantize_rows_c(type, w, row_bytes, rows, columns, out, ld);
    return SOTTO_QUANT_OK;
}
