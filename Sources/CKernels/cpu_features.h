// The CPU features the kernels choose their level by (private to CKernels; cpu_features.c).

#ifndef SOTTO_CPU_FEATURES_H
#define SOTTO_CPU_FEATURES_H

enum {
    CPU_ASKED = 1u << 0,
    CPU_AVX2 = 1u << 1,
    CPU_FMA = 1u << 2,
    CPU_F16C = 1u << 3,
    CPU_AVX512F = 1u << 4,
    CPU_AVX512BW = 1u << 5,
    CPU_AVX512VL = 1u << 6,
    CPU_AVX512VNNI = 1u << 7,
    CPU_AVX512VBMI = 1u << 8,
    CPU_AVX512FP16 = 1u << 9,
};

/// The CPU_* flags of this CPU, asked once (the first call) and cached.
unsigned sotto_cpu_features(void);

#endif
