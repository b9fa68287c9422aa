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
        let (session, issues) = SessionValidator.validate(fileBytes: bytes, fileStem: handle.sessionID)
        guard let session, session.sessionID == handle.sessionID else {
            let issue = issues.first { $0.location == "/session_id" } ?? issues.first
            throw FormatError(
                file: handle.location, location: issue?.location ?? "", reason: issue?.reason ?? "not a valid sessionsync/1 file")
        }
        return session
    }

    /// Uses a tree diff when `other` is a git revision whose commit this repository holds.
    public func precompare(with other: any SessionSource) throws -> StorePrecomparison? {
        guard let other = other as? GitSessionSource else { return nil }
        return try withRepository { repo -> StorePrecomparison? in
            // Another repository's revision is comparable here once its objects were fetched
            // into this one (`git fetch`); reading its commit is the cheapest proof.
            if other.gitDirectory != gitDirectory {
                guard (try? repo.commit(other.commit)) != nil else { return nil }
            }
            let otherSource = other.gitDirectory == gitDirectory ? other : try GitSessionSource(sharing: self, as: other)
            var onlyA: [SessionHandle] = []
            var onlyB: [SessionHandle] = []
            var candidates: [(a: SessionHandle, b: SessionHandle)] = []
            for change in try repo.changedPaths(from: tree, to: other.tree) {
                guard let id = Self.sessionID(ofStorePath: change.path) else { continue }
                switch (change.old, change.new) {
                case (let old?, let new?): candidates.append((handle(id, blob: old), otherSource.handle(id, blob: new)))
                case (let old?, nil): onlyA.append(handle(id, blob: old))
                case (nil, let new?): onlyB.append(otherSource.handle(id, blob: new))
                case (nil, nil): break
                }
            }
            // Identical sessions are counted, never read: A's session count comes from its
            // shard trees alone, which the tree diff has just read (libgit2 caches them).
            let total = try Self.sessionCount(in: repo, tree: tree)
            return StorePrecomparison(
                onlyInA: onlyA, onlyInB: onlyB, candidates: candidates, identical: total - onlyA.count - candidates.count)
        }
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

    /// The session id of `sessions/xx/<id>.json`, or nil for any other path.
    static func sessionID(ofStorePath path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "sessions", parts[2].hasSuffix(".json") else { return nil }
        let id = String(parts[2].dropLast(5))
        guard id.hasPrefix(parts[1]) else { return nil }
        return id
    }

    static func sessionCount(in repo: Repository, tree: ObjectID) throws -> Int {
        guard let sessions = try repo.entry(atPath: "sessions", inTree: tree), sessions.kind == .tree else { return 0 }
        var n = 0
        for shard in try repo.tree(sessions.id) where shard.kind == .tree {
            for file in try repo.tree(shard.id) where file.kind == .blob && file.name.hasSuffix(".json") { n += 1 }
        }
        return n
    }
}
