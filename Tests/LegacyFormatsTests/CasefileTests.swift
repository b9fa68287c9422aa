import Foundation
import LegacyFormats
import SessionModel
import Testing

/// The casefile service's Firestore exports (FORMATS.md 4; docs/mapping/casefile.md).
@Suite struct CasefileTests {
    static let legacy = "legacy/casefile/legacy_firestore_export.json"
    static let unified = "legacy/casefile/unified_firestore_export.json"
    static let corpus = [legacy, unified]

    /// The golden file of a session: per export file, because the two sample exports hold the
    /// same two sessions in two eras (same ids, different documents).
    static func golden(_ fixture: String, _ sessionID: String) -> String {
        let stem = ((fixture as NSString).lastPathComponent as NSString).deletingPathExtension
        return "golden/casefile/\(stem)/\(sessionID).json"
    }

    @Test func detectsBothLayouts() throws {
        let (legacyFormat, legacySessions) = try Fixtures.importFixture(Self.legacy)
        #expect(legacyFormat.system == "casefile")
        #expect(legacyFormat.format == "casefile-legacy-export")
        #expect(legacyFormat.version == nil)
        #expect(legacyFormat.role == .container)
        #expect(legacySessions.count == 3)

        let (unifiedFormat, unifiedSessions) = try Fixtures.importFixture(Self.unified)
        #expect(unifiedFormat.format == "casefile-unified-export")
        #expect(unifiedFormat.version == nil)
        #expect(unifiedFormat.role == .container)
        #expect(unifiedSessions.count == 2)
    }

    @Test(arguments: corpus) func goldenCanonicalBytes(fixture: String) throws {
        let (_, sessions) = try Fixtures.importFixture(fixture)
        #expect(!sessions.isEmpty)
        for imported in sessions {
            Fixtures.expectGolden(imported.session.canonicalBytes, Self.golden(fixture, imported.session.sessionID))
        }
    }

    @Test(arguments: corpus) func everySessionValidates(fixture: String) throws {
        let (_, sessions) = try Fixtures.importFixture(fixture)
        for imported in sessions {
            let s = imported.session
            let (decoded, issues) = SessionValidator.validate(fileBytes: s.canonicalBytes, fileStem: s.sessionID)
            #expect(issues.isEmpty, "\(s.sessionID): \(issues)")
            #expect(decoded == s)
            // The golden on disk validates too (it is what users get).
            if let golden = try? Fixtures.bytes(Self.golden(fixture, s.sessionID)) {
                #expect(SessionValidator.validate(fileBytes: golden, fileStem: s.sessionID).issues.isEmpty)
            }
        }
    }

    @Test func idsAndMapping() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.legacy)
        let byLegacy = Dictionary(uniqueKeysWithValues: sessions.map { ($0.session.origin.legacyID ?? "", $0.session) })
        let tool = try #require(byLegacy["ts_251023_ecomc21a_8ad504"])
        #expect(tool.sessionID == SessionID.derive(system: "casefile", legacyID: "ts_251023_ecomc21a_8ad504"))
        #expect(tool.metadata.owner == "sam@example.com")
        #expect(tool.metadata.status == "active")
        #expect(tool.metadata.createdAt == "2025-10-23T12:00:00.123456Z")
        #expect(tool.origin.extra["assumed_timezone"] == "UTC")
        #expect(tool.auditLog.map(\.kind) == ["request.tool_execution", "event.tool_execution_completed"])
        #expect(tool.auditLog[0].actor == "sam@example.com")
        #expect(tool.auditLog[1].actor == "user")

        let chat = try #require(byLegacy["cs_251023_ecomc21a_64ad93"])
        #expect(chat.auditLog.map(\.kind) == ["message.user", "message.assistant"])
        #expect(chat.state["session_document"]?["document"]?["messages"] == nil)
        #expect(chat.metadata.updatedAt == "2025-10-23T12:20:03.5Z")

        let idle = try #require(byLegacy["ts_251023_eorgnone_b40bc7"])
        #expect(idle.metadata.status == "inactive")
        #expect(idle.metadata.owner == "alice.müller@example.org")
        #expect(idle.auditLog.isEmpty)
        #expect(idle.state["casefile"] == .null)
        #expect(idle.state["export_members"]?["_layout"]?.stringValue?.hasPrefix("legacy") == true)

        let (_, unified) = try Fixtures.importFixture(Self.unified)
        let u = try #require(unified.first { $0.session.origin.legacyID == "ts_251023_ecomc21a_8ad504" }?.session)
        // The same tool session in its unified era: same canonical id, its casefile in state.
        #expect(u.sessionID == tool.sessionID)
        #expect(u.origin.extra["assumed_timezone"] == nil)
        #expect(u.auditLog.map(\.kind) == ["event.tool_execution", "event.agent_response"])
        #expect(u.state["casefile"]?["path"] == "casefiles/cf_251023_80c21a")
        #expect(u.state["casefile"]?["document"]?["acl"]?["owner_id"] == "sam@example.com")
    }

    @Test func naiveTimesFollowTheAssumedZoneOnlyInTheLegacyLayout() throws {
        let (_, legacy) = try Fixtures.importFixture(Self.legacy, timeZone: "Europe/Berlin")
        let tool = try #require(legacy.first { $0.session.origin.legacyID == "ts_251023_ecomc21a_8ad504" })
        #expect(tool.session.metadata.createdAt == "2025-10-23T10:00:00.123456Z")
        #expect(tool.session.origin.extra["assumed_timezone"] == "Europe/Berlin")
        #expect(tool.warnings.contains { $0.code == "naive-time" })

        let (_, unified) = try Fixtures.importFixture(Self.unified, timeZone: "Europe/Berlin")
        #expect(unified[0].session.metadata.createdAt == "2025-10-23T10:00:00Z")
        #expect(!unified[0].warnings.contains { $0.code == "naive-time" })
    }

    /// Export each session, straight after import and after a canonical round trip, and
    /// compare (with Python's json) with the documents of that session in the original export.
    @Test(arguments: corpus) func exportRoundTrip(fixture: String) throws {
        let (_, sessions) = try Fixtures.importFixture(fixture)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for imported in sessions {
            let s = imported.session
            let rootPath = try #require(s.state["session_document"]?["path"]?.stringValue)
            let expected = dir + "/expected-\(s.sessionID).json"
            try runPython(Self.subsetScript, [Fixtures.path(fixture), rootPath, expected])

            let (decoded, issues) = SessionValidator.validate(fileBytes: s.canonicalBytes, fileStem: s.sessionID)
            #expect(issues.isEmpty)
            for (label, session) in [("direct", s), ("canonical", try #require(decoded))] {
                let files = try CasefileExporter().export(session)
                #expect(files.count == 1)
                #expect(files[0].relativePath == "casefile_export_\(s.sessionID).json")
                #expect(files[0].bytes.last != 0x0A)
                let out = dir + "/\(label)-\(files[0].relativePath)"
                #expect(FileManager.default.createFile(atPath: out, contents: Data(files[0].bytes)))
                let differences = try Fixtures.pythonValueDifferences(expected, out)
                #expect(differences.isEmpty, "\(fixture) \(rootPath) (\(label)): \(differences)")
            }
        }
    }

    /// The same round trip on generated exports (scripts/gen/casefile.py): both layouts,
    /// NaN in result summaries, casefile documents, chat sessions with many messages.
    @Test func generatedExportsRoundTrip() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try runPython(
            "import runpy, sys; g = runpy.run_path(sys.argv[1]); g['generate'].__globals__['SESSIONS_PER_FILE'] = 15; g['generate'](sys.argv[2], 30, 5)",
            [Fixtures.packageRoot + "/scripts/gen/casefile.py", dir + "/in"])
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/in").sorted()
        #expect(names == ["casefile_legacy_export_5_0000.json", "casefile_unified_export_5_0001.json"])
        let context = try Self.context()
        var total = 0
        for name in names {
            let path = dir + "/in/" + name
            let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
            let input = InputSniffer.parse(SourceFile(path: path, displayPath: name, bytes: bytes))
            guard case .recognized(let format, let importer) = LegacySystems.detect(input, context: context) else {
                Issue.record("\(name) not detected")
                continue
            }
            let sessions = try importer.importSessions(input, as: format, context: context)
            #expect(sessions.count == 15)
            #expect(!sessions.flatMap(\.warnings).contains { $0.code == "unattached-document" })
            total += sessions.count
            for imported in sessions {
                let s = imported.session
                let (decoded, issues) = SessionValidator.validate(fileBytes: s.canonicalBytes, fileStem: s.sessionID)
                #expect(issues.isEmpty)
                let rootPath = try #require(s.state["session_document"]?["path"]?.stringValue)
                let expected = dir + "/expected-\(s.sessionID).json"
                try runPython(Self.subsetScript, [path, rootPath, expected])
                let out = dir + "/out-\(s.sessionID).json"
                let file = try CasefileExporter().export(try #require(decoded))[0]
                #expect(FileManager.default.createFile(atPath: out, contents: Data(file.bytes)))
                let differences = try Fixtures.pythonValueDifferences(expected, out)
                #expect(differences.isEmpty, "\(name) \(rootPath): \(differences)")
            }
        }
        #expect(total == 30)
    }

    /// Exported straight after import, the bytes are the sample's own (same `json.dumps`
    /// settings, same member order) for a session that is alone in its export.
    @Test func exportIsByteFaithfulForTheChatSessionDocument() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.legacy)
        let chat = try #require(sessions.first { $0.session.origin.legacyID == "cs_251023_ecomc21a_64ad93" }?.session)
        let text = String(decoding: try CasefileExporter().export(chat)[0].bytes, as: UTF8.self)
        #expect(text.contains("\"content\": \"I found 3 tax documents…\""))
        #expect(text.hasPrefix("{\n  \"_layout\": \"legacy"))
    }

    @Test func otherSystemsCannotBeExported() throws {
        var session = try Fixtures.importFixture(Self.legacy).1[0].session
        session.origin.system = "mochi"
        #expect(throws: FormatError.self) { try CasefileExporter().export(session) }
    }

    @Test func unattachedDocumentsAreReported() throws {
        let text = """
            {"casefiles/cf_1": {"id": "cf_1"}, "users/u1": {"x": 1},
             "sessions/ts_b": {"session_id": "ts_b", "user_id": "a@b.c", "casefile_id": null, "created_at": null,
                               "updated_at": null, "request_ids": [], "active": true},
             "sessions/ts_missing/requests/r1": {"request": {}}}
            """
        let (_, sessions) = try importText(text)
        #expect(sessions.count == 1)
        let codes = sessions[0].warnings.filter { $0.code == "unattached-document" }.map(\.location)
        #expect(codes == ["/casefiles~1cf_1", "/users~1u1", "/sessions~1ts_missing~1requests~1r1"])
    }

    @Test func entriesAreOrderedByTimeThenExportOrder() throws {
        let text = """
            {"sessions/ts_a": {"session_id": "ts_a", "user_id": "a@b.c", "casefile_id": null,
                               "created_at": "2025-10-23T12:00:00", "updated_at": "2025-10-23T12:00:00",
                               "request_ids": [], "active": true},
             "sessions/ts_a/events/te_3": {"event_id": "te_3", "event_type": "tool_response_sent", "timestamp": null},
             "sessions/ts_a/events/te_2": {"event_id": "te_2", "event_type": "tool_execution_started", "timestamp": "2025-10-23T12:00:01"},
             "sessions/ts_a/events/te_1": {"event_id": "te_1", "event_type": "tool_request_received", "timestamp": "2025-10-23T12:00:00.5"},
             "sessions/ts_a/events/te_0": {"event_id": "te_0", "event_type": "Tool Execution Failed!", "timestamp": "2025-10-23T12:00:01.000"}}
            """
        let (_, sessions) = try importText(text)
        let log = sessions[0].session.auditLog
        #expect(log.map { $0.payload["document"]?["event_id"]?.stringValue ?? "" } == ["te_1", "te_2", "te_0", "te_3"])
        #expect(log[2].kind == "event.tool_execution_failed_")
        #expect(log[3].timestamp == nil)
    }

    @Test(arguments: [
        // messages must be a list
        (
            #"{"chat_sessions/cs_1": {"session_id": "cs_1", "user_id": "a@b.c", "messages": {}}}"#,
            "/chat_sessions~1cs_1/messages"
        ),
        // a message without message_type
        (
            #"{"chat_sessions/cs_1": {"session_id": "cs_1", "user_id": "a@b.c", "messages": [{"content": "x"}]}}"#,
            "/chat_sessions~1cs_1/messages/0/message_type"
        ),
        // user_id is an email string
        (#"{"sessions/ts_1": {"session_id": "ts_1", "user_id": 7}}"#, "/sessions~1ts_1/user_id"),
        // the document is an object
        (#"{"sessions/ts_1": [1, 2]}"#, "/sessions~1ts_1"),
        // an event's event_type is a string
        (
            #"{"sessions/ts_1": {"user_id": "a@b.c"}, "sessions/ts_1/events/te_1": {"event_type": 3}}"#,
            "/sessions~1ts_1~1events~1te_1/event_type"
        ),
        // a request document holds the request
        (
            #"{"sessions/ts_1": {"user_id": "a@b.c"}, "sessions/ts_1/requests/r": {"request": "x"}}"#,
            "/sessions~1ts_1~1requests~1r/request"
        ),
        // hostile ids: the service's validators only accept ts_/cs_ ids
        (#"{"sessions/ts_1": {"session_id": "../../etc/x", "user_id": "a@b.c"}}"#, "/sessions~1ts_1/session_id"),
        (#"{"sessions/..": {"session_id": "ts_1", "user_id": "a@b.c"}}"#, "/sessions~1.."),
        (#"{"casefiles/cf_1/sessions/..": {"user_id": "a@b.c"}}"#, "/casefiles~1cf_1~1sessions~1.."),
    ])
    func malformedInputsGiveAFormatError(text: String, location: String) throws {
        do {
            let (_, sessions) = try importText(text)
            Issue.record("expected a FormatError at \(location), imported \(sessions.count) sessions")
        } catch let error as FormatError {
            #expect(error.location == location, "\(error)")
            #expect(error.file == "export.json")
        }
    }

    @Test func truncatedExportIsAFormatError() throws {
        let bytes = try Fixtures.bytes(Self.legacy)
        let input = InputSniffer.parse(SourceFile(path: "export.json", bytes: Array(bytes.prefix(bytes.count / 2))))
        guard case .failed(let error) = LegacySystems.detect(input, context: try Self.context()) else {
            Issue.record("a truncated export must fail")
            return
        }
        #expect(error.location.hasPrefix("line "))
    }

    @Test func notAnExport() throws {
        for text in [#"{"_layout": "x"}"#, #"{"casefiles/cf_1": {"id": "cf_1"}}"#, #"{"sessions": {}}"#] {
            let input = InputSniffer.parse(SourceFile(path: "x.json", bytes: Array(text.utf8)))
            #expect(CasefileImporter().detect(input, context: try Self.context()) == nil, "\(text)")
        }
    }

    // MARK: helpers

    static func context(_ zone: String = "UTC") throws -> ImportContext {
        ImportContext(options: try ImportOptions(assumeTimeZoneName: zone), related: RelatedFiles(root: "/nonexistent"))
    }

    func importText(_ text: String) throws -> (DetectedFormat, [ImportedSession]) {
        let input = InputSniffer.parse(SourceFile(path: "export.json", bytes: Array(text.utf8)))
        let context = try Self.context()
        guard let format = CasefileImporter().detect(input, context: context) else {
            throw FormatError(file: "export.json", location: "", reason: "not detected")
        }
        return (format, try CasefileImporter().importSessions(input, as: format, context: context))
    }

    /// The documents of one session in an export, chosen by Python independently of the
    /// importer: the export's non-document members, the casefile the session belongs to (its
    /// parent in the unified layout, its `casefile_id` in the legacy one) when the export
    /// holds it, the session document and every document below it.
    static let subsetScript = #"""
        import json, sys
        src, root, out = sys.argv[1:4]
        with open(src, encoding="utf-8") as f:
            d = json.load(f)
        doc = d[root]
        res = {k: v for k, v in d.items() if "/" not in k}
        parts = root.split("/")
        if parts[0] == "casefiles":
            cf = "/".join(parts[:2])
        elif isinstance(doc.get("casefile_id"), str):
            cf = "casefiles/" + doc["casefile_id"]
        else:
            cf = None
        if cf in d:
            res[cf] = d[cf]
        for k, v in d.items():
            if k == root or k.startswith(root + "/"):
                res[k] = v
        with open(out, "w", encoding="utf-8") as f:
            json.dump(res, f, ensure_ascii=False, indent=2)
        """#
}

/// Runs `python3 -c script args…` and fails with its output if it does not exit 0.
func runPython(_ script: String, _ arguments: [String]) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    if p.terminationStatus != 0 {
        throw FixtureMissing(path: "python3 failed: " + String(decoding: out, as: UTF8.self))
    }
}
