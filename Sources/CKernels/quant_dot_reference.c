// Portable dot products (one weight row · one quantized activation row; nb blocks): the reference
// every faster level is tested against, and the level a CPU without AVX2 runs.

#include "quant_internal.h"

// Portable dot products (one weight row · one quantized activation row; nb blocks)

float sq_dot_f32_c(const float *w, const float *x, long n) {
    float s[8] = {0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += w[i + k] * x[i + k];
    float t = 0;
    for (; i < n; i++) t += w[i] * x[i];
    return t + ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

float sq_dot_f16_c(const uint16_t *w, const float *x, long n) {
    float s = 0;
    for (long i = 0; i < n; i++) s += h2f(w[i]) * x[i];
    return s;
}

float sq_dot_q4_0_c(const block_q4_0 *w, const block_q8_0 *x, long nb) {
    float s = 0;
    for (long i = 0; i < nb; i++) {
        int sumi = 0;
        for (int j = 0; j < 16; j++) {
            sumi += ((w[i].qs[j] & 0x0F) - 8) * x[i].qs[j];
            sumi += ((w[i].qs[j] >> 4) - 8) * x[i].qs[j + 16];
        }
        s += h2f(w[i].d) * h2f(x[i].d) * (float)sumi;
    }
    return s;
}

float sq_dot_q4_1_c(const block_q4_1 *w, const block_q8_1 *x, long nb) {
    float s = 0;
    for (long i = 0; i < nb; i++) {
        int sumi = 0;
        for (int j = 0; j < 16; j++) {
            sumi += (w[i].qs[j] & 0x0F) * x[i].qs[j];
            sumi += (w[i].qs[j] >> 4) * x[i].qs[j + 16];
        }
        s += h2f(w[i].d) * h2f(x[i].d) * (float)sumi + h2f(w[i].m) * h2f(x[i].s);
    }
    return s;
}

float sq_dot_q5_0_c(const block_q5_0 *w, const block_q8_0 *x, long nb) {
    float s = 0;
    for (long i = 0; i < nb; i++) {
        uint32_t qh;
        memcpy(&qh, w[i].qh, 4);
        int sumi = 0;
        for (int j = 0; j < 16; j++) {
            const int lo = (w[i].qs[j] & 0x0F) | (int)(((qh >> j) & 1) << 4);
            const int hi = (w[i].qs[j] >> 4) | (int)(((qh >> (j + 16)) & 1) << 4);
            sumi += (lo - 16) * x[i].qs[j] + (hi - 16) * x[i].qs[j + 16];
        }
        s += h2f(w[i].d) * h2f(x[i].d) * (float)sumi;
    }
    return s;
}

float sq_dot_q8_0_c(const block_q8_0 *w, const block_q8_0 *x, long nb) {
    float s = 0;
    for (long i = 0; i < nb; i++) {
        int sumi = 0;
        for (int j = 0; j < 32; j++) sumi += w[i].qs[j] * x[i].qs[j];
        s += h2f(w[i].d) * h2f(x[i].d) * (float)sumi;
    }
    return s;
}

// ggml's x86 build repacks Q4_K weights (q4_K_8x8) and its gemv keeps, per output, one float sum of
// the super-blocks' scaled integer sums and one of their minimum terms: s + sumi·(d·dx), fused, then
// the difference at the end. Every level sums so.
static inline float q4_K_accumulate(float s, int sumi, float scale) { return fmaf((float)sumi, scale, s); }

float sq_dot_q4_K_c(const block_q4_K *w, const block_q8_K *x, long nb) {
    float s = 0, sm = 0;
    for (long i = 0; i < nb; i++) {
        uint8_t sc[8], mn[8];
        q4_K_scales(w[i].scales, sc, mn);
        int sumi = 0, summ = 0;
        for (int k = 0; k < 4; k++) {  // 64 values: low nibbles, then high nibbles, of 32 bytes
            const uint8_t *q = w[i].qs + 32 * k;
            const int8_t *a = x[i].qs + 64 * k;
            int lo = 0, hi = 0;
            for (int j = 0; j < 32; j++) {
                lo += (q[j] & 0x0F) * a[j];
                hi += (q[j] >> 4) * a[j + 32];
            }
            sumi += sc[2 * k] * lo + sc[2 * k + 1] * hi;
        }
        for (int j = 0; j < 8; j++) summ += mn[j] * (x[i].bsums[2 * j] + x[i].bsums[2 * j + 1]);
        s = q4_K_accumulate(s, sumi, h2f(w[i].d) * x[i].d);
        sm = q4_K_accumulate(sm, summ, h2f(w[i].dmin) * x[i].d);
    }
    return s - sm;
}

// ggml's repacked q4_K_8x8 gemm (token rows in whole groups of 4, from 4 rows on) adds to the two
// float sums after every 64 values (two sub-blocks: low and high nibbles of 32 bytes) instead of
// after every super-block as its gemv does.
float sq_dot_q4_K_per64_c(const block_q4_K *w, const block_q8_K *x, long nb) {
    float s = 0, sm = 0;
    for (long i = 0; i < nb; i++) {
        uint8_t sc[8], mn[8];
        q4_K_scales(w[i].scales, sc, mn);
        const float d = h2f(w[i].d) * x[i].d, dmin = h2f(w[i].dmin) * x[i].d;
        for (int k = 0; k < 4; k++) {
            const uint8_t *q = w[i].qs + 32 * k;
            const int8_t *a = x[i].qs + 64 * k;
            int lo = 0, hi = 0;
            for (int j = 0; j < 32; j++) {
                lo += (q[j] & 0x0F) * a[j];
                hi += (q[j] >> 4) * a[j + 32];
            }
            const int16_t *bs = x[i].bsums + 4 * k;
            s = q4_K_accumulate(s, sc[2 * k] * lo + sc[2 * k + 1] * hi, d);
            sm = q4_K_accumulate(sm, mn[2 * k] * (bs[0] + bs[1]) + mn[2 * k + 1] * (bs[2] + bs[3]), dmin);
        }
    }
    return s - sm;
}

float sq_dot_q6_K_c(const block_q6_K *w, const block_q8_K *x, long nb, int tiled) {
    float s = 0;
    for (long i = 0; i < nb; i++) {
        int sumi = 0;
        for (int h = 0; h < 2; h++) {  // two halves of 128 values
            const uint8_t *ql = w[i].ql + 64 * h, *qh = w[i].qh + 32 * h;
            const int8_t *a = x[i].qs + 128 * h;
            const int8_t *sc = w[i].scales + 8 * h;
            int part[8] = {0};
            for (int l = 0; l < 32; l++) {
                const int q0 = ((ql[l] & 0x0F) | ((qh[l] & 3) << 4)) - 32;
                const int q1 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q2 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q3 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                part[l / 16] += q0 * a[l];
                part[2 + l / 16] += q1 * a[l + 32];
                part[4 + l / 16] += q2 * a[l + 64];
                part[6 + l / 16] += q3 * a[l + 96];
            }
            for (int g = 0; g < 8; g++) sumi += sc[g] * part[g];
        }
        if (tiled) s = tiled_accumulate(s, sumi, h2f(w[i].d), x[i].d);
        else s += x[i].d * h2f(w[i].d) * (float)sumi;
    }
    return s;
}
