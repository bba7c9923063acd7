public import Storage

extension Store {
    /// Every chunk with its document's path, ordered by path then ordinal, read through the public
    /// API: for tests that compare two indexes (it reads the whole index into memory).
    public func allChunks() async throws -> [(path: String, chunk: ChunkRecord)] {
        var documents: [DocumentRecord] = []
        while true {
            let page = try await listDocuments(status: nil, pathPrefix: nil, limit: 1000, offset: documents.count)
            documents += page.documents
            if page.documents.isEmpty || documents.count >= page.total { break }
        }
        var result: [(path: String, chunk: ChunkRecord)] = []
        for document in documents.sorted(by: { $0.path < $1.path }) {
            guard let id = document.id else { continue }
            result += try await chunks(documentId: id).map { (path: document.path, chunk: $0) }
        }
        return result
    }
}
