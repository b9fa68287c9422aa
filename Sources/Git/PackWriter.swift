import CLibgit2
import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes objects straight into one new pack per batch, for bulk imports.
///
/// `withPackedWrites` sends every object through libgit2's object database and packs the batch
/// with `git_packbuilder_write`, whose delta search costs about 280 µs per object. This writer
/// instead builds the pack stream itself as objects arrive, the way `git fast-import` does:
/// each object is hashed, deflated at zlib's fastest level and appended, as a delta against the
/// base the caller names (its previous version) when that is smaller. `flush` hands the stream
/// to libgit2's own indexer (`git_odb_write_pack`), which inflates and hashes every object
/// again, resolves every delta, checks the trailer and writes `.pack` and `.idx` into
/// `objects/pack`, so nothing this writer computed reaches the repository unverified.
///
/// Until `flush` returns, nothing is on disk: the repository cannot read these objects, and
/// references must not be moved to them (the contract of `PackedWriteSession`). A writer
/// dropped without flushing leaves the repository untouched. After a flush the writer is empty
/// and starts the next pack.
///
/// Deltas only use bases in this writer's current pack (OFS_DELTA), so every pack is
/// self-contained; chains are cut at `maximumDeltaDepth` so that reading stays cheap.
///
/// Not Sendable, like its `Repository`.
public final class PackWriter {
    /// Longest delta chain; an object whose base is this deep is stored whole.
    public static let maximumDeltaDepth = 50

    /// Raw bytes of the objects added since the last flush are kept (for deltas and `bytes(of:)`)
    /// up to this many bytes; past it the oldest are dropped first, which only means that a
    /// later object naming one of them as base is stored whole. The default holds a batch of a
    /// few thousand commits of 5 KB documents entirely.
    public var retainedBytesLimit = 64 << 20 {
        didSet { evictRetained() }
    }

    private struct Entry {
        let kind: ObjectKind
        /// Offset of the entry in the pack, header included (OFS_DELTA counts from it).
        let offset: Int
        /// 0 for a whole object, else 1 + the base's depth.
        let depth: Int
    }

    private static let packHeaderSize = 12

    private let repository: Repository
    private let deflater: Deflater
    /// The pack's entries, without its 12-byte header (which needs the final object count).
    private var body: [UInt8] = []
    private var entries: [ObjectID: Entry] = [:]
    private var retained: [ObjectID: [UInt8]] = [:]
    /// Ids in `retained`, oldest first, from `retainedHead` on.
    private var retainedOrder: [ObjectID] = []
    private var retainedHead = 0
    private var retainedBytes = 0

    /// A writer for `repository`, empty. It keeps the repository alive.
    public init(repository: Repository) throws {
        self.repository = repository
        deflater = try Deflater()
    }

    /// Objects added since the last flush.
    public var count: Int { entries.count }

    /// Whether `id` was added since the last flush (not whether the repository has it).
    public func contains(_ id: ObjectID) -> Bool { entries[id] != nil }

    /// The bytes of an object added since the last flush, or nil if it was not added or its
    /// bytes were dropped to stay within `retainedBytesLimit`.
    public func bytes(of id: ObjectID) -> [UInt8]? { retained[id] }

    /// Adds an object to the pack and returns its git id. With `deltaBase`, the object is stored
    /// as a delta against that object when the delta is less than half its size, provided the
    /// base was added to this writer since the last flush, has the same kind (a delta's
    /// result takes its base's type), is still retained and is not at the maximum depth;
    /// otherwise the base is ignored. Adding an object already in the pack stores nothing.
    @discardableResult
    public func add(_ kind: ObjectKind, _ bytes: [UInt8], deltaBase: ObjectID? = nil) throws -> ObjectID {
        let id = RawObject.id(of: kind, bytes)
        guard entries[id] == nil else { return id }
        let offset = Self.packHeaderSize + body.count
        var depth = 0
        if let deltaBase, let base = entries[deltaBase], base.kind == kind, base.depth < Self.maximumDeltaDepth,
            let baseBytes = retained[deltaBase],
            // Git's own threshold: a delta must at least halve the object to be worth a lookup chain.
            let delta = Delta.make(base: baseBytes, target: bytes, limit: bytes.count / 2 - 20)
        {
            appendEntryHeader(type: 6, size: delta.count)
            appendBaseDistance(offset - base.offset)
            try delta.withUnsafeBytes { try deflater.deflate($0, appendingTo: &body) }
            depth = base.depth + 1
        } else {
            appendEntryHeader(type: kind.packType, size: bytes.count)
            try bytes.withUnsafeBytes { try deflater.deflate($0, appendingTo: &body) }
        }
        entries[id] = Entry(kind: kind, offset: offset, depth: depth)
        retained[id] = bytes
        retainedOrder.append(id)
        retainedBytes += bytes.count
        evictRetained()
        return id
    }

    /// Writes the pack (nothing if the writer is empty): header, entries and SHA-1 trailer go
    /// through libgit2's indexer, which verifies every object and writes `.pack` and `.idx`
    /// under `objects/pack`; the repository's object database is refreshed so it reads them at
    /// once. With `durable`, pack, index and folder are fsynced before this returns. Only after
    /// it returns may references be moved to the objects. The writer is then empty.
    ///
    /// If it throws, nothing was added to the repository and the writer still holds the batch.
    @discardableResult
    public func flush(durable: Bool = true) throws -> PackFlushResult {
        guard !entries.isEmpty else { return PackFlushResult(objectCount: 0, packName: nil) }
        var header: [UInt8] = Array("PACK".utf8)
        appendBigEndian(2, to: &header)
        appendBigEndian(UInt32(entries.count), to: &header)
        var hasher = Insecure.SHA1()
        hasher.update(data: header)
        hasher.update(data: body)
        let trailer = Array(hasher.finalize())
        try repository.withODB { odb in
            var pointer: UnsafeMutablePointer<git_odb_writepack>?
            try check(git_odb_write_pack(&pointer, odb, nil, nil), "git_odb_write_pack")
            let writepack = WritePack(pointer!)
            var progress = git_indexer_progress()
            try withExtendedLifetime(writepack) {
                for part in [header, body, trailer] {
                    try part.withUnsafeBytes { raw in
                        try withNonNullBase(raw) { base in
                            try check(
                                sessionsync_git_writepack_append(writepack.pointer, base, raw.count, &progress),
                                "git_odb_writepack.append")
                        }
                    }
                }
                try check(sessionsync_git_writepack_commit(writepack.pointer, &progress), "git_odb_writepack.commit")
            }
            guard Int(progress.indexed_objects) == entries.count else {
                throw GitError(
                    code: .invalid,
                    message: "indexer saw \(progress.indexed_objects) objects, the pack holds \(entries.count)",
                    operation: "PackWriter.flush")
            }
            try check(git_odb_refresh(odb), "git_odb_refresh")
        }
        // libgit2 names a pack after its trailer checksum, as git does.
        let packName = "pack-" + ObjectID(bytes: trailer)!.hex
        let packDirectory = repository.objectsDirectory + "/pack"
        if durable {
            try syncToDisk("\(packDirectory)/\(packName).pack")
            try syncToDisk("\(packDirectory)/\(packName).idx")
            try syncToDisk(packDirectory)
        }
        let result = PackFlushResult(objectCount: entries.count, packName: packName)
        reset()
        return result
    }

    private func reset() {
        body.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        retained.removeAll(keepingCapacity: true)
        retainedOrder.removeAll(keepingCapacity: true)
        retainedHead = 0
        retainedBytes = 0
    }

    private func evictRetained() {
        while retainedBytes > retainedBytesLimit && retainedHead < retainedOrder.count {
            let id = retainedOrder[retainedHead]
            retainedHead += 1
            retainedBytes -= retained.removeValue(forKey: id)?.count ?? 0
        }
        // Drop the consumed front now and then, so the queue does not grow with the batch.
        if retainedHead > 4_096 && retainedHead * 2 > retainedOrder.count {
            retainedOrder.removeFirst(retainedHead)
            retainedHead = 0
        }
    }

    /// `1tttssss` then 7 bits per byte, low bits first: the type and inflated size of an entry.
    private func appendEntryHeader(type: UInt8, size: Int) {
        var byte = type << 4 | UInt8(size & 0x0f)
        var rest = size >> 4
        while rest > 0 {
            body.append(byte | 0x80)
            byte = UInt8(rest & 0x7f)
            rest >>= 7
        }
        body.append(byte)
    }

    /// How far back the base starts, in OFS_DELTA's encoding: big-endian groups of 7 bits
    /// where each continued group is stored minus one (so that no two encodings are equal).
    private func appendBaseDistance(_ distance: Int) {
        var groups: [UInt8] = [UInt8(distance & 0x7f)]
        var rest = distance >> 7
        while rest > 0 {
            rest -= 1
            groups.append(0x80 | UInt8(rest & 0x7f))
            rest >>= 7
        }
        body.append(contentsOf: groups.reversed())
    }

    private func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    private func syncToDisk(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw GitError(
                code: .other(-1), message: "cannot open for fsync (errno \(errno))", operation: "fsync(\(path))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw GitError(code: .other(-1), message: "fsync failed (errno \(errno))", operation: "fsync(\(path))")
        }
    }
}

/// Pack writers hold a thread-confined `Repository`.
@available(*, unavailable)
extension PackWriter: Sendable {}

/// The single owner of a `git_odb_writepack`; freeing one that was not committed makes libgit2
/// delete its temporary pack file.
private final class WritePack {
    let pointer: UnsafeMutablePointer<git_odb_writepack>

    init(_ pointer: UnsafeMutablePointer<git_odb_writepack>) { self.pointer = pointer }

    deinit { sessionsync_git_writepack_free(pointer) }
}
