import API
import Foundation
import Ingest
import Storage

/// Checks a new source (root) and registers it with the store and the indexer.
enum SourceRegistration {
    /// Absolute, without `.`/`..` components, symbolic links resolved, no trailing slash.
    static func normalise(_ path: String) -> String {
        let standard = (path as NSString).standardizingPath
        let resolved = standard.withCString { pointer -> String? in
            guard let real = realpath(pointer, nil) else { return nil }
            defer { free(real) }
            return String(validatingCString: real)
        }
        var result = resolved ?? standard
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result
    }

    /// A path from a request, refused when it holds a NUL (which C functions would silently cut the
    /// path at, registering another folder) or another control character (a source folder's path
    /// does not hold one: refusing them keeps paths in logs and listings readable).
    static func checked(_ path: String, field: String = "path") throws(APIError) -> String {
        if let bad = path.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            let what = bad.value == 0 ? "a NUL character" : String(format: "the control character U+%04X", bad.value)
            throw APIError(400, .invalidPath, "\(field) holds \(what); a path cannot hold it")
        }
        return path
    }

    static func add(_ request: SourceRequest, store: Store, indexer: Indexer) async throws -> RootRecord {
        _ = try checked(request.path)
        guard request.path.hasPrefix("/") else {
            throw APIError(400, .rootNotAbsolute, "\(request.path) is not an absolute path (the sotto client makes paths absolute for you)")
        }
        let path = normalise(request.path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw APIError(400, .rootNotFound, "\(path) does not exist (or the daemon's user cannot see it)")
        }
        guard isDirectory.boolValue else {
            throw APIError(400, .rootNotDirectory, "\(path) is not a directory; add the folder that holds it")
        }
        let include = request.include ?? []
        let exclude = request.exclude ?? []
        do {
            try WalkRules.validate(include + exclude)
        } catch {
            throw APIError(400, .invalidGlob, "\(error)")
        }
        for existing in try await store.roots() {
            if existing.path == path {
                throw APIError(409, .rootExists, "\(path) is already a source")
            }
            if path.hasPrefix(existing.path + "/") || existing.path == "/" {
                throw APIError(409, .rootOverlaps, "\(path) is inside the source \(existing.path), which already indexes it")
            }
            if existing.path.hasPrefix(path + "/") || path == "/" {
                throw APIError(
                    409, .rootOverlaps,
                    "\(path) contains the source \(existing.path); remove that one first (`sotto sources remove \(existing.path)`)")
            }
        }
        let root: RootRecord
        do {
            root = try await store.addRoot(
                path: path, include: include, exclude: exclude, useDefaultExcludes: request.useDefaultExcludes ?? true)
        } catch StoreError.rootExists {
            throw APIError(409, .rootExists, "\(path) is already a source")
        }
        _ = await indexer.rootAdded(root)
        return root
    }
}
