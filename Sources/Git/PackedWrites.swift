import CLibgit2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one `PackedWriteSession.flush()` wrote.
public struct PackFlushResult: Sendable, Hashable {
    /// Objects written into the pack (objects that already existed on disk are not repacked).
    public let objectCount: Int
    /// The pack's base name (`pack-<hex>`, under `objects/pack`), nil if there was nothing to write.
    public let packName: String?
}

/// A batch of object writes kept in memory and written as one pack per `flush()`.
///
/// Writing one loose file per object caps a bulk import at a few hundred commits per second;
/// a pack per batch of thousands of commits does not. While the session is active, every
/// object written through the repository (blobs, trees, commits) goes into libgit2's mempack
/// backend, installed ahead of the on-disk backends, and stays readable there.
///
/// Contract: move a reference to a batch object only after the `flush()` that wrote it has
/// returned (`updateReference` enforces this). Objects that are never flushed (the body threw)
/// are dropped, which leaves the repository exactly as valid as before; their ids must not be
/// used afterwards (this handle's object cache may still answer for them).
///
/// Why not `git_mempack_dump`: in libgit2 1.5 it packs what is reachable from the batch's
/// commits by walking each commit's whole tree, so it repacks objects already on disk, costs
/// commits × store size, and silently drops blobs and trees no commit reaches. Instead the
/// ids written through this module are recorded, filtered to those still only in memory, and
/// handed to a packbuilder, whose `git_packbuilder_write` also runs the indexer for the `.idx`.
public final class PackedWriteSession {
    /// The batch's object database and its mempack backend, owned while the batch runs.
    final class State {
        /// Owned by `batchODB`, which frees it; never used after `batchODB` is released.
        let mempack: UnsafeMutablePointer<git_odb_backend>
        let batchODB: Handle
        let originalODB: Handle
        private(set) var written: [ObjectID] = []

        init(mempack: UnsafeMutablePointer<git_odb_backend>, batchODB: Handle, originalODB: Handle) {
            self.mempack = mempack
            self.batchODB = batchODB
            self.originalODB = originalODB
        }

        func noteWritten(_ id: ObjectID) { written.append(id) }

        func holdsUnflushed(_ id: ObjectID) -> Bool {
            var oid = id.oid
            return batchODB.with { _ in sessionsync_git_backend_exists(mempack, &oid) != 0 }
        }

        /// Empties the mempack; ids noted so far are forgotten.
        func reset() {
            batchODB.with { _ in _ = git_mempack_reset(mempack) }
            written.removeAll(keepingCapacity: true)
        }
    }

    private let repository: Repository
    private let state: State

    /// Installs a fresh object database (the on-disk backends plus a mempack with the highest
    /// priority) as the repository's. A separate database is used because libgit2 1.5 cannot
    /// remove a backend: the mempack must disappear with the batch, or later writes would be lost.
    fileprivate init(repository: Repository) throws {
        self.repository = repository
        var original: OpaquePointer?
        try repository.raw { try check(git_repository_odb(&original, $0), "git_repository_odb") }
        let originalODB = Handle(original!, free: git_odb_free)
        var batch: OpaquePointer?
        try check(git_odb_open(&batch, repository.objectsDirectory), "git_odb_open")
        let batchODB = Handle(batch!, free: git_odb_free)
        var backend: UnsafeMutablePointer<git_odb_backend>?
        try check(git_mempack_new(&backend), "git_mempack_new")
        try batchODB.with { odb in
            let result = git_odb_add_backend(odb, backend, 1_000)
            if result < 0, let free = backend!.pointee.free { free(backend) }
            try check(result, "git_odb_add_backend(mempack)")
            try repository.raw { try check(git_repository_set_odb($0, odb), "git_repository_set_odb(batch)") }
        }
        state = State(mempack: backend!, batchODB: batchODB, originalODB: originalODB)
        repository.batch = state
    }

    fileprivate func uninstall() {
        state.reset()
        repository.batch = nil
        state.originalODB.with { odb in
            repository.raw { _ = git_repository_set_odb($0, odb) }
            // The pack backend of the original database must see the packs written meanwhile.
            _ = git_odb_refresh(odb)
        }
    }

    /// Objects written since the last flush that are only in memory.
    public var pendingObjectCount: Int {
        Set(state.written).count { state.holdsUnflushed($0) }
    }

    /// Writes every object of the batch that is only in memory as one pack and index under
    /// `objects/pack`, fsyncs them (unless `durable` is false), then empties the memory store.
    /// Only after this returns may references be moved to these objects.
    @discardableResult
    public func flush(durable: Bool = true) throws -> PackFlushResult {
        var seen = Set<ObjectID>()
        let pending = state.written.filter { seen.insert($0).inserted && state.holdsUnflushed($0) }
        guard !pending.isEmpty else {
            state.reset()
            return PackFlushResult(objectCount: 0, packName: nil)
        }
        let packDirectory = repository.objectsDirectory + "/pack"
        var builder: OpaquePointer?
        try repository.raw { try check(git_packbuilder_new(&builder, $0), "git_packbuilder_new") }
        let packName = try Handle(builder!, free: git_packbuilder_free).with { builder in
            // 0 = one thread per CPU for the delta search.
            _ = git_packbuilder_set_threads(builder, 0)
            for id in pending {
                var oid = id.oid
                try check(git_packbuilder_insert(builder, &oid, nil), "git_packbuilder_insert(\(id))")
            }
            try check(git_packbuilder_write(builder, packDirectory, 0, nil, nil), "git_packbuilder_write")
            return "pack-" + String(cString: git_packbuilder_name(builder))
        }
        if durable {
            try fsync(path: "\(packDirectory)/\(packName).pack")
            try fsync(path: "\(packDirectory)/\(packName).idx")
            try fsync(path: packDirectory)
        }
        try state.batchODB.with { try check(git_odb_refresh($0), "git_odb_refresh") }
        state.reset()
        return PackFlushResult(objectCount: pending.count, packName: packName)
    }

    private func fsync(path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw GitError(
                code: .other(-1), message: "cannot open for fsync (errno \(errno))", operation: "fsync(\(path))")
        }
        defer { close(descriptor) }
        #if canImport(Glibc)
            let result = Glibc.fsync(descriptor)
        #else
            let result = Darwin.fsync(descriptor)
        #endif
        guard result == 0 else {
            throw GitError(code: .other(-1), message: "fsync failed (errno \(errno))", operation: "fsync(\(path))")
        }
    }
}

extension Repository {
    /// Runs `body` with object writes batched in memory (see `PackedWriteSession`). Call
    /// `flush()` before moving references to what `body` wrote; whatever is still pending when
    /// `body` returns is flushed then, and dropped if `body` throws. Not reentrant.
    public func withPackedWrites<R>(_ body: (PackedWriteSession) throws -> R) throws -> R {
        guard batch == nil else {
            throw GitError(
                code: .invalid, message: "packed write sessions cannot be nested", operation: "withPackedWrites")
        }
        let session = try PackedWriteSession(repository: self)
        defer { session.uninstall() }
        let result = try body(session)
        try session.flush()
        return result
    }
}
