import Foundation
import Git
import LegacyFormats
import SessionModel

/// A git store at one revision (`REPO@REV`, a bare repository path, or a work tree path meaning
/// its HEAD) as a ``SessionSource`` for `diff` and `replay`.
///
/// Handles carry the blob id as a `git-blob` digest, so equal sessions on two revisions are
/// never read. Against another git revision whose commit this repository can read (the same
/// repository, or another one whose objects were fetched into it) it precompares with a tree
/// diff: only shard trees and session blobs that differ are read, so the cost follows the
/// change, not the size of the store.
///
/// The tree diff is done here on the store's fixed layout rather than with
/// `Repository.changedPaths(from:to:)` because `diff` must also report how many sessions are
/// identical: walking the shards once gives both, where `changedPaths` and a count would read
/// every changed shard twice (libgit2 does not cache trees of that size), and because the
/// shards can be compared in parallel. `scripts/bench-diff` (100,000 sessions, 1% changed):
/// 2.27x git's `diff-tree --stat` with `changedPaths` and a count, 1.16x now.
public final class GitSessionSource: PrecomparingSessionSource, @unchecked Sendable {
    /// The repository folder as named.
    public let path: String
    /// The revision as named (`HEAD` when none was given).
    public let revision: String
    public let commit: ObjectID
    public let tree: ObjectID
    /// The resolved git directory, to recognize two sources of one repository.
    public let gitDirectory: String
    /// Where objects are read from: `path`, or for a revision fetched into another repository
    /// and compared there, that repository.
    let objectsPath: String

    // libgit2 handles are thread-confined and `load` runs on several threads at once: each
    // call borrows a handle no other thread is using, and returns it afterwards.
    private let pool: Locked<[Repository]>

    /// Opens `REPO[@REV]`; throws a ``FormatError`` when the revision does not exist.
    public init(address: String) throws {
        let (path, revision) = GitStoreView.parseAddress(address)
        let repo = try Repository.open(at: path)
        let rev = revision ?? "HEAD"
        let commit: ObjectID
        do {
            commit = try repo.revparse(rev + "^{commit}")
        } catch {
            throw FormatError(file: path, location: rev, reason: "no such revision in the repository")
        }
        self.path = path
        self.revision = rev
        self.commit = commit
        self.tree = try repo.commit(commit).tree
        self.gitDirectory = FileReading.realPath(repo.gitDirectory) ?? repo.gitDirectory
        self.objectsPath = path
        self.pool = Locked([repo])
    }

    /// A source for `address` when it names a git repository (with or without `@REV`), else nil.
    public static func openIfRepository(_ address: String) throws -> GitSessionSource? {
        let (path, _) = GitStoreView.parseAddress(address)
        guard (try? Repository.open(at: path)) != nil else { return nil }
        return try GitSessionSource(address: address)
    }

    public var displayName: String { path + "@" + revision }

    /// Runs `body` with a repository handle that no other thread holds meanwhile.
    func withRepository<R>(_ body: (Repository) throws -> R) throws -> R {
        let repo = try pool.withLock { $0.popLast() } ?? Repository.open(at: objectsPath)
        defer { pool.withLock { $0.append(repo) } }
        return try body(repo)
    }

    func location(_ storePath: String) -> String { displayName + ":" + storePath }

    func handle(_ sessionID: String, blob: ObjectID) -> SessionHandle {
        SessionHandle(
            sessionID: sessionID, digest: SessionDigest(scheme: "git-blob", value: blob.hex),
            location: location(Session.storePath(for: sessionID)))
    }

    public func listing() throws -> SourceListing {
        let blobs = try withRepository { try GitStoreReader.sessionBlobs(in: $0, tree: tree) }
        return SourceListing(handles: blobs.keys.sorted().map { handle($0, blob: blobs[$0]!) })
    }

    public func load(_ handle: SessionHandle) throws -> Session {
        let bytes: [UInt8] = try withRepository { repo in
            if let digest = handle.digest, digest.scheme == "git-blob", let id = ObjectID(hex: digest.value) {
                return try repo.blob(id)
            }
            guard let entry = try repo.entry(atPath: Session.storePath(for: handle.sessionID), inTree: tree) else {
                throw FormatError(file: handle.location, location: "", reason: "no such session at \(revision)")
            }
            return try repo.blob(entry.id)
        }
        // Decoded, not validated byte for byte: diff and replay compare values, and a store's
        // exact bytes are `validate REPO@REV`'s business (the re-serialization it needs is a
        // good part of the cost of a diff between two revisions).
        let issues: [ValidationIssue]
        var session: Session?
        do {
            (session, issues) = SessionValidator.decode(try JSONReader.read(bytes, options: .strict).value)
        } catch {
            throw FormatError(
                file: handle.location, location: "line \(error.line) column \(error.column)", reason: error.reason)
        }
        guard let session, session.sessionID == handle.sessionID else {
            let reason = session.map { "session id \"\($0.sessionID)\" does not match the file name" }
            throw FormatError(
                file: handle.location, location: issues.first?.location ?? "/session_id",
                reason: reason ?? issues.first?.reason ?? "not a valid sessionsync/1 file")
        }
        return session
    }

    /// Uses a tree diff when `other` is a git revision whose commit this repository holds.
    public func precompare(with other: any SessionSource) throws -> StorePrecomparison? {
        guard let other = other as? GitSessionSource else { return nil }
        let shards: (a: [String: ObjectID], b: [String: ObjectID])? = try withRepository { repo in
            // Another repository's revision is comparable here once its objects were fetched
            // into this one (`git fetch`); reading its commit is the cheapest proof.
            if other.gitDirectory != gitDirectory {
                guard (try? repo.commit(other.commit)) != nil else { return nil }
            }
            return (try Self.shards(repo, tree), try Self.shards(repo, other.tree))
        }
        guard let shards else { return nil }
        let otherSource = other.gitDirectory == gitDirectory ? other : try GitSessionSource(sharing: self, as: other)
        let names = Set(shards.a.keys).union(shards.b.keys).sorted()
        // Shards are independent: they are compared on all cores, each worker with its own
        // repository handle (inflating trees is most of the work).
        let results = Locked([Result<StorePrecomparison, any Error>?](repeating: nil, count: names.count))
        parallelForEach(count: names.count, jobs: defaultJobCount) { i in
            let result = Result {
                try self.withRepository { repo in
                    try Self.compareShard(
                        repo, names[i], shards.a[names[i]], shards.b[names[i]], a: self, b: otherSource)
                }
            }
            results.withLock { $0[i] = result }
        }
        var plan = StorePrecomparison(onlyInA: [], onlyInB: [], candidates: [], identical: 0)
        for result in results.withLock({ $0 }) {
            guard let part = try result?.get() else { continue }
            plan.onlyInA += part.onlyInA
            plan.onlyInB += part.onlyInB
            plan.candidates += part.candidates
            plan.identical += part.identical
        }
        return plan
    }

    /// The shard trees (`sessions/xx`) of a revision's tree, by name.
    static func shards(_ repo: Repository, _ tree: ObjectID) throws -> [String: ObjectID] {
        guard let sessions = try repo.entry(atPath: "sessions", inTree: tree), sessions.kind == .tree else {
            return [:]
        }
        var out: [String: ObjectID] = [:]
        for shard in try repo.tree(sessions.id) where shard.kind == .tree { out[shard.name] = shard.id }
        return out
    }

    /// One shard of the tree diff, which also counts identical sessions: a shard with equal
    /// ids on both sides is read once, only to count it; a shard that differs is read once per
    /// side and its files matched by name. Nothing else in the trees is read.
    static func compareShard(
        _ repo: Repository, _ shard: String, _ treeA: ObjectID?, _ treeB: ObjectID?, a: GitSessionSource,
        b: GitSessionSource
    ) throws -> StorePrecomparison {
        func sessions(_ id: ObjectID?) throws -> [(id: String, blob: ObjectID)] {
            guard let id else { return [] }
            return try repo.tree(id).compactMap { file in
                guard file.kind == .blob, file.name.hasSuffix(".json"), file.name.hasPrefix(shard) else { return nil }
                return (String(file.name.dropLast(5)), file.id)
            }
        }
        var plan = StorePrecomparison(onlyInA: [], onlyInB: [], candidates: [], identical: 0)
        if treeA == treeB {
            plan.identical = try sessions(treeA).count
            return plan
        }
        var inB: [String: ObjectID] = [:]
        for (id, blob) in try sessions(treeB) { inB[id] = blob }
        for (id, blob) in try sessions(treeA) {
            guard let other = inB.removeValue(forKey: id) else {
                plan.onlyInA.append(a.handle(id, blob: blob))
                continue
            }
            if other == blob {
                plan.identical += 1
            } else {
                plan.candidates.append((a.handle(id, blob: blob), b.handle(id, blob: other)))
            }
        }
        for id in inB.keys.sorted() { plan.onlyInB.append(b.handle(id, blob: inB[id]!)) }
        return plan
    }

    /// `other`'s revision read through this source's repository (which holds its objects).
    private init(sharing base: GitSessionSource, as other: GitSessionSource) throws {
        path = other.path
        revision = other.revision
        commit = other.commit
        tree = other.tree
        gitDirectory = base.gitDirectory
        // The blob ids came from `base`'s tree diff, so they are read where that diff ran.
        objectsPath = base.objectsPath
        pool = Locked([])
    }
}
