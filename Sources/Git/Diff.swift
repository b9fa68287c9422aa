import CLibgit2

/// One changed path between two trees: added (`old` nil), deleted (`new` nil) or modified.
public struct PathChange: Sendable, Hashable {
    public let path: String
    public let old: ObjectID?
    public let new: ObjectID?

    public init(path: String, old: ObjectID?, new: ObjectID?) {
        self.path = path
        self.old = old
        self.new = new
    }
}

extension Repository {
    /// The leaf paths (blobs, links, submodules) that differ between two trees, sorted by path.
    /// Subtrees with equal ids are skipped without being read, so comparing two large stores
    /// costs in proportion to what changed. A nil tree is the empty tree.
    public func changedPaths(from oldTree: ObjectID?, to newTree: ObjectID?) throws -> [PathChange] {
        var changes: [PathChange] = []
        try collectChanges(old: oldTree, new: newTree, prefix: "", into: &changes)
        return changes.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    private func collectChanges(old: ObjectID?, new: ObjectID?, prefix: String, into changes: inout [PathChange])
        throws
    {
        if old == new { return }
        let oldEntries = try old.map { try tree($0) } ?? []
        let newEntries = try new.map { try tree($0) } ?? []
        let oldByName = Dictionary(uniqueKeysWithValues: oldEntries.map { ($0.name, $0) })
        let newByName = Dictionary(uniqueKeysWithValues: newEntries.map { ($0.name, $0) })
        for name in Set(oldByName.keys).union(newByName.keys) {
            let before = oldByName[name]
            let after = newByName[name]
            if before?.id == after?.id && before?.kind == after?.kind { continue }
            let path = prefix + name
            let oldSubtree = before?.kind == .tree ? before?.id : nil
            let newSubtree = after?.kind == .tree ? after?.id : nil
            let oldLeaf = before?.kind == .tree ? nil : before?.id
            let newLeaf = after?.kind == .tree ? nil : after?.id
            if oldLeaf != nil || newLeaf != nil {
                changes.append(PathChange(path: path, old: oldLeaf, new: newLeaf))
            }
            if oldSubtree != nil || newSubtree != nil {
                try collectChanges(old: oldSubtree, new: newSubtree, prefix: path + "/", into: &changes)
            }
        }
    }
}
