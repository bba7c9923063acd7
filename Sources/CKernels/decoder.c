// Element-wise decoder operations rounded as ggml's CPU backend rounds them (see CKernelsDecoder.h).
// ggml's C/C++ is compiled with -O3 -march=native in GNU mode, so GCC contracts a·b + c into one
// fused multiply-add; the fmaf calls below stand where that contraction happens.

#include "CKernelsDecoder.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

// ---------------------------------------------------------------------------------------------
// exp(x) as ggml's vectorised SiLU computes it: x = n·ln2 + b with n rounded to an integer (by
// adding and subtracting 1.5·2^23), ln2 split in two parts, exp(b) by a degree-5 polynomial, then
// scaled by 2^n. Outside |n| ≤ 192 the result is 0 or +inf.

static const float exp_shift = 0x1.8p23f, log2e = 0x1.715476p+0f, ln2_hi = 0x1.62e4p-1f, ln2_lo = 0x1.7f7d1cp-20f;
static const float c5 = 0x1.0e4020p-7f, c4 = 0x1.573e2ep-5f, c3 = 0x1.555e66p-3f, c2 = 0x1.fffdb6p-2f, c1 = 0x1.ffffecp-1f;

// The AVX-512 form: the polynomial includes the constant 1 and the result is scaled by 2^n exactly
// (VSCALEFPS), which ldexpf reproduces.
static float exp_avx512_form(float x) {
    const float z = fmaf(x, log2e, exp_shift);
    const float n = z - exp_shift;
    const float b = fmaf(-n, ln2_lo, fmaf(-n, ln2_hi, x));
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(c5, b, c4), u, fmaf(c3, b, c2)), u, fmaf(c1, b, 1.0f));
    if (fabsf(n) > 192) return n <= 0 ? 0.0f : INFINITY;
    return ldexpf(j, (int)n);
}

static void swiglu_c(float *gate, const float *up, long n) {
    const long whole = n & ~15L;
    long i = 0;
    for (; i < whole; i++) {
        const float x = gate[i];
        gate[i] = x / (1.0f + exp_avx512_form(0.0f - x)) * up[i];
    }
    // Past the last whole 16-lane vector ggml takes libm's expf.
    for (; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl")))

// ggml's AVX2 form: the polynomial without its constant term, k = 2^n built in the exponent bits,
// result k + k·j; with separate handling when |n| > 126 (overflow or gradual underflow).
AVX2 static __m256 exp_avx2(__m256 x) {
    const __m256 r = _mm256_set1_ps(exp_shift);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(log2e), r);
    const __m256 n = _mm256_sub_ps(z, r);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(ln2_lo), _mm256_fnmadd_ps(n, _mm256_set1_ps(ln2_hi), x));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1))));
    const __m256 absn = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), n);
    const __m256 c = _mm256_cmp_ps(absn, _mm256_set1_ps(126), _CMP_GT_OQ);
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(c5), b, _mm256_set1_ps(c4)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(c3), b, _mm256_set1_ps(c2))),
        u, _mm256_mul_ps(_mm256_set1_ps(c1), b));
    if (!_mm256_movemask_ps(c)) return _mm256_fmadd_ps(j, k, k);
    const __m256i g = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                       _mm256_set1_epi32((int)0x82000000u));
    const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(g, _mm256_set1_epi32(0x7f000000)));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, g));
    const __m256 d = _mm256_cmp_ps(absn, _mm256_set1_ps(192), _CMP_GT_OQ);
    const __m256 scaled = _mm256_or_ps(_mm256_and_ps(c, _mm256_mul_ps(_mm256_fmadd_ps(s2, j, s2), s1)),
                                       _mm256_andnot_ps(c, _mm256_fmadd_ps(k, j, k)));
    return _mm256_or_ps(_mm256_and_ps(d, _mm256_mul_ps(s1, s1)), _mm256_andnot_ps(d, scaled));
}

AVX2 static void swiglu_avx2(float *gate, const float *up, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 x = _mm256_loadu_ps(gate + i);
        const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x));
        const __m256 s = _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1), e));
        _mm256_storeu_ps(gate + i, _mm256_mul_ps(s, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

AVX512 static __m512 exp_avx512(__m512 x) {
    const __m512 r = _mm512_set1_ps(exp_shift);
    const __m512 z = _mm512_fmadd_ps(x, _mm512_set1_ps(log2e), r);
    const __m512 n = _mm512_sub_ps(z, r);
    const __m512 b = _mm512_fnmadd_ps(n, _mm512_set1_ps(ln2_lo), _mm512_fnmadd_ps(n, _mm512_set1_ps(ln2_hi), x));
    const __mmask16 out = _mm512_cmp_ps_mask(_mm512_abs_ps(n), _mm512_set1_ps(192), _CMP_GT_OQ);
    const __m512 u = _mm512_mul_ps(b, b);
    const __m512 j = _mm512_fmadd_ps(
        _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_set1_ps(c5), b, _mm512_set1_ps(c4)), u,
                        _mm512_fmadd_ps(_mm512_set1_ps(c3), b, _mm512_set1_ps(c2))),
        u, _mm512_fmadd_ps(_mm512_set1_ps(c1), b, _mm512_set1_ps(1.0f)));
    const __m512 res = _mm512_scalef_ps(j, n);
    if (!out) return res;
    const __m512 zero = _mm512_setzero_ps();
    const __m512 alt = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(n, zero, _CMP_LE_OQ), _mm512_set1_ps(INFINITY), zero);
    return _mm512_mask_blend_ps(out, res, alt);
}

AVX512 static void swiglu_avx512(float *gate, const float *up, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 x = _mm512_loadu_ps(gate + i);
        const __m512 e = exp_avx512(_mm512_sub_ps(_mm512_setzero_ps(), x));
        const __m512 s = _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1), e));
        _mm512_storeu_ps(gate + i, _mm512_mul_ps(s, _mm512_loadu_ps(up + i)));
    }
    for (; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

void sotto_decoder_swiglu(float *gate, const float *up, long n, int level) {
    if (level >= 2) swiglu_avx512(gate, up, n);
    else if (level == 1) swiglu_avx2(gate, up, n);
    else swiglu_c(gate, up, n);
}

// ---------------------------------------------------------------------------------------------
// RoPE: ggml's rotate_pairs, x0·cos − x1·sin and x0·sin + x1·cos, contracted by GCC into
// fma(x0, cos, −(x1·sin)) and fma(x0, sin, x1·cos).

static inline __attribute__((always_inline)) void rope_body(float *x, long heads, long dim, int halves,
                                                            const float *cos, const float *sin) {
    const long half = dim / 2, stride = halves ? half : 1, step = halves ? 1 : 2;
    for (long h = 0; h < heads; h++) {
        float *v = x + h * dim;
        for (long i = 0; i < half; i++) {
            float *p = v + i * step;
            const float x0 = p[0], x1 = p[stride];
            p[0] = fmaf(x0, cos[i], -(x1 * sin[i]));
            p[stride] = fmaf(x0, sin[i], x1 * cos[i]);
        }
    }
}

static void rope_c(float *x, long heads, long dim, int halves, const float *cos, const float *sin) {
    rope_body(x, heads, dim, halves, cos, sin);
}

AVX2 static void rope_fma(float *x, long heads, long dim, int halves, const float *cos, const float *sin) {
    rope_body(x, heads, dim, halves, cos, sin);
}

void sotto_decoder_rope(float *x, long heads, long head_dim, int halves, const float *cos, const float *sin, int level) {
    if (level >= 1) rope_fma(x, heads, head_dim, halves, cos, sin);
    else rope_c(x, heads, head_dim, halves, cos, sin);
}

// ---------------------------------------------------------------------------------------------
// Flash attention, one query row (ggml_compute_forward_flash_attn_ext_f16_one_chunk with F16 K/V).

static inline float round_half(float x) { return (float)(_Float16)x; }

// q·k as ggml_vec_dot_f16 sums it on AVX-512: 4 accumulators of 16 lanes over steps of 64 (the
// products of halves are exact in float), accumulators 0+2 and 1+3 then their sum, the 16 lanes
// reduced by halves (8, 4, then (0+2)+(1+3)); the values past the last step of 64 in double.
static float half_dot_c(const float *q, const float *k, long n) {
    float s[4][16] = {{0}};
    const long np = n & ~63L;
    for (long i = 0; i < np; i += 64)
        for (int a = 0; a < 4; a++)
            for (int l = 0; l < 16; l++) s[a][l] += q[i + 16 * a + l] * k[i + 16 * a + l];
    float t[16];
    for (int l = 0; l < 16; l++) t[l] = (s[0][l] + s[2][l]) + (s[1][l] + s[3][l]);
    float h8[8], h4[4];
    for (int l = 0; l < 8; l++) h8[l] = t[l + 8] + t[l];
    for (int l = 0; l < 4; l++) h4[l] = h8[l + 4] + h8[l];
    double sum = (h4[0] + h4[2]) + (h4[1] + h4[3]);
    for (long i = np; i < n; i++) sum += (double)(q[i] * k[i]);
    return (float)sum;
}

static void attend_c(const float *q, const float *keys, const float *values, long length, long dim, float scale,
                     float *acc, float *out) {
    memset(acc, 0, (size_t)dim * sizeof(float));
    float maximum = -INFINITY, sum = 0;
    for (long t = 0; t < length; t++) {
        const float s = half_dot_c(q, keys + t * dim, dim) * scale;
        float ms = 1, vs = 1;
        if (s > maximum) {
            const float old = maximum;
            maximum = s;
            ms = expf(old - maximum);
            for (long d = 0; d < dim; d++) acc[d] = round_half(acc[d] * ms);
        } else {
            vs = expf(s - maximum);
        }
        const float *v = values + t * dim;
        for (long d = 0; d < dim; d++) acc[d] = round_half(fmaf(v[d], vs, acc[d]));
        sum = fmaf(sum, ms, vs);
    }
    const float inverse = sum == 0 ? 0 : 1 / sum;
    for (long d = 0; d < dim; d++) out[d] = acc[d] * inverse;
}

AVX2 static inline __m256 round_half8(__m256 x) {
    return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

// The same sums with 8-lane vectors: accumulator a's 16 lanes are lo[a] (lanes 0-7) and hi[a] (8-15).
AVX2 static float half_dot_avx2(const float *q, const float *k, long n) {
    __m256 lo[4], hi[4];
    for (int a = 0; a < 4; a++) lo[a] = hi[a] = _mm256_setzero_ps();
    const long np = n & ~63L;
    for (long i = 0; i < np; i += 64)
        for (int a = 0; a < 4; a++) {
            lo[a] = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 16 * a), _mm256_loadu_ps(k + i + 16 * a), lo[a]);
            hi[a] = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 16 * a + 8), _mm256_loadu_ps(k + i + 16 * a + 8), hi[a]);
        }
    const __m256 tl = _mm256_add_ps(_mm256_add_ps(lo[0], lo[2]), _mm256_add_ps(lo[1], lo[3]));
    const __m256 th = _mm256_add_ps(_mm256_add_ps(hi[0], hi[2]), _mm256_add_ps(hi[1], hi[3]));
    const __m256 h8 = _mm256_add_ps(th, tl);
    const __m128 h4 = _mm_add_ps(_mm256_extractf128_ps(h8, 1), _mm256_castps256_ps128(h8));
    const __m128 h2 = _mm_add_ps(h4, _mm_movehl_ps(h4, h4));  // [0+2, 1+3, ...]
    double sum = _mm_cvtss_f32(_mm_add_ss(h2, _mm_movehdup_ps(h2)));
    for (long i = np; i < n; i++) sum += (double)(q[i] * k[i]);
    return (float)sum;
}

// One key position of the online softmax for one query (its running maximum and sum, its half-
// precision accumulator): the step attend_avx2 takes at each position, shared with attend_many_avx2.
AVX2 static inline __attribute__((always_inline)) void attend_step_avx2(
    const float *q, const float *k, const float *v, long dim, float scale, float *acc, float *maximum, float *sum) {
    const long dv = dim & ~7L;
    const float s = half_dot_avx2(q, k, dim) * scale;
    float ms = 1, vs = 1;
    if (s > *maximum) {
        const float old = *maximum;
        *maximum = s;
        ms = expf(old - s);
        const __m256 m = _mm256_set1_ps(ms);
        long d = 0;
        for (; d < dv; d += 8) _mm256_storeu_ps(acc + d, round_half8(_mm256_mul_ps(_mm256_loadu_ps(acc + d), m)));
        for (; d < dim; d++) acc[d] = round_half(acc[d] * ms);
    } else {
        vs = expf(s - *maximum);
    }
    const __m256 f = _mm256_set1_ps(vs);
    long d = 0;
    for (; d < dv; d += 8)
        _mm256_storeu_ps(acc + d, round_half8(_mm256_fmadd_ps(_mm256_loadu_ps(v + d), f, _mm256_loadu_ps(acc + d))));
    for (; d < dim; d++) acc[d] = round_half(fmaf(v[d], vs, acc[d]));
    *sum = fmaf(*sum, ms, vs);
}

static void attend_finish(const float *acc, float sum, long dim, float *out) {
    const float inverse = sum == 0 ? 0 : 1 / sum;
    for (long d = 0; d < dim; d++) out[d] = acc[d] * inverse;
}

AVX2 static void attend_avx2(const float *q, const float *keys, const float *values, long length, long dim,
                             float scale, float *acc, float *out) {
    memset(acc, 0, (size_t)dim * sizeof(float));
    float maximum = -INFINITY, sum = 0;
    for (long t = 0; t < length; t++) attend_step_avx2(q, keys + t * dim, values + t * dim, dim, scale, acc, &maximum, &sum);
    attend_finish(acc, sum, dim, out);
}

// Several queries against one cache, position by position: each key and value row is read once
// for all of them (from memory once, then from L1), where one query at a time read the whole
// cache again for each (the query heads sharing a key-value head, and a verification pass's
// tokens). Every query takes exactly attend_avx2's steps. `q` holds count rounded queries of dim;
// `scratch` count·(dim + 2) floats.
AVX2 static void attend_many_avx2(const float *q, float *const *outs, const long *lengths, long count, const float *keys,
                                  const float *values, long dim, float scale, float *scratch) {
    float *acc = scratch, *maximum = scratch + count * dim, *sum = maximum + count;
    long longest = 0;
    for (long j = 0; j < count; j++) {
        maximum[j] = -INFINITY;
        sum[j] = 0;
        if (lengths[j] > longest) longest = lengths[j];
    }
    memset(acc, 0, (size_t)(count * dim) * sizeof(float));
    for (long t = 0; t < longest; t++) {
        const float *k = keys + t * dim, *v = values + t * dim;
        for (long j = 0; j < count; j++)
            if (t < lengths[j]) attend_step_avx2(q + j * dim, k, v, dim, scale, acc + j * dim, maximum + j, sum + j);
    }
    for (long j = 0; j < count; j++) attend_finish(acc + j * dim, sum[j], dim, outs[j]);
}

// On a CPU with AVX512-FP16, ggml's -march=native build scales and accumulates the output in half
// precision arithmetic over whole steps of 128 values (VMULPH/VFMADDPH, the factor rounded to half
// first: one rounding per operation), and as above past the last whole step.
#define FP16 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512fp16")))

FP16 static void attend_fp16(const float *q, const float *keys, const float *values, long length, long dim,
                             float scale, float *acc, float *out) {
    memset(acc, 0, (size_t)dim * sizeof(float));
    float maximum = -INFINITY, sum = 0;
    const long dh = dim & ~127L, dv = dim & ~7L;
    for (long t = 0; t < length; t++) {
        const float s = half_dot_avx2(q, keys + t * dim, dim) * scale;
        float ms = 1, vs = 1;
        if (s > maximum) {
            const float old = maximum;
            maximum = s;
            ms = expf(old - maximum);
            const __m256h mh = _mm256_set1_ph((_Float16)ms);
            long d = 0;
            for (; d < dh; d += 16)
                _mm512_storeu_ps(acc + d, _mm512_cvtxph_ps(_mm256_mul_ph(_mm512_cvtxps_ph(_mm512_loadu_ps(acc + d)), mh)));
            const __m256 m = _mm256_set1_ps(ms);
            for (; d < dv; d += 8) _mm256_storeu_ps(acc + d, round_half8(_mm256_mul_ps(_mm256_loadu_ps(acc + d), m)));
            for (; d < dim; d++) acc[d] = round_half(acc[d] * ms);
        } else {
            vs = expf(s - maximum);
        }
        const float *v = values + t * dim;
        const __m256h fh = _mm256_set1_ph((_Float16)vs);
        long d = 0;
        for (; d < dh; d += 16) {
            const __m256h a = _mm512_cvtxps_ph(_mm512_loadu_ps(acc + d)), x = _mm512_cvtxps_ph(_mm512_loadu_ps(v + d));
            _mm512_storeu_ps(acc + d, _mm512_cvtxph_ps(_mm256_fmadd_ph(x, fh, a)));
        }
        const __m256 f = _mm256_set1_ps(vs);
        for (; d < dv; d += 8)
            _mm256_storeu_ps(acc + d, round_half8(_mm256_fmadd_ps(_mm256_loadu_ps(v + d), f, _mm256_loadu_ps(acc + d))));
        for (; d < dim; d++) acc[d] = round_half(fmaf(v[d], vs, acc[d]));
        sum = fmaf(sum, ms, vs);
    }
    const float inverse = sum == 0 ? 0 : 1 / sum;
    for (long d = 0; d < dim; d++) out[d] = acc[d] * inverse;
}

void sotto_decoder_attend_f16(const float *q, const float *keys, const float *values, long length, long head_dim,
                              float scale, float *acc, float *out, int level) {
    if (level >= 2 && head_dim >= 128 && sotto_decoder_half_arithmetic()) attend_fp16(q, keys, values, length, head_dim, scale, acc, out);
    else if (level >= 1) attend_avx2(q, keys, values, length, head_dim, scale, acc, out);
    else attend_c(q, keys, values, length, head_dim, scale, acc, out);
}

void sotto_decoder_attend_f16_many(const float *const *queries, float *const *outs, const long *lengths, long count,
                                   const float *keys, const float *values, long head_dim, float scale, float *scratch,
                                   int level) {
    // The rounded queries first, then the kernels' own scratch.
    float *q = scratch, *rest = scratch + count * head_dim;
    for (long j = 0; j < count; j++)
        for (long d = 0; d < head_dim; d++) q[j * head_dim + d] = round_half(queries[j][d]);
    if (level >= 1 && !(level >= 2 && head_dim >= 128 && sotto_decoder_half_arithmetic())) {
        attend_many_avx2(q, outs, lengths, count, keys, values, head_dim, scale, rest);
        return;
    }
    for (long j = 0; j < count; j++)
        sotto_decoder_attend_f16(q + j * head_dim, keys, values, lengths[j], head_dim, scale, rest, outs[j], level);
}
