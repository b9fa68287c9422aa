import Foundation
import Git
import SessionModel

/// A snapshot waiting to be committed: everything but its bytes, which wait in staging.
struct StagedSnapshot: Sendable {
    var sessionID: String
    var isFinal: Bool
    var entryID: String?
    var time: Int64
    var fraction: Double
    var order: Int
    var author: String
    var authorEmail: String
    var message: String
    var location: SnapshotStaging.Location
}

/// The history a session asks for, with the audit entry ids each snapshot holds.
struct StagedPlan: Sendable {
    var snapshots: [StagedSnapshot]
}

/// Writes planned snapshots as commits on one branch, in one timeline across sessions.
///
/// What the branch already holds is never committed again: for each session, the snapshot in
/// the branch's tree says which audit entries are in history, and only locks after those (and a
/// final state that differs from the tree's) become commits. So re-runs add nothing, an
/// interrupted run finishes where it stopped with the same commits, and a run that lost the
/// race for the branch to another process plans again on top of the other's commits.
///
/// Objects are written in batches, one pack per batch; the branch moves (compare-and-swap)
/// only after the batch's pack is on disk.
struct GitCommitter {
    let repository: Repository
    let branch: String
    let staging: SnapshotStaging
    var batchSize = 2_000

    var referenceName: String { "refs/heads/" + branch }

    /// How often a run plans again after losing the branch (to another writer, or to its lock
    /// held for a moment) before it gives up; a lock left by a crashed git process would
    /// otherwise make it wait forever.
    static let maximumRetries = 200

    /// Commits everything pending; returns the number of commits made.
    func run(_ plans: [String: StagedPlan], progress: (any ProgressSink)?) throws -> Int {
        var made = 0
        var retries = 0
        while true {
            let head = try repository.referenceTarget(referenceName)
            let headTree = try head.map { try repository.commit($0).tree }
            let pending = try pendingSnapshots(plans, headTree: headTree)
            if pending.isEmpty { return made }
            let (count, finished) = try commit(
                pending, head: head, headTree: headTree, alreadyMade: made, progress: progress)
            made += count
            if finished { return made }
            // Lost the branch to another writer (or found it locked for a moment): plan again
            // on top of whatever it holds now, after a short, growing pause.
            retries += 1
            if retries > Self.maximumRetries {
                throw GitError(
                    code: .locked,
                    message: "\(referenceName) kept changing or stayed locked; is another process stuck?",
                    operation: "commit")
            }
            usleep(useconds_t(min(retries, 20) * 5_000))
        }
    }

    /// The snapshots the branch does not hold yet, in timeline order.
    func pendingSnapshots(_ plans: [String: StagedPlan], headTree: ObjectID?) throws -> [StagedSnapshot] {
        var pending: [StagedSnapshot] = []
        for (id, plan) in plans {
            guard let headTree, let entry = try repository.entry(atPath: Session.storePath(for: id), inTree: headTree)
            else {
                pending += plan.snapshots
                continue
            }
            let committed = try repository.blob(entry.id)
            guard let last = plan.snapshots.last else { continue }
            if try staging.read(last.location) == committed { continue }
            let committedIDs = Self.auditEntryIDs(committed)
            for snapshot in plan.snapshots {
                if snapshot.isFinal {
                    pending.append(snapshot)
                } else if let e = snapshot.entryID, !committedIDs.contains(e) {
                    pending.append(snapshot)
                }
            }
        }
        pending.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.fraction != b.fraction { return a.fraction < b.fraction }
            if a.sessionID != b.sessionID { return a.sessionID < b.sessionID }
            return a.order < b.order
        }
        // Within one session the plan's order is kept even where times tie or go back.
        return Self.keepingSessionOrder(pending)
    }

    /// Stable fix-up: snapshots of one session must appear in plan order.
    static func keepingSessionOrder(_ list: [StagedSnapshot]) -> [StagedSnapshot] {
        var perSession: [String: [StagedSnapshot]] = [:]
        for s in list { perSession[s.sessionID, default: []].append(s) }
        for key in perSession.keys { perSession[key]!.sort { $0.order < $1.order } }
        var taken: [String: Int] = [:]
        return list.map { s in
            let k = taken[s.sessionID, default: 0]
            taken[s.sessionID] = k + 1
            return perSession[s.sessionID]![k]
        }
    }

    /// The audit entry ids in a committed canonical document (without decoding the rest).
    static func auditEntryIDs(_ bytes: [UInt8]) -> Set<String> {
        guard let doc = try? JSONReader.read(bytes, options: .strict), case .array(let log)? = doc.value["audit_log"]
        else {
            return []
        }
        return Set(log.compactMap { $0["id"]?.stringValue })
    }

    /// Commits `pending` on top of `head`; returns how many landed and whether all did.
    ///
    /// Objects are built in memory (git's own tree and commit formats) and written straight
    /// into one pack per batch by `PackWriter`, each tree and blob as a delta against its
    /// previous version where that is in the same pack. The tree is held in memory, so each
    /// commit costs one blob, the changed shard folder, `sessions/` and the root.
    func commit(
        _ pending: [StagedSnapshot], head: ObjectID?, headTree: ObjectID?, alreadyMade: Int,
        progress: (any ProgressSink)?
    ) throws -> (Int, Bool) {
        var expected = head
        var tip = head
        let tree = try StoreTree(repository: repository, root: headTree)
        var landed = 0
        var start = 0
        while start < pending.count {
            let batch = pending[start..<min(start + batchSize, pending.count)]
            let treeBefore = tree.rootID
            let writer = try PackWriter(repository: repository)
            for snapshot in batch {
                let root = try tree.set(snapshot.sessionID, to: try staging.read(snapshot.location), in: writer)
                let author = Signature(
                    name: snapshot.author, email: snapshot.authorEmail, time: snapshot.time, offsetMinutes: 0)
                let committer = Signature(
                    name: GitIdentity.name, email: GitIdentity.email, time: snapshot.time, offsetMinutes: 0)
                let commit = RawObject.commit(
                    tree: root, parents: tip.map { [$0] } ?? [], author: author, committer: committer,
                    message: snapshot.message)
                tip = try writer.add(.commit, commit)
            }
            // The pack is on disk (fsynced) before the branch may point into it.
            try writer.flush()
            do {
                try repository.updateReference(
                    referenceName, to: tip!, expecting: expected,
                    logMessage: "sessionsync: \(batch.count) snapshot commit\(batch.count == 1 ? "" : "s")")
            } catch let error as GitError
                where error.code == .modified || error.code == .exists || error.code == .locked
            {
                return (landed, false)
            }
            _ = try repository.checkoutIfBranchCheckedOut(branch: branch, oldTree: treeBefore, newTree: tree.rootID!)
            expected = tip
            landed += batch.count
            start += batch.count
            progress?.update(phase: "committing", done: alreadyMade + landed, total: alreadyMade + pending.count)
        }
        progress?.finish(phase: "committing")
        return (landed, true)
    }
}

/// A store's tree held in memory while a run commits: the root's other entries, the shard
/// folders of `sessions/`, and the entries of every shard touched so far, each list kept in
/// git's order so serializing a tree never sorts. Writing a session rewrites its shard,
/// `sessions/` and the root, each as a delta against its previous version.
final class StoreTree {
    let repository: Repository
    private var rootEntries: [TreeEntry] = []
    private var shardEntries: [TreeEntry] = []
    private var shardFiles: [String: [TreeEntry]] = [:]
    private var sessionsID: ObjectID?
    private(set) var rootID: ObjectID?

    init(repository: Repository, root: ObjectID?) throws {
        self.repository = repository
        rootID = root
        guard let root else { return }
        for entry in try repository.tree(root) {
            if entry.name == "sessions" && entry.kind == .tree {
                sessionsID = entry.id
                shardEntries = try repository.tree(entry.id).filter { $0.kind == .tree }
            } else {
                rootEntries.append(entry)
            }
        }
    }

    /// Stores `bytes` as the session's file; returns the new root tree id.
    func set(_ sessionID: String, to bytes: [UInt8], in writer: PackWriter) throws -> ObjectID {
        let shard = String(sessionID.prefix(2))
        let (shardIndex, shardFound) = Self.position(of: shard, in: shardEntries)
        var files = try loadedFiles(shard, existing: shardFound ? shardEntries[shardIndex].id : nil)
        let name = sessionID + ".json"
        let (fileIndex, fileFound) = Self.position(of: name, in: files)
        let blob = try writer.add(.blob, bytes, deltaBase: fileFound ? files[fileIndex].id : nil)
        let file = TreeEntry(name: name, id: blob, kind: .blob, mode: .blob)
        if fileFound { files[fileIndex] = file } else { files.insert(file, at: fileIndex) }
        shardFiles[shard] = files
        let shardTree = try writer.add(
            .tree, RawObject.tree(entries: files), deltaBase: shardFound ? shardEntries[shardIndex].id : nil)
        let shardEntry = TreeEntry(name: shard, id: shardTree, kind: .tree, mode: .tree)
        if shardFound { shardEntries[shardIndex] = shardEntry } else { shardEntries.insert(shardEntry, at: shardIndex) }
        sessionsID = try writer.add(.tree, RawObject.tree(entries: shardEntries), deltaBase: sessionsID)
        let root = RawObject.tree(
            entries: rootEntries + [TreeEntry(name: "sessions", id: sessionsID!, kind: .tree, mode: .tree)])
        rootID = try writer.add(.tree, root, deltaBase: rootID)
        return rootID!
    }

    private func loadedFiles(_ shard: String, existing: ObjectID?) throws -> [TreeEntry] {
        if let loaded = shardFiles[shard] { return loaded }
        let files = try existing.map { try repository.tree($0) } ?? []
        shardFiles[shard] = files
        return files
    }

    /// Binary search by name bytes. Shard folders and session files are all of one kind within
    /// a list (trees and blobs respectively), so plain byte order is git's order here.
    static func position(of name: String, in entries: [TreeEntry]) -> (Int, Bool) {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            let other = entries[mid].name
            if keyEquals(other, name) { return (mid, true) }
            if keyPrecedes(other, name) { low = mid + 1 } else { high = mid }
        }
        return (low, false)
    }
}
