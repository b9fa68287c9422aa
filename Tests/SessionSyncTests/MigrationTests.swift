import Foundation
import LegacyFormats
import SessionModel
import SessionSync
import Testing

/// The migrate pipeline: every input accounted for, copies resolved by content, atomic and
/// idempotent writes, and the same bytes whatever the number of workers.
struct MigrationTests {
    static func session(_ legacy: String, updated: String, notes: String = "n", entries: Int = 1) -> Session {
        var s = Session(
            sessionID: SessionID.derive(system: "mochi", legacyID: legacy),
            origin: Origin(system: "mochi", format: "mochi-session/1.4", legacyID: legacy),
            metadata: Metadata(
                name: "chat \(legacy)", tags: ["t"], createdAt: "2026-01-01T00:00:00Z", updatedAt: updated),
            state: ["nan": .float(.nan)],
            auditLog: (0..<entries).map { i in
                AuditEntry(
                    kind: "message.user", timestamp: "2026-01-01T00:00:0\(i)Z", notes: notes, payload: ["i": .int(i)])
            })
        s.sealAuditLog()
        return s
    }

    /// A folder of inputs: good canonical sessions, two copies of one session, and one of each
    /// kind of bad input the issue lists.
    static func makeInputs(in dir: String) throws {
        func write(_ bytes: [UInt8], _ name: String) throws {
            let path = dir + "/" + name
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        for i in 0..<12 {
            try write(session("s\(i)", updated: "2026-02-0\(i % 9 + 1)T00:00:00Z").canonicalBytes, "good/s\(i).json")
        }
        try write(session("copy", updated: "2026-03-01T00:00:00Z", notes: "old").canonicalBytes, "a/copy.json")
        try write(session("copy", updated: "2026-03-02T00:00:00.5Z", notes: "new").canonicalBytes, "b/copy.json")
        try write(
            session("copy", updated: "2026-03-01T00:00:00Z", notes: "old").canonicalBytes, "c/copy-identical.json")
        try write(Array("{\"format\": \"sessionsync/1\", \"session_id\": \"x".utf8), "bad/truncated.json")
        try write([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x20, 0x22, 0xFF, 0x22, 0x7D], "bad/invalid-utf8.json")
        try write([], "bad/empty.json")
        try write(
            Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8),
            "bad/deep.json")
        try write(Array("# Notes\nnot a session\n".utf8), "README.md")
        try write(Array("{\"unrelated\": true}".utf8), "other.json")
    }

    func migrate(
        _ inputs: [String], to out: String, jobs: Int, dryRun: Bool = false, rendersReport: Bool = true
    ) throws -> MigrationReport {
        var options = MigrationOptions(inputs: inputs, importOptions: try ImportOptions(), jobs: jobs, dryRun: dryRun)
        options.rendersReport = rendersReport
        let store = FolderStore(root: out)
        return try Migration(options: options).run(into: dryRun ? DryRunSink(wrapping: store) : store)
    }

    static func tree(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        if let e = FileManager.default.enumerator(atPath: root) {
            for case let rel as String in e {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                    out[rel] = FileManager.default.contents(atPath: root + "/" + rel)
                }
            }
        }
        return out
    }

    @Test func everyInputIsAccountedForAndBadFilesDoNotStopTheRun() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        let report = try migrate([dir + "/in"], to: dir + "/out", jobs: 2)
        let byPath = Dictionary(
            uniqueKeysWithValues: report.inputs.map { ($0.path.replacingOccurrences(of: dir + "/in/", with: ""), $0) })
        #expect(report.inputs.count == 21)
        for name in ["bad/truncated.json", "bad/invalid-utf8.json", "bad/empty.json", "bad/deep.json"] {
            #expect(byPath[name]?.outcome == .failed, "\(name)")
            #expect(byPath[name]?.error?.reason.isEmpty == false)
        }
        #expect(byPath["bad/truncated.json"]?.error?.location == "line 1 column 43")
        #expect(byPath["bad/truncated.json"]?.error?.reason == "unterminated string (truncated?)")
        #expect(byPath["bad/invalid-utf8.json"]?.error?.reason == "invalid UTF-8 byte 0xFF")
        #expect(byPath["bad/empty.json"]?.error?.reason == "empty file (0 bytes)")
        #expect(byPath["bad/deep.json"]?.error?.reason == "nesting deeper than 512 levels")
        #expect(byPath["README.md"]?.outcome == .skipped)
        #expect(byPath["other.json"]?.outcome == .skipped)
        #expect(report.hasFailures)
        let t = report.totals
        #expect(t.sessions == 13)
        #expect(t.created == 13)
        #expect(t.failedInputs == 4)
        #expect(t.skippedInputs == 2)
        #expect(t.supersededCopies == 2)
        // Every good session is in the store and valid.
        let files = FolderStore(root: dir + "/out").sessionFiles()
        #expect(files.count == 13)
        for file in files {
            let bytes = [UInt8](FileManager.default.contents(atPath: file)!)
            let stem = String((file as NSString).lastPathComponent.dropLast(5))
            #expect(SessionValidator.validate(fileBytes: bytes, fileStem: stem).issues.isEmpty)
        }
    }

    /// With one worker the older copy is stored first and the newer one must replace it (a
    /// session the store did not hold before is written without reading the file first).
    @Test(arguments: [1, 2])
    func theNewestCopyWinsAndTheOthersAreReportedAsSuperseded(jobs: Int) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        let report = try migrate([dir + "/in"], to: dir + "/out", jobs: jobs)
        let copyID = SessionID.derive(system: "mochi", legacyID: "copy")
        let stored = try SessionValidator.session(
            fromCanonical: [UInt8](
                FileManager.default.contents(atPath: FolderStore(root: dir + "/out").path(of: copyID))!))
        #expect(stored.auditLog.first?.notes == "new")
        let copies = report.inputs.filter { $0.sessions.contains { $0.sessionID == copyID } }
        #expect(copies.count == 3)
        for input in copies where input.path.hasSuffix("b/copy.json") {
            #expect(input.outcome == .migrated)
            #expect(input.sessions[0].status == .created)
        }
        for input in copies where !input.path.hasSuffix("b/copy.json") {
            #expect(input.outcome == .superseded)
            #expect(input.sessions[0].status == .superseded)
            #expect(input.sessions[0].supersededBy == dir + "/in/b/copy.json")
            #expect(input.sessions[0].differsFromMigrated == true)
        }
        // Every pass over a bulk run's records (the totals, `report.inputs` above, `again`
        // here) reads them as converted and resolves them again: every pass must give the
        // same records, with the statuses, `superseded_by` and `differs` checked above.
        let again = report.inputs
        #expect(again.map(\.jsonValue) == report.inputs.map(\.jsonValue))
        #expect(again.map(\.path) == report.inputs.map(\.path))
        #expect(again.flatMap(\.sessions).filter { $0.status == .superseded }.count == 2)
    }

    /// The sink hears that conversion is over once every session is stored and before the
    /// report is assembled (the folder store starts its flush there), and `finish` comes last.
    @Test func conversionFinishedComesAfterTheLastStoreAndBeforeFinish() throws {
        final class Recorder: SessionSink, @unchecked Sendable {
            let inner: FolderStore
            let events = Locked([String]())
            init(_ inner: FolderStore) { self.inner = inner }
            var destination: String { inner.destination }
            func existingDigest(of sessionID: String) throws -> String? { try inner.existingDigest(of: sessionID) }
            func store(_ migrated: MigratedSession) throws {
                try inner.store(migrated)
                events.withLock { $0.append("store") }
            }
            func conversionFinished() {
                inner.conversionFinished()
                events.withLock { $0.append("converted") }
            }
            func finish(report: inout MigrationReport, progress: (any ProgressSink)?) throws {
                try inner.finish(report: &report, progress: progress)
                events.withLock { $0.append("finish") }
            }
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        let recorder = Recorder(FolderStore(root: dir + "/out"))
        let options = MigrationOptions(inputs: [dir + "/in"], importOptions: try ImportOptions(), jobs: 2)
        let report = try Migration(options: options).run(into: recorder)
        let events = recorder.events.withLock { $0 }
        #expect(events.filter { $0 == "store" }.count >= report.totals.created)
        #expect(Array(events.suffix(2)) == ["converted", "finish"])
        #expect(Self.tree(dir + "/out").count == report.totals.created)
    }

    /// The summary's warnings come from a sample taken while counting: the first 20 inputs
    /// with warnings, 5 warnings each, and how many inputs have warnings in all.
    @Test func warningSampleHoldsTheFirstWarnedInputsInReportOrder() {
        var inputs: [InputRecord] = []
        for i in 0..<45 {
            var r = InputRecord(path: String(format: "in/%02d.json", i), outcome: .migrated)
            if i % 3 != 0 {
                r.warnings = (0..<(i % 7)).map { ImportWarning("code\($0)", "", "warning \($0) of \(i)") }
            }
            inputs.append(r)
        }
        let report = MigrationReport(inputs: inputs, dryRun: false, destination: nil)
        let warned = inputs.filter { !$0.warnings.isEmpty }
        let sample = report.warningSample
        #expect(warned.count > 20 && warned.contains { $0.warnings.count > 5 })
        #expect(sample.warnedFiles == warned.count)
        #expect(sample.files.map(\.path) == Array(warned.prefix(20).map(\.path)))
        for (file, input) in zip(sample.files, warned) {
            #expect(file.total == input.warnings.count)
            #expect(file.warnings == Array(input.warnings.prefix(5)))
        }
    }

    @Test func theWalkYieldsFilesInTheByteOrderOfTheirPaths() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // "a.txt" < "a/x" < "a0" byte-wise ("." 0x2E < "/" 0x2F < "0" 0x30): a folder's files
        // sort as if its name ended in "/".
        for name in ["a/x.json", "a.txt", "a0", "a/b/c", "a-b/z", "B", "é/1", "e/2"] {
            let path = dir + "/in/" + name
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: path, contents: Data("{}".utf8))
        }
        let paths = InputWalker.walk([dir + "/in"]).files.map(\.displayPath)
        #expect(paths.count == 8)
        #expect(paths == paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(paths.firstIndex(of: dir + "/in/a.txt")! < paths.firstIndex(of: dir + "/in/a/b/c")!)
    }

    @Test func oneWorkerAndTwoWorkersGiveByteIdenticalStoresAndReports() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        let r1 = try migrate([dir + "/in"], to: dir + "/one", jobs: 1)
        let r2 = try migrate([dir + "/in"], to: dir + "/two", jobs: 2)
        #expect(Self.tree(dir + "/one") == Self.tree(dir + "/two"))
        #expect(!Self.tree(dir + "/one").isEmpty)
        var j1 = r1.jsonValue.objectValue!
        var j2 = r2.jsonValue.objectValue!
        j1["destination"] = nil
        j2["destination"] = nil
        #expect(CanonicalJSON.bytes(.object(j1)) == CanonicalJSON.bytes(.object(j2)))
    }

    /// The table of winning copies keeps its first sessions in memory, packed, and the rest in
    /// a temporary database. Holding one session in memory sends every other session, and the
    /// later copies of the first, through the database; the run must not change. The second
    /// pair of runs finds every session in the store already, so the digests kept in each tier
    /// decide "unchanged".
    @Test func sessionsHeldInMemoryOrInTheDatabaseGiveTheSameRun() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        func run(inMemory: Int, to out: String) throws -> MigrationReport {
            var options = MigrationOptions(inputs: [dir + "/in"], importOptions: try ImportOptions(), jobs: 2)
            options.sessionsInMemory = inMemory
            return try Migration(options: options).run(into: FolderStore(root: out))
        }
        func reportText(_ r: MigrationReport) -> String {
            var j = r.jsonValue.objectValue!
            j["destination"] = nil
            return CanonicalJSON.string(.object(j))
        }
        for pass in 0..<2 {
            let packed = try run(inMemory: MigrationOptions.defaultSessionsInMemory, to: dir + "/packed")
            let database = try run(inMemory: 1, to: dir + "/database")
            #expect(Self.tree(dir + "/packed") == Self.tree(dir + "/database"))
            #expect(reportText(packed) == reportText(database))
            #expect(database.totals.supersededCopies == 2)
            if pass == 0 {
                #expect(database.totals.created == 13)
            } else {
                #expect(database.totals.unchanged == 13)
            }
        }
    }

    @Test func reRunningLeavesUnchangedFilesUntouchedAndSaysSo() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        _ = try migrate([dir + "/in"], to: dir + "/out", jobs: 2)
        let path = FolderStore(root: dir + "/out").path(of: SessionID.derive(system: "mochi", legacyID: "s1"))
        let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as! Int
        let again = try migrate([dir + "/in"], to: dir + "/out", jobs: 2)
        #expect(again.totals.unchanged == 13)
        #expect(again.totals.created == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date == before)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as! Int == inode)
        // A changed input updates exactly its session.
        try Data(Self.session("s1", updated: "2026-05-01T00:00:00Z", notes: "edited").canonicalBytes).write(
            to: URL(fileURLWithPath: dir + "/in/good/s1.json"))
        let third = try migrate([dir + "/in"], to: dir + "/out", jobs: 2)
        #expect(third.totals.updated == 1)
        #expect(third.totals.unchanged == 12)
    }

    /// The folder store answers "what did you hold before this run" without a failed open for
    /// sessions whose shard folder did not exist when the run started; a second run through
    /// the same store object must still find what the first run wrote.
    @Test func oneFolderStoreServesTwoRunsAndTheSecondFindsTheFirstsFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        let store = FolderStore(root: dir + "/out")
        let options = MigrationOptions(inputs: [dir + "/in"], importOptions: try ImportOptions(), jobs: 2)
        let first = try Migration(options: options).run(into: store)
        #expect(first.totals.created == 13)
        let second = try Migration(options: options).run(into: store)
        #expect(second.totals.unchanged == 13)
        #expect(second.totals.created == 0)
        let planned = try Migration(options: options).run(into: DryRunSink(wrapping: store))
        #expect(planned.totals.unchanged == 13)
    }

    @Test func dryRunWritesNothingButPlans() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        let report = try migrate([dir + "/in"], to: dir + "/out", jobs: 2, dryRun: true)
        #expect(report.totals.planned == 13)
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }

    @Test func symlinksLeavingTheInputRootAreNotFollowed() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/outside", withIntermediateDirectories: true)
        try Data(Self.session("secret", updated: "2026-01-01T00:00:00Z").canonicalBytes).write(
            to: URL(fileURLWithPath: dir + "/outside/x.json"))
        try Data(Self.session("inside", updated: "2026-01-01T00:00:00Z").canonicalBytes).write(
            to: URL(fileURLWithPath: dir + "/in/y.json"))
        try FileManager.default.createSymbolicLink(
            atPath: dir + "/in/link.json", withDestinationPath: dir + "/outside/x.json")
        try FileManager.default.createSymbolicLink(
            atPath: dir + "/in/inner.json", withDestinationPath: dir + "/in/y.json")
        let report = try migrate([dir + "/in"], to: dir + "/out", jobs: 1)
        let link = report.inputs.first { $0.path.hasSuffix("link.json") }
        #expect(link?.outcome == .failed)
        #expect(link?.error?.reason == "symlink leaves the input root; not followed")
        // The link inside the root is followed: it and its target are identical copies of one
        // session, so the first in walk order is migrated and the other is superseded.
        #expect(report.inputs.first { $0.path.hasSuffix("inner.json") }?.sessions.first?.status == .created)
        #expect(report.inputs.first { $0.path.hasSuffix("y.json") }?.sessions.first?.differsFromMigrated == false)
        #expect(FolderStore(root: dir + "/out").sessionFiles().count == 1)
    }

    @Test func reportIsCanonicalJSONWithTotals() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        let report = try migrate([dir + "/in"], to: dir + "/out", jobs: 2)
        let json = report.jsonValue
        #expect(json["format"] == "sessionsync-report/1")
        #expect(json["totals"]?["failed_inputs"] == .int(4))
        #expect(json["totals"]?["warnings"]?["non-finite-number"] == nil)
        let truncated = json["inputs"]?.arrayValue?.first {
            $0["path"]?.stringValue?.hasSuffix("truncated.json") == true
        }
        #expect(truncated?["error"]?["location"] == "line 1 column 43")
        #expect(truncated?["outcome"] == "failed")
    }

    /// Bulk runs keep their input records in a spill file and stream the report out: the
    /// streamed bytes must be exactly the canonical bytes of the whole report, for a run with
    /// errors, warnings, superseded copies and skipped files, and for an empty one.
    @Test func streamedReportIsByteIdenticalToTheCanonicalReport() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.makeInputs(in: dir + "/in")
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        for (inputs, dryRun) in [
            ([dir + "/in"], false), ([dir + "/in", dir + "/missing"], true), ([dir + "/empty"], false),
        ] {
            let report = try migrate(inputs, to: dir + "/out", jobs: 2, dryRun: dryRun)
            var streamed: [UInt8] = []
            var chunks = 0
            try report.writeJSON {
                streamed += $0
                chunks += 1
            }
            #expect(streamed == CanonicalJSON.bytes(report.jsonValue))
            #expect(chunks >= 1)
            // The records read back from the spill file are the ones the run made.
            #expect(report.inputs.count == report.totals.inputs)
            var viaForEach: [String] = []
            report.forEachInput { viaForEach.append($0.path) }
            #expect(viaForEach == report.inputs.map(\.path))
            #expect(viaForEach == viaForEach.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
        let report = try migrate([dir + "/in", dir + "/missing"], to: dir + "/out", jobs: 1, dryRun: true)
        let missing = report.inputs.first { $0.path.hasSuffix("missing") }
        #expect(missing?.outcome == .failed)
        #expect(report.hasFailures)
        let truncated = report.inputs.first { $0.path.hasSuffix("truncated.json") }
        #expect(truncated?.error?.location == "line 1 column 43")
    }

    /// The report's records are written straight to canonical bytes, without a tree: over the
    /// legacy fixtures (every format, with warnings, notes, joined parts, skipped files and
    /// strings that need escapes) they must equal the canonical bytes of the report's tree,
    /// both when the counting pass renders them (a run that writes its report) and when the
    /// report renders them on the way out (a run that was not told it would).
    @Test func streamedReportOfTheLegacyFixturesIsByteIdenticalToTheCanonicalReport() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try migrate([GitStoreTests.corpus], to: dir + "/out", jobs: 2, dryRun: true)
        var streamed: [UInt8] = []
        try report.writeJSON { streamed += $0 }
        #expect(String(decoding: streamed, as: UTF8.self) == CanonicalJSON.string(report.jsonValue))
        let unrendered = try migrate(
            [GitStoreTests.corpus], to: dir + "/out", jobs: 1, dryRun: true, rendersReport: false)
        var streamedLater: [UInt8] = []
        try unrendered.writeJSON { streamedLater += $0 }
        #expect(streamedLater == streamed)
        // Every pass resolves the spilled records again, and gets the same answer.
        #expect(CanonicalJSON.bytes(unrendered.jsonValue) == CanonicalJSON.bytes(unrendered.jsonValue))
        #expect(report.inputs.filter { $0.outcome == .superseded }.count == report.totals.supersededInputs)
        let inputs = report.inputs
        #expect(inputs.contains { !$0.warnings.isEmpty })
        #expect(inputs.contains { $0.note != nil })
        #expect(inputs.contains { $0.outcome == .joined })
        #expect(inputs.contains { $0.outcome == .skipped })
        #expect(inputs.contains { $0.sessions.contains { $0.legacyID == nil || $0.name == nil } })
    }

    /// A report larger than one streamed chunk (64 KiB rendered on the way out, 256 KiB
    /// rendered by the counting pass) comes out in several chunks that still concatenate to
    /// exactly the canonical report, whichever pass rendered it.
    @Test func aLargeReportStreamsInSeveralChunks() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        for i in 0..<1300 {
            try Data(Self.session("bulk\(i)", updated: "2026-02-01T00:00:00Z").canonicalBytes).write(
                to: URL(fileURLWithPath: dir + "/in/s\(i).json"))
        }
        let report = try migrate([dir + "/in"], to: dir + "/out", jobs: 2)
        var streamed: [UInt8] = []
        var chunks = 0
        try report.writeJSON {
            streamed += $0
            chunks += 1
        }
        // More than two batches of the counting pass's rendering, besides the envelope's head
        // and tail.
        #expect(streamed.count > 2 << 18)
        #expect(chunks >= 5)
        #expect(streamed == CanonicalJSON.bytes(report.jsonValue))
        #expect(report.totals.created == 1300)
        let unrendered = try migrate([dir + "/in"], to: dir + "/out", jobs: 1, dryRun: true, rendersReport: false)
        var streamedLater: [UInt8] = []
        chunks = 0
        try unrendered.writeJSON {
            streamedLater += $0
            chunks += 1
        }
        #expect(chunks > 8)
        #expect(streamedLater == CanonicalJSON.bytes(unrendered.jsonValue))
    }

    /// A report written to a file is written whole or not at all.
    @Test func streamedFileWriteIsAtomic() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/report.json"
        try AtomicFile.write(to: path) { emit in
            try emit(Array("one ".utf8))
            try emit(Array("two".utf8))
        }
        #expect(FileManager.default.contents(atPath: path) == Data("one two".utf8))
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: path) { emit in
                try emit(Array("partial".utf8))
                throw Interrupted()
            }
        }
        #expect(FileManager.default.contents(atPath: path) == Data("one two".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.json"])
    }

    /// New files appear whole under their name; a replaced file is swapped whole; unchanged
    /// bytes are not written again; nothing else is ever left in the folder (no temporary
    /// names on the way, with unnamed files or without).
    @Test func atomicWritesCreateReplaceAndLeaveNothingBehind() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.json"
        #expect(try AtomicFile.write(Array("first".utf8), to: path, durable: false, compare: false))
        #expect(FileManager.default.contents(atPath: path) == Data("first".utf8))
        // Replacing: the file exists, so it is swapped in under a temporary name.
        #expect(try AtomicFile.write(Array("second, longer".utf8), to: path, durable: true, compare: false))
        #expect(FileManager.default.contents(atPath: path) == Data("second, longer".utf8))
        #expect(try !AtomicFile.write(Array("second, longer".utf8), to: path))
        #expect(try AtomicFile.write(Array("third".utf8), to: path))
        #expect(FileManager.default.contents(atPath: path) == Data("third".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o600 } == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["s.json"])
        // A folder that is not there is an error naming the file, not a crash.
        #expect(throws: (any Error).self) {
            try AtomicFile.write(Array("x".utf8), to: dir + "/missing/s.json", directoryExists: true)
        }
    }

    func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sessionsync-migrate-" + UUID().uuidString
        ).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
