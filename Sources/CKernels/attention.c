// Causal attention in F32 for long batches (prefill).

#include "quant_internal.h"

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

void sotto_attention_f32(const sotto_attention_rows *a, int level) {
    if (level >= 2 && a->head_dim % 16 == 0 && a->head_dim <= 128)
        attend_rows_avx512(a->q, a->ldq, a->k, a->v, a->head_dim, a->count, a->first, a->scale, a->scores, a->out, a->ldo);
    else
        attend_rows_c(a->q, a->ldq, a->k, a->v, a->head_dim, a->count, a->first, a->scale, a->scores, a->out, a->ldo);
}
