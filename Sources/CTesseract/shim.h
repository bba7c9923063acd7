// Tesseract's C API (Debian's libtesseract-dev) and Leptonica (libleptonica-dev), the image library
// Tesseract is built on: decoding PNG, JPEG, TIFF (one page at a time) and WebP from memory.
#ifndef SOTTO_CTESSERACT_SHIM_H
#define SOTTO_CTESSERACT_SHIM_H
#include <stdio.h>
#include <leptonica/allheaders.h>
#include <tesseract/capi.h>
#endif
