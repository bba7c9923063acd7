// Quantized dot products for the decoder (see CKernelsQuant.h). Block layouts follow ggml's on-disk
// formats; the Swift reference dequantizers in Quant are the specification both paths are tested against.

#include "CKernelsQuant.h"
#include "CKernels.h"

#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { T_F32 = 0, T_F16 = 1, T_Q4_0 = 2, T_Q4_1 = 3, T_Q5_0 = 6, T_Q8_0 = 8, T_Q4_K = 12, T_Q6_K = 14 };

// Weight blocks, as stored in GGUF files (little-endian, packed; every field is naturally aligned
// within the block, so no packing attribute is needed, and the static asserts hold us to ggml's sizes).
typedef struct { uint16_t d; uint8_t qs[16]; } block_q4_0;
typedef struct { uint16_t d, m; uint8_t qs[16]; } block_q4_1;
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } block_q5_0;
typedef struct { uint16_t d; int8_t qs[32]; } block_q8_0;
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } block_q4_K;
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } block_q6_K;
// Activation blocks (never stored in files). Q8_1 carries s = d·Σq for Q4_1's minimum term; Q8_K
// carries the sums of each 16 values for the K-quants' minimums and offsets.
typedef struct { uint16_t d, s; int8_t qs[32]; } block_q8_1;
typedef struct { float d; int8_t qs[256]; int16_t bsums[16]; } block_q8_K;

_Static_assert(sizeof(block_q4_0) == 18, "Q4_0 block");
_Static_assert(sizeof(block_q4_1) == 20, "Q4_1 block");
_Static_assert(sizeof(block_q5_0) == 22, "Q5_0 block");
_Static_assert(sizeof(block_q8_0) == 34, "Q8_0 block");
_Static_assert(sizeof(block_q4_K) == 144, "Q4_K block");
_Static_assert(sizeof(block_q6_K) == 210, "Q6_K block");
_Static_assert(sizeof(block_q8_1) == 36, "Q8_1 block");
_Static_assert(sizeof(block_q8_K) == 292, "Q8_K block");

static inline float h2f(uint16_t h) {
    _Float16 v;
    memcpy(&v, &h, 2);
    return (float)v;
}

static inline uint16_t f2h(float f) {
    _Float16 v = (_Float16)f;  // round to nearest even, as ggml's conversion
    uint16_t h;
    memcpy(&h, &v, 2);
    return h;
}

// Round to nearest, ties to even (the default FP mode), matching _mm256_cvtps_epi32.
static inline int round_even(float v) { return (int)nearbyintf(v); }

// ---------------------------------------------------------------------------------------------
// Activation quantization

static void quantize_q8_0_c(const float *x, block_q8_0 *y, long nb) {
    for (long i = 0; i < nb; i++, x += 32) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[j]));
        const float id = amax != 0 ? 127.0f / amax : 0.0f;
        y[i].d = f2h(amax / 127.0f);
        for (int j = 0; j < 32; j++) y[i].qs[j] = (int8_t)round_even(x[j] * id);
    }
}

static void quantize_q8_1_c(const float *x, block_q8_1 *y, long nb) {
    for (long i = 0; i < nb; i++, x += 32) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[j]));
        const float d = amax / 127.0f;
        const float id = amax != 0 ? 127.0f / amax : 0.0f;
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            y[i].qs[j] = (int8_t)round_even(x[j] * id);
            sum += y[i].qs[j];
        }
        y[i].d = f2h(d);
        y[i].s = f2h(d * (float)sum);
    }
}

// The signed value of largest magnitude maps to -127, so every value lands in [-127, 127].
static void quantize_q8_K_c(const float *x, block_q8_K *y, long nb) {
    for (long i = 0; i < nb; i++, x += 256) {
        float amax = 0, max = 0;
        for (int j = 0; j < 256; j++) {
            const float a = fabsf(x[j]);
            if (a > amax) { amax = a; max = x[j]; }
        }
        if (amax == 0) {
            memset(&y[i], 0, sizeof(block_q8_K));
            continue;
        }
        const float iscale = -127.0f / max;
        for (int j = 0; j < 256; j++) {
            const int v = round_even(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int g = 0; g < 16; g++) {
            int s = 0;
            for (int j = 0; j < 16; j++) s += y[i].qs[16 * g + j];
            y[i].bsums[g] = (int16_t)s;
        }
        y[i].d = 1.0f / iscale;
    }
}

__attribute__((target("avx2,fma,f16c")))
static inline float hmax8(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

__attribute__((target("avx2,fma,f16c")))
static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma,f16c")))
static inline int hsum8i(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

// 32 floats times a scale → 32 int8 in x's order (packs interleave lanes; the permute undoes it).
__attribute__((target("avx2,fma,f16c")))
static inline __m256i scale_round_pack(const float *x, __m256 mul) {
    __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), mul));
    __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8), mul));
    __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 16), mul));
    __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 24), mul));
    __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(i0, i1), _mm256_packs_epi32(i2, i3));
    return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

__attribute__((target("avx2,fma,f16c")))
static inline __m256 absmax32(const float *x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(sign, _mm256_loadu_ps(x));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 8)));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 16)));
    return _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 24)));
}

__attribute__((target("avx2,fma,f16c")))
static void quantize_q8_0_avx2(const float *x, block_q8_0 *y, long nb) {
    for (long i = 0; i < nb; i++, x += 32) {
        const float amax = hmax8(absmax32(x));
        const float id = amax != 0 ? 127.0f / amax : 0.0f;
        y[i].d = f2h(amax / 127.0f);
        _mm256_storeu_si256((__m256i *)y[i].qs, scale_round_pack(x, _mm256_set1_ps(id)));
    }
}

__attribute__((target("avx2,fma,f16c")))
static void quantize_q8_1_avx2(const float *x, block_q8_1 *y, long nb) {
    const __m256i ones8 = _mm256_set1_epi8(1);
    const __m256i ones16 = _mm256_set1_epi16(1);
    for (long i = 0; i < nb; i++, x += 32) {
        const float amax = hmax8(absmax32(x));
        const float d = amax / 127.0f;
        const float id = amax != 0 ? 127.0f / amax : 0.0f;
        const __m256i q = scale_round_pack(x, _mm256_set1_ps(id));
        _mm256_storeu_si256((__m256i *)y[i].qs, q);
        const int sum = hsum8i(_mm256_madd_epi16(_mm256_maddubs_epi16(ones8, q), ones16));
        y[i].d = f2h(d);
        y[i].s = f2h(d * (float)sum);
    }
}

__attribute__((target("avx2,fma,f16c")))
static void quantize_q8_K_avx2(const float *x, block_q8_K *y, long nb) {
    const __m256i ones8 = _mm256_set1_epi8(1);
    for (long i = 0; i < nb; i++, x += 256) {
        // The extreme value's sign matters here, so find it with a scalar pass over the block's
        // absolute maximum (the vector pass finds the magnitude).
        __m256 m = absmax32(x);
        for (int k = 32; k < 256; k += 32) m = _mm256_max_ps(m, absmax32(x + k));
        const float amax = hmax8(m);
        if (amax == 0) {
            memset(&y[i], 0, sizeof(block_q8_K));
            continue;
        }
        float max = 0;
        for (int j = 0; j < 256; j++) {
            if (fabsf(x[j]) == amax) { max = x[j]; break; }
        }
        const float iscale = -127.0f / max;
        const __m256 mul = _mm256_set1_ps(iscale);
        for (int k = 0; k < 256; k += 32) {
            // Clamp to 127: with iscale = -127/max the opposite extreme can round to 128 only by
            // a hair, and packs saturates to 127 exactly as the portable MIN(127, v) does.
            const __m256i q = scale_round_pack(x + k, mul);
            _mm256_storeu_si256((__m256i *)(y[i].qs + k), q);
            // Two 16-value sums per 32 values: maddubs by ones gives pair sums, then add pairs.
            const __m256i s16 = _mm256_maddubs_epi16(ones8, q);
            const __m256i s32 = _mm256_madd_epi16(s16, _mm256_set1_epi16(1));
            // s32 lanes 0..3 cover values 0..15 (in the low 128 bits), lanes 4..7 values 16..31.
            __m128i lo = _mm256_castsi256_si128(s32), hi = _mm256_extracti128_si256(s32, 1);
            lo = _mm_hadd_epi32(lo, hi);  // [a0+a1, a2+a3, b0+b1, b2+b3]
            lo = _mm_hadd_epi32(lo, lo);  // [a, b, a, b]
            y[i].bsums[k / 16] = (int16_t)_mm_cvtsi128_si32(lo);
            y[i].bsums[k / 16 + 1] = (int16_t)_mm_extract_epi32(lo, 1);
        }
        y[i].d = 1.0f / iscale;
    }
}

long sotto_quant_activation_bytes(int type, long columns) {
    if (columns < 0) return 0;
    switch (type) {
    case T_F32: case T_F16: return columns * 4;
    case T_Q4_0: case T_Q5_0: case T_Q8_0:
        return columns % 32 ? 0 : columns / 32 * (long)sizeof(block_q8_0);
    case T_Q4_1: return columns % 32 ? 0 : columns / 32 * (long)sizeof(block_q8_1);
    case T_Q4_K: case T_Q6_K: return columns % 256 ? 0 : columns / 256 * (long)sizeof(block_q8_K);
    default: return 0;
    }
}

void sotto_quant_quantize(int type, const float *x, long columns, void *out, int avx2) {
    switch (type) {
    case T_F32: case T_F16: memcpy(out, x, (size_t)columns * 4); break;
    case T_Q4_0: case T_Q5_0: case T_Q8_0:
        if (avx2) quantize_q8_0_avx2(x, out, columns / 32); else quantize_q8_0_c(x, out, columns / 32);
        break;
    case T_Q4_1:
        if (avx2) quantize_q8_1_avx2(x, out, columns / 32); else quantize_q8_1_c(x, out, columns / 32);
        break;
    case T_Q4_K: case T_Q6_K:
        if (avx2) quantize_q8_K_avx2(x, out, columns / 256); else quantize_q8_K_c(x, out, columns / 256);
        break;
    default: break;
    }
}

// ---------------------------------------------------------------------------------------------
// Portable dot products (one weight row · one quantized activation row; nb blocks)

static float dot_f32_c(const float *w, const float *x, long n) {
    float s[8] = {0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += w[i + k] * x[i + k];
    float t = 0;
    for (; i < n; i++) t += w[i] * x[i];
    return t + ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

static float dot_f16_c(const uint16_t *w, const float *x, long n) {
    float s = 0;
    for (long i = 0; i < n; i++) s += h2f(w[i]) * x[i];
    return s;
}

static float dot_q4_0_c(const block_q4_0 *w, const block_q8_0 *x, long nb) {
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

static float dot_q4_1_c(const block_q4_1 *w, const block_q8_1 *x, long nb) {
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

static float dot_q5_0_c(const block_q5_0 *w, const block_q8_0 *x, long nb) {
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

static float dot_q8_0_c(const block_q8_0 *w, const block_q8_0 *x, long nb) {
    float s = 0;
    for (long i = 0; i < nb; i++) {
        int sumi = 0;
        for (int j = 0; j < 32; j++) sumi += w[i].qs[j] * x[i].qs[j];
        s += h2f(w[i].d) * h2f(x[i].d) * (float)sumi;
    }
    return s;
}

// The 8 six-bit scales and 8 six-bit minimums of a Q4_K super-block, from its 12 packed bytes:
// bytes 0-3 hold scales 0-3 (low 6 bits) and the top bits of scales 4-7, bytes 4-7 the same for
// the minimums, bytes 8-11 the low 4 bits of scales 4-7 (low nibble) and minimums 4-7 (high nibble).
static inline void q4_K_scales(const uint8_t *p, uint8_t sc[8], uint8_t mn[8]) {
    uint32_t u0, u1, u2;
    memcpy(&u0, p, 4);
    memcpy(&u1, p + 4, 4);
    memcpy(&u2, p + 8, 4);
    const uint32_t s03 = u0 & 0x3f3f3f3f, m03 = u1 & 0x3f3f3f3f;
    const uint32_t s47 = (u2 & 0x0f0f0f0f) | (((u0 >> 6) & 0x03030303) << 4);
    const uint32_t m47 = ((u2 >> 4) & 0x0f0f0f0f) | (((u1 >> 6) & 0x03030303) << 4);
    memcpy(sc, &s03, 4);
    memcpy(sc + 4, &s47, 4);
    memcpy(mn, &m03, 4);
    memcpy(mn + 4, &m47, 4);
}

// ggml's x86 build repacks Q4_K weights (q4_K_8x8) and its gemv keeps, per output, one float sum of
// the super-blocks' scaled integer sums and one of their minimum terms: s + sumi·(d·dx), fused, then
// the difference at the end. Every level sums so.
static inline float q4_K_accumulate(float s, int sumi, float scale) { return fmaf((float)sumi, scale, s); }

static float dot_q4_K_c(const block_q4_K *w, const block_q8_K *x, long nb) {
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
static float dot_q4_K_per64_c(const block_q4_K *w, const block_q8_K *x, long nb) {
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

// ggml's tiled K-quant matmul (Q6_K in batches of 8 or more rows) takes each super-block's exact
// integer sum times the weight scale, rounded, then adds it times the activation scale to the running
// sum in one fused step (GCC contracts its vector multiply and add).
static inline float tiled_accumulate(float s, int sumi, float dw, float dx) {
    const float r = (float)sumi * dw;
    return fmaf(r, dx, s);
}

static float dot_q6_K_c(const block_q6_K *w, const block_q8_K *x, long nb, int tiled) {
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

// ---------------------------------------------------------------------------------------------
// AVX2 dot products

// Σ pairs of u8·s8 products, then pairs again: 8 int32 lanes.
__attribute__((target("avx2,fma,f16c")))
static inline __m256i dot_us8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

// Signed × signed: move x's sign onto y so maddubs (unsigned × signed) can take |x|.
__attribute__((target("avx2,fma,f16c")))
static inline __m256i dot_ss8(__m256i x, __m256i y) {
    return dot_us8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

// 16 bytes of packed nibbles → 32 bytes: low nibbles first (values 0-15), then high (16-31).
__attribute__((target("avx2,fma,f16c")))
static inline __m256i unpack_nibbles(const uint8_t *p) {
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p));
    const __m256i shifted = _mm256_srlv_epi32(both, _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4));
    return _mm256_and_si256(shifted, _mm256_set1_epi8(0x0F));
}

// 32 bits → 32 bytes, 0xFF where the bit is set.
__attribute__((target("avx2,fma,f16c")))
static inline __m256i bits_to_bytes(const uint8_t *p) {
    const __m256i shuf = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                          2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i all = _mm256_castps_si256(_mm256_broadcast_ss((const float *)(const void *)p));
    const __m256i v = _mm256_shuffle_epi8(all, shuf);
    const __m256i bit = _mm256_set1_epi64x(0x8040201008040201LL);
    return _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
}

// The float work per 32-value block (two f16 scales → one broadcast factor) bottlenecks these
// kernels on the shuffle port, not the integer products. So: the activation scales arrive already
// converted (xd, once per vector), the weight scale is loaded as a 4-byte broadcast (a pure load)
// and converted once, giving d in even lanes; odd lanes are zeroed, and the int32 products are
// folded into even lanes with a 64-bit shift, which avoids the shuffle port.
__attribute__((target("avx2,fma,f16c")))
static inline __m256 block_scale(const uint16_t *wd, const float *xd) {
    const __m128i h = _mm_castps_si128(_mm_broadcast_ss((const float *)(const void *)wd));
    const __m256 even = _mm256_castsi256_ps(_mm256_set1_epi64x(0x00000000FFFFFFFFLL));
    return _mm256_mul_ps(_mm256_and_ps(_mm256_cvtph_ps(h), even), _mm256_broadcast_ss(xd));
}

__attribute__((target("avx2,fma,f16c")))
static inline __m256 pair_sums(__m256i p) {
    return _mm256_cvtepi32_ps(_mm256_add_epi32(p, _mm256_srli_epi64(p, 32)));
}

__attribute__((target("avx2,fma,f16c")))
static float dot_f32_avx2(const float *w, const float *x, long n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(x + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), _mm256_loadu_ps(x + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), _mm256_loadu_ps(x + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(x + i), a0);
    float s = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; i++) s += w[i] * x[i];
    return s;
}

__attribute__((target("avx2,fma,f16c")))
static float dot_f16_avx2(const uint16_t *w, const float *x, long n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i))), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i + 8))), _mm256_loadu_ps(x + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i + 16))), _mm256_loadu_ps(x + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i + 24))), _mm256_loadu_ps(x + i + 24), a3);
    }
    for (; i + 8 <= n; i += 8)
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i))), _mm256_loadu_ps(x + i), a0);
    float s = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; i++) s += h2f(w[i]) * x[i];
    return s;
}

__attribute__((target("avx2,fma,f16c")))
static float dot_q4_0_avx2(const block_q4_0 *w, const block_q8_0 *x, const float *xd, long nb) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    long i = 0;
    for (; i + 2 <= nb; i += 2) {
        const __m256i p0 = dot_ss8(_mm256_sub_epi8(unpack_nibbles(w[i].qs), _mm256_set1_epi8(8)), _mm256_loadu_si256((const __m256i *)x[i].qs));
        const __m256i p1 = dot_ss8(_mm256_sub_epi8(unpack_nibbles(w[i + 1].qs), _mm256_set1_epi8(8)), _mm256_loadu_si256((const __m256i *)x[i + 1].qs));
        acc0 = _mm256_fmadd_ps(block_scale(&w[i].d, xd + i), pair_sums(p0), acc0);
        acc1 = _mm256_fmadd_ps(block_scale(&w[i + 1].d, xd + i + 1), pair_sums(p1), acc1);
    }
    for (; i < nb; i++) {
        const __m256i p = dot_ss8(_mm256_sub_epi8(unpack_nibbles(w[i].qs), _mm256_set1_epi8(8)), _mm256_loadu_si256((const __m256i *)x[i].qs));
        acc0 = _mm256_fmadd_ps(block_scale(&w[i].d, xd + i), pair_sums(p), acc0);
    }
    return hsum8(_mm256_add_ps(acc0, acc1));
}

__attribute__((target("avx2,fma,f16c")))
static float dot_q4_1_avx2(const block_q4_1 *w, const block_q8_1 *x, long nb) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    float mins = 0;
    long i = 0;
    for (; i + 2 <= nb; i += 2) {
        const __m256i p0 = dot_us8(unpack_nibbles(w[i].qs), _mm256_loadu_si256((const __m256i *)x[i].qs));
        const __m256i p1 = dot_us8(unpack_nibbles(w[i + 1].qs), _mm256_loadu_si256((const __m256i *)x[i + 1].qs));
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p0), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i + 1].d) * h2f(x[i + 1].d)), _mm256_cvtepi32_ps(p1), acc1);
        mins += h2f(w[i].m) * h2f(x[i].s) + h2f(w[i + 1].m) * h2f(x[i + 1].s);
    }
    for (; i < nb; i++) {
        const __m256i p = dot_us8(unpack_nibbles(w[i].qs), _mm256_loadu_si256((const __m256i *)x[i].qs));
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), _mm256_cvtepi32_ps(p), acc0);
        mins += h2f(w[i].m) * h2f(x[i].s);
    }
    return hsum8(_mm256_add_ps(acc0, acc1)) + mins;
}

// Q5_0 values are (nibble | fifth bit << 4) - 16: the nibble where the bit is set, else nibble - 16,
// which as a byte is nibble | 0xF0.
__attribute__((target("avx2,fma,f16c")))
static inline __m256i q5_0_values(const block_q5_0 *b) {
    const __m256i high = _mm256_andnot_si256(bits_to_bytes(b->qh), _mm256_set1_epi8((char)0xF0));
    return _mm256_or_si256(unpack_nibbles(b->qs), high);
}

__attribute__((target("avx2,fma,f16c")))
static float dot_q5_0_avx2(const block_q5_0 *w, const block_q8_0 *x, const float *xd, long nb) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    long i = 0;
    for (; i + 2 <= nb; i += 2) {
        const __m256i p0 = dot_ss8(q5_0_values(&w[i]), _mm256_loadu_si256((const __m256i *)x[i].qs));
        const __m256i p1 = dot_ss8(q5_0_values(&w[i + 1]), _mm256_loadu_si256((const __m256i *)x[i + 1].qs));
        acc0 = _mm256_fmadd_ps(block_scale(&w[i].d, xd + i), pair_sums(p0), acc0);
        acc1 = _mm256_fmadd_ps(block_scale(&w[i + 1].d, xd + i + 1), pair_sums(p1), acc1);
    }
    for (; i < nb; i++) {
        const __m256i p = dot_ss8(q5_0_values(&w[i]), _mm256_loadu_si256((const __m256i *)x[i].qs));
        acc0 = _mm256_fmadd_ps(block_scale(&w[i].d, xd + i), pair_sums(p), acc0);
    }
    return hsum8(_mm256_add_ps(acc0, acc1));
}

__attribute__((target("avx2,fma,f16c")))
static float dot_q8_0_avx2(const block_q8_0 *w, const block_q8_0 *x, const float *xd, long nb) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    long i = 0;
    for (; i + 2 <= nb; i += 2) {
        const __m256i p0 = dot_ss8(_mm256_loadu_si256((const __m256i *)w[i].qs), _mm256_loadu_si256((const __m256i *)x[i].qs));
        const __m256i p1 = dot_ss8(_mm256_loadu_si256((const __m256i *)w[i + 1].qs), _mm256_loadu_si256((const __m256i *)x[i + 1].qs));
        acc0 = _mm256_fmadd_ps(block_scale(&w[i].d, xd + i), pair_sums(p0), acc0);
        acc1 = _mm256_fmadd_ps(block_scale(&w[i + 1].d, xd + i + 1), pair_sums(p1), acc1);
    }
    for (; i < nb; i++) {
        const __m256i p = dot_ss8(_mm256_loadu_si256((const __m256i *)w[i].qs), _mm256_loadu_si256((const __m256i *)x[i].qs));
        acc0 = _mm256_fmadd_ps(block_scale(&w[i].d, xd + i), pair_sums(p), acc0);
    }
    return hsum8(_mm256_add_ps(acc0, acc1));
}

__attribute__((target("avx2,fma,f16c")))
static float dot_q4_K_avx2(const block_q4_K *w, const block_q8_K *x, long nb) {
    float acc = 0, accm = 0;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (long i = 0; i < nb; i++) {
        uint8_t sc[8], mn[8];
        q4_K_scales(w[i].scales, sc, mn);
        // Minimums: Σ_j mn[j]·(bsums[2j] + bsums[2j+1]) in one madd over the 16 sums.
        const __m128i m8 = _mm_loadl_epi64((const __m128i *)mn);
        const __m128i m16 = _mm_unpacklo_epi8(m8, m8);  // m0 m0 m1 m1 ... m7 m7 (bytes)
        const __m256i mins = _mm256_cvtepu8_epi16(m16);
        const __m256i bs = _mm256_loadu_si256((const __m256i *)x[i].bsums);
        const __m256i pm = _mm256_madd_epi16(mins, bs);

        __m256i sumi = _mm256_setzero_si256();
        for (int k = 0; k < 4; k++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(w[i].qs + 32 * k));
            const __m256i lo = _mm256_and_si256(q, low4);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            const __m256i a0 = _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * k));
            const __m256i a1 = _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * k + 32));
            const __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, a0), _mm256_set1_epi16(sc[2 * k]));
            const __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, a1), _mm256_set1_epi16(sc[2 * k + 1]));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p0, p1));
        }
        acc = fmaf((float)hsum8i(sumi), h2f(w[i].d) * x[i].d, acc);
        accm = fmaf((float)hsum8i(pm), h2f(w[i].dmin) * x[i].d, accm);
    }
    return acc - accm;
}

__attribute__((target("avx2,fma,f16c")))
static float dot_q6_K_avx2(const block_q6_K *w, const block_q8_K *x, long nb, int tiled) {
    __m256 acc = _mm256_setzero_ps();
    float t = 0;
    const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
    for (long i = 0; i < nb; i++) {
        const int8_t *sc = w[i].scales;
        // Stored values are unsigned 0..63 standing for v - 32: Σ sc·(q-32)·a = Σ sc·q·a - 32·Σ sc·bsum.
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc));
        const __m256i offset = _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)x[i].bsums));
        __m256i sumi = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offset, 5));
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = w[i].ql + 64 * h, *qhp = w[i].qh + 32 * h;
            const int8_t *a = x[i].qs + 128 * h;
            const int8_t *s = sc + 8 * h;
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            const __m256i qh = _mm256_loadu_si256((const __m256i *)qhp);
            const __m256i q0 = _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 4), bits45));
            const __m256i q1 = _mm256_or_si256(_mm256_and_si256(l1, low4), _mm256_and_si256(_mm256_slli_epi16(qh, 2), bits45));
            const __m256i q2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4), _mm256_and_si256(qh, bits45));
            const __m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4), _mm256_and_si256(_mm256_srli_epi16(qh, 2), bits45));
            // Each 32-value product covers two groups of 16: the low lane takes one scale, the high lane the next.
            const __m256i s0 = _mm256_set_m128i(_mm_set1_epi16(s[1]), _mm_set1_epi16(s[0]));
            const __m256i s1 = _mm256_set_m128i(_mm_set1_epi16(s[3]), _mm_set1_epi16(s[2]));
            const __m256i s2 = _mm256_set_m128i(_mm_set1_epi16(s[5]), _mm_set1_epi16(s[4]));
            const __m256i s3 = _mm256_set_m128i(_mm_set1_epi16(s[7]), _mm_set1_epi16(s[6]));
            const __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(q0, _mm256_loadu_si256((const __m256i *)a)), s0);
            const __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(q1, _mm256_loadu_si256((const __m256i *)(a + 32))), s1);
            const __m256i p2 = _mm256_madd_epi16(_mm256_maddubs_epi16(q2, _mm256_loadu_si256((const __m256i *)(a + 64))), s2);
            const __m256i p3 = _mm256_madd_epi16(_mm256_maddubs_epi16(q3, _mm256_loadu_si256((const __m256i *)(a + 96))), s3);
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(_mm256_add_epi32(p0, p1), _mm256_add_epi32(p2, p3)));
        }
        if (tiled) t = tiled_accumulate(t, hsum8i(sumi), h2f(w[i].d), x[i].d);
        else acc = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * h2f(w[i].d)), _mm256_cvtepi32_ps(sumi), acc);
    }
    return tiled ? t : hsum8(acc);
}

// ---------------------------------------------------------------------------------------------
// AVX-512 VNNI dot products (256-bit vectors: AVX512VL forms of VPDPBUSD/VPDPWSSD, byte masks,
// VPMULTISHIFTQB). Three ideas carry most of the gain over the AVX2 kernels:
// - No sign trick. Weights go in as the unsigned operand of VPDPBUSD, shifted by a constant c
//   (Q4_0: the nibble, c = 8; Q5_0: the 5-bit code, c = 16; Q8_0: q XOR 0x80 = q + 128, c = 128), and
//   Σ(q+c)·a − c·Σa is exact: c·Σa over each lane's 4 activations is computed once per vector and
//   enters as the accumulator's starting value, so every int32 lane holds exactly the sum of its 4
//   products, as in ggml's kernels (the float rounding below then matches theirs bit for bit).
// - Weight scales are read through a 65,536-entry f16→f32 table: two loads, no shuffle-port work.
// - Four rows per pass share each activation block (one load, one scale, one starting value).

#define VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))

static float f16_table[65536];
static pthread_once_t f16_table_once = PTHREAD_ONCE_INIT;

__attribute__((target("avx2,fma,f16c")))
static void build_f16_table(void) {
    for (int i = 0; i < 65536; i++) f16_table[i] = h2f((uint16_t)i);
}

int sotto_quant_best_level(void) {
    static int level = -1;
    int l = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (l >= 0) return l;
    __builtin_cpu_init();
    l = 0;
    if (sotto_kernels_have_avx2() && __builtin_cpu_supports("f16c")) {
        l = 1;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
            __builtin_cpu_supports("avx512vbmi"))
            l = 2;
    }
    __atomic_store_n(&level, l, __ATOMIC_RELAXED);
    return l;
}

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
            d[i] = f16_table[x[i].d];
            s[i] = f16_table[x[i].s];
        }
        return;
    }
    const int c = type == T_Q4_0 ? 8 : type == T_Q5_0 ? 16 : 128;
    const block_q8_0 *x = xq;
    for (long i = 0; i < nb; i++) {
        for (int l = 0; l < 8; l++) {
            const int8_t *a = x[i].qs + 4 * l;
            start[8 * i + l] = -c * (a[0] + a[1] + a[2] + a[3]);
        }
        memcpy(qs + 32 * i, x[i].qs, 32);
        d[i] = f16_table[x[i].d];
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

VNNI static inline uint32_t load_u32(const void *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
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

// R rows (R ≤ 4) of a 32-value-block type against prepared activations.
VNNI static inline __attribute__((always_inline)) void rows32_vnni(
    int type, const char *w, long row_bytes, const prepared_q8 *x, long nb, float *y, const int R) {
    const long bb = type == T_Q4_0 ? 18 : type == T_Q4_1 ? 20 : type == T_Q5_0 ? 22 : 34;
    __m256 acc[4];
    float mins[4];
    for (int r = 0; r < R; r++) {
        acc[r] = _mm256_setzero_ps();
        mins[r] = 0;
    }
    const char *row = w;
    for (long i = 0; i < nb; i++, row += bb) {
        const __m256i a = _mm256_load_si256((const __m256i *)(x->qs + 32 * i));
        const __m256i start = type == T_Q4_1 ? _mm256_setzero_si256() : _mm256_load_si256((const __m256i *)(x->start + 8 * i));
        const __m256 dx = _mm256_set1_ps(x->d[i]);
        for (int r = 0; r < R; r++) {
            const char *blk = row + r * row_bytes;
            // The same block of the next group of rows: hardware prefetching alone left cold
            // (DRAM-bound) throughput at ~55% of this (measured).
            _mm_prefetch(blk + 4 * row_bytes, _MM_HINT_T0);
            const __m256i p = _mm256_dpbusd_epi32(start, codes_vnni(type, blk), a);
            // (dw·dx)·p as ggml: dw·dx is exact (two halves), so one rounding per lane, as theirs.
            // The weight scale is a broadcast memory operand, so no shuffle-port work.
            const __m256 d = _mm256_mul_ps(_mm256_set1_ps(f16_table[*(const uint16_t *)blk]), dx);
            acc[r] = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc[r]);
            if (type == T_Q4_1) mins[r] += f16_table[((const block_q4_1 *)blk)->m] * x->sum[i];
        }
    }
    for (int r = 0; r < R; r++) y[r] = hsum8(acc[r]) + mins[r];
}

#define ROWS32(NAME, TYPE)                                                                          \
    VNNI static void NAME(const char *w, long row_bytes, long rows, const prepared_q8 *x, long nb, float *y) { \
        long r = 0;                                                                                 \
        for (; r + 4 <= rows; r += 4) rows32_vnni(TYPE, w + r * row_bytes, row_bytes, x, nb, y + r, 4); \
        for (; r < rows; r++) rows32_vnni(TYPE, w + r * row_bytes, row_bytes, x, nb, y + r, 1);      \
    }
ROWS32(rows_q4_0_vnni, T_Q4_0)
ROWS32(rows_q4_1_vnni, T_Q4_1)
ROWS32(rows_q5_0_vnni, T_Q5_0)
ROWS32(rows_q8_0_vnni, T_Q8_0)

// VPDPWSSD as written: the compiler otherwise splits a chain of them into VPMADDWD + VPADDD (for
// latency, on its generic tuning), which costs the saved uop back.
VNNI static inline __m256i dpwssd(__m256i acc, __m256i a, __m256i b) {
    __asm__("vpdpwssd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

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
        acc = fmaf((float)hsum8i(_mm256_add_epi32(sum0, sum1)), f16_table[w[i].d] * x[i].d, acc);
        accm = fmaf((float)hsum8i(pm), f16_table[w[i].dmin] * x[i].d, accm);
    }
    return acc - accm;
}

// The per-64-value order of dot_q4_K_per64_c, at the VNNI level.
VNNI static float dot_q4_K_per64_vnni(const block_q4_K *w, const block_q8_K *x, long nb) {
    float acc = 0, accm = 0;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (long i = 0; i < nb; i++) {
        uint8_t sc[8], mn[8];
        q4_K_scales(w[i].scales, sc, mn);
        const float d = f16_table[w[i].d] * x[i].d, dmin = f16_table[w[i].dmin] * x[i].d;
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
VNNI static float dot_q6_K_vnni(const block_q6_K *w, const block_q8_K *x, long nb, long ahead, int tiled) {
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
        if (tiled) t = tiled_accumulate(t, hsum8i(_mm256_add_epi32(sumi, sum1)), f16_table[w[i].d], x[i].d);
        else acc = _mm256_fmadd_ps(_mm256_set1_ps(x[i].d * f16_table[w[i].d]), _mm256_cvtepi32_ps(_mm256_add_epi32(sumi, sum1)), acc);
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
        for (long r = 0; r < rows; r++, w += row_bytes) y[r] = dot_q6_K_vnni((const block_q6_K *)w, xq, columns / 256, 2 * row_bytes, 0);
        return;
    case T_F32:
        for (long r = 0; r < rows; r++, w += row_bytes) y[r] = dot_f32_avx2((const float *)w, xq, columns);
        return;
    case T_F16:
        for (long r = 0; r < rows; r++, w += row_bytes) y[r] = dot_f16_avx2((const uint16_t *)w, xq, columns);
        return;
    default: return;
    }
}

static int wants_prepared(int type) { return type == T_Q4_0 || type == T_Q4_1 || type == T_Q5_0 || type == T_Q8_0; }

// Prepared activations for up to this many bytes live on the stack; wider rows go to the heap.
enum { STACK_PREPARED = 48 * 1024 };

// One product at the VNNI level: prepares x (when the type needs it) and runs the rows.
static void matvec_vnni(int type, const char *w, long row_bytes, long rows, long columns, const void *xq, float *y) {
    pthread_once(&f16_table_once, build_f16_table);
    char stack[STACK_PREPARED];
    prepared_q8 p = {0};
    void *buffer = NULL;
    if (wants_prepared(type)) {
        const long nb = columns / 32;
        const size_t need = prepared_bytes(nb);
        buffer = need <= sizeof stack ? stack : malloc(need);
        if (!buffer) return;
        prepare_q8(type, xq, nb, buffer, &p);
    }
    rows_vnni(type, w, row_bytes, rows, columns, xq, &p, y);
    if (buffer && buffer != stack) free(buffer);
}

// ---------------------------------------------------------------------------------------------
// Row loops

static float dot_row(int type, const void *w, const void *xq, const float *xd, long columns, int avx2) {
    if (avx2) {
        switch (type) {
        case T_F32: return dot_f32_avx2(w, xq, columns);
        case T_F16: return dot_f16_avx2(w, xq, columns);
        case T_Q4_0: return dot_q4_0_avx2(w, xq, xd, columns / 32);
        case T_Q4_1: return dot_q4_1_avx2(w, xq, columns / 32);
        case T_Q5_0: return dot_q5_0_avx2(w, xq, xd, columns / 32);
        case T_Q8_0: return dot_q8_0_avx2(w, xq, xd, columns / 32);
        case T_Q4_K: return dot_q4_K_avx2(w, xq, columns / 256);
        case T_Q6_K: return dot_q6_K_avx2(w, xq, columns / 256, 0);
        default: return 0;
        }
    }
    switch (type) {
    case T_F32: return dot_f32_c(w, xq, columns);
    case T_F16: return dot_f16_c(w, xq, columns);
    case T_Q4_0: return dot_q4_0_c(w, xq, columns / 32);
    case T_Q4_1: return dot_q4_1_c(w, xq, columns / 32);
    case T_Q5_0: return dot_q5_0_c(w, xq, columns / 32);
    case T_Q8_0: return dot_q8_0_c(w, xq, columns / 32);
    case T_Q4_K: return dot_q4_K_c(w, xq, columns / 256);
    case T_Q6_K: return dot_q6_K_c(w, xq, columns / 256, 0);
    default: return 0;
    }
}

// The float activation scales of Q8_0 blocks, for the AVX2 32-value kernels (xd holds columns/32).
static int wants_scales(int type, int avx2) {
    return avx2 && (type == T_Q4_0 || type == T_Q5_0 || type == T_Q8_0);
}

static void activation_scales(const void *xq, long nb, float *xd) {
    const block_q8_0 *x = xq;
    for (long i = 0; i < nb; i++) xd[i] = h2f(x[i].d);
}

// Scales for up to this many blocks (131,072 columns) live on the stack; wider rows go to the heap.
enum { STACK_SCALES = 4096 };

void sotto_quant_matvec(int type, const void *w, long row_bytes, long rows, long columns,
                        const void *xq, float *y, int avx2) {
    if (avx2 >= 2) {
        matvec_vnni(type, w, row_bytes, rows, columns, xq, y);
        return;
    }
    float stack[STACK_SCALES];
    float *xd = NULL;
    const long nb = columns / 32;
    if (wants_scales(type, avx2)) {
        xd = nb <= STACK_SCALES ? stack : malloc((size_t)nb * sizeof(float));
        if (!xd) return;
        activation_scales(xq, nb, xd);
    }
    const char *row = w;
    for (long r = 0; r < rows; r++, row += row_bytes) y[r] = dot_row(type, row, xq, xd, columns, avx2);
    if (xd && xd != stack) free(xd);
}

void sotto_quant_matvec_batched(int type, const void *w, long row_bytes, long rows, long columns,
                                const void *xq, float *y, int avx2) {
    if (type != T_Q6_K && type != T_Q4_K) {
        sotto_quant_matvec(type, w, row_bytes, rows, columns, xq, y, avx2);
        return;
    }
    if (avx2 >= 2) pthread_once(&f16_table_once, build_f16_table);
    const char *row = w;
    if (type == T_Q4_K) {
        for (long r = 0; r < rows; r++, row += row_bytes)
            y[r] = avx2 >= 2 ? dot_q4_K_per64_vnni((const block_q4_K *)row, xq, columns / 256)
                             : dot_q4_K_per64_c((const block_q4_K *)row, xq, columns / 256);
        return;
    }
    for (long r = 0; r < rows; r++, row += row_bytes) {
        const block_q6_K *b = (const block_q6_K *)row;
        y[r] = avx2 >= 2 ? dot_q6_K_vnni(b, xq, columns / 256, 2 * row_bytes, 1)
             : avx2 == 1 ? dot_q6_K_avx2(b, xq, columns / 256, 1)
                         : dot_q6_K_c(b, xq, columns / 256, 1);
    }
}

void sotto_quant_matmul(int type, const void *w, long row_bytes, long rows, long columns,
                        const void *xq, long xq_stride, long n, float *y, long ldy, int avx2) {
    float stack[STACK_SCALES];
    float *xd = NULL;
    const long nb = columns / 32;
    if (wants_scales(type, avx2)) {
        xd = nb <= STACK_SCALES ? stack : malloc((size_t)nb * sizeof(float));
        if (!xd) return;
    }
    // A chunk of weight rows (~32 KB) stays in L1/L2 while every activation row (in L1) meets it.
    long chunk = row_bytes > 0 ? (32 * 1024) / row_bytes : 1;
    if (chunk < 1) chunk = 1;
    for (long r0 = 0; r0 < rows; r0 += chunk) {
        const long r1 = r0 + chunk < rows ? r0 + chunk : rows;
        for (long i = 0; i < n; i++) {
            const void *x = (const char *)xq + i * xq_stride;
            if (avx2 >= 2) {
                matvec_vnni(type, (const char *)w + r0 * row_bytes, row_bytes, r1 - r0, columns, x, y + i * ldy + r0);
                continue;
            }
            if (xd) activation_scales(x, nb, xd);
            const char *row = (const char *)w + r0 * row_bytes;
            for (long r = r0; r < r1; r++, row += row_bytes) y[i * ldy + r] = dot_row(type, row, x, xd, columns, avx2);
        }
    }
    if (xd && xd != stack) free(xd);
}

// ---------------------------------------------------------------------------------------------
// Dequantization (for BLAS over tiles; the Swift reference is the specification)

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
    default: break;
    }
}

static void dequantize_rows_c(int type, const char *row, long row_bytes, long rows, long columns, float *out, long ld) {
    for (long r = 0; r < rows; r++, row += row_bytes) dequantize_row(type, row, columns, out + r * ld);
}

__attribute__((target("avx2,fma,f16c")))
static void dequantize_rows_f16c(int type, const char *row, long row_bytes, long rows, long columns, float *out, long ld) {
    for (long r = 0; r < rows; r++, row += row_bytes) dequantize_row(type, row, columns, out + r * ld);
}

void sotto_quant_dequantize(int type, const void *w, long row_bytes, long rows, long columns,
                            float *out, long ld) {
    if (sotto_kernels_have_avx2()) dequantize_rows_f16c(type, w, row_bytes, rows, columns, out, ld);
    else dequantize_rows_c(type, w, row_bytes, rows, columns, out, ld);
}

// ---------------------------------------------------------------------------------------------
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

static int gemm_group(int type) { return type == T_Q6_K ? 16 : 32; }
static int gemm_handles(int type) { return type == T_Q4_K || type == T_Q6_K || type == T_Q5_0 || type == T_Q8_0; }

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

void sotto_quant_gemm_prepare(int type, const float *x, long columns, long first, long count, long n, void *buffer) {
    if (sotto_quant_gemm_activation_bytes(type, columns, n) == 0) return;
    const long block_bytes = sotto_quant_activation_bytes(type, columns);
    void *row = malloc((size_t)block_bytes);
    if (!row) return;
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
            const int c = type == T_Q5_0 ? 16 : 128;
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
    const int G = type == T_Q6_K ? 16 : 32;
    const int span = type == T_Q4_K || type == T_Q6_K ? 256 / G : 1;
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

void sotto_quant_gemm(int type, const void *w, long row_bytes, long rows, long columns,
                      const void *prepared, long n, float *y, long ldy) {
    if (rows <= 0 || sotto_quant_gemm_activation_bytes(type, columns, n) == 0 || sotto_quant_best_level() < 2) return;
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
    if (!memory) return;
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
                case T_Q4_K: gemm_q4_K(&t, &x, i0, c, k0, kb, out, ldy, valid, k0 > 0); break;
                case T_Q6_K: gemm_q6_K(&t, &x, i0, c, k0, kb, out, ldy, valid, k0 > 0); break;
                case T_Q5_0: gemm_q5_0(&t, &x, i0, c, k0, kb, out, ldy, valid, k0 > 0); break;
                default: gemm_q8_0(&t, &x, i0, c, k0, kb, out, ldy, valid, k0 > 0); break;
                }
            }
        }
    }
    free(memory);
}

// ---------------------------------------------------------------------------------------------
// Causal attention in F32 for long batches (prefill): one query row at a time against keys and
// values in memory order, with a vectorised exp (Cephes' single-precision polynomial, within
// ~2 ulp) and 2^n applied by VSCALEFPS.

VNNI static inline __m512 exp_avx512(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));  // below this exp underflows to 0 anyway
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

// One query row (head_dim = 16·D): scores, softmax, weighted sum of the values.
VNNI static inline __attribute__((always_inline)) void attend_row_avx512(
    const float *q, const float *k, const float *v, long length, float scale, float *s, float *out, const int D) {
    __m512 qv[8];
    for (int d = 0; d < D; d++) qv[d] = _mm512_loadu_ps(q + 16 * d);
    const long hd = 16L * D;
    for (long t = 0; t < length; t++) {
        const float *kt = k + t * hd;
        __m512 a0 = _mm512_mul_ps(qv[0], _mm512_loadu_ps(kt)), a1 = _mm512_setzero_ps();
        for (int d = 1; d < D; d++) {
            if (d & 1) a1 = _mm512_fmadd_ps(qv[d], _mm512_loadu_ps(kt + 16 * d), a1);
            else a0 = _mm512_fmadd_ps(qv[d], _mm512_loadu_ps(kt + 16 * d), a0);
        }
        s[t] = _mm512_reduce_add_ps(_mm512_add_ps(a0, a1)) * scale;
    }
    __m512 mx = _mm512_set1_ps(-INFINITY);
    long t = 0;
    for (; t + 16 <= length; t += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(s + t));
    if (t < length) mx = _mm512_max_ps(mx, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), (__mmask16)((1u << (length - t)) - 1), s + t));
    const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(mx));
    __m512 sum = _mm512_setzero_ps();
    for (t = 0; t + 16 <= length; t += 16) {
        const __m512 e = exp_avx512(_mm512_sub_ps(_mm512_loadu_ps(s + t), m));
        _mm512_storeu_ps(s + t, e);
        sum = _mm512_add_ps(sum, e);
    }
    if (t < length) {
        const __mmask16 tail = (__mmask16)((1u << (length - t)) - 1);
        const __m512 e = exp_avx512(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, s + t), m));
        _mm512_mask_storeu_ps(s + t, tail, e);
        sum = _mm512_add_ps(sum, _mm512_maskz_mov_ps(tail, e));
    }
    __m512 acc[8];
    for (int d = 0; d < D; d++) acc[d] = _mm512_setzero_ps();
    for (t = 0; t < length; t++) {
        const __m512 p = _mm512_set1_ps(s[t]);
        const float *vt = v + t * hd;
        for (int d = 0; d < D; d++) acc[d] = _mm512_fmadd_ps(p, _mm512_loadu_ps(vt + 16 * d), acc[d]);
    }
    const __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (int d = 0; d < D; d++) _mm512_storeu_ps(out + 16 * d, _mm512_mul_ps(acc[d], inverse));
}

VNNI static void attend_rows_avx512(const float *q, long ldq, const float *k, const float *v, long head_dim,
                                    long count, long first, float scale, float *scores, float *out, long ldo) {
    for (long i = 0; i < count; i++) {
        const float *qi = q + i * ldq;
        float *oi = out + i * ldo;
        const long length = first + i + 1;
        switch (head_dim / 16) {
        case 8: attend_row_avx512(qi, k, v, length, scale, scores, oi, 8); break;
        case 7: attend_row_avx512(qi, k, v, length, scale, scores, oi, 7); break;
        case 6: attend_row_avx512(qi, k, v, length, scale, scores, oi, 6); break;
        case 5: attend_row_avx512(qi, k, v, length, scale, scores, oi, 5); break;
        case 4: attend_row_avx512(qi, k, v, length, scale, scores, oi, 4); break;
        case 3: attend_row_avx512(qi, k, v, length, scale, scores, oi, 3); break;
        case 2: attend_row_avx512(qi, k, v, length, scale, scores, oi, 2); break;
        default: attend_row_avx512(qi, k, v, length, scale, scores, oi, 1); break;
        }
    }
}

static void attend_rows_c(const float *q, long ldq, const float *k, const float *v, long head_dim,
                          long count, long first, float scale, float *s, float *out, long ldo) {
    for (long i = 0; i < count; i++) {
        const float *qi = q + i * ldq;
        float *oi = out + i * ldo;
        const long length = first + i + 1;
        float m = -INFINITY;
        for (long t = 0; t < length; t++) {
            float dot = 0;
            for (long d = 0; d < head_dim; d++) dot += qi[d] * k[t * head_dim + d];
            s[t] = dot * scale;
            m = fmaxf(m, s[t]);
        }
        double sum = 0;
        for (long t = 0; t < length; t++) {
            s[t] = expf(s[t] - m);
            sum += s[t];
        }
        const float inverse = (float)(1 / sum);
        for (long d = 0; d < head_dim; d++) oi[d] = 0;
        for (long t = 0; t < length; t++)
            for (long d = 0; d < head_dim; d++) oi[d] += s[t] * inverse * v[t * head_dim + d];
    }
}

void sotto_attention_f32(const float *q, long ldq, const float *k, const float *v, long head_dim,
                         long count, long first, float scale, float *scores, float *out, long ldo, int level) {
    if (level >= 2 && head_dim % 16 == 0 && head_dim <= 128)
        attend_rows_avx512(q, ldq, k, v, head_dim, count, first, scale, scores, out, ldo);
    else
        attend_rows_c(q, ldq, k, v, head_dim, count, first, scale, scores, out, ldo);
}
