import CLibgit2

/// Builds one tree level in memory and writes it as a tree object, without the index.
/// Keeps its repository alive, because libgit2's builder holds the repository pointer.
public final class TreeBuilder {
    private let repository: Repository
    private let builder: Handle

    /// Starts empty, or from the entries of the tree `base`.
    public init(repository: Repository, base: ObjectID? = nil) throws {
        self.repository = repository
        let source = try base.map { try repository.lookup($0, GIT_OBJECT_TREE, "tree") }
        var pointer: OpaquePointer?
        try repository.raw { repo in
            if let source {
                try source.with { tree in
                    try check(git_treebuilder_new(&pointer, repo, tree), "git_treebuilder_new")
                }
            } else {
                try check(git_treebuilder_new(&pointer, repo, nil), "git_treebuilder_new")
            }
        }
        builder = Handle(pointer!, free: git_treebuilder_free)
    }

    public var count: Int { builder.with { Int(git_treebuilder_entrycount($0)) } }

    /// The entry called `name`, if any.
    public func entry(named name: String) -> TreeEntry? {
        builder.with { builder in
            git_treebuilder_get(builder, name).map { TreeEntry(borrowing: $0) }
        }
    }

    /// Adds or replaces `name`. libgit2 rejects names such as `..`, `.git` or ones holding `/`,
    /// and (strict object creation) ids that do not exist with the type the mode implies.
    public func insert(name: String, id: ObjectID, mode: FileMode) throws {
        guard isValidEntryName(name) else {
            throw GitError(
                code: .invalid, message: "invalid tree entry name '\(name)'", operation: "TreeBuilder.insert")
        }
        var oid = id.oid
        try builder.with { builder in
            try check(
                git_treebuilder_insert(nil, builder, name, &oid, git_filemode_t(rawValue: mode.rawValue)),
                "git_treebuilder_insert(\(name))")
        }
    }

    /// Removes `name`; returns false if there was no such entry.
    @discardableResult
    public func remove(name: String) throws -> Bool {
        try builder.with { builder in
            // libgit2 reports a missing entry as a generic error; ask first.
            guard git_treebuilder_get(builder, name) != nil else { return false }
            try check(git_treebuilder_remove(builder, name), "git_treebuilder_remove(\(name))")
            return true
        }
    }

    /// Writes the tree object and returns its id.
    public func write() throws -> ObjectID {
        var oid = git_oid()
        try builder.with { try check(git_treebuilder_write(&oid, $0), "git_treebuilder_write") }
        let id = ObjectID(oid)
        repository.noteWritten(id)
        return id
    }
}

extension Repository {
    /// Returns the id of `root` with each path set to a blob (mode 100644) or deleted (nil).
    /// Only the trees along changed paths are rewritten, so the cost follows the change, not
    /// the size of the store. Subtrees that become empty are dropped; deleting an absent path
    /// is a no-op. `root` nil means start from an empty tree.
    public func updatingTree(_ root: ObjectID?, set changes: [(path: String, blob: ObjectID?)]) throws -> ObjectID {
        let plan = TreePlan()
        for change in changes {
            let components = change.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard components.allSatisfy(isValidEntryName) else {
                throw GitError(code: .invalid, message: "invalid tree path '\(change.path)'", operation: "updatingTree")
            }
            try plan.add(components[...], blob: change.blob, path: change.path)
        }
        return try apply(plan, to: root, isRoot: true)!
    }

    private func apply(_ plan: TreePlan, to base: ObjectID?, isRoot: Bool) throws -> ObjectID? {
        let builder = try TreeBuilder(repository: self, base: base)
        for (name, blob) in plan.files {
            if let blob {
                try builder.insert(name: name, id: blob, mode: .blob)
            } else {
                try builder.remove(name: name)
            }
        }
        for (name, child) in plan.directories {
            let existing = builder.entry(named: name)
            let childBase = existing?.kind == .tree ? existing?.id : nil
            if let newChild = try apply(child, to: childBase, isRoot: false) {
                if newChild != existing?.id { try builder.insert(name: name, id: newChild, mode: .tree) }
            } else {
                try builder.remove(name: name)
            }
        }
        if builder.count == 0 && !isRoot { return nil }
        return try builder.write()
    }
}

/// Names libgit2 refuses in a tree (it reports them as a generic error), checked up front so
/// that callers get `.invalid`.
func isValidEntryName(_ name: String) -> Bool {
    !name.isEmpty && name != "." && name != ".." && name.lowercased() != ".git"
        && !name.utf8.contains(UInt8(ascii: "/")) && !name.utf8.contains(0)
}

/// The requested changes grouped by directory, so that each tree is rewritten once.
private final class TreePlan {
    var files: [String: ObjectID?] = [:]
    var directories: [String: TreePlan] = [:]

    var isEmpty: Bool { files.isEmpty && directories.isEmpty }

    func add(_ components: ArraySlice<String>, blob: ObjectID?, path: String) throws {
        let name = components.first!
        // Deleting a file and filling a folder of the same name is fine (a file became a
        // folder); setting both is not.
        if components.count == 1 {
            guard directories[name] == nil || blob == nil else { throw conflict(path) }
            files[name] = .some(blob)
        } else {
            if case .some(.some) = files[name] { throw conflict(path) }
            let child = directories[name] ?? TreePlan()
            directories[name] = child
            try child.add(components.dropFirst(), blob: blob, path: path)
        }
    }

    private func conflict(_ path: String) -> GitError {
        GitError(
            code: .invalid, message: "'\(path)' is both a file and a directory in one update",
            operation: "updatingTree")
    }
}
