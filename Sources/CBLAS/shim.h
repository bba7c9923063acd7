// OpenBLAS's CBLAS interface: cblas_sgemm and openblas_set_num_threads.
// Debian's libopenblas-dev puts cblas.h under /usr/include/<triple>/ (an alternatives link) and
// pkg-config "openblas" adds the directory of the OpenBLAS variant in use, so this finds OpenBLAS's
// own header rather than another BLAS's.
#ifndef SOTTO_CBLAS_SHIM_H
#define SOTTO_CBLAS_SHIM_H
#include <cblas.h>
#endif
