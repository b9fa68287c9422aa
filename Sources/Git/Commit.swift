import CLibgit2

/// An author or committer with an explicit time, so that commits never depend on the clock,
/// the time zone or the user's config.
public struct Signature: Sendable, Hashable {
    public let name: String
    public let email: String
    /// Seconds since the Unix epoch.
    public let time: Int64
    /// Offset from UTC in minutes (e.g. 90 for +0130).
    public let offsetMinutes: Int32

    public init(name: String, email: String, time: Int64, offsetMinutes: Int32) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// Copies a borrowed `git_signature *`.
    init(borrowing signature: UnsafePointer<git_signature>) {
        name = String(cString: signature.pointee.name)
        email = String(cString: signature.pointee.email)
        time = signature.pointee.when.time
        offsetMinutes = signature.pointee.when.offset
    }
}

/// A commit's fields, copied out of libgit2.
public struct CommitInfo: Sendable, Hashable {
    public let id: ObjectID
    public let tree: ObjectID
    public let parents: [ObjectID]
    public let author: Signature
    public let committer: Signature
    /// The message exactly as stored, trailers included.
    public let message: String
    /// The first paragraph joined into one line, as `git log --format=%s` shows it.
    public let summary: String
}

/// Owns a `git_signature` built by `git_signature_new`, which also rejects names and emails
/// that would corrupt the commit header (angle brackets, newlines).
private final class OwnedSignature {
    let pointer: UnsafeMutablePointer<git_signature>

    init(_ signature: Signature) throws {
        var created: UnsafeMutablePointer<git_signature>?
        try check(
            git_signature_new(&created, signature.name, signature.email, signature.time, signature.offsetMinutes),
            "git_signature_new(\(signature.name) <\(signature.email)>)")
        pointer = created!
    }

    deinit { git_signature_free(pointer) }
}

extension Repository {
    /// Writes a commit object and returns its id. Moves no reference: callers publish it with
    /// `updateReference` (after `flush()` inside `withPackedWrites`). The message is stored
    /// byte for byte; no cleanup touches trailers or whitespace, so end it with "\n" as git does.
    /// The same tree, parents, signatures and message give the same id as `git commit-tree`.
    public func createCommit(
        tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String
    ) throws -> ObjectID {
        let authorSignature = try OwnedSignature(author)
        let committerSignature = try OwnedSignature(committer)
        var treeOID = tree.oid
        var parentOIDs = parents.map(\.oid)
        var result = git_oid()
        try parentOIDs.withUnsafeMutableBufferPointer { parentBuffer in
            var parentPointers: [UnsafePointer<git_oid>?] = (0..<parentBuffer.count).map {
                UnsafePointer(parentBuffer.baseAddress! + $0)
            }
            try withExtendedLifetime((authorSignature, committerSignature)) {
                try raw { repo in
                    try parentPointers.withUnsafeMutableBufferPointer { pointers in
                        try check(
                            git_commit_create_from_ids(
                                &result, repo, nil, authorSignature.pointer, committerSignature.pointer, nil,
                                message, &treeOID, parents.count, pointers.baseAddress),
                            "git_commit_create_from_ids")
                    }
                }
            }
        }
        let id = ObjectID(result)
        noteWritten(id)
        return id
    }

    /// Reads a commit.
    public func commit(_ id: ObjectID) throws -> CommitInfo {
        try lookup(id, GIT_OBJECT_COMMIT, "commit").with { commit in
            let parents = (0..<git_commit_parentcount(commit)).map { ObjectID(git_commit_parent_id(commit, $0)) }
            let message = git_commit_message_raw(commit).map { String(cString: $0) } ?? ""
            let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
            return CommitInfo(
                id: id, tree: ObjectID(git_commit_tree_id(commit)), parents: parents,
                author: Signature(borrowing: git_commit_author(commit)),
                committer: Signature(borrowing: git_commit_committer(commit)),
                message: message, summary: summary)
        }
    }
}
