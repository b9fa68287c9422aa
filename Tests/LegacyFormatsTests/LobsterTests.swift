import Foundation
import LegacyFormats
import SessionModel
import Testing

/// Lobster AI: detection of every corpus file, golden canonical output, validation, export
/// round trips (session JSON, provenance JSONL, metadata.json, export_to_json), malformed input.
@Suite struct LobsterTests {
    static let root = "legacy/lobster"
    static let headJSON = "legacy/lobster/workspace_head/session_session_20261121_134500.json"
    static let headFolder = "legacy/lobster/workspace_head/.lobster/sessions/session_20261121_134500"
    static let headLog = headFolder + "/provenance.jsonl"
    static let headMetadata = headFolder + "/metadata.json"
    static let v10JSON = "legacy/lobster/workspace_v1_0/session_session_20260213_101500.json"
    static let exportSessionJSON = "legacy/lobster/workspace_export_session/session_session_20261121_134500.json"
    static let trackerExport = "legacy/lobster/export_to_json.provenance.json"
    static let truncated = "legacy/lobster/variants/truncated_trailing_line.provenance.jsonl"
    static let unknownVersion = "legacy/lobster/variants/unknown_version_line.provenance.jsonl"
    static let empty = "legacy/lobster/variants/empty.provenance.jsonl"

    // MARK: Detection

    struct DetectionCase: Sendable, CustomStringConvertible {
        var file: String
        var root: String?
        var format: String
        var role: DetectedFormat.Role
        var description: String { file + (root.map { " under " + $0 } ?? "") }
    }

    static let detectionCases: [DetectionCase] = [
        .init(file: headJSON, root: root, format: "lobster-session/1.1", role: .session),
        .init(file: v10JSON, root: root, format: "lobster-session/1.0", role: .session),
        .init(file: exportSessionJSON, root: root, format: "lobster-session-export", role: .session),
        .init(file: headLog, root: root, format: "lobster-provenance", role: .part),
        // Without the workspace in view the session folder is a session by itself.
        .init(file: headLog, root: nil, format: "lobster-provenance", role: .session),
        .init(file: headMetadata, root: root, format: "lobster-provenance-metadata", role: .part),
        .init(file: trackerExport, root: root, format: "lobster-provenance-export", role: .session),
        .init(file: truncated, root: root, format: "lobster-provenance", role: .session),
        .init(file: unknownVersion, root: root, format: "lobster-provenance", role: .session),
        .init(file: empty, root: root, format: "lobster-provenance", role: .session),
    ]

    @Test(arguments: detectionCases)
    func detectsEveryCorpusFile(_ c: DetectionCase) throws {
        let detected = try Self.detect(c.file, root: c.root)
        let format = try #require(detected)
        #expect(format.system == "lobster")
        #expect(format.qualifiedName == c.format)
        #expect(format.role == c.role)
    }

    @Test func emptyFileIsLobsterOnlyByItsName() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, expected) in [("provenance.jsonl", true), ("x.provenance.jsonl", true), ("notes.jsonl", false)] {
            _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data())
            let input = InputSniffer.parse(SourceFile(path: dir + "/" + name, displayPath: name, bytes: []))
            let found = LobsterImporter().detect(input, context: try Self.context(root: dir))
            #expect((found != nil) == expected, "\(name)")
            if let note = found?.note { #expect(note.contains("name")) }
        }
    }

    // MARK: Goldens

    struct GoldenCase: Sendable, CustomStringConvertible {
        var file: String
        var root: String
        /// Copies of one session share its id; each keeps its golden in a sub-folder of its
        /// own, so that every golden is named <session id>.json as canonical files must be.
        var suffix: String
        var description: String { file }
    }

    static let goldenCases: [GoldenCase] = [
        .init(file: headJSON, root: root, suffix: ""),
        .init(file: v10JSON, root: root, suffix: ""),
        .init(file: exportSessionJSON, root: root, suffix: "export_session/"),
        .init(file: trackerExport, root: root, suffix: "export_to_json/"),
        .init(file: headLog, root: headFolder, suffix: "provenance_only/"),
        .init(file: truncated, root: root, suffix: ""),
        .init(file: unknownVersion, root: root, suffix: ""),
        .init(file: empty, root: root, suffix: ""),
    ]

    @Test(arguments: goldenCases)
    func canonicalOutputMatchesGoldenAndValidates(_ c: GoldenCase) throws {
        let (_, sessions) = try Fixtures.importFixture(c.file, root: c.root)
        try #require(sessions.count == 1)
        let session = sessions[0].session
        let bytes = session.canonicalBytes
        let golden = "golden/lobster/\(c.suffix)\(session.sessionID).json"
        Fixtures.expectGolden(bytes, golden)
        let (_, issues) = SessionValidator.validate(fileBytes: bytes, fileStem: session.sessionID)
        #expect(issues.isEmpty, "\(issues)")
        // The golden file itself validates too.
        let stored = try Fixtures.bytes(golden)
        #expect(SessionValidator.validate(fileBytes: stored, fileStem: session.sessionID).issues.isEmpty)
    }

    @Test func sessionJSONIsJoinedWithItsProvenanceFolder() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.headJSON, root: Self.root)
        let imported = try #require(sessions.first)
        let s = imported.session
        #expect(s.origin.legacyID == "session_20261121_134500")
        #expect(s.sessionID == SessionID.derive(system: "lobster", legacyID: "session_20261121_134500"))
        #expect(s.origin.format == "lobster-session/1.1")
        #expect(s.origin.extra["assumed_timezone"] == .string("UTC"))
        #expect(imported.joinedFiles.contains { $0.hasSuffix("session_20261121_134500/provenance.jsonl") })
        #expect(imported.joinedFiles.contains { $0.hasSuffix("session_20261121_134500/metadata.json") })
        // Conversation first (no times), then the 44 activities in file order.
        #expect(
            s.auditLog.prefix(4).map(\.kind) == [
                "message.user", "message.assistant", "message.user", "message.assistant",
            ])
        #expect(s.auditLog.prefix(4).allSatisfy { $0.timestamp == nil })
        let activities = s.auditLog.filter { $0.kind == "provenance.activity" }
        #expect(activities.count == 44)
        #expect(activities[0].timestamp == "2026-11-21T13:45:11.476216Z")
        #expect(activities[0].actor == "lobster:agent:transcriptomicsadapter")
        #expect(activities[0].payload["v"] == .int(1))
        #expect(activities[0].payload["timestamp"] == nil)
        #expect(activities[1].payload["ir"]?["parameters"]?["target_sum"] == .float(10000.0))
        #expect(s.metadata.createdAt == "2026-11-21T13:45:00.123456Z")
        #expect(s.metadata.updatedAt == "2026-11-21T13:46:01.000001Z")
        #expect(s.state["session_json"]?["token_usage"]?["total_tokens"] == .int(3002))
        #expect(s.state["provenance_metadata"]?["activity_count"] == .int(44))
        #expect(imported.warnings.contains { $0.code == "naive-time" })
    }

    @Test func naiveTimesFollowTheAssumedZone() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.v10JSON, root: Self.root, timeZone: "Europe/Berlin")
        let s = try #require(sessions.first).session
        #expect(s.metadata.createdAt == "2026-11-21T12:45:00.123456Z")
        #expect(s.origin.extra["assumed_timezone"] == .string("Europe/Berlin"))
    }

    @Test func jsonlLinesAreSkippedExactlyAsTheAppDoes() throws {
        let (_, truncated) = try Fixtures.importFixture(Self.truncated, root: Self.root)
        let t = try #require(truncated.first)
        #expect(t.session.auditLog.count == 5)  // the real loader loads 5
        let skipped = t.warnings.filter { $0.code == "skipped-line" }
        #expect(skipped.map(\.location) == ["line 6"])
        #expect(skipped.first?.message.contains("not valid JSON") == true)
        #expect(t.warnings.contains { $0.code == "id-from-file-name" })
        #expect(t.session.origin.legacyID == "truncated_trailing_line")
        #expect(t.session.state["provenance_skipped_lines"]?.arrayValue?.count == 1)

        let (_, unknown) = try Fixtures.importFixture(Self.unknownVersion, root: Self.root)
        let u = try #require(unknown.first)
        #expect(u.session.auditLog.count == 2)
        #expect(u.warnings.filter { $0.code == "skipped-line" }.map(\.location) == ["line 2"])
        #expect(u.warnings.contains { $0.message.contains("v=2") })

        let (_, empty) = try Fixtures.importFixture(Self.empty, root: Self.root)
        #expect(try #require(empty.first).session.auditLog.isEmpty)
    }

    @Test func blankCorruptAndVersionlessLinesMidFileAreSkipped() throws {
        let lines = try String(decoding: Fixtures.bytes(Self.headLog), as: UTF8.self).split(separator: "\n").map(
            String.init)
        let nan = lines[1].replacingOccurrences(of: "\"target_sum\": 10000.0}", with: "\"target_sum\": NaN}")
        #expect(nan != lines[1])
        let text =
            [lines[0], "", "   ", "{\"v\": 1, \"id\": broken", nan, "{\"id\": \"x\", \"type\": \"t\"}", lines[2]]
            .joined(separator: "\r\n") + "\n"
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, sessions) = try Self.importBytes(Array(text.utf8), name: "mixed.provenance.jsonl", in: dir)
        let s = try #require(sessions.first)
        #expect(s.session.auditLog.count == 3)
        #expect(s.warnings.filter { $0.code == "skipped-line" }.map(\.location) == ["line 4", "line 6"])
        #expect(s.warnings.contains { $0.code == "non-finite-number" && $0.location == "line 5" })
        // NaN stays a float NaN, and goes back out as the bare token Python writes.
        let exported = try LobsterExporter().export(s.session)
        let log = try #require(exported.first { $0.relativePath.hasSuffix("provenance.jsonl") })
        #expect(String(decoding: log.bytes, as: UTF8.self).contains("\"target_sum\": NaN}"))
    }

    @Test func linesAreStrippedOfPythonWhiteSpaceAndInvalidUTF8IsSkipped() throws {
        // `line.strip()` removes Unicode white space (NBSP, ideographic space, NEL, U+2028,
        // the ASCII separators 0x1C–0x1F) at both ends, never inside; a line that is not UTF-8
        // is skipped with its number. Bytes are built by hand: the test must not depend on
        // the importer's own text handling.
        let lines = try String(decoding: Fixtures.bytes(Self.headLog), as: UTF8.self).split(separator: "\n").map(
            String.init)
        // (The first line is plain: it is what makes the file JSON lines to the sniffer.)
        var bytes: [UInt8] = Array(lines[0].utf8) + [0x0A]
        bytes += [0x7B, 0xFF, 0x7D, 0x0A]  // line 2: not UTF-8
        bytes += Array("\u{85}\u{2028}".utf8) + Array(lines[1].utf8) + Array("\u{2029}\u{205F}".utf8) + [0x0D, 0x0A]
        bytes += Array("\u{A0}".utf8) + [0x0A]  // line 4: white space only, skipped silently
        bytes += Array("\t \u{0B}\u{0C}\u{1C}\u{1F}".utf8) + Array(lines[2].utf8) + Array("  \u{A0}\u{3000}".utf8)
        bytes += [0x0A]
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, sessions) = try Self.importBytes(bytes, name: "spaced.provenance.jsonl", in: dir)
        let s = try #require(sessions.first)
        #expect(s.session.auditLog.count == 3)
        let skipped = s.warnings.filter { $0.code == "skipped-line" }
        #expect(skipped.map(\.location) == ["line 2"])
        #expect(skipped.first?.message.contains("not valid UTF-8") == true)
        // The same activities as the plain log gives.
        let (_, plain) = try Self.importBytes(
            Array((lines[0...2].joined(separator: "\n") + "\n").utf8), name: "plain.provenance.jsonl", in: dir)
        #expect(s.session.auditLog.map(\.id) == (try #require(plain.first)).session.auditLog.map(\.id))
    }

    @Test func logsWithABrokenFirstLineOrASingleLineAreDetected() throws {
        let lines = try String(decoding: Fixtures.bytes(Self.headLog), as: UTF8.self).split(separator: "\n").map(
            String.init)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let broken = String(lines[0].prefix(100)) + "\n" + lines[1] + "\n" + lines[2] + "\n"
        let (format, sessions) = try Self.importBytes(Array(broken.utf8), name: "provenance.jsonl", in: dir)
        #expect(format.qualifiedName == "lobster-provenance")
        let s = try #require(sessions.first)
        #expect(s.session.auditLog.count == 2)
        #expect(s.warnings.filter { $0.code == "skipped-line" }.map(\.location) == ["line 1"])

        let single = lines[0] + "\n"
        let (format1, one) = try Self.importBytes(Array(single.utf8), name: "one.provenance.jsonl", in: dir)
        #expect(format1.qualifiedName == "lobster-provenance")
        #expect(try #require(one.first).session.auditLog.count == 1)
        #expect(try #require(one.first).session.origin.legacyID == "one")
    }

    @Test func trackerExportIsACopyOfItsSessionCarryingEntitiesAndAgents() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.trackerExport, root: Self.root)
        let imported = try #require(sessions.first)
        let s = imported.session
        // Matched to its session by activity ids: same id, so it is a copy, not a second session.
        #expect(s.origin.legacyID == "session_20261121_134500")
        #expect(s.auditLog.filter { $0.kind == "provenance.activity" }.count == 44)
        #expect(s.state["provenance_export"]?["entities"]?.objectValue?.count == 3)
        #expect(s.state["provenance_export"]?["agents"]?.objectValue?.count == 3)
        #expect(s.state["session_json"] != nil)
        #expect(imported.warnings.contains { $0.code == "joined-by-content" })

        // Alone, it is a session of its own with an id derived from its first activity.
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, alone) = try Self.importBytes(try Fixtures.bytes(Self.trackerExport), name: "export.json", in: dir)
        let a = try #require(alone.first)
        #expect(a.session.origin.legacyID == "export:lobster:activity:9d5a7bce-9188-4ba6-b50d-c2d13e8677fd")
        #expect(a.session.auditLog.count == 44)
        #expect(a.warnings.contains { $0.code == "id-derived" })
    }

    // MARK: Round trips

    @Test func headSessionRoundTripsByteForByte() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.headJSON, root: Self.root)
        let session = try #require(sessions.first).session
        // Read back from a store, free-form dicts (`parameters`) come back in sorted order:
        // the same values, but only the fresh import keeps the app's exact bytes.
        for (candidate, exactBytes) in [(session, true), (try Self.reread(session), false)] {
            let files = try LobsterExporter().export(candidate)
            #expect(
                Set(files.map(\.relativePath)) == [
                    "session_session_20261121_134500.json",
                    ".lobster/sessions/session_20261121_134500/provenance.jsonl",
                    ".lobster/sessions/session_20261121_134500/metadata.json",
                ])
            let originals = [
                "session_session_20261121_134500.json": Self.headJSON,
                ".lobster/sessions/session_20261121_134500/provenance.jsonl": Self.headLog,
                ".lobster/sessions/session_20261121_134500/metadata.json": Self.headMetadata,
            ]
            for file in files {
                let original = try #require(originals[file.relativePath])
                #expect(try Self.pythonDifferences(original: Fixtures.path(original), exported: file) == "")
                if exactBytes {
                    let same = file.bytes == (try Fixtures.bytes(original))
                    #expect(same, "\(file.relativePath) is not byte-identical")
                }
            }
        }
    }

    struct RoundTripCase: Sendable, CustomStringConvertible {
        var file: String
        /// The exported file to compare with `file`.
        var exported: String
        /// Lines the app skips, which the export does not write back (a documented normalization).
        var skippedLines: [Int] = []
        var description: String { file }
    }

    static let roundTripCases: [RoundTripCase] = [
        .init(file: v10JSON, exported: "session_session_20260213_101500.json"),
        .init(file: exportSessionJSON, exported: "session_session_20261121_134500.json"),
        .init(file: trackerExport, exported: "provenance_export.json"),
        .init(
            file: truncated, exported: ".lobster/sessions/truncated_trailing_line/provenance.jsonl", skippedLines: [6]),
        .init(
            file: unknownVersion, exported: ".lobster/sessions/unknown_version_line/provenance.jsonl", skippedLines: [2]
        ),
        .init(file: empty, exported: ".lobster/sessions/empty/provenance.jsonl"),
    ]

    @Test(arguments: roundTripCases)
    func exportReadsBackAsTheSameValues(_ c: RoundTripCase) throws {
        let (_, sessions) = try Fixtures.importFixture(c.file, root: Self.root)
        let session = try #require(sessions.first).session
        var original = try Fixtures.bytes(c.file)
        if !c.skippedLines.isEmpty {
            // The app's view of the file: the lines it loads.
            let kept = original.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
                .filter { !c.skippedLines.contains($0.offset + 1) }.map { Array($0.element) }
            original = Array(kept.joined(separator: [0x0A]))
            if original.last != 0x0A { original.append(0x0A) }
        }
        for (candidate, exactBytes) in [(session, true), (try Self.reread(session), false)] {
            let files = try LobsterExporter().export(candidate)
            let file = try #require(files.first { $0.relativePath == c.exported }, "\(files.map(\.relativePath))")
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let originalPath = dir + "/original" + (c.file.hasSuffix(".jsonl") ? ".jsonl" : ".json")
            _ = FileManager.default.createFile(atPath: originalPath, contents: Data(original))
            #expect(try Self.pythonDifferences(original: originalPath, exported: file) == "")
            // Skipped lines aside, the app's own bytes come back.
            if exactBytes {
                let same = file.bytes == original
                #expect(same, "\(c.exported) is not byte-identical")
            }
        }
    }

    /// Generated workspaces (every shape: schema 1.1, 1.0, export form, provenance folder only,
    /// custom ids with spaces and unicode, NaN in IR parameters) import, validate and export
    /// back to the generator's bytes.
    @Test func generatedWorkspacesRoundTripByteForByte() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.runGenerator("lobster", dir, count: 60, seed: 7)
        let workspace = dir + "/lobster_workspace_0"
        let paths = (FileManager.default.subpaths(atPath: workspace) ?? []).sorted()
        var sessions = 0
        var exported = Set<String>()
        for relative in paths where relative.hasSuffix(".json") || relative.hasSuffix(".jsonl") {
            let path = workspace + "/" + relative
            let bytes = try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) })
            let input = InputSniffer.parse(SourceFile(path: path, displayPath: relative, bytes: bytes))
            let context = try Self.context(root: workspace)
            guard case .recognized(let format, let importer) = LegacySystems.detect(input, context: context) else {
                Issue.record("\(relative) not recognized")
                continue
            }
            if format.role == .part { continue }
            for imported in try importer.importSessions(input, as: format, context: context) {
                sessions += 1
                let session = imported.session
                #expect(
                    SessionValidator.validate(fileBytes: session.canonicalBytes, fileStem: session.sessionID).issues
                        .isEmpty)
                for file in try LobsterExporter().export(session) {
                    exported.insert(file.relativePath)
                    let original = FileManager.default.contents(atPath: workspace + "/" + file.relativePath).map {
                        [UInt8]($0)
                    }
                    let same = original == file.bytes
                    #expect(same, "\(file.relativePath) differs from the generated file")
                }
            }
        }
        #expect(sessions > 20)
        // Every generated file was written back by the export of its session.
        let generated = Set(paths.filter { $0.hasSuffix(".json") || $0.hasSuffix(".jsonl") })
        #expect(generated == exported)
    }

    /// Values the app would not write but a workspace may hold still come back exactly: a
    /// time with another offset, a null agent, `v` as 1.0, content as a list of blocks, an
    /// unknown member, a metadata.json that is not JSON.
    @Test func unusualValuesRoundTripExactly() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sessionJSON = #"""
            {
              "session_id": "odd id \u00fc",
              "metadata": {
                "created_at": "2026-11-21T13:45:00",
                "session_id": "odd id \u00fc",
                "workspace": "/w"
              },
              "conversation": [
                {
                  "role": "assistant",
                  "content": [
                    {
                      "type": "text",
                      "text": "hi"
                    }
                  ],
                  "extra": 1
                }
              ],
              "exported_at": "2026-11-21T13:46:00",
              "future_member": null,
              "schema_version": "1.1"
            }
            """#
        let lines = [
            #"{"v": 1.0, "id": "lobster:activity:1", "type": "t", "agent": null, "timestamp": "2026-11-21T15:45:11.5+02:00", "inputs": [], "outputs": [], "parameters": {"z": "1", "a": "2"}, "description": null, "software_versions": {}, "ir": null}"#,
            #"{"v": 1, "id": "lobster:activity:2", "type": "t", "agent": "me", "timestamp": "not a time", "inputs": [], "outputs": [], "parameters": {}, "description": "\u00e9", "software_versions": {}, "ir": null}"#,
        ]
        let folder = dir + "/.lobster/sessions/odd id ü"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let files: [String: [UInt8]] = [
            "session_odd id ü.json": Array(sessionJSON.utf8),
            ".lobster/sessions/odd id ü/provenance.jsonl": Array((lines.joined(separator: "\n") + "\n").utf8),
            ".lobster/sessions/odd id ü/metadata.json": Array("{ not json".utf8),
        ]
        for (path, bytes) in files {
            _ = FileManager.default.createFile(atPath: dir + "/" + path, contents: Data(bytes))
        }
        let path = dir + "/session_odd id ü.json"
        let input = InputSniffer.parse(
            SourceFile(path: path, displayPath: "session_odd id ü.json", bytes: files["session_odd id ü.json"]!))
        let context = try Self.context(root: dir)
        guard case .recognized(let format, let importer) = LegacySystems.detect(input, context: context) else {
            Issue.record("not recognized")
            return
        }
        let imported = try #require(try importer.importSessions(input, as: format, context: context).first)
        let s = imported.session
        #expect(s.auditLog.count == 3)
        #expect(s.auditLog[1].timestamp == "2026-11-21T13:45:11.5Z")
        #expect(s.auditLog[1].payload["timestamp"] == .string("2026-11-21T15:45:11.5+02:00"))
        #expect(s.auditLog[1].actor == nil)
        #expect(s.auditLog[2].timestamp == nil)
        #expect(imported.warnings.contains { $0.code == "unparseable-time" })
        #expect(imported.warnings.contains { $0.code == "unreadable-part" })
        #expect(SessionValidator.validate(fileBytes: s.canonicalBytes, fileStem: s.sessionID).issues.isEmpty)
        let out = try LobsterExporter().export(s)
        #expect(Set(out.map(\.relativePath)) == Set(files.keys))
        for file in out {
            let same = file.bytes == files[file.relativePath]
            #expect(
                same,
                "\(file.relativePath): \(String(decoding: file.bytes, as: UTF8.self).debugDescription) vs \(String(decoding: files[file.relativePath] ?? [], as: UTF8.self).debugDescription)"
            )
        }
    }

    static func runGenerator(_ system: String, _ dir: String, count: Int, seed: Int) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Fixtures.packageRoot + "/scripts/gen/\(system).py", dir, String(count), String(seed)]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0)
    }

    // MARK: Malformed input

    struct MalformedCase: Sendable, CustomStringConvertible {
        var name: String
        var json: String
        var location: String
        var description: String { name }
    }

    static let malformedCases: [MalformedCase] = [
        .init(
            name: "conversation not a list", json: #"{"session_id": "s", "conversation": {}, "exported_at": "x"}"#,
            location: "/conversation"),
        .init(
            name: "message without role",
            json: #"{"session_id": "s", "conversation": [{"content": "hi"}], "exported_at": "x"}"#,
            location: "/conversation/0/role"),
        .init(
            name: "message not an object", json: #"{"session_id": "s", "conversation": ["hi"], "exported_at": "x"}"#,
            location: "/conversation/0"),
        .init(
            name: "unknown role",
            json: #"{"session_id": "s", "conversation": [{"role": "tool", "content": ""}], "exported_at": "x"}"#,
            location: "/conversation/0/role"),
        .init(
            name: "session_id not a string", json: #"{"session_id": 5, "conversation": [], "exported_at": "x"}"#,
            location: "/session_id"),
        .init(
            name: "schema_version not a string",
            json: #"{"session_id": "s", "conversation": [], "exported_at": "x", "schema_version": 1.1}"#,
            location: "/schema_version"),
        .init(
            name: "metadata not an object",
            json: #"{"session_id": "s", "metadata": [], "conversation": [], "exported_at": "x"}"#, location: "/metadata"
        ),
        .init(
            name: "export activities not a list",
            json: #"{"namespace": "lobster", "activities": 3, "entities": {}, "agents": {}, "export_timestamp": "x"}"#,
            location: "/activities"),
        .init(
            name: "export activity not an object",
            json:
                #"{"namespace": "lobster", "activities": [1], "entities": {}, "agents": {}, "export_timestamp": "x"}"#,
            location: "/activities/0"),
    ]

    @Test(arguments: malformedCases)
    func malformedSessionsGiveAFormatErrorWithALocation(_ c: MalformedCase) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try Self.importBytes(Array(c.json.utf8), name: "session_s.json", in: dir)
            Issue.record("no error for \(c.name)")
        } catch let error as FormatError {
            #expect(error.location == c.location)
            #expect(!error.reason.isEmpty)
        }
    }

    @Test func truncatedSessionJSONIsAFailureWithALocation() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = try Fixtures.bytes(Self.headJSON)
        let bytes = Array(full.prefix(full.count / 2))
        let path = dir + "/session_x.json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let input = InputSniffer.parse(SourceFile(path: path, displayPath: "session_x.json", bytes: bytes))
        guard case .failed(let error) = LegacySystems.detect(input, context: try Self.context(root: dir)) else {
            Issue.record("a truncated session JSON must fail")
            return
        }
        #expect(error.location.hasPrefix("line "))
    }

    @Test func hostileIDIsHashedNeverUsedAsAPath() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A provenance folder the id would reach if it were used as a path.
        try FileManager.default.createDirectory(atPath: dir + "/.lobster/sessions/x", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Fixtures.path(Self.headLog), toPath: dir + "/.lobster/sessions/x/provenance.jsonl")
        let json =
            #"{"session_id": "../sessions/x", "conversation": [{"role": "user", "content": "hi"}], "exported_at": "2026-01-01T00:00:00"}"#
        let (_, sessions) = try Self.importBytes(Array(json.utf8), name: "session_evil.json", in: dir)
        let imported = try #require(sessions.first)
        #expect(imported.session.sessionID == SessionID.derive(system: "lobster", legacyID: "../sessions/x"))
        #expect(imported.joinedFiles.isEmpty)
        #expect(imported.session.auditLog.count == 1)
        #expect(SessionValidator.validate(fileBytes: imported.session.canonicalBytes, fileStem: nil).issues.isEmpty)
        #expect(throws: FormatError.self) { try LobsterExporter().export(imported.session) }
    }

    @Test func otherSystemsCannotBeExportedAsLobster() throws {
        let (_, sessions) = try Fixtures.importFixture("legacy/mochi/format_1_4_head/chat_sessions/173725e818.json")
        let session = try #require(sessions.first).session
        #expect(throws: FormatError.self) { try LobsterExporter().export(session) }
    }

    // MARK: Helpers

    static func context(root: String) throws -> ImportContext {
        ImportContext(options: try ImportOptions(assumeTimeZoneName: "UTC"), related: RelatedFiles(root: root))
    }

    static func detect(_ relative: String, root: String?) throws -> DetectedFormat? {
        let full = Fixtures.path(relative)
        let input = InputSniffer.parse(
            SourceFile(path: full, displayPath: relative, bytes: try Fixtures.bytes(relative)))
        let context = try context(root: root.map(Fixtures.path) ?? (full as NSString).deletingLastPathComponent)
        guard case .recognized(let format, let importer) = LegacySystems.detect(input, context: context) else {
            return nil
        }
        #expect(importer.system == "lobster")
        return format
    }

    /// Writes `bytes` to `dir/name`, then detects and imports it as `migrate` would.
    static func importBytes(_ bytes: [UInt8], name: String, in dir: String) throws -> (
        DetectedFormat, [ImportedSession]
    ) {
        let path = dir + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let input = InputSniffer.parse(SourceFile(path: path, displayPath: name, bytes: bytes))
        let context = try context(root: dir)
        switch LegacySystems.detect(input, context: context) {
        case .recognized(let format, let importer):
            return (format, try importer.importSessions(input, as: format, context: context))
        case .failed(let error): throw error
        case .notASession(let reason): throw FixtureMissing(path: "\(name): \(reason)")
        }
    }

    /// The session as a store gives it back: canonical bytes read again (keys now sorted).
    static func reread(_ session: Session) throws -> Session {
        try SessionValidator.session(fromCanonical: session.canonicalBytes)
    }

    static func pythonDifferences(original: String, exported: ExportedFile) throws -> String {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/" + (exported.relativePath as NSString).lastPathComponent
        _ = FileManager.default.createFile(atPath: path, contents: Data(exported.bytes))
        return try Fixtures.pythonValueDifferences(original, path)
    }
}
