import Foundation
import Git
import SessionModel

/// A git store as the destination of `migrate --repo` and `commit` (SPEC 3): sessions are
/// converted in parallel, their histories planned and staged, then committed in one timeline.
public final class GitStoreSink: SessionSink, @unchecked Sendable {
    public let repositoryPath: String
    public let branch: String
    let staging: SnapshotStaging
    private let plans = Locked([String: StagedPlan]())
    /// The branch's tree before the run; sessions in it are looked up one by one, under a
    /// lock, through one handle (a single-session `commit` must not walk the whole store).
    private let headTree: ObjectID?
    private let reader: Locked<Repository>

    /// Opens the repository at `path`, creating it (bare or not) if missing.
    public init(repository path: String, branch: String, bare: Bool) throws {
        let repo = try Repository.openOrCreate(at: path, bare: bare, initialBranch: branch)
        self.repositoryPath = path
        self.branch = branch
        self.staging = try SnapshotStaging(directory: repo.gitDirectory + "/sessionsync")
        self.headTree = try repo.referenceTarget("refs/heads/" + branch).map { try repo.commit($0).tree }
        self.reader = Locked(repo)
    }

    public var destination: String { "git:" + repositoryPath + "#" + branch }

    public func existingDigest(of sessionID: String) throws -> String? {
        guard let headTree else { return nil }
        return try reader.withLock { repo in
            try repo.entry(atPath: Session.storePath(for: sessionID), inTree: headTree).map {
                Digest.sha256Hex(try repo.blob($0.id))
            }
        }
    }

    public func store(_ migrated: MigratedSession) throws {
        var staged: [StagedSnapshot] = []
        for snapshot in HistoryPlanner.plan(migrated.session) {
            let location = try staging.append(snapshot.bytes)
            staged.append(
                StagedSnapshot(
                    sessionID: snapshot.sessionID, isFinal: snapshot.point == .final, entryID: snapshot.entryID,
                    time: snapshot.time, fraction: snapshot.fraction, order: snapshot.order, author: snapshot.author,
                    authorEmail: snapshot.authorEmail, message: snapshot.message, location: location))
        }
        plans.withLock { $0[migrated.session.sessionID] = StagedPlan(snapshots: staged) }
    }

    public func finish(report: inout MigrationReport, progress: (any ProgressSink)?) throws {
        let all = plans.withLock { $0 }
        let made = try reader.withLock { repo in
            try GitCommitter(repository: repo, branch: branch, staging: staging).run(all, progress: progress)
        }
        report.commits = made
    }
}

/// Reading sessions out of a git store.
public enum GitStoreReader {
    /// Every `sessions/<xx>/<id>.json` blob in `tree`, by session id.
    public static func sessionBlobs(in repo: Repository, tree: ObjectID) throws -> [String: ObjectID] {
        var out: [String: ObjectID] = [:]
        guard let sessions = try repo.entry(atPath: "sessions", inTree: tree), sessions.kind == .tree else {
            return out
        }
        for shard in try repo.tree(sessions.id) where shard.kind == .tree {
            for file in try repo.tree(shard.id) where file.kind == .blob && file.name.hasSuffix(".json") {
                out[String(file.name.dropLast(5))] = file.id
            }
        }
        return out
    }
}
