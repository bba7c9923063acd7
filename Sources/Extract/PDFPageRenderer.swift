import CPoppler

/// A PDF page as pixels for OCR, through poppler's cairo backend: white background, at `dpi` unless
/// the page is so large that the image would exceed `maxPixels` (a hostile page size), in which case
/// at the highest resolution that fits.
struct PDFPageRenderer {
    var dpi: Int
    var maxPixels: Int

    /// Renders `page` and hands its pixels (4 bytes each, cairo's native-endian ARGB, opaque) to `body`,
    /// with the resolution used; nil when the page has no size or cairo cannot make the image. ARGB, not
    /// cairo's RGB24: Tesseract reads the fourth byte as alpha, and RGB24 leaves it 0 (transparent), which
    /// lost the text of mostly blank pages.
    func render<T>(
        _ page: OpaquePointer, _ body: (_ pixels: UnsafePointer<UInt8>, _ width: Int, _ height: Int, _ bytesPerLine: Int, _ dpi: Int) -> T
    ) -> T? {
        var widthPoints = 0.0, heightPoints = 0.0
        poppler_page_get_size(page, &widthPoints, &heightPoints)
        guard widthPoints.isFinite, heightPoints.isFinite, widthPoints >= 1, heightPoints >= 1 else { return nil }
        var scale = Double(dpi) / 72
        let area = widthPoints * heightPoints * scale * scale
        if area > Double(maxPixels) { scale *= (Double(maxPixels) / area).squareRoot() }
        let width = Int(widthPoints * scale), height = Int(heightPoints * scale)
        guard width >= 1, height >= 1, width <= 32_767, height <= 32_767 else { return nil }
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height)) else { return nil }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let context = cairo_create(surface) else { return nil }
        cairo_set_source_rgb(context, 1, 1, 1)
        cairo_paint(context)
        cairo_scale(context, scale, scale)
        poppler_page_render(page, context)
        cairo_destroy(context)
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return nil }
        let stride = Int(cairo_image_surface_get_stride(surface))
        return body(UnsafePointer(data), width, height, stride, Int((scale * 72).rounded()))
    }
}
