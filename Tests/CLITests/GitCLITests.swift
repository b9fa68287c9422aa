import Foundation
import SessionModel
import Testing

/// The git commands through the binary: migrate --repo, commit (also two at once), log, show,
/// list and validate on a repository, with `git` as the witness.
struct GitCLITests {
    /// A mochi-system canonical session with `locks` locks, one minute apart from `minute`.
    static func session(_ legacy: String, locks: Int, minute: Int = 0) -> Session {
        var entries: [AuditEntry] = []
        for i in 0..<locks {
            let m = minute + i
            entries.append(
                AuditEntry(
                    kind: "lock.model",
                    timestamp: String(format: "2026-02-0%dT%02d:%02d:00Z", 1 + m / 1440, m / 60 % 24, m % 60),
                    iteration: i + 1, notes: "lock \(i + 1) of \(legacy)", payload: ["k": .int(i)]))
        }
        var s = Session(
            sessionID: SessionID.derive(system: "mochi", legacyID: legacy),
            origin: Origin(system: "mochi", format: "mochi-session/1.4", legacyID: legacy),
            metadata: Metadata(name: "chat \(legacy)", createdAt: "2026-02-01T00:00:00Z"), state: [:], auditLog: entries
        )
        s.sealAuditLog()
        return s
    }

    static func write(_ s: Session, _ path: String) throws {
        try CLI.write(String(decoding: s.canonicalBytes, as: UTF8.self), to: path)
    }

    @Test func twoCommitProcessesAtOnceBothLandAndNothingIsLost() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(Self.session("seed", locks: 1), dir + "/seed.json")
        #expect(try CLI.run(["commit", dir + "/seed.json", "--repo", dir + "/repo.git"]).status == 0)
        var expected = Set<String>()
        for side in ["a", "b"] {
            for i in 0..<60 {
                let s = Self.session("\(side)\(i)", locks: 3, minute: i * 3)
                try Self.write(s, dir + "/\(side)/\(i).json")
                expected.formUnion(s.locks.map(\.id))
            }
        }
        // Start both, then wait for both: they race for the branch.
        let group = DispatchGroup()
        let results = ResultBox()
        for side in ["a", "b"] {
            group.enter()
            Thread {
                let r = try? CLI.run(["commit", dir + "/" + side, "--repo", dir + "/repo.git"])
                results.add(r?.status ?? -1, r?.stderr ?? "did not run")
                group.leave()
            }.start()
        }
        group.wait()
        #expect(results.all == [0, 0], "\(results.messages)")
        let landed = try CLI.tool([
            "git", "-C", dir + "/repo.git", "log", "--format=%(trailers:key=Audit-Entry,valueonly)",
        ]).stdout
        let ids = Set(landed.split(separator: "\n").map(String.init))
        let missing = expected.subtracting(ids).count
        #expect(missing == 0, "\(missing) of \(expected.count) locks did not land")
        #expect(try CLI.tool(["git", "-C", dir + "/repo.git", "fsck", "--strict"]).status == 0)
        let count = try CLI.tool(["git", "-C", dir + "/repo.git", "rev-list", "--count", "HEAD"]).stdout
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "\(1 + 120 * 3)")
    }

    @Test func logShowListAndValidateReadTheRepository() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Self.session("0f7a24a33f", locks: 2)
        try Self.write(s, dir + "/in/s.json")
        let migrate = try CLI.run(["migrate", dir + "/in", "--repo", dir + "/repo.git", "--bare"])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(
            migrate.stdout.contains("1 session migrated from 1 input: 1 created, 0 updated, 0 unchanged: 2 commits"))

        let log = try CLI.run(["log", "0f7a24a33f", "--repo", dir + "/repo.git", "--json"])
        #expect(log.status == 0)
        let commits = try JSONReader.read(log.stdout).value["commits"]?.arrayValue ?? []
        #expect(commits.map { $0["kind"] } == ["lock.model", "lock.model"])
        #expect(commits.map { $0["iteration"] } == [.int(2), .int(1)])
        #expect(commits.first?["time"] == "2026-02-01T00:01:00Z")
        #expect(commits.last?["notes"] == "lock 1 of 0f7a24a33f")

        let show = try CLI.run(["show", String(s.sessionID.prefix(6)), "--repo", dir + "/repo.git"])
        #expect(show.stdout == String(decoding: s.canonicalBytes, as: UTF8.self))
        let older = try CLI.run(["show", "latest@HEAD~1", "--repo", dir + "/repo.git"])
        #expect(try SessionValidator.session(fromCanonical: Array(older.stdout.utf8)).auditLog.count == 1)
        let asMarkdown = try CLI.run(["show", "latest", "--repo", dir + "/repo.git", "--to", "markdown"])
        #expect(asMarkdown.status == 0)
        #expect(asMarkdown.stdout.contains("lock 2 of 0f7a24a33f"))
        // A synthetic session without mochi's own state cannot be written as a mochi file.
        let asMochi = try CLI.run(["show", "latest", "--repo", dir + "/repo.git", "--to", "mochi"])
        #expect(asMochi.status == 1)
        #expect(asMochi.stderr.hasPrefix("sessionsync: cannot show \(s.sessionID) as mochi: "))

        let list = try CLI.run(["list", dir + "/repo.git", "--json"])
        #expect(
            try JSONReader.read(list.stdout).value["sessions"]?.arrayValue?.first?["session_id"] == .string(s.sessionID)
        )
        #expect(try CLI.run(["validate", dir + "/repo.git"]).stdout.contains("1 file checked, 0 invalid"))
        #expect(try CLI.run(["validate", dir + "/repo.git@HEAD~1"]).status == 0)
        #expect(try CLI.run(["log", "nothing", "--repo", dir + "/repo.git"]).status == 1)
        #expect(try CLI.run(["log", "x", "--repo", dir + "/not-a-repo"]).status == 2)
    }
}

final class ResultBox: @unchecked Sendable {
    private var values: [Int32] = []
    private var errors: [String] = []
    private let lock = NSLock()
    func add(_ v: Int32, _ stderr: String) {
        lock.lock()
        values.append(v)
        errors.append(stderr)
        lock.unlock()
    }
    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return errors
    }
    var all: [Int32] {
        lock.lock()
        defer { lock.unlock() }
        return values.sorted()
    }
}
