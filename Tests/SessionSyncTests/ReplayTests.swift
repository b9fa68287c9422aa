import Foundation
import Git
import LegacyFormats
import SessionModel
import SessionSync
import Testing

/// `replay` and git stores as diff sources (issue #6), through the library.
struct ReplayTests {
    /// A canonical session whose locks are `lock.data` with iterations 1…, one minute apart;
    /// `notes` decides what each lock says (so two sessions can decide a lock differently).
    static func session(_ legacy: String, locks: [String]) -> Session {
        var entries: [AuditEntry] = []
        for (i, notes) in locks.enumerated() {
            entries.append(
                AuditEntry(
                    kind: "lock.data", timestamp: String(format: "2026-03-01T10:%02d:00Z", i), iteration: i + 1,
                    actor: "ana@example.com",
                    notes: notes, payload: ["n": .int(i)]))
        }
        var s = Session(
            sessionID: SessionID.derive(system: "mochi", legacyID: legacy),
            origin: Origin(system: "mochi", format: "mochi-session/1.4", legacyID: legacy),
            metadata: Metadata(name: "Session \(legacy)", createdAt: "2026-03-01T09:00:00Z"), state: [:],
            auditLog: entries)
        s.sealAuditLog()
        return s
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sessionsync-replay-" + UUID().uuidString
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A canonical folder store holding `sessions`.
    static func folderStore(_ root: String, _ sessions: [Session]) throws {
        for s in sessions {
            let path = root + "/" + Session.storePath(for: s.sessionID)
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(s.canonicalBytes).write(to: URL(fileURLWithPath: path))
        }
    }

    /// Commits `sessions` into the repository at `repo` on `main`, as `commit` would.
    static func commit(_ sessions: [Session], repo: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for s in sessions {
            try Data(s.canonicalBytes).write(to: URL(fileURLWithPath: dir + "/" + s.sessionID + ".json"))
        }
        let options = MigrationOptions(inputs: [dir], importOptions: try ImportOptions(), jobs: 2)
        _ = try Migration(options: options).run(into: try GitStoreSink(repository: repo, branch: "main", bare: true))
    }

    /// UTC for naive times (the default), two workers.
    static var options: ReplayOptions {
        get throws { ReplayOptions(importOptions: try ImportOptions(), jobs: 2) }
    }

    @Test func gitTargetGetsOneCommitPerReplayedLockDatedByTheLock() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = dir + "/repo.git"
        try Self.commit([Self.session("a", locks: ["one"]), Self.session("b", locks: ["x"])], repo: repo)
        try Self.folderStore(
            dir + "/from", [Self.session("a", locks: ["one", "two", "three"]), Self.session("b", locks: ["x"])])
        let r = try Git.Repository.open(at: repo)
        let before = try r.referenceTarget("refs/heads/main")!

        let report = try Replay.run(from: dir + "/from", to: repo, options: try Self.options)
        #expect(report.targetKind == "git")
        #expect(report.count(.replayed) == 1)
        #expect(report.upToDate == 1)
        #expect(report.commits == 2)
        #expect(report.sessions.first?.entries.map(\.notes) == ["two", "three"])
        let after = try r.referenceTarget("refs/heads/main")!
        let newCommits = try r.log(from: after, hiding: [before], limit: nil)
        #expect(newCommits.count == 2)
        #expect(try r.commit(after).committer.time == Timestamp.epochSeconds(of: "2026-03-01T10:02:00Z"))
        // The branch now holds exactly FROM's session.
        let view = try GitStoreView(address: repo)
        #expect(
            try view.bytes(of: Self.session("a", locks: []).sessionID)
                == Self.session("a", locks: ["one", "two", "three"]).canonicalBytes)

        // Replaying again adds nothing.
        let again = try Replay.run(from: dir + "/from", to: repo, options: try Self.options)
        #expect(again.count(.replayed) == 0 && again.commits == 0 && again.upToDate == 2)
    }

    @Test func divergentSessionIsLeftUntouchedAndOthersProceed() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.folderStore(
            dir + "/to", [Self.session("a", locks: ["one", "mine"]), Self.session("b", locks: ["x"])])
        try Self.folderStore(
            dir + "/from", [Self.session("a", locks: ["one", "theirs"]), Self.session("b", locks: ["x", "y"])])
        let fileA = dir + "/to/" + Session.storePath(for: Self.session("a", locks: []).sessionID)
        let fileB = dir + "/to/" + Session.storePath(for: Self.session("b", locks: []).sessionID)
        let beforeA = FileManager.default.contents(atPath: fileA)

        let report = try Replay.run(from: dir + "/from", to: dir + "/to", options: try Self.options)
        #expect(report.hasDivergence)
        #expect(report.count(.diverged) == 1 && report.count(.replayed) == 1)
        let diverged = report.sessions.first { $0.status == .diverged }
        #expect(diverged?.divergent.first?.decision.description == "lock.data iteration 2")
        #expect(FileManager.default.contents(atPath: fileA) == beforeA)
        #expect(
            FileManager.default.contents(atPath: fileB).map { [UInt8]($0) }
                == Self.session("b", locks: ["x", "y"]).canonicalBytes)
    }

    @Test func dryRunWritesNothing() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = dir + "/repo.git"
        try Self.commit([Self.session("a", locks: ["one"])], repo: repo)
        try Self.folderStore(dir + "/to", [Self.session("a", locks: ["one"])])
        try Self.folderStore(dir + "/from", [Self.session("a", locks: ["one", "two"])])
        let before = try Git.Repository.open(at: repo).referenceTarget("refs/heads/main")
        let file = dir + "/to/" + Session.storePath(for: Self.session("a", locks: []).sessionID)
        let bytes = FileManager.default.contents(atPath: file)
        var options = try Self.options
        options.dryRun = true
        for target in [repo, dir + "/to"] {
            let report = try Replay.run(from: dir + "/from", to: target, options: options)
            #expect(report.count(.replayed) == 1)
            #expect(report.sessions.first?.entries.map(\.notes) == ["two"])
            #expect(report.commits == 0)
        }
        #expect(try Git.Repository.open(at: repo).referenceTarget("refs/heads/main") == before)
        #expect(FileManager.default.contents(atPath: file) == bytes)
    }

    @Test func bothDirectionsConvergeWhenBothSidesWentOn() throws {
        var a = Self.session("c", locks: ["one"])
        var b = a
        a.auditLog.append(
            AuditEntry(
                kind: "lock.model", timestamp: "2026-03-01T11:00:00Z", iteration: 2, notes: "model", payload: [:]))
        a.sealAuditLog()
        b.auditLog.append(
            AuditEntry(
                kind: "lock.acquisition", timestamp: "2026-03-01T10:30:00Z", iteration: 2, notes: "acq", payload: [:]))
        b.sealAuditLog()
        guard case .replay(_, let b2) = ReplayPlan.decide(from: a, to: b),
            case .replay(_, let a2) = ReplayPlan.decide(from: b2, to: a)
        else {
            Issue.record("expected replays")
            return
        }
        #expect(a2.canonicalBytes == b2.canonicalBytes)
        #expect(a2.auditLog.map(\.notes) == ["one", "acq", "model"])
    }

    @Test func gitRevisionsPrecompareByTreeDiff() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = dir + "/repo.git"
        let many = (0..<20).map { Self.session("s\($0)", locks: ["one"]) }
        try Self.commit(many, repo: repo)
        let r = try Git.Repository.open(at: repo)
        try r.updateReference(
            "refs/heads/old", to: try r.referenceTarget("refs/heads/main")!, expecting: nil, logMessage: "test")
        try Self.commit([Self.session("s3", locks: ["one", "two"]), Self.session("new", locks: ["n"])], repo: repo)
        let a = try GitSessionSource(address: repo + "@old")
        let b = try GitSessionSource(address: repo + "@main")
        let pre = try #require(try a.precompare(with: b))
        #expect(pre.candidates.count == 1 && pre.onlyInB.count == 1 && pre.onlyInA.isEmpty && pre.identical == 19)
        let diff = try StoreDiff.compare(a, b)
        #expect(diff.identical == 19 && diff.changed.map(\.sessionID) == [Self.session("s3", locks: []).sessionID])
        #expect(diff.onlyInB.map(\.name) == ["Session new"])
        // A work tree path or bare path alone means HEAD, through StoreReader.
        let head = try StoreReader.open(repo, importOptions: ImportOptions())
        #expect(head is GitSessionSource)
        #expect(throws: FormatError.self) {
            try StoreReader.open(repo + "@nosuchbranch", importOptions: ImportOptions())
        }
    }

    @Test func legacyMochiFileIsRewrittenInItsOwnFormatWithABackup() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/legacy/mochi/format_1_4_head/chat_sessions/173725e818.json").path
        let file = dir + "/to/chat_sessions/173725e818.json"
        try FileManager.default.createDirectory(atPath: dir + "/to/chat_sessions", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture, toPath: file)
        let original = try SessionLoader.loadOne(file, importOptions: ImportOptions())
        // An entry mochi cannot hold as it is (no message_id, …): it would read back with
        // another id, so nothing is written and the session is reported as failed.
        var lossy = original
        lossy.auditLog.append(
            AuditEntry(
                kind: "message.user", timestamp: "2030-01-01T00:00:00Z",
                payload: ["content": .string("one more question")]))
        lossy.sealAuditLog()
        try Self.folderStore(dir + "/lossy", [lossy])
        let before = FileManager.default.contents(atPath: file)
        let refused = try Replay.run(from: dir + "/lossy", to: dir + "/to", options: try Self.options)
        #expect(refused.count(.failed) == 1 && refused.hasFailures)
        #expect(refused.sessions.first?.reason?.contains("does not keep") == true)
        #expect(FileManager.default.contents(atPath: file) == before)
        #expect(!FileManager.default.fileExists(atPath: file + ".sessionsync-backup-1"))

        // An entry as mochi writes it (the shape of the session's own last message).
        var extended = original
        var next = try #require(original.auditLog.last)
        next.timestamp = "2030-01-01T00:00:00Z"
        next.payload["content"] = .string("one more answer")
        next.payload["message_id"] = .string("0123456789")
        extended.auditLog.append(next)
        extended.sealAuditLog()
        try Self.folderStore(dir + "/from", [extended])

        let report = try Replay.run(from: dir + "/from", to: dir + "/to", options: try Self.options)
        #expect(report.targetKind == "legacy" && report.count(.replayed) == 1)
        #expect(report.sessions.first?.backup == file + ".sessionsync-backup-1")
        #expect(FileManager.default.contents(atPath: file + ".sessionsync-backup-1") == before)
        let after = try SessionLoader.loadOne(file, importOptions: ImportOptions())
        #expect(after.origin.format == original.origin.format)
        #expect(after.auditLog.map(\.id) == extended.auditLog.map(\.id))
        // A second replay finds nothing to do and keeps the first backup.
        let again = try Replay.run(from: dir + "/from", to: dir + "/to", options: try Self.options)
        #expect(again.count(.replayed) == 0 && again.upToDate == 1)
        #expect(!FileManager.default.fileExists(atPath: file + ".sessionsync-backup-2"))
    }
}
