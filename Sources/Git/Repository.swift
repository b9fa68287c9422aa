import CLibgit2

// The Git layer: the only module that imports CLibgit2. Everything SessionSync does with git
// goes through `Repository`; no C type appears in this module's public API.
//
// Public API (all throwing functions throw `GitError`):
//
//   Values (Sendable): ObjectID, Signature, TreeEntry, FileMode, CommitInfo, PathChange,
//   PathRevision, GitError, PackFlushResult, ObjectKind.
//
//   Repository (one handle per thread; open one per worker):
//     static func create(at:bare:initialBranch:) throws -> Repository
//     static func open(at:) throws -> Repository
//     static func openOrCreate(at:bare:initialBranch:) throws -> Repository
//     var isBare: Bool; var workdir: String?; var gitDirectory: String
//     func setConfig(_:_:) throws; func configString(_:) throws -> String?
//     func unsetConfig(_:) throws; func setReflogIdentity(name:email:) throws
//     static func setFsyncEnabled(_:) throws                       (process-wide)
//   Objects (no index involved):
//     func writeBlob(_: [UInt8]) / writeBlob(_: UnsafeRawBufferPointer) throws -> ObjectID
//     func hashBlob(_: [UInt8]) throws -> ObjectID
//     func blob(_:) throws -> [UInt8]
//     func tree(_:) throws -> [TreeEntry]
//     func entry(atPath:inTree:) throws -> TreeEntry?
//     func emptyTree() throws -> ObjectID
//     func updatingTree(_:set:) throws -> ObjectID        (nested paths, nil blob = delete)
//     TreeBuilder(repository:base:) .insert(name:id:mode:) .remove(name:) .write()
//   Commits:
//     func createCommit(tree:parents:author:committer:message:) throws -> ObjectID  (moves no ref)
//     func commit(_:) throws -> CommitInfo
//   References:
//     func referenceTarget(_:) throws -> ObjectID?
//     var headReferenceName: String? { get throws }
//     func updateReference(_:to:expecting:logMessage:) throws          (atomic compare-and-swap)
//     func isAncestor(_:of:) throws -> Bool; func mergeBase(_:_:) throws -> ObjectID?
//     func revparse(_:) throws -> ObjectID; func revparseTree(_:) throws -> ObjectID
//   History and diffs:
//     func log(from:hiding:limit:) throws -> [ObjectID]              (newest first)
//     func commits(touching:from:limit:) throws -> [PathRevision]
//     func changedPaths(from:to:) throws -> [PathChange]             (cost follows the change)
//   Work tree:
//     func checkoutIfBranchCheckedOut(branch:oldTree:newTree:) throws -> Bool
//   Bulk writes:
//     func withPackedWrites(_: (PackedWriteSession) throws -> R) throws -> R
//     PackedWriteSession.flush() throws -> PackFlushResult
//     PackWriter(repository:)                  (raw objects straight into one pack per batch)
//       .add(_: ObjectKind, _: [UInt8], deltaBase:) throws -> ObjectID
//       .contains(_:) -> Bool; .count; .bytes(of:) -> [UInt8]?; .retainedBytesLimit
//       .flush(durable:) throws -> PackFlushResult
//     RawObject.tree(entries:) / .commit(tree:parents:author:committer:message:) -> [UInt8]
//     RawObject.id(of:_:) -> ObjectID; ObjectKind (.blob, .tree, .commit)
//
// Contract for bulk writes: objects written inside `withPackedWrites` live in memory until
// `flush()` writes them to disk as one pack. A reference may only be moved to an object once
// the flush containing it has returned; `updateReference` refuses an unflushed target, so a
// crash can never leave a ref pointing at an object that is not on disk. The same holds for a
// `PackWriter`: its objects are on disk once `flush()` has returned (until then libgit2's
// strict object creation refuses a reference to them, as they are not in the object database).
//
// Determinism: signatures and times are always explicit, the initial branch is always explicit,
// and libgit2 is told not to read the system, XDG or global config (see `libgit2Ready`).

/// An open git repository. Not Sendable: libgit2 repository handles must not be shared across
/// threads, so parallel code opens one `Repository` per worker.
public final class Repository {
    let handle: Handle
    /// The in-memory object store of an active `withPackedWrites`, if any.
    var batch: PackedWriteSession.State?

    private init(pointer: OpaquePointer) {
        handle = Handle(pointer, free: git_repository_free)
    }

    /// Lends the raw `git_repository *` for the duration of `body` only.
    func raw<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        try handle.with(body)
    }

    /// Creates a new repository whose HEAD points at `initialBranch` (`main` or
    /// `refs/heads/main`), whatever `init.defaultBranch` says. Fails with `.exists` if a
    /// repository is already there.
    public static func create(at path: String, bare: Bool, initialBranch: String) throws -> Repository {
        _ = libgit2Ready
        let head = initialBranch.hasPrefix("refs/") ? initialBranch : "refs/heads/" + initialBranch
        guard git_reference_is_valid_name(head) == 1 else {
            throw GitError(code: .invalid, message: "invalid branch name '\(initialBranch)'", operation: "create")
        }
        var options = git_repository_init_options()
        try check(
            git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
            "git_repository_init_options_init")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
        if bare { options.flags |= GIT_REPOSITORY_INIT_BARE.rawValue }
        var pointer: OpaquePointer?
        try head.withCString { headName in
            options.initial_head = headName
            try check(git_repository_init_ext(&pointer, path, &options), "git_repository_init_ext(\(path))")
        }
        return Repository(pointer: pointer!)
    }

    /// Opens the repository at exactly `path` (its work tree or its git directory); never
    /// searches parent directories, so a store path cannot silently resolve to an enclosing
    /// repository.
    public static func open(at path: String) throws -> Repository {
        _ = libgit2Ready
        var pointer: OpaquePointer?
        try check(
            git_repository_open_ext(&pointer, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
            "git_repository_open_ext(\(path))")
        return Repository(pointer: pointer!)
    }

    /// Opens the repository at `path`, creating it if there is none.
    public static func openOrCreate(at path: String, bare: Bool, initialBranch: String) throws -> Repository {
        do {
            return try open(at: path)
        } catch let error as GitError where error.code == .notFound {
            return try create(at: path, bare: bare, initialBranch: initialBranch)
        }
    }

    public var isBare: Bool { raw { git_repository_is_bare($0) == 1 } }

    /// The work tree with a trailing `/`, or nil for a bare repository.
    public var workdir: String? {
        raw { git_repository_workdir($0).map { String(cString: $0) } }
    }

    /// The `.git` directory (or the bare repository itself), with a trailing `/`.
    public var gitDirectory: String {
        raw { String(cString: git_repository_path($0)) }
    }

    /// Where objects live; shared between linked work trees.
    var objectsDirectory: String {
        raw { String(cString: git_repository_commondir($0)) } + "objects"
    }

    // MARK: Config

    /// The repository's own config file (`.git/config`); never the user's or the system's.
    private func localConfig() throws -> Handle {
        try raw { repo in
            var all: OpaquePointer?
            try check(git_repository_config(&all, repo), "git_repository_config")
            let allHandle = Handle(all!, free: git_config_free)
            var local: OpaquePointer?
            try allHandle.with { config in
                try check(
                    git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL),
                    "git_config_open_level(local)")
            }
            return Handle(local!, free: git_config_free)
        }
    }

    /// Sets `key` (e.g. `diff.sessionsync.command`) in the repository's own config file.
    public func setConfig(_ key: String, _ value: String) throws {
        try localConfig().with { config in
            try check(git_config_set_string(config, key, value), "git_config_set_string(\(key))")
        }
    }

    /// The value of `key` in the repository's own config file, or nil if unset.
    public func configString(_ key: String) throws -> String? {
        try localConfig().with { config in
            var buffer = git_buf()
            let result = git_config_get_string_buf(&buffer, config, key)
            if result == GIT_ENOTFOUND.rawValue {
                git_error_clear()
                return nil
            }
            try check(result, "git_config_get_string_buf(\(key))")
            return String(decoding: takeBuffer(&buffer), as: UTF8.self)
        }
    }

    /// Removes `key` from the repository's own config file; no error if it was not set.
    public func unsetConfig(_ key: String) throws {
        try localConfig().with { config in
            let result = git_config_delete_entry(config, key)
            if result == GIT_ENOTFOUND.rawValue {
                git_error_clear()
                return
            }
            try check(result, "git_config_delete_entry(\(key))")
        }
    }

    /// Makes libgit2 fsync every object, pack, index and reference file it writes (it does not
    /// by default). Process-wide, because libgit2 only has a global switch; packs written by
    /// `PackedWriteSession.flush()` are fsynced either way.
    public static func setFsyncEnabled(_ enabled: Bool) throws {
        _ = libgit2Ready
        try check(sessionsync_git_enable_fsync_gitdir(enabled ? 1 : 0), "git_libgit2_opts(ENABLE_FSYNC_GITDIR)")
    }

    /// The identity written into reflog entries. Without it libgit2 would look for `user.name`
    /// in the (deliberately ignored) user config and fall back to "unknown".
    public func setReflogIdentity(name: String, email: String) throws {
        try raw { try check(git_repository_set_ident($0, name, email), "git_repository_set_ident") }
    }
}

/// Repository handles are thread-confined; this makes any attempt to send one a compile error.
@available(*, unavailable)
extension Repository: Sendable {}
