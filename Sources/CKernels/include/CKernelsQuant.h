#ifndef SOTTO_CKERNELS_QUANT_H
#define SOTTO_CKERNELS_QUANT_H

#include <stdint.h>

/// Dot products between rows of ggml-quantized weights and an activation vector, for the decoder.
///
/// The activation vector is quantized once per use (`sotto_quant_quantize`), into the 8-bit block
/// format paired with the weight type, as ggml does: Q8_0 blocks for Q4_0/Q5_0/Q8_0 weights, Q8_1
/// blocks (with the block sum) for Q4_1, Q8_K super-blocks for Q4_K/Q6_K. F32 and F16 weights take the
/// activations as plain floats. Each block's dot product is then integer arithmetic.
///
/// Every entry point takes `avx2`, the kernel level: 0 the portable C code, 1 AVX2/FMA/F16C, 2 AVX-512
/// VNNI (256-bit VPDPBUSD/VPDPWSSD with AVX512BW/VL/VBMI). Call a level only when
/// sotto_quant_best_level() is at least that level. All levels round activations the same way (to
/// nearest, ties to even), so they quantize to identical bytes; dot products differ only by the
/// order of float additions.
///
/// `type` is ggml's type number (GGMLType.rawValue): 0 F32, 1 F16, 2 Q4_0, 3 Q4_1, 6 Q5_0, 8 Q8_0,
/// 12 Q4_K, 14 Q6_K. The entry points that compute return a status: SOTTO_QUANT_OK, or what went
/// wrong (another type, a width that is not whole blocks, a buffer that could not be allocated);
/// on an error the output is not written.

enum {
    SOTTO_QUANT_OK = 0,
    SOTTO_QUANT_UNKNOWN_TYPE = -1,
    SOTTO_QUANT_BAD_SHAPE = -2,
    SOTTO_QUANT_NO_MEMORY = -3,
};

/// The highest kernel level this CPU (and OS) runs: 0, 1 or 2 (see above).
int sotto_quant_best_level(void);

/// Bytes of one quantized activation row of `columns` values for weight type `type`, or 0 when the
/// type is not handled or `columns` is not a whole number of blocks.
long sotto_quant_activation_bytes(int type, long columns);

/// Quantizes `columns` floats of x into `out` (sotto_quant_activation_bytes(type, columns) bytes).
int sotto_quant_quantize(int type, const float *x, long columns, void *out, int avx2);

/// y[r] = W[r,:]·x for r in 0..<rows. Row r of W starts at w + r*row_bytes; xq is x quantized by
/// sotto_quant_quantize for the same type and columns.
int sotto_quant_matvec(int type, const void *w, long row_bytes, long rows, long columns,
                       const void *xq, float *y, int avx2);

/// As sotto_quant_matvec, but each row's sum rounded as llama.cpp's CPU build rounds it in its
/// batched kernels: Q6_K as its tiled K-quant matmul (batches of 8 or more rows: per super-block the
/// exact integer sum × weight scale, rounded, then a fused multiply-add by the activation scale),
/// Q4_K as its repacked q4_K_8x8 gemm (token rows in whole groups of 4: the float sums updated every
/// 64 values); other types as sotto_quant_matvec. Short prompts use it to give llama.cpp's logits.
int sotto_quant_matvec_batched(int type, const void *w, long row_bytes, long rows, long columns,
                               const void *xq, float *y, int avx2);

/// y[i*ldy + r] = W[r,:]·X[i,:] for i in 0..<n, r in 0..<rows (a slab of Y = X·Wᵀ). Row i of the
/// quantized X starts at xq + i*xq_stride.
int sotto_quant_matmul(int type, const void *w, long row_bytes, long rows, long columns,
                       const void *xq, long xq_stride, long n, float *y, long ldy, int avx2);

/// Integer matrix product for prefill (AVX-512 VNNI only: SOTTO_QUANT_BAD_SHAPE when sotto_quant_best_level() < 2),
/// for Q4_K, Q6_K, Q5_0 and Q8_0 weights. The activations are quantized as sotto_quant_quantize does
/// (Q8_K or Q8_0 blocks, same bytes), then rearranged once per batch into a buffer of
/// sotto_quant_gemm_activation_bytes(type, columns, n) bytes (0: type or shape not handled).
long sotto_quant_gemm_activation_bytes(int type, long columns, long n);

/// Fills rows first..<first+count of the prepared activations from n rows of x (row i at
/// x + i*columns); disjoint row ranges may be prepared concurrently.
int sotto_quant_gemm_prepare(int type, const float *x, long columns, long first, long count, long n, void *buffer);

/// y[i*ldy + r] = W[r,:]·X[i,:] for i in 0..<n, r in 0..<rows (row r of W at w + r*row_bytes), X as
/// prepared by sotto_quant_gemm_prepare. Each 32-value (Q6_K: 16-value) group is summed exactly in
/// integers, so results differ from sotto_quant_matvec's only by float rounding.
int sotto_quant_gemm(int type, const void *w, long row_bytes, long rows, long columns,
                     const void *prepared, long n, float *y, long ldy);

/// As sotto_quant_gemm, but adding to y: y[i*ldy + r] += W[r,:]·X[i,:] (the encoder's layers start
/// y as the bias or the residual).
int sotto_quant_gemm_add(int type, const void *w, long row_bytes, long rows, long columns,
                         const void *prepared, long n, float *y, long ldy);

/// One head's causal attention problem: query rows i in 0..<count see keys and values 0...first+i.
typedef struct {
    const float *q;   // query row i at q + i*ldq (head_dim floats)
    long ldq;
    const float *k;   // key rows, contiguous, head_dim floats each
    const float *v;   // value rows, likewise
    long head_dim;
    long count;       // query rows
    long first;       // the position of query row 0
    float scale;      // applied to q·k before the softmax
    float *scores;    // first+count floats of scratch
    float *out;       // output row i at out + i*ldo (head_dim floats)
    long ldo;
} sotto_attention_rows;

/// Causal attention of one head in F32 (the decoder's long batches): for i in 0..<count,
/// out_i = softmax_t(scale·q_i·k_t)·v over t in 0..<first+i+1. Level 2 takes AVX-512 for head_dim a
/// multiple of 16 up to 128.
void sotto_attention_f32(const sotto_attention_rows *rows, int level);

/// Dequantizes `rows` rows of W into out (row r at out + r*ld), `columns` floats each.
int sotto_quant_dequantize(int type, const void *w, long row_bytes, long rows, long columns,
                           float *out, long ld);

/// Reads `count` bytes as fast as the CPU streams memory (at `level`, capped at the best) and returns a
/// checksum of them, so the reads cannot be elided: the read-only bandwidth a product is compared with.
uint64_t sotto_quant_stream_read(const void *bytes, long count, int level);

/// A hint to the CPU that the caller is spinning on a memory location (PAUSE on x86-64).
static inline void sotto_quant_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif
