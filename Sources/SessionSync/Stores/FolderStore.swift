import Foundation
import LegacyFormats
import SessionModel

/// A canonical folder store (SPEC 3): `sessions/<first two hex>/<id>.json` under a root.
public final class FolderStore: SessionSink, @unchecked Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public var destination: String { "folder:" + root }

    /// Where the session's file lives.
    public func path(of sessionID: String) -> String { root + "/" + Session.storePath(for: sessionID) }

    public func runStarting() { shardsBeforeRun.withLock { $0 = nil } }

    public func existingDigest(of sessionID: String) throws -> String? {
        // A session whose shard folder did not exist when the run started had no file: no
        // failed open for it (on a new store, that is every session).
        let shard = String(sessionID.prefix(2))
        guard shardsAtRunStart().contains(shard) else { return nil }
        return (try? FileReading.read(path(of: sessionID))).map { Digest.sha256Hex($0) }
    }

    /// The shard folders under `sessions/` as the run found them, listed once, on the run's
    /// first question (every ``store(_:previouslyAbsent:)`` of a run comes after its session's
    /// question, so no folder this run makes is among them).
    private func shardsAtRunStart() -> Set<String> {
        shardsBeforeRun.withLock { known in
            if let known { return known }
            let listed = Set((try? FileManager.default.contentsOfDirectory(atPath: root + "/sessions")) ?? [])
            known = listed
            return listed
        }
    }

    private let shardsBeforeRun = Locked<Set<String>?>(nil)

    /// Each file is replaced atomically (a kill leaves the old or the new file); durability
    /// comes from one file-system flush at the end of the run (started in
    /// `conversionFinished`, awaited in `finish`), not an fsync per file.
    public func store(_ migrated: MigratedSession) throws { try store(migrated, previouslyAbsent: false) }

    /// A session the folder did not hold before the run is written without reading the file
    /// first (it cannot hold these bytes): one failed open less per new session.
    public func store(_ migrated: MigratedSession, previouslyAbsent: Bool) throws {
        let file = path(of: migrated.session.sessionID)
        let shard = PathText.parent(file)
        let known = written.withLock { $0.shards.contains(shard) }
        if !known { try FileManager.default.createDirectory(atPath: shard, withIntermediateDirectories: true) }
        let changed = try AtomicFile.write(
            migrated.bytes, to: file, durable: false, directoryExists: true, compare: !previouslyAbsent)
        written.withLock {
            $0.shards.insert(shard)
            if changed { $0.any = true }
        }
    }

    /// Shard folders known to exist (so each is created and stat'ed once per run), and whether
    /// any file changed (so an unchanged re-run does not flush the disk).
    private let written = Locked((shards: Set<String>(), any: false))

    /// Starts the run's one flush to disk on a thread of its own, so that it overlaps the
    /// report's passes over the inputs (the flush waits on the disk, the report on the CPU).
    public func conversionFinished() {
        guard written.withLock({ $0.any }) else { return }
        let group = DispatchGroup()
        group.enter()
        let root = self.root
        Thread {
            AtomicFile.syncFileSystem(of: root)
            group.leave()
        }.start()
        flushing.withLock { $0 = group }
    }

    public func finish(report: inout MigrationReport, progress: (any ProgressSink)?) throws {
        if let started = flushing.withLock({ $0 }) {
            started.wait()
        } else if written.withLock({ $0.any }) {
            AtomicFile.syncFileSystem(of: root)
        }
    }

    /// The flush started by `conversionFinished`, if any.
    private let flushing = Locked<DispatchGroup?>(nil)

    /// Every `*.json` under `sessions/`, sorted by path.
    public func sessionFiles() -> [String] {
        let base = root + "/sessions"
        guard let shards = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        var out: [String] = []
        for shard in shards.sorted() {
            let dir = base + "/" + shard
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            out += names.filter { $0.hasSuffix(".json") }.sorted().map { dir + "/" + $0 }
        }
        return out
    }

    /// Whether `path` looks like a canonical folder store (has a `sessions/` folder of shards).
    public static func isStore(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path + "/sessions", isDirectory: &isDirectory)
            && isDirectory.boolValue
    }
}

/// A sink that writes nothing: `--dry-run`. Still reports what the store holds, so the plan
/// says which sessions would change.
public final class DryRunSink: SessionSink, @unchecked Sendable {
    let inner: (any SessionSink)?

    public init(wrapping inner: (any SessionSink)?) { self.inner = inner }

    public func runStarting() { inner?.runStarting() }

    public var destination: String { inner?.destination ?? "none" }

    public func existingDigest(of sessionID: String) throws -> String? { try inner?.existingDigest(of: sessionID) }

    public func store(_ migrated: MigratedSession) throws {}

    public func finish(report: inout MigrationReport, progress: (any ProgressSink)?) throws {}
}
