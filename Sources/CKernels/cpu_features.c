// The one CPU-feature detector of the kernels: every level and capability the other files and the
// Swift side ask about (sotto_kernels_have_avx2, sotto_vector_best_level, sotto_quant_best_level,
// sotto_decoder_half_arithmetic) is read from one set of flags, asked of the CPU once.

#include "cpu_features.h"
#include "CKernels.h"
#include "CKernelsDecoder.h"
#include "CKernelsQuant.h"
#include "CKernelsVector.h"

unsigned sotto_cpu_features(void) {
    static unsigned known;  // 0: not asked yet (CPU_ASKED is set once asked)
    unsigned f = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (f) return f;
    __builtin_cpu_init();
    f = CPU_ASKED;
    if (__builtin_cpu_supports("avx2")) f |= CPU_AVX2;
    if (__builtin_cpu_supports("fma")) f |= CPU_FMA;
    if (__builtin_cpu_supports("f16c")) f |= CPU_F16C;
    if (__builtin_cpu_supports("avx512f")) f |= CPU_AVX512F;
    if (__builtin_cpu_supports("avx512bw")) f |= CPU_AVX512BW;
    if (__builtin_cpu_supports("avx512vl")) f |= CPU_AVX512VL;
    if (__builtin_cpu_supports("avx512vnni")) f |= CPU_AVX512VNNI;
    if (__builtin_cpu_supports("avx512vbmi")) f |= CPU_AVX512VBMI;
    if (__builtin_cpu_supports("avx512fp16")) f |= CPU_AVX512FP16;
    __atomic_store_n(&known, f, __ATOMIC_RELAXED);
    return f;
}

static int has(unsigned wanted) { return (sotto_cpu_features() & wanted) == wanted; }

// The encoder's kernels (kernels.c): AVX2 with FMA.
int sotto_kernels_have_avx2(void) { return has(CPU_AVX2 | CPU_FMA); }

// Dense search's Int8 scan (vector.c): 1 AVX2, 2 AVX-512 VNNI.
int sotto_vector_best_level(void) {
    if (!has(CPU_AVX2)) return 0;
    return has(CPU_AVX512F | CPU_AVX512BW | CPU_AVX512VNNI) ? 2 : 1;
}

// The quantized kernels (quant_*.c): 1 AVX2/FMA/F16C, 2 AVX-512 VNNI with BW, VL and VBMI.
int sotto_quant_best_level(void) {
    if (!has(CPU_AVX2 | CPU_FMA | CPU_F16C)) return 0;
    return has(CPU_AVX512F | CPU_AVX512BW | CPU_AVX512VL | CPU_AVX512VNNI | CPU_AVX512VBMI) ? 2 : 1;
}

// Half-precision arithmetic as ggml's AVX512-FP16 build uses it (decoder.c).
int sotto_decoder_half_arithmetic(void) { return has(CPU_AVX512FP16); }
