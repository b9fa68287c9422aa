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

    /// `commit PATH… --repo REPO [--branch B] [--assume-timezone Z] [--json]` is read without
    /// ArgumentParser (issue #5); spelled `--option=value`, the same command goes through
    /// ArgumentParser. Both must do and print exactly the same, failures included.
    @Test func commitReadsItsUsualArgumentsExactlyAsArgumentParserDoes() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seed = dir + "/seed.git"
        try Self.write(Self.session("quick-a", locks: 1), dir + "/v1/a.json")
        #expect(try CLI.run(["migrate", dir + "/v1", "--repo", seed, "--bare"]).status == 0)
        let a = dir + "/v2/a.json"
        let b = dir + "/v2/b.json"
        try Self.write(Self.session("quick-a", locks: 3), a)
        try Self.write(Self.session("quick-b", locks: 2, minute: 7), b)
        let repo = dir + "/repo.git"
        let cases: [([String], [String])] = [
            (["commit", a, "--repo", repo], ["commit", a, "--repo=" + repo]),
            (["commit", "--json", a, "--repo", repo, b], ["commit", a, b, "--json", "--repo=" + repo]),
            (
                ["commit", a, "--branch", "side", "--repo", repo, b],
                ["commit", a, b, "--branch=side", "--repo=" + repo]
            ),
            (
                ["commit", a, "--repo", repo, "--assume-timezone", "Europe/Berlin"],
                ["commit", a, "--repo=" + repo, "--assume-timezone=Europe/Berlin"]
            ),
            (
                ["commit", a, "--repo", repo, "--assume-timezone", "Mars/Olympus"],
                ["commit", a, "--repo=" + repo, "--assume-timezone=Mars/Olympus"]
            ),
            (["commit", dir + "/missing.json", "--repo", repo], ["commit", dir + "/missing.json", "--repo=" + repo]),
            (["commit", a, "--repo", dir + "/v1/a.json"], ["commit", a, "--repo=" + dir + "/v1/a.json"]),
        ]
        for (quick, full) in cases {
            var seen: [[String]] = []
            for arguments in [quick, full] {
                try? FileManager.default.removeItem(atPath: repo)
                try FileManager.default.copyItem(atPath: seed, toPath: repo)
                let r = try CLI.run(arguments)
                let heads = try CLI.tool(["git", "-C", repo, "for-each-ref", "--format=%(refname) %(objectname)"])
                    .stdout
                seen.append(["\(r.status)", r.stdout, r.stderr, heads])
            }
            #expect(seen[0] == seen[1], "\(quick)")
            #expect(seen[0][0] != "0" || seen[0][1].contains("commit"), "\(quick): \(seen[0])")
        }
    }

    /// The binary's own `mbedtls_x509_crt_parse_file` (NoCACertificates.swift) is what libgit2
    /// calls, so no run parses the machine's CA certificates; the dynamic linker says so.
    @Test func libgit2BindsToTheBinarysCertificateStandIn() throws {
        let r = try CLI.run(["--version"], environment: ["LD_DEBUG": "bindings"])
        #expect(r.status == 0)
        let bindings = r.stderr.split(separator: "\n").filter { $0.hasSuffix("`mbedtls_x509_crt_parse_file'") }
        let fromLibgit2 = bindings.filter { $0.contains("binding file ") && $0.contains("/libgit2.so") }
        #expect(!fromLibgit2.isEmpty, "\(bindings)")
        #expect(fromLibgit2.allSatisfy { $0.contains(" to \(CLI.binary) [0]: ") }, "\(fromLibgit2)")
    }

    /// `commit` (read without ArgumentParser in its usual forms), `log` and `show` use the
    /// repository's own config only, never the user's: a user's `core.logAllRefUpdates = true`
    /// would give a bare repository a reflog. Forms the quick reading leaves to ArgumentParser
    /// (no arguments, `--help`) and the other commands' usage errors report as usual.
    @Test func commitLogAndShowIgnoreTheUsersGitConfig() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let userConfig = "[core]\n\tlogAllRefUpdates = true\n"
        try CLI.write(userConfig, to: dir + "/home/.gitconfig")
        try CLI.write(userConfig, to: dir + "/home/.config/git/config")
        let env = ["HOME": dir + "/home", "XDG_CONFIG_HOME": dir + "/home/.config"]
        let repo = dir + "/repo.git"
        let s = Self.session("user-config", locks: 1)
        try Self.write(s, dir + "/v1/s.json")
        #expect(try CLI.run(["migrate", dir + "/v1", "--repo", repo, "--bare"], environment: env).status == 0)
        try Self.write(Self.session("user-config", locks: 2), dir + "/v2/s.json")
        let commit = try CLI.run(["commit", dir + "/v2/s.json", "--repo", repo], environment: env)
        #expect(commit.status == 0 && commit.stdout == "1 commit on main\n", "\(commit.stdout)\(commit.stderr)")
        #expect(!FileManager.default.fileExists(atPath: repo + "/logs/refs/heads/main"))
        // The witness: git itself, with the same home, does keep a reflog in a bare repository.
        var gitEnv = env
        gitEnv["GIT_CONFIG_NOSYSTEM"] = "1"
        #expect(
            try CLI.tool(["git", "-C", repo, "update-ref", "refs/heads/witness", "HEAD"], environment: gitEnv).status
                == 0)
        #expect(FileManager.default.fileExists(atPath: repo + "/logs/refs/heads/witness"))

        let log = try CLI.run(["log", s.sessionID, "--repo", repo], environment: env)
        #expect(log.status == 0 && log.stdout.contains("lock 2 of user-config"), "\(log.stderr)")
        let show = try CLI.run(["show", s.sessionID, "--repo", repo], environment: env)
        #expect(try SessionValidator.session(fromCanonical: Array(show.stdout.utf8)).auditLog.count == 2)

        for (arguments, status) in [
            (["commit"], 2), (["commit", "--help"], 0), (["log", "--bogus"], 2), (["show"], 2),
        ] {
            let r = try CLI.run(arguments, environment: env)
            #expect(r.status == Int32(status), "\(arguments): \(r.stderr)")
            #expect(status == 0 ? r.stdout.contains("USAGE: sessionsync") : r.stderr.contains("Usage: sessionsync"))
        }
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
