// Builds a synthetic index for the search-scale benchmark (Scripts/bench-scale drives it):
// N chunks of Zipf-distributed words under a root that does not exist on disk (the daemon keeps a
// missing root's index), with random unit vectors stored as the given encoder's, so the daemon
// serves them with the real encoder for queries. Vectors are random: this measures latency and
// memory, not quality.
//
// With `--files DIR` the root is DIR and every document is also written there as a file (its
// chunks, as indexed), recorded with the file's own device, inode, size and modification time, so
// the daemon's start-up scan finds them unchanged and the permission filter has real files to judge.
import Foundation
import Glibc
import Storage

@main
struct BenchScale {
    static func main() async {
        let arguments = CommandLine.arguments
        func value(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        if let database = value("--erase-cost") {
            do {
                try await measureErase(database: database, edits: value("--edits").flatMap(Int.init) ?? 5)
            } catch {
                FileHandle.standardError.write(Data("bench-scale: \(error)\n".utf8))
                exit(1)
            }
            return
        }
        guard let database = value("--database"), let fingerprint = value("--fingerprint"),
            let count = value("--chunks").flatMap(Int.init), count > 0
        else {
            let usage = "usage: bench-scale --database PATH --fingerprint FP --chunks N [--files DIR] [--model NAME] [--dimension D]\n"
                + "       bench-scale --erase-cost PATH [--edits N]   (changes the database: give it a copy)\n"
            FileHandle.standardError.write(Data(usage.utf8))
            exit(2)
        }
        let model = value("--model") ?? "all-MiniLM-L6-v2"
        let dimension = value("--dimension").flatMap(Int.init) ?? 384
        do {
            try await build(
                database: database, fingerprint: fingerprint, model: model, dimension: dimension, count: count, files: value("--files"))
        } catch {
            FileHandle.standardError.write(Data("bench-scale: \(error)\n".utf8))
            exit(1)
        }
    }

    static let vocabulary: [String] = {
        // 20,000 pronounceable pseudo-words; rank r is drawn with probability ~ 1/r (Zipf).
        let consonants = Array("bcdfghjklmnprstvwz"), vowels = Array("aeiou")
        var words: [String] = []
        var state: UInt64 = 42
        while words.count < 20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var word = ""
            var bits = state
            for i in 0..<(2 + Int(bits % 3)) {
                bits >>= 3
                word.append(consonants[Int(bits % UInt64(consonants.count))])
                bits >>= 5
                word.append(vowels[Int(bits % UInt64(vowels.count))])
                if i == 0 { bits >>= 2 }
            }
            words.append(word)
        }
        return words
    }()

    static func build(database: String, fingerprint: String, model: String, dimension: Int, count: Int, files: String?) async throws {
        let store = try Store(path: database)
        let rootPath = files ?? "/nonexistent/sotto-bench-root"
        let root = try await store.addRoot(path: rootPath, include: [], exclude: [], useDefaultExcludes: true)
        try await store.registerEmbeddingModel(fingerprint: fingerprint, name: model, dimension: dimension)
        var rng = SplitMix(seed: 7)
        // Cumulative Zipf weights for sampling by binary search.
        var cumulative: [Double] = []
        var total = 0.0
        for rank in 1...vocabulary.count {
            total += 1 / Double(rank)
            cumulative.append(total)
        }
        func word() -> String {
            let target = rng.nextUnit() * total
            var low = 0, high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] < target { low = mid + 1 } else { high = mid }
            }
            return vocabulary[low]
        }
        let perDocument = 10
        let started = Date()
        var made = 0
        var documentIndex = 0
        while made < count {
            let chunksHere = min(perDocument, count - made)
            var chunks: [Chunk] = []
            var offset = 0
            for ordinal in 0..<chunksHere {
                let text = (0..<(60 + Int(rng.next() % 90))).map { _ in word() }.joined(separator: " ")
                let length = text.utf8.count
                chunks.append(Chunk(ordinal: ordinal, text: text, byteStart: offset, byteEnd: offset + length, lineStart: ordinal * 2 + 1, lineEnd: ordinal * 2 + 1))
                offset += length + 2
            }
            let path = "\(rootPath)/d\(documentIndex / 1000)/doc-\(documentIndex).md"
            var identity = (device: Int64(0), inode: Int64(documentIndex), size: Int64(offset), mtime: Int64(0))
            if files != nil { identity = try write(chunks, to: path) }
            let document = DocumentRecord(
                rootId: root.id ?? 0, path: path, device: identity.device, inode: identity.inode, size: identity.size,
                mtimeNanoseconds: identity.mtime, contentHash: nil, status: .indexed, reason: nil, encoding: "utf-8", kind: "markdown", chunkCount: chunksHere, indexedAt: Date())
            try await store.saveIndexed(document, chunks: chunks)
            made += chunksHere
            documentIndex += 1
            if documentIndex % 2000 == 0 {
                try await embedPending(store, fingerprint: fingerprint, dimension: dimension, rng: &rng)
                let rate = Double(made) / Date().timeIntervalSince(started)
                print("\(made)/\(count) chunks (\(Int(rate))/s)")
            }
        }
        try await embedPending(store, fingerprint: fingerprint, dimension: dimension, rng: &rng)
        try store.close()
        print("built \(count) chunks in \(Int(Date().timeIntervalSince(started))) s")
    }

    /// What erasing an edited file's old text costs on this index: `edits` times, one document is
    /// saved again with other text (as the indexer saves an edited file) and the store erased
    /// (`Store.erase()`: the full-text index merged, the WAL truncated); prints each erase's time. The
    /// first erase also merges whatever segments the build left, so it is printed apart. Changes the
    /// database: run it on a copy.
    static func measureErase(database: String, edits: Int) async throws {
        let store = try Store(path: database)
        guard let root = try await store.roots().first else { throw CocoaError(.fileReadCorruptFile) }
        let documents = try await store.documents(rootId: root.id ?? 0)
        var rng = SplitMix(seed: 99)
        var times: [Double] = []
        for round in 0...edits {
            let document = documents[Int(rng.next() % UInt64(documents.count))]
            let old = try await store.chunks(documentId: document.id ?? 0)
            let chunks = old.map { chunk in
                let text = chunk.text.split(separator: " ").shuffled(using: &rng).joined(separator: " ")
                return Chunk(ordinal: chunk.ordinal, text: text, byteStart: chunk.byteStart, byteEnd: chunk.byteEnd,
                                lineStart: chunk.lineStart, lineEnd: chunk.lineEnd)
            }
            try await store.saveIndexed(document, chunks: chunks)
            let started = ContinuousClock.now
            try await store.erase()
            let seconds = (ContinuousClock.now - started).seconds
            print(round == 0 ? "first erase (merges the build's segments too): \(String(format: "%.2f", seconds)) s"
                              : "erase after edit \(round): \(String(format: "%.2f", seconds)) s")
            if round > 0 { times.append(seconds) }
        }
        times.sort()
        if !times.isEmpty {
            print("erase after an edit, median of \(times.count): \(String(format: "%.2f", times[times.count / 2])) s; database \(store.sizeOnDisk() / 1_000_000) MB")
        }
        try store.close()
    }

    /// Writes the document's chunks to `path` as the indexer would have read them (each chunk's bytes
    /// at its offsets, a blank line between), and returns the file's identity as the indexer records it.
    static func write(_ chunks: [Chunk], to path: String) throws -> (device: Int64, inode: Int64, size: Int64, mtime: Int64) {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(chunks.map(\.text).joined(separator: "\n\n").utf8).write(to: url)
        var info = stat()
        guard stat(path, &info) == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
        return (Int64(bitPattern: UInt64(info.st_dev)), Int64(bitPattern: UInt64(info.st_ino)), Int64(info.st_size),
                Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    /// Random unit vectors for every chunk that has none.
    static func embedPending(_ store: Store, fingerprint: String, dimension: Int, rng: inout SplitMix) async throws {
        var cursor: Int64 = 0
        while true {
            let pending = try await store.chunksNeedingEmbedding(fingerprint: fingerprint, afterId: cursor, limit: 5000)
            guard let last = pending.last else { return }
            var rows: [(chunkId: Int64, vector: [Float])] = []
            for chunk in pending {
                var v = (0..<dimension).map { _ in Float(rng.nextUnit() * 2 - 1) }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                v = v.map { $0 / norm }
                rows.append((chunk.id, v))
            }
            try await store.saveEmbeddings(fingerprint: fingerprint, rows)
            cursor = last.id
        }
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
