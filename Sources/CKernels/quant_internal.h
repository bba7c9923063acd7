// What the quantized kernels share (private to CKernels): ggml's block layouts, the f16
// conversions, the type traits, the inline helpers more than one level uses, and the functions one
// file calls in another. Block layouts follow ggml's on-disk formats; the Swift reference
// dequantizers in Quant are the specification every path is tested against.

#ifndef SOTTO_QUANT_INTERNAL_H
#define SOTTO_QUANT_INTERNAL_H

#include "CKernelsQuant.h"
#include "CKernels.h"
#include "cpu_features.h"

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

// The AVX-512 VNNI level's target (256-bit VPDPBUSD/VPDPWSSD, byte masks, VPMULTISHIFTQB).
#define VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))

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

// ggml's tiled K-quant matmul (Q6_K in batches of 8 or more rows) takes each super-block's exact
// integer sum times the weight scale, rounded, then adds it times the activation scale to the running
// sum in one fused step (GCC contracts its vector multiply and add).
static inline float tiled_accumulate(float s, int sumi, float dw, float dx) {
    const float r = (float)sumi * dw;
    return fmaf(r, dx, s);
}

// VPDPWSSD as written: the compiler otherwise splits a chain of them into VPMADDWD + VPADDD (for
// latency, on its generic tuning), which costs the saved uop back.
VNNI static inline __m256i dpwssd(__m256i acc, __m256i a, __m256i b) {
    __asm__("vpdpwssd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

VNNI static inline uint32_t load_u32(const void *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// ---- Type traits: what each weight type is, in one table (indexed by ggml's type number) ----------

// The activation format paired with a weight type (sotto_quant_quantize writes it).
enum { ACT_F32 = 1, ACT_Q8_0, ACT_Q8_1, ACT_Q8_K };

typedef struct {
    int block_values;   // values per weight block (1 for F32 and F16); 0: not a type the kernels handle
    int block_bytes;    // bytes per weight block
    int activation;     // ACT_*
    int act_values;     // values per activation block
    int act_bytes;      // bytes per activation block (ACT_F32: 4, one float)
    int code_offset;    // c, added to a weight code to make it unsigned for VPDPBUSD (0: none)
    int vnni_prepared;  // the VNNI matrix-vector kernels read the activations rearranged (prepare_q8)
    int avx2_scales;    // the AVX2 kernels take the Q8_0 activation scales as floats
    int gemm_group;     // values sharing a scale in the integer GEMM (0: no GEMM for the type)
} quant_traits;

static const quant_traits sq_traits_table[T_Q6_K + 1] = {
    [T_F32] = {1, 4, ACT_F32, 1, 4, 0, 0, 0, 0},
    [T_F16] = {1, 2, ACT_F32, 1, 4, 0, 0, 0, 0},
    [T_Q4_0] = {32, sizeof(block_q4_0), ACT_Q8_0, 32, sizeof(block_q8_0), 8, 1, 1, 0},
    [T_Q4_1] = {32, sizeof(block_q4_1), ACT_Q8_1, 32, sizeof(block_q8_1), 0, 1, 0, 0},
    [T_Q5_0] = {32, sizeof(block_q5_0), ACT_Q8_0, 32, sizeof(block_q8_0), 16, 1, 1, 32},
    [T_Q8_0] = {32, sizeof(block_q8_0), ACT_Q8_0, 32, sizeof(block_q8_0), 128, 1, 1, 32},
    [T_Q4_K] = {256, sizeof(block_q4_K), ACT_Q8_K, 256, sizeof(block_q8_K), 0, 0, 0, 32},
    [T_Q6_K] = {256, sizeof(block_q6_K), ACT_Q8_K, 256, sizeof(block_q8_K), 32, 0, 0, 16},
};

// The traits of `type`, or NULL for a type the kernels do not handle. With a constant `type` the
// compiler folds the lookup away, so the hot loops may ask it freely.
static inline const quant_traits *sq_traits(int type) {
    if (type < 0 || type > T_Q6_K || sq_traits_table[type].block_values == 0) return NULL;
    return &sq_traits_table[type];
}

// ---- Functions one file calls in another --------------------------------------------------------

#define SQ_AVX2 __attribute__((target("avx2,fma,f16c")))

float sq_dot_f32_c(const float *w, const float *x, long n);
float sq_dot_f16_c(const uint16_t *w, const float *x, long n);
float sq_dot_q4_0_c(const block_q4_0 *w, const block_q8_0 *x, long nb);
float sq_dot_q4_1_c(const block_q4_1 *w, const block_q8_1 *x, long nb);
float sq_dot_q5_0_c(const block_q5_0 *w, const block_q8_0 *x, long nb);
float sq_dot_q8_0_c(const block_q8_0 *w, const block_q8_0 *x, long nb);
float sq_dot_q4_K_c(const block_q4_K *w, const block_q8_K *x, long nb);
float sq_dot_q4_K_per64_c(const block_q4_K *w, const block_q8_K *x, long nb);
float sq_dot_q6_K_c(const block_q6_K *w, const block_q8_K *x, long nb, int tiled);

SQ_AVX2 float sq_dot_f32_avx2(const float *w, const float *x, long n);
SQ_AVX2 float sq_dot_f16_avx2(const uint16_t *w, const float *x, long n);
SQ_AVX2 float sq_dot_q4_0_avx2(const block_q4_0 *w, const block_q8_0 *x, const float *xd, long nb);
SQ_AVX2 float sq_dot_q4_1_avx2(const block_q4_1 *w, const block_q8_1 *x, long nb);
SQ_AVX2 float sq_dot_q5_0_avx2(const block_q5_0 *w, const block_q8_0 *x, const float *xd, long nb);
SQ_AVX2 float sq_dot_q8_0_avx2(const block_q8_0 *w, const block_q8_0 *x, const float *xd, long nb);
SQ_AVX2 float sq_dot_q4_K_avx2(const block_q4_K *w, const block_q8_K *x, long nb);
SQ_AVX2 float sq_dot_q6_K_avx2(const block_q6_K *w, const block_q8_K *x, long nb, int tiled);

// The f16 → f32 table of the VNNI kernels (65,536 entries), built by the first sq_f16_table_init.
extern float sq_f16_table[65536];
void sq_f16_table_init(void);
VNNI float sq_dot_q4_K_per64_vnni(const block_q4_K *w, const block_q8_K *x, long nb);
VNNI float sq_dot_q6_K_vnni(const block_q6_K *w, const block_q8_K *x, long nb, long ahead, int tiled);
// Returns SOTTO_QUANT_OK, or SOTTO_QUANT_NO_MEMORY when a very wide row's buffer cannot be allocated.
int sq_matvec_vnni(int type, const char *w, long row_bytes, long rows, long columns, const void *xq, float *y);
// n activation rows (Q8_K, xq_stride bytes apart) against `rows` Q4_K or Q6_K weight rows at the VNNI
// level, each output exactly what sq_matvec_vnni gives for its activation row (the caller checks the
// type). Returns SOTTO_QUANT_OK.
int sq_matmul_kquant_vnni(int type, const char *w, long row_bytes, long rows, long columns, const void *xq,
                          long xq_stride, long n, float *y, long ldy);

#endif
