import Foundation
import SessionModel
import Testing

/// `diff` and `merge` as users run them, with Python's `jsonpatch` as an independent witness
/// for `--patch` and `validate` for merged files.
struct DiffMergeCLITests {
    static let id = "5c0ffee0-1234-4abc-8def-0123456789ab"
    static let otherID = "5c0ffee0-1234-4abc-8def-0123456789ac"

    static func entry(_ kind: String, _ minute: Int, iteration: Int? = nil, notes: String? = nil) -> AuditEntry {
        AuditEntry(
            kind: kind, timestamp: String(format: "2026-11-21T09:%02d:00Z", minute), iteration: iteration, actor: nil,
            notes: notes, payload: ["m": .int(minute)])
    }

    static func session(id: String = id, name: String, state: JSONObject = [:], log: [AuditEntry]) -> Session {
        var s = Session(
            sessionID: id, origin: Origin(system: "lobster", format: "lobster-session/2", legacyID: "session_1"),
            metadata: Metadata(name: name, status: "active"), state: state, auditLog: log)
        s.sealAuditLog()
        return s
    }

    static let shared = [entry("message.user", 1), entry("lock.data", 2, iteration: 1)]

    func write(_ s: Session, _ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(s.canonicalBytes).write(to: URL(fileURLWithPath: path))
    }

    /// Two versions of one session in `dir/a/<id>.json` and `dir/b/<id>.json`.
    func pair() throws -> (dir: String, a: String, b: String) {
        let dir = try CLI.temporaryDirectory()
        let a = Self.session(
            name: "Screen",
            state: [
                "model": ["ls": 1.5], "rows": [1, 2, 3], "nan": .float(.nan),
                "big": .string(String(repeating: "x", count: 5000)),
            ], log: Self.shared + [Self.entry("lock.model", 5, iteration: 2, notes: "Matern")])
        let b = Self.session(
            name: "Screen v2", state: ["model": ["ls": 2.5, "nu": 1.5], "rows": [1, 9], "nan": .float(.infinity)],
            log: Self.shared + [Self.entry("lock.model", 6, iteration: 2, notes: "RBF"), Self.entry("message.user", 7)])
        try write(a, "\(dir)/a/\(Self.id).json")
        try write(b, "\(dir)/b/\(Self.id).json")
        return (dir, "\(dir)/a/\(Self.id).json", "\(dir)/b/\(Self.id).json")
    }

    func json(_ text: String) throws -> JSONValue { try JSONReader.read(text, options: .strict).value }

    @Test func diffJSONHasTheSpecKeys() throws {
        let (_, a, b) = try pair()
        let r = try CLI.run(["diff", a, b, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r.stdout)
        #expect(doc["identical"] == 0)
        #expect(doc["only_in_a"] == [])
        #expect(doc["only_in_b"] == [])
        let changed = try #require(doc["changed"]?.arrayValue?.first)
        #expect(changed["session_id"] == .string(Self.id))
        let paths = changed["changes"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
        #expect(
            paths.contains("/metadata/name") && paths.contains("/state/model/nu") && paths.contains("/state/rows/2"))
        let log = try #require(changed["audit_log"])
        #expect(log["common_prefix"] == 2)
        #expect(log["divergent"]?.arrayValue?.first?["decision"] == "lock.model iteration 2")
        #expect(log["only_in_b"]?.arrayValue?.count == 2)
    }

    @Test func exitCodeOnlyWithTheFlag() throws {
        let (_, a, b) = try pair()
        #expect(try CLI.run(["diff", a, b]).status == 0)
        #expect(try CLI.run(["diff", a, b, "--exit-code"]).status == 1)
        // Folders of canonical files (not in the store layout) compare the same way.
        let (dir, _, _) = try pair()
        let folders = try CLI.run(["diff", dir + "/a", dir + "/b", "--exit-code", "--json"])
        #expect(folders.status == 1, "\(folders.stderr)")
        #expect(try json(folders.stdout)["changed"]?.arrayValue?.count == 1)
        let same = try CLI.run(["diff", a, a, "--exit-code"])
        #expect(same.status == 0)
        #expect(same.stdout.contains("1 identical"))
    }

    @Test func humanOutputIsPlainWhenPipedAndShowsTheDivergentLock() throws {
        let (_, a, b) = try pair()
        let r = try CLI.run(["diff", a, b])
        #expect(!r.stdout.contains("\u{1B}["))
        #expect(r.stdout.contains("/metadata/name: \"Screen\" → \"Screen v2\""))
        #expect(r.stdout.contains("divergent lock.model iteration 2"))
        #expect(r.stdout.contains("first 2 shared"))
    }

    @Test func patchAppliedByPythonJsonpatchGivesB() throws {
        let (dir, a, b) = try pair()
        let r = try CLI.run(["diff", a, b, "--patch"])
        #expect(r.status == 0, "\(r.stderr)")
        try CLI.write(r.stdout, to: dir + "/patch.json")
        let script = """
            import json, sys, jsonpatch
            a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); p = json.load(open(sys.argv[3]))
            out = jsonpatch.apply_patch(a, p)
            sys.exit(0 if out == b else 1)
            """
        let check = try CLI.tool(["python3", "-c", script, a, b, dir + "/patch.json"])
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test func patchRefusesSeveralDifferingSessions() throws {
        let dir = try CLI.temporaryDirectory()
        for (side, name) in [("a", "one"), ("b", "two")] {
            try write(Self.session(name: name, log: Self.shared), "\(dir)/\(side)/sessions/5c/\(Self.id).json")
            try write(
                Self.session(id: Self.otherID, name: name, log: Self.shared),
                "\(dir)/\(side)/sessions/5c/\(Self.otherID).json")
        }
        let r = try CLI.run(["diff", dir + "/a", dir + "/b", "--patch"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("2 sessions differ"))
        let stores = try CLI.run(["diff", dir + "/a", dir + "/b", "--json"])
        #expect(try json(stores.stdout)["changed"]?.arrayValue?.count == 2)
    }

    @Test func mergeWritesAValidFileAndReportsConflictsWithExit1() throws {
        let dir = try CLI.temporaryDirectory()
        let base = Self.session(name: "Screen", log: Self.shared)
        let ours = Self.session(
            name: "Screen", log: Self.shared + [Self.entry("lock.model", 5, iteration: 2, notes: "Matern")])
        let theirs = Self.session(
            name: "Screen", log: Self.shared + [Self.entry("lock.model", 6, iteration: 2, notes: "RBF")])
        try write(base, dir + "/base.json")
        try write(ours, dir + "/ours.json")
        try write(theirs, dir + "/theirs.json")
        let out = "\(dir)/merged/\(Self.id).json"
        let r = try CLI.run(["merge", dir + "/base.json", dir + "/ours.json", dir + "/theirs.json", "-o", out])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("lock_decision"))
        let merged = try json(try #require(CLI.read(out)))
        #expect(merged["state"]?["sessionsync_conflicts"]?.arrayValue?.first?["kind"] == "lock_decision")
        #expect(merged["audit_log"]?.arrayValue?.count == 4)
        let v = try CLI.run(["validate", out])
        #expect(v.status == 0, "\(v.stdout)")
    }

    @Test func cleanMergeInPlaceLikeAGitDriver() throws {
        let dir = try CLI.temporaryDirectory()
        let base = Self.session(name: "Screen", log: Self.shared)
        let ours = Self.session(name: "Screen", log: Self.shared + [Self.entry("lock.model", 5, iteration: 2)])
        let theirs = Self.session(
            name: "Screen", state: ["note": "theirs"], log: Self.shared + [Self.entry("message.user", 4)])
        try write(base, dir + "/O")
        try write(ours, dir + "/A")
        try write(theirs, dir + "/B")
        let r = try CLI.run(["merge", dir + "/O", dir + "/A", dir + "/B", "-o", dir + "/A"])
        #expect(r.status == 0, "\(r.stderr)")
        let merged = try SessionValidator.session(fromCanonical: Array(try #require(CLI.read(dir + "/A")).utf8))
        #expect(merged.auditLog.map(\.kind) == ["message.user", "lock.data", "message.user", "lock.model"])
        #expect(merged.state["note"] == "theirs")
        // git passes an empty base for add/add: that is a merge without a base.
        try CLI.write("", to: dir + "/empty")
        let noBase = try CLI.run(["merge", dir + "/empty", dir + "/B", dir + "/A"])
        #expect(noBase.status == 0, "\(noBase.stderr)")
        #expect(noBase.stderr.contains("no base"))
    }

    @Test func mergeWithoutBaseToStandardOutput() throws {
        let dir = try CLI.temporaryDirectory()
        try write(Self.session(name: "Screen", log: Self.shared + [Self.entry("message.user", 8)]), dir + "/ours.json")
        try write(
            Self.session(name: "Screen", log: Self.shared + [Self.entry("lock.model", 3, iteration: 1)]),
            dir + "/theirs.json")
        let r = try CLI.run(["merge", "--no-base", dir + "/ours.json", dir + "/theirs.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let merged = try SessionValidator.session(fromCanonical: Array(r.stdout.utf8))
        #expect(merged.auditLog.map(\.kind) == ["message.user", "lock.data", "lock.model", "message.user"])
        #expect(try CLI.run(["merge", dir + "/ours.json", dir + "/theirs.json"]).status == 2)
        let report = try CLI.run([
            "merge", "--no-base", dir + "/ours.json", dir + "/theirs.json", "-o", dir + "/m.json", "--json",
        ])
        #expect(try json(report.stdout)["clean"] == true)
    }
}
