import Foundation
import SessionModel
import Testing

/// Issue #3's acceptance on the real corpus (Fixtures/legacy mirrors ../shared/corpus), through
/// the binary: detection of every file, determinism across worker counts, bad files beside good
/// ones, and the export round trip read back by Python's own json.
struct CorpusMigrationTests {
    static let corpus = CLI.packageRoot + "/Fixtures/legacy"

    @Test func everyCorpusFileIsDetectedAsRecorded() throws {
        let result = try CLI.run(["detect", "--json", "legacy"], in: CLI.packageRoot + "/Fixtures")
        #expect(result.status == 0, "\(result.stderr)")
        CLI.expectGolden(result.stdout, "cli/detect-corpus.json")
        let rows = try JSONReader.read(result.stdout).value.arrayValue ?? []
        // Everything is a known format except the Markdown audit export (not a session) and the
        // SQL schema dumps; pickles are detected as the pickled server store.
        let skipped = rows.filter { $0["result"] == "skipped" }.compactMap { $0["path"]?.stringValue }
        let known: Set = [
            "legacy/alchemist/session_json/head_full_workflow.audit.md", "legacy/jambot/schema_mysql_ddl.sql",
            "legacy/jambot/schema_sqlite.sql",
        ]
        #expect(Set(skipped).isSubset(of: known), "\(skipped)")
        #expect(!rows.contains { $0["result"] == "error" })
    }

    @Test func oneWorkerAndTwoWorkersGiveByteIdenticalStores() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = try CLI.run([
            "migrate", Self.corpus, "--out", dir + "/one", "--jobs", "1", "--report", dir + "/one.json",
        ])
        let two = try CLI.run([
            "migrate", Self.corpus, "--out", dir + "/two", "--jobs", "2", "--report", dir + "/two.json",
        ])
        #expect(one.status == 0, "\(one.stdout)")
        #expect(two.status == 0)
        let a = CLI.tree(dir + "/one")
        #expect(a.count >= 25)
        #expect(a == CLI.tree(dir + "/two"))
        let reportA = CLI.read(dir + "/one.json")!.replacingOccurrences(of: dir + "/one", with: "")
        let reportB = CLI.read(dir + "/two.json")!.replacingOccurrences(of: dir + "/two", with: "")
        #expect(reportA == reportB)
        // Every file validates, and a second run changes nothing.
        #expect(try CLI.run(["validate", dir + "/one"]).status == 0)
        let again = try CLI.run(["migrate", Self.corpus, "--out", dir + "/one", "--json"])
        let totals = try JSONReader.read(again.stdout).value["totals"]
        #expect(totals?["created"] == .int(0))
        #expect(totals?["updated"] == .int(0))
        #expect(totals?["unchanged"] == .int(a.count))
    }

    /// With no usable temporary folder, the spill file and the temporary table of copies fall
    /// back to memory: the run still succeeds and writes the same store and report.
    @Test func aRunWithoutATemporaryFolderKeepsItsBookkeepingInMemory() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let normal = try CLI.run(["migrate", Self.corpus, "--out", dir + "/a", "--report", dir + "/a.json"])
        let noTemp = try CLI.run(
            ["migrate", Self.corpus, "--out", dir + "/b", "--report", dir + "/b.json"],
            environment: ["TMPDIR": dir + "/does-not-exist", "SQLITE_TMPDIR": dir + "/does-not-exist"])
        #expect(normal.status == 0)
        #expect(noTemp.status == 0, "\(noTemp.stderr)")
        #expect(CLI.tree(dir + "/a") == CLI.tree(dir + "/b"))
        #expect(
            CLI.read(dir + "/a.json")!.replacingOccurrences(of: dir + "/a", with: "")
                == CLI.read(dir + "/b.json")!.replacingOccurrences(of: dir + "/b", with: ""))
        #expect(noTemp.stdout == normal.stdout.replacingOccurrences(of: dir + "/a", with: dir + "/b"))
    }

    @Test func malformedInputsEachGetOneErrorAndTheGoodFilesStillMigrate() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let baseline = try CLI.run(["migrate", Self.corpus, "--out", dir + "/baseline", "--json"])
        let goodSessions = try JSONReader.read(baseline.stdout).value["totals"]?["sessions"]
        try FileManager.default.copyItem(atPath: Self.corpus, toPath: dir + "/in")
        let full = CLI.read(Self.corpus + "/alchemist/session_json/head_full_workflow.json")!
        let mochi = CLI.read(Self.corpus + "/mochi/format_1_4_head/chat_sessions/0f7a24a33f.json")!
        let bad: [(String, Data)] = [
            ("bad/truncated.json", Data(full.utf8.prefix(5000))),
            (
                "bad/invalid-utf8.json",
                Data(mochi.utf8.prefix(200)) + Data([0xC3, 0x28]) + Data(mochi.utf8.dropFirst(200))
            ),
            (
                "bad/wrong-types.json",
                Data(
                    mochi.replacingOccurrences(of: "\"messages\": [", with: "\"messages\": {\"x\": [")
                        .replacingOccurrences(of: "\n  ]\n}", with: "\n  ]}\n}").utf8)
            ),
            (
                "bad/traversal.json",
                Data(
                    mochi.replacingOccurrences(
                        of: "\"session_id\": \"0f7a24a33f\"", with: "\"session_id\": \"../../etc/x\""
                    ).utf8)
            ),
            (
                "bad/deep.json",
                Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
            ),
            ("bad/empty.json", Data()),
        ]
        for (name, data) in bad {
            try FileManager.default.createDirectory(atPath: dir + "/in/bad", withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: dir + "/in/" + name))
        }
        let run = try CLI.run(["migrate", dir + "/in", "--out", dir + "/out", "--report", dir + "/report.json"])
        #expect(run.status == 1)
        let report = try JSONReader.read(CLI.read(dir + "/report.json")!).value
        let inputs = report["inputs"]?.arrayValue ?? []
        for (name, _) in bad {
            let record = inputs.first { $0["path"]?.stringValue == dir + "/in/" + name }
            #expect(record?["outcome"] == "failed", "\(name)")
            let reason = record?["error"]?["reason"]?.stringValue ?? ""
            #expect(!reason.isEmpty && !reason.contains("\n"), "\(name): \(reason)")
            // The human summary names each bad file on one line.
            #expect(run.stdout.split(separator: "\n").contains { $0.hasPrefix("error \(dir)/in/\(name)") }, "\(name)")
        }
        #expect(report["totals"]?["failed_inputs"] == .int(bad.count))
        #expect(report["totals"]?["sessions"] == goodSessions)
        #expect(CLI.tree(dir + "/out") == CLI.tree(dir + "/baseline"))
    }

    /// legacy -> canonical -> export, read back by Python's json as the app would, equals the
    /// original (the importers' own tests cover every file; this is the CLI path end to end).
    @Test(arguments: [
        ("alchemist/session_json/head_full_workflow.json", "alchemist"),
        ("alchemist/rest_store_json_head/cache/sessions/f0d7f576-4942-4fb3-9cbf-98b86809a4ca.json", "alchemist-server"),
        ("mochi/format_1_3_phase2/chat_sessions/954507d178.json", "mochi"),
    ])
    func exportReadsBackAsTheOriginal(file: String, format: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try CLI.run(["migrate", Self.corpus + "/" + file, "--out", dir + "/store"]).status == 0)
        let stored = CLI.tree(dir + "/store").keys.first { $0.hasSuffix(".json") }!
        let exported = try CLI.run(["export", dir + "/store/" + stored, "--to", format, "-o", dir + "/exported.json"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let same = try CLI.tool([
            "python3", CLI.packageRoot + "/scripts/json_same.py", Self.corpus + "/" + file, dir + "/exported.json",
        ])
        #expect(same.status == 0, "\(same.stdout)")
    }
}
