#ifndef SOTTO_CKERNELS_VECTOR_H
#define SOTTO_CKERNELS_VECTOR_H

#include <stdint.h>

/// The Int8 scan of dense search: one query against every row of a row-major Int8 matrix.
///
/// Levels: 0 portable C, 1 AVX2 (int8 widened to int16, VPMADDWD), 2 AVX-512 VNNI (VPDPBUSD on
/// 512-bit vectors, with AVX512BW masked loads for the tail). Every level returns exactly the same
/// Int32 sums for any bytes, −128 included, as long as dimension ≤ 65,536 (no Int32 overflow).

/// The highest level this CPU (and OS) runs: 0, 1 or 2.
int sotto_vector_best_level(void);

/// scores[i] = Σ_j rows[i*dimension + j] · query[j] for i in 0..<count. A level above
/// sotto_vector_best_level() runs as the best level.
void sotto_vector_dot_i8(const int8_t *rows, long count, long dimension, const int8_t *query,
                         int32_t *scores, int level);

#endif
