/// The two-way map between inotify watch descriptors and the directories they watch, with the root
/// each directory was reached from (whose `shouldDescend` rule applies to it).
struct WatchTable {
    struct Entry: Equatable {
        var path: String
        var root: String
    }

    /// A watch taken out of the table while its directory is in flight (moved away, maybe back in).
    struct Detached: Equatable {
        var descriptor: Int32
        /// Path relative to the moved directory; empty for the directory itself.
        var relativePath: String
    }

    private var entries: [Int32: Entry] = [:]
    private var descriptorsByPath: [String: Int32] = [:]

    var count: Int { entries.count }

    func entry(for descriptor: Int32) -> Entry? { entries[descriptor] }

    func descriptor(for path: String) -> Int32? { descriptorsByPath[path] }

    /// Records a watch. `inotify_add_watch` returns the existing descriptor for a directory that is
    /// already watched, so an insert may re-point a descriptor to the path it was reached by now.
    mutating func insert(_ descriptor: Int32, path: String, root: String) {
        if let old = entries[descriptor], descriptorsByPath[old.path] == descriptor {
            descriptorsByPath[old.path] = nil
        }
        entries[descriptor] = Entry(path: path, root: root)
        descriptorsByPath[path] = descriptor
    }

    /// Forgets a watch (after `IN_IGNORED` or `inotify_rm_watch`); unknown descriptors are ignored.
    @discardableResult
    mutating func remove(_ descriptor: Int32) -> Entry? {
        guard let entry = entries.removeValue(forKey: descriptor) else { return nil }
        if descriptorsByPath[entry.path] == descriptor { descriptorsByPath[entry.path] = nil }
        return entry
    }

    /// Every descriptor reached from `root`.
    func descriptors(ofRoot root: String) -> [Int32] {
        entries.filter { $0.value.root == root }.map(\.key)
    }

    /// Takes out the watches of `directory` and everything below it.
    mutating func detachSubtree(at directory: String) -> [Detached] {
        let prefix = directory + "/"
        var detached: [Detached] = []
        for (descriptor, entry) in entries {
            let relativePath: String
            if entry.path == directory {
                relativePath = ""
            } else if entry.path.hasPrefix(prefix) {
                relativePath = String(entry.path.dropFirst(prefix.count))
            } else {
                continue
            }
            detached.append(Detached(descriptor: descriptor, relativePath: relativePath))
        }
        for item in detached { remove(item.descriptor) }
        return detached
    }

    /// Puts detached watches back under their directory's new path (a rename inside the watched tree).
    mutating func attach(_ detached: [Detached], at directory: String, root: String) {
        for item in detached {
            let path = item.relativePath.isEmpty ? directory : directory + "/" + item.relativePath
            insert(item.descriptor, path: path, root: root)
        }
    }
}
