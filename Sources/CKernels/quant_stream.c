// The roofline's other side: how fast this machine reads bytes when reading is all there is to do.
// quant-bench --roofline runs it over the same weight bytes a decode step multiplies, on the same
// threads and in the same parts, so the two times differ only by the products' arithmetic.

#include "quant_internal.h"

// Bytes prefetched ahead of the loads: far enough to cover DRAM latency at full bandwidth (measured
// best of 1, 4 and 16 KiB on a 2-core Zen 4 here), near enough to stay within what a core tracks.
enum { STREAM_AHEAD = 16384 };

__attribute__((target("avx2")))
static uint64_t stream_avx2(const char *p, long n) {
    __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0;
    long i = 0;
    for (; i + 128 <= n; i += 128) {
        _mm_prefetch(p + i + STREAM_AHEAD, _MM_HINT_NTA);
        _mm_prefetch(p + i + STREAM_AHEAD + 64, _MM_HINT_NTA);
        acc0 = _mm256_xor_si256(acc0, _mm256_loadu_si256((const __m256i *)(p + i)));
        acc1 = _mm256_xor_si256(acc1, _mm256_loadu_si256((const __m256i *)(p + i + 32)));
        acc0 = _mm256_xor_si256(acc0, _mm256_loadu_si256((const __m256i *)(p + i + 64)));
        acc1 = _mm256_xor_si256(acc1, _mm256_loadu_si256((const __m256i *)(p + i + 96)));
    }
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, _mm256_xor_si256(acc0, acc1));
    uint64_t sum = lanes[0] ^ lanes[1] ^ lanes[2] ^ lanes[3];
    for (; i < n; i++) sum += (unsigned char)p[i];
    return sum;
}

__attribute__((target("avx512f")))
static uint64_t stream_avx512(const char *p, long n) {
    __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0;
    for (long j = 0; j < n && j < STREAM_AHEAD; j += 64) _mm_prefetch(p + j, _MM_HINT_NTA);
    long i = 0;
    for (; i + 256 <= n; i += 256) {
        for (int k = 0; k < 4; k++) _mm_prefetch(p + i + STREAM_AHEAD + 64 * k, _MM_HINT_NTA);
        acc0 = _mm512_xor_si512(acc0, _mm512_loadu_si512(p + i));
        acc1 = _mm512_xor_si512(acc1, _mm512_loadu_si512(p + i + 64));
        acc0 = _mm512_xor_si512(acc0, _mm512_loadu_si512(p + i + 128));
        acc1 = _mm512_xor_si512(acc1, _mm512_loadu_si512(p + i + 192));
    }
    uint64_t sum = (uint64_t)_mm512_reduce_add_epi64(_mm512_xor_si512(acc0, acc1));
    for (; i < n; i++) sum += (unsigned char)p[i];
    return sum;
}

uint64_t sotto_quant_stream_read(const void *bytes, long count, int level) {
    if (!bytes || count <= 0) return 0;
    const char *p = bytes;
    if (level >= 2 && sotto_quant_best_level() >= 2) return stream_avx512(p, count);
    if (level >= 1 && sotto_quant_best_level() >= 1) return stream_avx2(p, count);
    uint64_t sum = 0;
    for (long i = 0; i < count; i++) sum += (unsigned char)p[i];
    return sum;
}
