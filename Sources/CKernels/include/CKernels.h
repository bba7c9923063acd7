#ifndef SOTTO_CKERNELS_H
#define SOTTO_CKERNELS_H

/// AVX2 + FMA versions of the encoder's hottest element-wise kernels. Call them only when
/// sotto_kernels_have_avx2() returns 1; Inference's Swift kernels are the portable fallback and
/// the tests hold both to the same reference twins.

/// 1 when the CPU runs AVX2 and FMA instructions, else 0.
int sotto_kernels_have_avx2(void);

/// c[i] = x·Φ(x) = ½x(1 + erf(x/√2)) for count values, in place.
void sotto_gelu_avx2(float *c, long count);

/// Softmax of each row of a rows × columns block with leading dimension stride, in place.
void sotto_softmax_rows_avx2(float *s, long rows, long columns, long stride);

#endif
