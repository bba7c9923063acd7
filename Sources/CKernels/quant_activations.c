// Activation quantization: a float vector to the 8-bit blocks paired with a weight type (Q8_0, Q8_1,
// Q8_K), portable and AVX2, to identical bytes (round to nearest, ties to even).

#include "quant_internal.h"

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
    const quant_traits *t = sq_traits(type);
    if (!t || columns < 0 || columns % t->act_values) return 0;
    return columns / t->act_values * t->act_bytes;
}

int sotto_quant_quantize(int type, const float *x, long columns, void *out, int avx2) {
    const quant_traits *t = sq_traits(type);
    if (!t) return SOTTO_QUANT_UNKNOWN_TYPE;
    if (columns < 0 || columns % t->act_values) return SOTTO_QUANT_BAD_SHAPE;
    const long nb = columns / t->act_values;
    switch (t->activation) {
    case ACT_F32: memcpy(out, x, (size_t)columns * 4); break;
    case ACT_Q8_0: if (avx2) quantize_q8_0_avx2(x, out, nb); else quantize_q8_0_c(x, out, nb); break;
    case ACT_Q8_1: if (avx2) quantize_q8_1_avx2(x, out, nb); else quantize_q8_1_c(x, out, nb); break;
    case ACT_Q8_K: if (avx2) quantize_q8_K_avx2(x, out, nb); else quantize_q8_K_c(x, out, nb); break;
    }
    return SOTTO_QUANT_OK;
}
