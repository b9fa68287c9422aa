import CLibgit2

/// A commit in the history of one path, with the blob the path had there (nil: deleted).
public struct PathRevision: Sendable, Hashable {
    public let commit: ObjectID
    public let blob: ObjectID?
}

/// Owns a `git_revwalk`; lives only for one history query.
private final class RevWalk {
    private let walk: Handle

    init(_ repository: Repository) throws {
        var pointer: OpaquePointer?
        try repository.raw { try check(git_revwalk_new(&pointer, $0), "git_revwalk_new") }
        walk = Handle(pointer!, free: git_revwalk_free)
        try walk.with { walk in
            // Topological so a parent never precedes its child; time to order siblings.
            try check(
                git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue),
                "git_revwalk_sorting")
        }
    }

    func push(_ id: ObjectID) throws {
        var oid = id.oid
        try walk.with { try check(git_revwalk_push($0, &oid), "git_revwalk_push(\(id))") }
    }

    func hide(_ id: ObjectID) throws {
        var oid = id.oid
        try walk.with { try check(git_revwalk_hide($0, &oid), "git_revwalk_hide(\(id))") }
    }

    /// The next commit, newest first; nil when the walk is over.
    func next() throws -> ObjectID? {
        var oid = git_oid()
        return try walk.with { walk in
            let result = git_revwalk_next(&oid, walk)
            if result == GIT_ITEROVER.rawValue { return nil }
            try check(result, "git_revwalk_next")
            return ObjectID(oid)
        }
    }
}

extension Repository {
    /// Commit ids reachable from `tip` but not from any of `hiding`, newest first (topological,
    /// then by commit time), at most `limit` of them.
    public func log(from tip: ObjectID, hiding: [ObjectID] = [], limit: Int? = nil) throws -> [ObjectID] {
        let walk = try RevWalk(self)
        try walk.push(tip)
        for id in hiding { try walk.hide(id) }
        var result: [ObjectID] = []
        while limit.map({ result.count < $0 }) ?? true, let id = try walk.next() {
            result.append(id)
        }
        return result
    }

    /// The commits reachable from `tip` at which `path`'s blob id changed, newest first: a
    /// commit is listed when the path differs from every parent (or, for a root commit, when
    /// the path exists). Trees are compared directly; the index is never used.
    public func commits(touching path: String, from tip: ObjectID, limit: Int? = nil) throws -> [PathRevision] {
        let walk = try RevWalk(self)
        try walk.push(tip)
        var blobAt: [ObjectID: ObjectID?] = [:]
        func blob(in commitID: ObjectID) throws -> ObjectID? {
            if let known = blobAt[commitID] { return known }
            let tree = try lookup(commitID, GIT_OBJECT_COMMIT, "commit").with { ObjectID(git_commit_tree_id($0)) }
            let found = try entry(atPath: path, inTree: tree)?.id
            blobAt[commitID] = .some(found)
            return found
        }
        var result: [PathRevision] = []
        while limit.map({ result.count < $0 }) ?? true, let id = try walk.next() {
            let parents = try lookup(id, GIT_OBJECT_COMMIT, "commit").with { commit in
                (0..<git_commit_parentcount(commit)).map { ObjectID(git_commit_parent_id(commit, $0)) }
            }
            let current = try blob(in: id)
            let changed =
                parents.isEmpty ? current != nil : try parents.allSatisfy { try blob(in: $0) != current }
            if changed { result.append(PathRevision(commit: id, blob: current)) }
            // Children come before parents in the walk; a child's entry is no longer needed.
            blobAt[id] = nil
        }
        return result
    }
}
