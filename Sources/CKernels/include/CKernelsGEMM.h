#ifndef SOTTO_CKERNELS_GEMM_H
#define SOTTO_CKERNELS_GEMM_H

/// The encoder's linear layers without OpenBLAS: C += A · Wᵀ with W packed once at load.
///
/// OpenBLAS picks its kernels by CPU model, and on CPUs it does not know (or when
/// OPENBLAS_CORETYPE holds it to Haswell) the encoder loses a third of its speed; it also repacks
/// the weights on every call. These products have few shapes (hidden 384, intermediate 1536 for
/// all-MiniLM-L6-v2), so a packed-panel kernel at the CPU's own vector width does as well.
///
/// Packed layout: panels of 32 outputs; panel p holds, for k = 0 ..< inputs, the 32 floats
/// W[32p + j][k] (zero past the last output), so a panel is inputs × 32 floats, k-major.

/// 2 for AVX-512F, 1 for AVX2 with FMA, 0 when neither (use BLAS then).
int sotto_sgemm_best_level(void);

/// Floats the packed form of an outputs × inputs weight takes.
long sotto_sgemm_packed_count(long outputs, long inputs);

/// Packs w (outputs × inputs, row-major) into packed (sotto_sgemm_packed_count floats).
void sotto_sgemm_pack(const float *w, long outputs, long inputs, float *packed);

/// c (rows × outputs, leading dimension ldc) += a (rows × inputs, leading dimension lda) · wᵀ,
/// w given packed. level is 1 or 2 and must not exceed sotto_sgemm_best_level().
void sotto_sgemm_packed(int level, const float *a, long lda, const float *packed, float *c, long ldc,
                        long rows, long inputs, long outputs);

#endif
