import API
import Foundation
import Retrieval
import Storage

/// `POST /v1/passages`: the stored text of an indexed document by line or page range, read from the
/// index. It never opens the file, so it reads nothing that is not indexed (what `sotto mcp`'s
/// read_passage tool goes through).
extension APIResponder {
    /// A document the caller may not read is answered as one that is not indexed, revealing nothing.
    func passages(_ wire: PassageRequest, visibility: DocumentVisibility) async throws -> PassageResponse {
        let path = SourceRegistration.normalise(wire.path)
        guard visibility.allows(path), let document = try await store.document(path: path), document.status == .indexed,
            let documentId = document.id
        else {
            throw APIError(404, .documentNotIndexed, "\(path) is not an indexed document; search results and `sotto documents` name the ones there are")
        }
        let byLines = wire.lineStart != nil || wire.lineEnd != nil
        let byPages = wire.pageStart != nil || wire.pageEnd != nil
        guard !(byLines && byPages) else { throw APIError.badRequest("give a line range or a page range, not both") }
        let first = (byPages ? wire.pageStart : wire.lineStart) ?? 1
        let last = (byPages ? wire.pageEnd : wire.lineEnd) ?? Int.max
        guard first >= 1, last >= first else { throw APIError.badRequest("a range runs from 1 or more to no less than its start") }
        let maxBytes = wire.maxBytes ?? 16384
        guard (1...262_144).contains(maxBytes) else { throw APIError.badRequest("maxBytes must be between 1 and 262144") }

        let chunks = try await store.chunks(documentId: documentId)
        var selected: [PassageChunk] = []
        var bytes = 0
        var truncated = false
        for chunk in chunks {
            let inRange: Bool
            if byPages {
                inRange = chunk.page.map { (first...last).contains($0) } ?? false
            } else {
                inRange = chunk.lineEnd >= first && chunk.lineStart <= last
            }
            guard inRange, let id = chunk.id else { continue }
            if !selected.isEmpty, bytes + chunk.text.utf8.count > maxBytes {
                truncated = true
                break
            }
            bytes += chunk.text.utf8.count
            selected.append(PassageChunk(
                chunkId: id, ordinal: chunk.ordinal, lineStart: chunk.lineStart, lineEnd: chunk.lineEnd, page: chunk.page,
                section: chunk.section, text: chunk.text))
        }
        return PassageResponse(
            path: path, documentId: documentId, totalLines: chunks.last?.lineEnd ?? 0, chunks: selected, truncated: truncated)
    }
}
