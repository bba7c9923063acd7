/// EPUB e-books: the package document named by `META-INF/container.xml`, chapters in spine order,
/// each read by the HTML extractor and made a part labelled with its title (its first heading,
/// else its `<title>`, else "Chapter N"). DRM-encrypted books are reported, not read as noise.
enum EPUBExtractor {
    static func extract(_ bytes: [UInt8], fileName: String, limits: ExtractionLimits) throws(ExtractionFailure) -> ExtractedDocument {
        let container = try ZipContainer(bytes, fileName: fileName, limits: limits)
        if let encryption = try container.xml("META-INF/encryption.xml") {
            // Font obfuscation is the one harmless use of encryption.xml; anything else is DRM.
            let fontObfuscation: Set<String> = ["http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"]
            let algorithms = encryption.descendants("EncryptionMethod").compactMap { $0.attribute("Algorithm") }
            if algorithms.contains(where: { !fontObfuscation.contains($0) }) {
                throw ExtractionFailure(.encrypted, "\(fileName) is protected by DRM; only DRM-free e-books can be read")
            }
        }
        let packagePath = try container.xml("META-INF/container.xml")?.descendant("rootfile")?.attribute("full-path")
            ?? container.paths.first { $0.hasSuffix(".opf") }
        guard let packagePath, let package = try container.xml(packagePath) else {
            throw ExtractionFailure(.corrupt, "\(fileName) has no package document (META-INF/container.xml): not an EPUB")
        }
        let directory = ZipContainer.directory(of: packagePath)
        var manifest: [String: (path: String, type: String)] = [:]
        for item in package.descendant("manifest")?.children("item") ?? [] {
            guard let id = item.attribute("id"), let href = item.attribute("href") else { continue }
            manifest[id] = (ZipContainer.resolve(href, against: directory), item.attribute("media-type") ?? "")
        }
        let spine = package.descendant("spine")?.children("itemref").compactMap { $0.attribute("idref").flatMap { manifest[$0] } } ?? []
        var builder = DocumentBuilder(limits: limits)
        if let title = package.descendant("metadata")?.child("title")?.text {
            try builder.heading(title, level: 1)
        }
        var problems: [String] = []
        var chapter = 0
        for item in spine where item.type.contains("html") || item.path.hasSuffix("html") || item.path.hasSuffix(".htm") {
            guard let page = try container.data(item.path) else {
                problems.append("chapter \(item.path) is missing from the book")
                continue
            }
            chapter += 1
            var chapterBuilder = DocumentBuilder(limits: limits)
            let titles = try HTMLExtractor.render(page, charset: "utf-8", writesTitle: false, into: &chapterBuilder, limits: limits)
            let document = chapterBuilder.build(format: .html, extractor: "html")
            guard !document.text.isEmpty else { continue }
            let label = titles.firstHeading ?? titles.title ?? "Chapter \(chapter)"
            try builder.append(document, label: label)
        }
        return builder.build(format: .epub, extractor: "epub", problems: problems)
    }
}
