import CLibgit2

/// A tree entry's mode as git stores it. A struct rather than an enum so that a mode this
/// module does not name still round-trips.
public struct FileMode: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let blob = FileMode(rawValue: 0o100644)
    public static let executable = FileMode(rawValue: 0o100755)
    public static let link = FileMode(rawValue: 0o120000)
    public static let tree = FileMode(rawValue: 0o040000)
    /// A submodule (gitlink).
    public static let commit = FileMode(rawValue: 0o160000)
}

/// One entry of a tree, copied out of libgit2.
public struct TreeEntry: Sendable, Hashable {
    /// What the entry points at; symlinks are blobs with mode `.link`.
    public enum Kind: Sendable, Hashable {
        case blob, tree, commit
    }

    public let name: String
    public let id: ObjectID
    public let kind: Kind
    public let mode: FileMode

    public init(name: String, id: ObjectID, kind: Kind, mode: FileMode) {
        self.name = name
        self.id = id
        self.kind = kind
        self.mode = mode
    }

    /// Copies a borrowed `git_tree_entry *`.
    init(borrowing entry: OpaquePointer) {
        name = String(cString: git_tree_entry_name(entry))
        id = ObjectID(git_tree_entry_id(entry))
        mode = FileMode(rawValue: git_tree_entry_filemode(entry).rawValue)
        switch git_tree_entry_type(entry) {
        case GIT_OBJECT_TREE: kind = .tree
        case GIT_OBJECT_COMMIT: kind = .commit
        default: kind = .blob
        }
    }
}

extension Repository {
    /// Looks up an object of the given type; the returned handle owns it.
    func lookup(_ id: ObjectID, _ type: git_object_t, _ what: String) throws -> Handle {
        var oid = id.oid
        var object: OpaquePointer?
        try raw { try check(git_object_lookup(&object, $0, &oid, type), "git_object_lookup(\(what) \(id))") }
        return Handle(object!, free: git_object_free)
    }

    /// Lends the repository's current object database (the batch one inside `withPackedWrites`).
    func withODB<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        var odb: OpaquePointer?
        try raw { try check(git_repository_odb(&odb, $0), "git_repository_odb") }
        return try Handle(odb!, free: git_odb_free).with(body)
    }

    /// Records an object written during a packed batch so that `flush` can pack exactly the
    /// new objects.
    func noteWritten(_ id: ObjectID) {
        batch?.noteWritten(id)
    }

    // MARK: Blobs

    /// Writes `bytes` as a blob (into the batch's memory while `withPackedWrites` runs).
    public func writeBlob(_ bytes: [UInt8]) throws -> ObjectID {
        try bytes.withUnsafeBytes { try writeBlob($0) }
    }

    /// Writes the bytes as a blob without copying them into an array first.
    public func writeBlob(_ bytes: UnsafeRawBufferPointer) throws -> ObjectID {
        let id = try writeObject(bytes, GIT_OBJECT_BLOB, "blob")
        return id
    }

    func writeObject(_ bytes: UnsafeRawBufferPointer, _ type: git_object_t, _ what: String) throws -> ObjectID {
        var oid = git_oid()
        try withODB { odb in
            try withNonNullBase(bytes) { base in
                try check(git_odb_write(&oid, odb, base, bytes.count, type), "git_odb_write(\(what))")
            }
        }
        let id = ObjectID(oid)
        noteWritten(id)
        return id
    }

    /// The id `bytes` would have as a blob; writes nothing.
    public func hashBlob(_ bytes: [UInt8]) throws -> ObjectID {
        var oid = git_oid()
        try bytes.withUnsafeBytes { raw in
            try withNonNullBase(raw) { base in
                try check(git_odb_hash(&oid, base, raw.count, GIT_OBJECT_BLOB), "git_odb_hash")
            }
        }
        return ObjectID(oid)
    }

    /// The blob's content, copied.
    public func blob(_ id: ObjectID) throws -> [UInt8] {
        try lookup(id, GIT_OBJECT_BLOB, "blob").with { blob in
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
            return Array(UnsafeRawBufferPointer(start: content, count: size))
        }
    }

    // MARK: Trees

    /// The entries of a tree, in git's order.
    public func tree(_ id: ObjectID) throws -> [TreeEntry] {
        try lookup(id, GIT_OBJECT_TREE, "tree").with { tree in
            (0..<git_tree_entrycount(tree)).map { index in
                TreeEntry(borrowing: git_tree_entry_byindex(tree, index))
            }
        }
    }

    /// The entry at a slash-separated path (`sessions/ab/<id>.json`), or nil if absent.
    public func entry(atPath path: String, inTree treeID: ObjectID) throws -> TreeEntry? {
        try lookup(treeID, GIT_OBJECT_TREE, "tree").with { tree in
            var entry: OpaquePointer?
            let result = git_tree_entry_bypath(&entry, tree, path)
            if result == GIT_ENOTFOUND.rawValue {
                git_error_clear()
                return nil
            }
            try check(result, "git_tree_entry_bypath(\(path))")
            return Handle(entry!, free: git_tree_entry_free).with { TreeEntry(borrowing: $0) }
        }
    }

    /// Writes (if needed) and returns the empty tree, the root of an empty store.
    public func emptyTree() throws -> ObjectID {
        try TreeBuilder(repository: self).write()
    }
}

/// libgit2 asserts on a NULL buffer even for zero bytes; an empty Swift buffer may have one.
func withNonNullBase<R>(_ raw: UnsafeRawBufferPointer, _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
    if let base = raw.baseAddress { return try body(base) }
    var zero: UInt8 = 0
    return try withUnsafeBytes(of: &zero) { try body($0.baseAddress!) }
}
