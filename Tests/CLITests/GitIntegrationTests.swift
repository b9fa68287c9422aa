import Foundation
import SessionModel
import Testing

/// Two repositories that locked one session differently (issue #6): `diff` across a fetch,
/// and `git merge` with the drivers `git-setup` installs, with the `git` CLI as the witness.
struct GitIntegrationTests {
    static let legacyID = "shared-chat"

    /// The shared session: one data lock; `extra` adds (kind, iteration, notes, minute) locks.
    static func session(_ extra: [(String, Int, String, Int)] = []) -> Session {
        var entries = [
            AuditEntry(
                kind: "lock.data", timestamp: "2026-04-01T10:00:00Z", iteration: 1, notes: "initial data",
                payload: ["n": .int(5)])
        ]
        for (kind, iteration, notes, minute) in extra {
            entries.append(
                AuditEntry(
                    kind: kind, timestamp: String(format: "2026-04-01T10:%02d:00Z", minute), iteration: iteration,
                    notes: notes, payload: [:]))
        }
        var s = Session(
            sessionID: SessionID.derive(system: "mochi", legacyID: legacyID),
            origin: Origin(system: "mochi", format: "mochi-session/1.4", legacyID: legacyID),
            metadata: Metadata(name: "shared chat", createdAt: "2026-04-01T09:00:00Z"), state: [:], auditLog: entries)
        s.sealAuditLog()
        return s
    }

    static let environment = [
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent",
    ]

    @discardableResult
    static func git(_ args: [String], in dir: String) throws -> CLI.Result {
        try CLI.tool(["git", "-C", dir] + args, environment: environment)
    }

    /// Repository A with the base session, its clone B, each with its own second lock, and B's
    /// branch fetched into A as `refs/remotes/b/main`.
    static func twoRepositories(a lockA: (String, Int, String, Int), b lockB: (String, Int, String, Int)) throws -> (
        dir: String, a: String, b: String
    ) {
        let dir = try CLI.temporaryDirectory()
        let a = dir + "/A"
        let b = dir + "/B"
        try CLI.write(String(decoding: session().canonicalBytes, as: UTF8.self), to: dir + "/base/s.json")
        #expect(try CLI.run(["migrate", dir + "/base", "--repo", a]).status == 0)
        #expect(try git(["clone", "-q", a, b], in: dir).status == 0)
        try CLI.write(String(decoding: session([lockA]).canonicalBytes, as: UTF8.self), to: dir + "/sa/s.json")
        try CLI.write(String(decoding: session([lockB]).canonicalBytes, as: UTF8.self), to: dir + "/sb/s.json")
        let ca = try CLI.run(["commit", dir + "/sa", "--repo", a])
        #expect(ca.status == 0 && ca.stdout.contains("1 commit"), "\(ca.stdout)\(ca.stderr)")
        let cb = try CLI.run(["commit", dir + "/sb", "--repo", b])
        #expect(cb.status == 0 && cb.stdout.contains("1 commit"), "\(cb.stdout)\(cb.stderr)")
        #expect(try git(["remote", "add", "b", b], in: a).status == 0)
        #expect(try git(["fetch", "-q", "b"], in: a).status == 0)
        return (dir, a, b)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    @Test func diffAcrossAFetchAndACleanMergeWithTheDriver() throws {
        let (dir, a, b) = try Self.twoRepositories(
            a: ("lock.model", 2, "Matern", 5), b: ("lock.acquisition", 2, "EI batch", 7))
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let diff = try CLI.run(["diff", a + "@main", a + "@refs/remotes/b/main", "--json"])
        #expect(diff.status == 0, "\(diff.stderr)")
        let doc = try Self.json(diff.stdout)
        let changed = doc["changed"] as? [[String: Any]] ?? []
        #expect(changed.count == 1 && doc["identical"] as? Int == 0)
        let log = changed.first?["audit_log"] as? [String: Any] ?? [:]
        #expect((log["only_in_a"] as? [[String: Any]])?.map { $0["notes"] as? String } == ["Matern"])
        #expect((log["only_in_b"] as? [[String: Any]])?.map { $0["notes"] as? String } == ["EI batch"])
        // Another repository's revision works too once its objects are here (or are its own).
        let across = try CLI.run(["diff", a, b + "@main", "--json"])
        let acrossChanged = try Self.json(across.stdout)["changed"] as? [Any]
        #expect(across.status == 0 && acrossChanged?.count == 1, "\(across.stderr)")

        let setup = try CLI.run(["git-setup", "--repo", a])
        #expect(setup.status == 0, "\(setup.stderr)")
        let again = try CLI.run(["git-setup", "--repo", a])
        #expect(again.stdout.contains("already in"))
        #expect(CLI.read(a + "/.gitattributes") == "sessions/**/*.json diff=sessionsync merge=sessionsync\n")
        #expect(try Self.git(["config", "merge.sessionsync.driver"], in: a).stdout.contains(" merge %O %A %B -o %A"))

        // git diff and log -p read through the textconv driver: one line per audit entry.
        let patch = try Self.git(["log", "-p", "-1", "main"], in: a).stdout
        #expect(patch.contains("+#2 lock.model 2026-04-01T10:05:00Z iteration 2 \"Matern\""), "\(patch)")

        let merge = try Self.git(["merge", "--no-edit", "b/main"], in: a)
        #expect(merge.status == 0, "\(merge.stdout)\(merge.stderr)")
        let file = a + "/" + Session.storePath(for: Self.session().sessionID)
        #expect(try CLI.run(["validate", file]).status == 0)
        let merged = try SessionValidator.session(fromCanonical: [UInt8](Data(contentsOf: URL(fileURLWithPath: file))))
        #expect(merged.auditLog.map(\.notes) == ["initial data", "Matern", "EI batch"])
        #expect(merged.state["sessionsync_conflicts"] == nil)
        #expect(try Self.git(["status", "--porcelain", "--untracked-files=no"], in: a).stdout.isEmpty)
    }

    @Test func theSameLockDecidedDifferentlyIsAReportedConflict() throws {
        let (dir, a, _) = try Self.twoRepositories(a: ("lock.model", 2, "Matern", 5), b: ("lock.model", 2, "RBF", 7))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let diff = try CLI.run(["diff", a + "@main", a + "@refs/remotes/b/main", "--json"])
        let log =
            (try Self.json(diff.stdout)["changed"] as? [[String: Any]])?.first?["audit_log"] as? [String: Any] ?? [:]
        #expect((log["divergent"] as? [[String: Any]])?.first?["decision"] as? String == "lock.model iteration 2")

        #expect(try CLI.run(["git-setup", "--repo", a]).status == 0)
        let merge = try Self.git(["merge", "--no-edit", "b/main"], in: a)
        #expect(merge.status == 1, "\(merge.stdout)\(merge.stderr)")
        #expect(merge.stdout.contains("CONFLICT"))
        let file = a + "/" + Session.storePath(for: Self.session().sessionID)
        #expect(try CLI.run(["validate", file]).status == 0)
        let merged = try SessionValidator.session(fromCanonical: [UInt8](Data(contentsOf: URL(fileURLWithPath: file))))
        #expect(Set(merged.auditLog.compactMap(\.notes)) == ["initial data", "Matern", "RBF"])
        guard case .array(let conflicts)? = merged.state["sessionsync_conflicts"] else {
            Issue.record("no conflict recorded")
            return
        }
        #expect(conflicts.first?["kind"] == .string("lock_decision"))
        #expect(try Self.git(["diff", "--name-only", "--diff-filter=U"], in: a).stdout.contains("sessions/"))

        // Uninstalling removes what setup added.
        #expect(try CLI.run(["git-setup", "--repo", a, "--uninstall"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: a + "/.gitattributes"))
        #expect(try Self.git(["config", "merge.sessionsync.driver"], in: a).status == 1)
    }

    @Test func replayingTheOtherRepositorysLockCommitsItOnTheBranch() throws {
        let (dir, a, _) = try Self.twoRepositories(
            a: ("lock.model", 2, "Matern", 5), b: ("lock.acquisition", 2, "EI batch", 7))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = try Self.git(["rev-parse", "main"], in: a).stdout
        let plan = try CLI.run(["replay", a + "@refs/remotes/b/main", a, "--dry-run"])
        #expect(plan.status == 0 && plan.stdout.contains("would append 1 entry"), "\(plan.stdout)\(plan.stderr)")
        #expect(try Self.git(["rev-parse", "main"], in: a).stdout == head)

        let r = try CLI.run(["replay", a + "@refs/remotes/b/main", a, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect((try Self.json(r.stdout)["totals"] as? [String: Any])?["commits"] as? Int == 1)
        let log = try Self.git(["log", "-1", "--format=%s%n%aI%n%(trailers:key=Audit-Seq,valueonly)", "main"], in: a)
            .stdout
        #expect(log.hasPrefix("lock.acquisition: shared chat (iteration 2)\n2026-04-01T10:07:00+00:00\n3"), "\(log)")
        #expect(try Self.git(["fsck", "--strict"], in: a).status == 0)
        #expect(try Self.git(["status", "--porcelain"], in: a).stdout.isEmpty)
        // Both locks are on main now; replaying again changes nothing.
        let again = try CLI.run(["replay", a + "@refs/remotes/b/main", a, "--json"])
        #expect((try Self.json(again.stdout)["totals"] as? [String: Any])?["commits"] as? Int == 0)
    }

    @Test func replayOfADivergentLockCommitsNothingAndExitsOne() throws {
        let (dir, a, _) = try Self.twoRepositories(a: ("lock.model", 2, "Matern", 5), b: ("lock.model", 2, "RBF", 7))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = try Self.git(["rev-parse", "main"], in: a).stdout
        let r = try CLI.run(["replay", a + "@refs/remotes/b/main", a + "@main"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("diverged") && r.stdout.contains("lock.model iteration 2"), "\(r.stdout)")
        #expect(try Self.git(["rev-parse", "main"], in: a).stdout == head)
    }
}
