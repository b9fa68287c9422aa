import Foundation
import Git
import LegacyFormats
import SessionModel
import SessionSync
import Testing

/// Sessions in git (issue #5), checked with the `git` CLI as an independent witness.
struct GitStoreTests {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static let corpus = packageRoot + "/Fixtures/legacy"

    /// A session with `locks` lock entries (and a message after each), times one minute apart.
    static func session(_ legacy: String, locks: Int, base: Int = 0, notes: String = "decided") -> Session {
        var entries: [AuditEntry] = []
        for i in 0..<locks {
            let minute = base + i
            entries.append(
                AuditEntry(
                    kind: "lock.data", timestamp: String(format: "2026-01-01T10:%02d:00Z", minute), iteration: i + 1,
                    actor: "ana@example.com", notes: "\(notes) \(i + 1)", payload: ["n": .int(i)]))
            entries.append(
                AuditEntry(
                    kind: "message.user", timestamp: String(format: "2026-01-01T10:%02d:30Z", minute),
                    payload: ["text": .string("after \(i)")]))
        }
        var s = Session(
            sessionID: SessionID.derive(system: "mochi", legacyID: legacy),
            origin: Origin(system: "mochi", format: "mochi-session/1.4", legacyID: legacy),
            metadata: Metadata(
                name: "Session \(legacy)", createdAt: "2026-01-01T09:00:00Z",
                updatedAt: String(format: "2026-01-01T11:%02d:00Z", base)),
            state: [:], auditLog: entries)
        s.sealAuditLog()
        return s
    }

    static func write(_ session: Session, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(session.canonicalBytes).write(to: URL(fileURLWithPath: path))
    }

    func migrate(_ inputs: [String], repo: String, jobs: Int = 2, bare: Bool = true) throws -> MigrationReport {
        let options = MigrationOptions(inputs: inputs, importOptions: try ImportOptions(), jobs: jobs)
        return try Migration(options: options).run(into: try GitStoreSink(repository: repo, branch: "main", bare: bare))
    }

    @discardableResult
    func git(_ args: [String], in dir: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir] + args
        p.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/nonexistent",
            "GIT_CONFIG_NOSYSTEM": "1",
        ]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw GitCLIError(
                message: "git \(args.joined(separator: " ")) failed: " + String(decoding: errData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct GitCLIError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sessionsync-git-" + UUID().uuidString)
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// path -> bytes of every file of a folder store.
    static func folderFiles(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for file in FolderStore(root: root).sessionFiles() {
            out[String(file.dropFirst(root.count + 1))] = FileManager.default.contents(atPath: file)
        }
        return out
    }

    @Test func corpusMigratesIntoAValidRepositoryWhoseTreeEqualsTheFolderStore() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try migrate([Self.corpus], repo: dir + "/repo.git")
        #expect(!report.hasFailures)
        #expect(report.commits > report.totals.sessions)
        try git(["fsck", "--strict", "--no-dangling"], in: dir + "/repo.git")
        // The final tree is byte for byte what `migrate --out` writes.
        let options = MigrationOptions(inputs: [Self.corpus], importOptions: try ImportOptions(), jobs: 2)
        _ = try Migration(options: options).run(into: FolderStore(root: dir + "/folder"))
        let expected = Self.folderFiles(dir + "/folder")
        let listed = try git(["ls-tree", "-r", "--name-only", "HEAD"], in: dir + "/repo.git").split(separator: "\n")
            .map(String.init)
        #expect(Set(listed) == Set(expected.keys))
        for path in listed {
            let blob = try git(["cat-file", "blob", "HEAD:" + path], in: dir + "/repo.git")
            #expect(Data(blob.utf8) == expected[path], "\(path)")
        }
        // Every commit carries the trailers, readable by git itself.
        let count = Int(
            try git(["rev-list", "--count", "HEAD"], in: dir + "/repo.git").trimmingCharacters(
                in: .whitespacesAndNewlines))
        #expect(count == report.commits)
        let ids = try git(["log", "--format=%(trailers:key=Session-Id,valueonly)"], in: dir + "/repo.git")
            .split(separator: "\n").filter { !$0.isEmpty }
        #expect(ids.count == report.commits)
        #expect(Set(ids.map(String.init)).count == report.totals.sessions)
        let formats = try git(["log", "--format=%(trailers:key=Source-Format,valueonly)"], in: dir + "/repo.git")
        #expect(formats.contains("alchemist-session/1.1.0"))
        // A lock commit: summary, trailers, and the entry's own time as author and committer date.
        let lock = try git(
            [
                "log", "-1", "--grep=^lock.model: Catalyst screening",
                "--format=%s%n%ad%n%cd%n%(trailers:key=Audit-Seq,valueonly)", "--date=iso-strict",
            ], in: dir + "/repo.git")
        let lines = lock.split(separator: "\n").map(String.init)
        #expect(lines.first == "lock.model: Catalyst screening (iteration 10)")
        #expect(lines.count >= 4)
        #expect(lines[1] == "2026-11-21T13:44:19+00:00")
        #expect(lines[1] == lines[2])
        #expect(lines[3] == "2")
    }

    @Test func sameInputsGiveTheSameCommitsAnywhereAndARerunAddsNothing() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try migrate([Self.corpus], repo: dir + "/one.git", jobs: 1)
        let head1 = try git(["rev-parse", "HEAD"], in: dir + "/one.git")
        let again = try migrate([Self.corpus], repo: dir + "/one.git", jobs: 2)
        #expect(again.commits == 0)
        #expect(try git(["rev-parse", "HEAD"], in: dir + "/one.git") == head1)
        // The inputs copied elsewhere, another repository, more workers: the same HEAD.
        try FileManager.default.copyItem(atPath: Self.corpus, toPath: dir + "/copy")
        _ = try migrate([dir + "/copy"], repo: dir + "/two.git", jobs: 2)
        #expect(try git(["rev-parse", "HEAD"], in: dir + "/two.git") == head1)
    }

    @Test func historyIsOneCommitPerLockInTimelineOrderAcrossSessions() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(Self.session("a", locks: 3, base: 0), to: dir + "/in/a.json")
        try Self.write(Self.session("b", locks: 2, base: 1), to: dir + "/in/b.json")
        let report = try migrate([dir + "/in"], repo: dir + "/repo.git")
        // Per session: its locks, then the final state (a message follows the last lock).
        #expect(report.commits == 3 + 1 + 2 + 1)
        let log = try git(
            ["log", "--reverse", "--format=%s|%ad", "--date=format-local:%H:%M:%S"], in: dir + "/repo.git")
        #expect(
            log.split(separator: "\n").map(String.init) == [
                "lock.data: Session a (iteration 1)|10:00:00",
                "lock.data: Session a (iteration 2)|10:01:00",
                "lock.data: Session b (iteration 1)|10:01:00",
                "lock.data: Session a (iteration 3)|10:02:00",
                "lock.data: Session b (iteration 2)|10:02:00",
                "snapshot: Session a|11:00:00",
                "snapshot: Session b|11:01:00",
            ])
        // The snapshot at a lock holds the audit log up to and including that lock.
        let aPath = Session.storePath(for: SessionID.derive(system: "mochi", legacyID: "a"))
        let first = try git(["log", "--reverse", "--format=%H", "--", aPath], in: dir + "/repo.git").split(
            separator: "\n"
        ).first!
        let snapshot = try SessionValidator.session(
            fromCanonical: Array(try git(["cat-file", "blob", "\(first):\(aPath)"], in: dir + "/repo.git").utf8))
        #expect(snapshot.auditLog.count == 1)
        #expect(snapshot.auditLog[0].kind == "lock.data")
        // Author from the entry's actor; committer is SessionSync.
        #expect(
            try git(["log", "-1", "--format=%an <%ae>|%cn <%ce>", first.description], in: dir + "/repo.git")
                == "ana@example.com <ana@example.com>|SessionSync <sessionsync@sessionsync.invalid>\n")
    }

    /// Commit messages trim the summary, the notes and the source format exactly as
    /// Foundation's `trimmingCharacters(in:)` does (the planner trims without it, for speed),
    /// whatever whitespace, line breaks or combining marks the legacy text carries.
    @Test func commitMessagesTrimTextExactlyAsFoundationDoes() throws {
        let samples = [
            "plain", "", " ", "\t \u{A0}", " two  words ", "\u{A0}nbsp\u{A0}", "\u{3000}ideographic\u{2003}",
            "\u{2028}line\u{2029}", "\u{85}nel\u{85}", "\u{0B}\u{0C}vt ff\u{0C}", "\r\ncrlf\r\n", "mid\nline\rbreaks",
            " \u{301}combining ", "emoji 🙂 ", "\u{200B}zero width\u{200B}", "\u{1}control\u{7F}", "é\u{202F}",
        ]
        for text in samples {
            var s = Self.session("trim", locks: 1)
            s.metadata.name = "name " + text
            s.origin.format = text
            s.auditLog[0].iteration = nil
            s.auditLog[0].notes = text
            s.sealAuditLog()
            let message = try #require(HistoryPlanner.plan(s).first?.message)
            func line(_ t: String) -> String {
                String(t.map { $0 == "\n" || $0 == "\r" ? " " : $0 }).trimmingCharacters(in: .whitespaces)
            }
            let notes = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let expected =
                line("lock.data: name " + text) + "\n\n" + (notes.isEmpty ? "" : notes + "\n\n")
                + "Session-Id: \(s.sessionID)\nAudit-Entry: \(s.auditLog[0].id)\nAudit-Seq: 1\n"
                + "Source-Format: \(line(text))\n"
            #expect(Array(message.utf8) == Array(expected.utf8), "\(Array(text.unicodeScalars))")
        }
    }

    @Test func commitAddsOnlyNewLocksAndOneSnapshotForAChangeWithoutALock() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/save.json"
        try Self.write(Self.session("x", locks: 1), to: file)
        #expect(try migrate([file], repo: dir + "/repo.git").commits == 2)
        #expect(try migrate([file], repo: dir + "/repo.git").commits == 0)
        try Self.write(Self.session("x", locks: 3), to: file)
        // Two new locks, then the final state.
        #expect(try migrate([file], repo: dir + "/repo.git").commits == 3)
        var changed = Self.session("x", locks: 3)
        changed.metadata.description = "edited, no new lock"
        try Self.write(changed, to: file)
        #expect(try migrate([file], repo: dir + "/repo.git").commits == 1)
        #expect(try git(["log", "-1", "--format=%s"], in: dir + "/repo.git") == "snapshot: Session x\n")
        try git(["fsck", "--strict", "--no-dangling"], in: dir + "/repo.git")
    }

    @Test func aCheckedOutBranchKeepsWorkTreeAndIndexInStep() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(Self.session("w", locks: 2), to: dir + "/in/w.json")
        _ = try migrate([dir + "/in"], repo: dir + "/work", bare: false)
        #expect(try git(["status", "--porcelain"], in: dir + "/work") == "")
        let id = SessionID.derive(system: "mochi", legacyID: "w")
        #expect(
            FileManager.default.contents(atPath: dir + "/work/" + Session.storePath(for: id))
                == Data(Self.session("w", locks: 2).canonicalBytes))
        try Self.write(Self.session("w", locks: 3), to: dir + "/in/w.json")
        try Self.write(Self.session("v", locks: 1), to: dir + "/in/v.json")
        _ = try migrate([dir + "/in"], repo: dir + "/work", bare: false)
        #expect(try git(["status", "--porcelain"], in: dir + "/work") == "")
        try git(["fsck", "--strict"], in: dir + "/work")
    }

    @Test func viewResolvesIdsPrefixesLegacyIdsAndLatest() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(Self.session("old", locks: 1, base: 0), to: dir + "/in/old.json")
        try Self.write(Self.session("new", locks: 1, base: 5), to: dir + "/in/new.json")
        _ = try migrate([dir + "/in"], repo: dir + "/repo.git")
        let view = try GitStoreView(address: dir + "/repo.git")
        let newID = SessionID.derive(system: "mochi", legacyID: "new")
        #expect(try view.resolve(newID) == newID)
        #expect(try view.resolve(String(newID.prefix(8))) == newID)
        #expect(try view.resolve("new") == newID)
        #expect(try view.resolve("latest") == newID)
        #expect(throws: FormatError.self) { try view.resolve("nothing-like-this") }
        let history = try view.history(of: newID)
        #expect(history.map(\.kind) == ["snapshot", "lock.data"])
        #expect(history.last?.iteration == 1)
        #expect(history.last?.notes == "decided 1")
        // REPO@REV: the first commit holds only the oldest session.
        let first = try git(["rev-list", "--max-parents=0", "HEAD"], in: dir + "/repo.git").trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(try GitStoreView(address: dir + "/repo.git@" + first).sessionBlobs().count == 1)
    }
}
