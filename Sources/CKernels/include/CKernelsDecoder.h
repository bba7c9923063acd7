#ifndef SOTTO_CKERNELS_DECODER_H
#define SOTTO_CKERNELS_DECODER_H

/// The decoder's element-wise operations, rounded exactly as llama.cpp's CPU backend (ggml, built
/// with -march=native, so floating-point contraction into FMA) rounds them, so that the 8-bit
/// quantization of the next matrix product sees the same bits. `level` is the kernel level of
/// CKernelsQuant.h (0 portable C, 1 AVX2/FMA/F16C, 2 AVX-512): levels 0 and 2 compute what ggml's
/// AVX-512 build computes; level 1 what its AVX2 build computes.

/// gate[i] = silu(gate[i])·up[i], silu(x) = x / (1 + exp(−x)) with ggml's vectorised exp (16 lanes
/// on AVX-512, 8 on AVX2; a scalar expf tail for the values past the last whole vector).
void sotto_decoder_swiglu(float *gate, const float *up, long n, int level);

/// Rotates `heads` rows of `head_dim` values in place by the angles' cos and sin (head_dim/2 each):
/// pairs (2i, 2i+1), or (i, i + head_dim/2) when `halves` (NEOX style), the products fused as GCC
/// fuses ggml's.
void sotto_decoder_rope(float *x, long heads, long head_dim, int halves, const float *cos, const float *sin, int level);

/// One query row of ggml's CPU flash attention for F16 K/V (the short-batch path): online softmax in
/// key order, the output accumulated in half precision (fused multiply-add, then rounded),
/// normalised at the end. `q`, `keys` and `values` hold values already rounded to half precision
/// (keys and values: `length` rows of `head_dim`); `acc` is `head_dim` floats of scratch. At level 2
/// on a CPU with AVX512-FP16 the accumulator's steps of 128 values use half-precision arithmetic, as
/// ggml built for such a CPU does (sotto_decoder_half_arithmetic() says whether it does).
void sotto_decoder_attend_f16(const float *q, const float *keys, const float *values, long length, long head_dim,
                              float scale, float *acc, float *out, int level);

/// sotto_decoder_attend_f16 for `count` queries against one cache (the query heads that share a
/// key-value head, for one or more tokens), each result exactly what that function gives the query
/// alone: query j (not yet rounded: it is rounded to half precision here) attends to the first
/// lengths[j] rows and its output goes to outs[j]. The rows are read once for all the queries.
/// `scratch` holds count·(2·head_dim + 2) floats.
void sotto_decoder_attend_f16_many(const float *const *queries, float *const *outs, const long *lengths, long count,
                                   const float *keys, const float *values, long head_dim, float scale, float *scratch,
                                   int level);

/// 1 when this CPU has AVX512-FP16 (the level-2 attention then computes in half precision), else 0.
int sotto_decoder_half_arithmetic(void);

#endif
