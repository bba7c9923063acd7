// AVX2 dot products (level 1): one weight row · one quantized activation row.

#include "quant_internal.h"

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
float sq_dot_f32_avx2(const float *w, const float *x, long n) {
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
float sq_dot_f16_avx2(const uint16_t *w, const float *x, long n) {
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
float sq_dot_q4_0_avx2(const block_q4_0 *w, const block_q8_0 *x, const float *xd, long nb) {
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
float sq_dot_q4_1_avx2(const block_q4_1 *w, const block_q8_1 *x, long nb) {
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
float sq_dot_q5_0_avx2(const block_q5_0 *w, const block_q8_0 *x, const float *xd, long nb) {
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
float sq_dot_q8_0_avx2(const block_q8_0 *w, const block_q8_0 *x, const float *xd, long nb) {
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
float sq_dot_q4_K_avx2(const block_q4_K *w, const block_q8_K *x, long nb) {
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
float sq_dot_q6_K_avx2(const block_q6_K *w, const block_q8_K *x, long nb, int tiled) {
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
