#include "CKernels.h"
#include <immintrin.h>

// The same approximations as Inference's Kernels.erf and Kernels.exp (see there for their
// accuracy), eight lanes at a time with FMA.

__attribute__((target("avx2,fma")))
static inline __m256 erf8(__m256 x) {
    __m256 z = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-4.0f)), _mm256_set1_ps(4.0f));
    __m256 s = _mm256_mul_ps(z, z);
    __m256 p = _mm256_set1_ps(-1.3695023781679083e-08f);
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(4.787317720911233e-06f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(0.00038289863732643425f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(0.0038375582080334425f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(0.05432957783341408f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(0.18464218080043793f));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(1.128379225730896f));
    __m256 q = _mm256_set1_ps(6.40747748548165e-05f);
    q = _mm256_fmadd_ps(q, s, _mm256_set1_ps(0.0013094628229737282f));
    q = _mm256_fmadd_ps(q, s, _mm256_set1_ps(0.015450255014002323f));
    q = _mm256_fmadd_ps(q, s, _mm256_set1_ps(0.11380346864461899f));
    q = _mm256_fmadd_ps(q, s, _mm256_set1_ps(0.49696841835975647f));
    q = _mm256_fmadd_ps(q, s, _mm256_set1_ps(1.0f));
    return _mm256_div_ps(_mm256_mul_ps(z, p), q);
}

__attribute__((target("avx2,fma")))
static inline __m256 exp8(__m256 x) {
    __m256 clamped = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    // Adding 1.5·2^23 rounds to the nearest integer and leaves k in the low mantissa bits.
    const __m256 shifter = _mm256_set1_ps(12582912.0f);
    __m256 shifted = _mm256_fmadd_ps(clamped, _mm256_set1_ps(1.44269504f), shifter);
    __m256 k = _mm256_sub_ps(shifted, shifter);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693145751953125f), clamped);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(1.428606765330187e-06f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i kBits = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(kBits, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(p, scale);
}

/// Lanes [0, n) of a vector at p, the rest zero (n < 8): the tail of a row without reading past it.
__attribute__((target("avx2,fma")))
static inline __m256i tail_mask(long n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

__attribute__((target("avx2,fma")))
static inline __m256 gelu8(__m256 x) {
    __m256 e = erf8(_mm256_mul_ps(x, _mm256_set1_ps(0.7071067811865476f)));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

__attribute__((target("avx2,fma")))
void sotto_gelu_avx2(float *c, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        _mm256_storeu_ps(c + i, gelu8(_mm256_loadu_ps(c + i)));
    }
    if (i < count) {
        __m256i mask = tail_mask(count - i);
        _mm256_maskstore_ps(c + i, mask, gelu8(_mm256_maskload_ps(c + i, mask)));
    }
}

__attribute__((target("avx2,fma")))
static inline float horizontal_max(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

__attribute__((target("avx2,fma")))
static inline float horizontal_sum(__m256 v) {
    __m128 m = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_add_ps(m, _mm_movehl_ps(m, m));
    m = _mm_add_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

__attribute__((target("avx2,fma")))
void sotto_softmax_rows_avx2(float *s, long rows, long columns, long stride) {
    const long whole = columns & ~7L, rest = columns - whole;
    const __m256i mask = tail_mask(rest);
    for (long r = 0; r < rows; r++) {
        float *row = s + r * stride;
        __m256 largest = _mm256_set1_ps(-__builtin_inff());
        for (long j = 0; j < whole; j += 8) largest = _mm256_max_ps(largest, _mm256_loadu_ps(row + j));
        if (rest) {
            __m256 v = _mm256_blendv_ps(_mm256_set1_ps(-__builtin_inff()), _mm256_maskload_ps(row + whole, mask),
                                        _mm256_castsi256_ps(mask));
            largest = _mm256_max_ps(largest, v);
        }
        const __m256 top = _mm256_set1_ps(horizontal_max(largest));
        __m256 total = _mm256_setzero_ps();
        for (long j = 0; j < whole; j += 8) {
            __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(row + j), top));
            _mm256_storeu_ps(row + j, e);
            total = _mm256_add_ps(total, e);
        }
        if (rest) {
            __m256 e = exp8(_mm256_sub_ps(_mm256_maskload_ps(row + whole, mask), top));
            e = _mm256_and_ps(e, _mm256_castsi256_ps(mask));
            _mm256_maskstore_ps(row + whole, mask, e);
            total = _mm256_add_ps(total, e);
        }
        const __m256 scale = _mm256_set1_ps(1.0f / horizontal_sum(total));
        for (long j = 0; j < whole; j += 8) _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), scale));
        if (rest) _mm256_maskstore_ps(row + whole, mask, _mm256_mul_ps(_mm256_maskload_ps(row + whole, mask), scale));
    }
}
