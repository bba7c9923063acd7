// Row loops: the matrix-vector and small matrix products, dispatching each row to its level's kernel.
// Every entry point checks the type against the traits first, so the kernels' switches see only
// the types they handle.

#include "quant_internal.h"

static float dot_row(int type, const void *w, const void *xq, const float *xd, long columns, int avx2) {
    if (avx2) {
        switch (type) {
        case T_F32: return sq_dot_f32_avx2(w, xq, columns);
        case T_F16: return sq_dot_f16_avx2(w, xq, columns);
        case T_Q4_0: return sq_dot_q4_0_avx2(w, xq, xd, columns / 32);
        case T_Q4_1: return sq_dot_q4_1_avx2(w, xq, columns / 32);
        case T_Q5_0: return sq_dot_q5_0_avx2(w, xq, xd, columns / 32);
        case T_Q8_0: return sq_dot_q8_0_avx2(w, xq, xd, columns / 32);
        case T_Q4_K: return sq_dot_q4_K_avx2(w, xq, columns / 256);
        case T_Q6_K: return sq_dot_q6_K_avx2(w, xq, columns / 256, 0);
        default: __builtin_unreachable();  // the entry points reject other types
        }
    }
    switch (type) {
    case T_F32: return sq_dot_f32_c(w, xq, columns);
    case T_F16: return sq_dot_f16_c(w, xq, columns);
    case T_Q4_0: return sq_dot_q4_0_c(w, xq, columns / 32);
    case T_Q4_1: return sq_dot_q4_1_c(w, xq, columns / 32);
    case T_Q5_0: return sq_dot_q5_0_c(w, xq, columns / 32);
    case T_Q8_0: return sq_dot_q8_0_c(w, xq, columns / 32);
    case T_Q4_K: return sq_dot_q4_K_c(w, xq, columns / 256);
    case T_Q6_K: return sq_dot_q6_K_c(w, xq, columns / 256, 0);
    default: __builtin_unreachable();  // the entry points reject other types
    }
}

// The float activation scales of Q8_0 blocks, for the AVX2 32-value kernels (xd holds columns/32).
static int wants_scales(const quant_traits *t, int avx2) { return avx2 && t->avx2_scales; }

static void activation_scales(const void *xq, long nb, float *xd) {
    const block_q8_0 *x = xq;
    for (long i = 0; i < nb; i++) xd[i] = h2f(x[i].d);
}

// Scales for up to this many blocks (131,072 columns) live on the stack; wider rows go to the heap.
enum { STACK_SCALES = 4096 };

int sotto_quant_matvec(int type, const void *w, long row_bytes, long rows, long columns,
                       const void *xq, float *y, int avx2) {
    const quant_traits *t = sq_traits(type);
    if (!t) return SOTTO_QUANT_UNKNOWN_TYPE;
    if (avx2 >= 2) return sq_matvec_vnni(type, w, row_bytes, rows, columns, xq, y);
    float stack[STACK_SCALES];
    float *xd = NULL;
    const long nb = columns / 32;
    if (wants_scales(t, avx2)) {
        xd = nb <= STACK_SCALES ? stack : malloc((size_t)nb * sizeof(float));
        if (!xd) return SOTTO_QUANT_NO_MEMORY;
        activation_scales(xq, nb, xd);
    }
    const char *row = w;
    for (long r = 0; r < rows; r++, row += row_bytes) y[r] = dot_row(type, row, xq, xd, columns, avx2);
    if (xd && xd != stack) free(xd);
    return SOTTO_QUANT_OK;
}

int sotto_quant_matvec_batched(int type, const void *w, long row_bytes, long rows, long columns,
                               const void *xq, float *y, int avx2) {
    if (type != T_Q6_K && type != T_Q4_K) return sotto_quant_matvec(type, w, row_bytes, rows, columns, xq, y, avx2);
    if (avx2 >= 2) sq_f16_table_init();
    const char *row = w;
    if (type == T_Q4_K) {
        for (long r = 0; r < rows; r++, row += row_bytes)
            y[r] = avx2 >= 2 ? sq_dot_q4_K_per64_vnni((const block_q4_K *)row, xq, columns / 256)
                             : sq_dot_q4_K_per64_c((const block_q4_K *)row, xq, columns / 256);
        return SOTTO_QUANT_OK;
    }
    for (long r = 0; r < rows; r++, row += row_bytes) {
        const block_q6_K *b = (const block_q6_K *)row;
        y[r] = avx2 >= 2 ? sq_dot_q6_K_vnni(b, xq, columns / 256, 2 * row_bytes, 1)
             : avx2 == 1 ? sq_dot_q6_K_avx2(b, xq, columns / 256, 1)
                         : sq_dot_q6_K_c(b, xq, columns / 256, 1);
    }
    return SOTTO_QUANT_OK;
}

int sotto_quant_matmul(int type, const void *w, long row_bytes, long rows, long columns,
                       const void *xq, long xq_stride, long n, float *y, long ldy, int avx2) {
    const quant_traits *t = sq_traits(type);
    if (!t) return SOTTO_QUANT_UNKNOWN_TYPE;
    float stack[STACK_SCALES];
    float *xd = NULL;
    const long nb = columns / 32;
    if (wants_scales(t, avx2)) {
        xd = nb <= STACK_SCALES ? stack : malloc((size_t)nb * sizeof(float));
        if (!xd) return SOTTO_QUANT_NO_MEMORY;
    }
    // K-quant rows at the VNNI level take every activation row in one walk over the weights.
    if (avx2 >= 2 && n > 1 && (type == T_Q4_K || type == T_Q6_K)) {
        if (xd && xd != stack) free(xd);
        return sq_matmul_kquant_vnni(type, w, row_bytes, rows, columns, xq, xq_stride, n, y, ldy);
    }
    int status = SOTTO_QUANT_OK;
    // A chunk of weight rows (~32 KB) stays in L1/L2 while every activation row (in L1) meets it.
    long chunk = row_bytes > 0 ? (32 * 1024) / row_bytes : 1;
    if (chunk < 1) chunk = 1;
    for (long r0 = 0; r0 < rows; r0 += chunk) {
        const long r1 = r0 + chunk < rows ? r0 + chunk : rows;
        for (long i = 0; i < n; i++) {
            const void *x = (const char *)xq + i * xq_stride;
            if (avx2 >= 2) {
                const int s = sq_matvec_vnni(type, (const char *)w + r0 * row_bytes, row_bytes, r1 - r0, columns, x, y + i * ldy + r0);
                if (s != SOTTO_QUANT_OK) status = s;
                continue;
            }
            if (xd) activation_scales(x, nb, xd);
            const char *row = (const char *)w + r0 * row_bytes;
            for (long r = r0; r < r1; r++, row += row_bytes) y[i * ldy + r] = dot_row(type, row, x, xd, columns, avx2);
        }
    }
    if (xd && xd != stack) free(xd);
    return status;
}
