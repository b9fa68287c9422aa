import Foundation
import LegacyFormats
import SessionModel
import Testing

/// mochi-server: detection of every corpus file, golden canonical output, validation, export
/// round trips (byte for byte, in the session's own format version), malformed input.
@Suite struct MochiTests {
    struct CorpusCase: Sendable, CustomStringConvertible {
        var file: String
        var version: String
        var messages: Int
        var description: String { file }
    }

    static let corpus: [CorpusCase] = [
        .init(file: "legacy/mochi/format_1_4_head/chat_sessions/b71881e264.json", version: "1.4", messages: 0),
        .init(file: "legacy/mochi/format_1_4_head/chat_sessions/0f7a24a33f.json", version: "1.4", messages: 3),
        .init(file: "legacy/mochi/format_1_4_head/chat_sessions/173725e818.json", version: "1.4", messages: 5),
        .init(file: "legacy/mochi/format_1_3_phase2/chat_sessions/67e6653d59.json", version: "1.3", messages: 0),
        .init(file: "legacy/mochi/format_1_3_phase2/chat_sessions/f7273ee5ef.json", version: "1.3", messages: 3),
        .init(file: "legacy/mochi/format_1_3_phase2/chat_sessions/954507d178.json", version: "1.3", messages: 5),
        .init(file: "legacy/mochi/format_1_3_phase2/chat_sessions/e3d5e71cb8.json", version: "1.3", messages: 201),
    ]

    @Test(arguments: corpus)
    func detectsImportsAndMatchesGolden(_ c: CorpusCase) throws {
        let (format, sessions) = try Fixtures.importFixture(c.file)
        #expect(format.system == "mochi")
        #expect(format.qualifiedName == "mochi-session/" + c.version)
        #expect(format.role == .session)
        let imported = try #require(sessions.first)
        #expect(sessions.count == 1)
        let session = imported.session
        let stem = ((c.file as NSString).lastPathComponent as NSString).deletingPathExtension
        #expect(session.origin.legacyID == stem)
        #expect(session.sessionID == SessionID.derive(system: "mochi", legacyID: stem))
        #expect(session.auditLog.count == c.messages)
        #expect(imported.warnings.isEmpty, "\(imported.warnings)")
        let bytes = session.canonicalBytes
        Fixtures.expectGolden(bytes, "golden/mochi/\(session.sessionID).json")
        #expect(SessionValidator.validate(fileBytes: bytes, fileStem: session.sessionID).issues.isEmpty)
        let stored = try Fixtures.bytes("golden/mochi/\(session.sessionID).json")
        #expect(SessionValidator.validate(fileBytes: stored, fileStem: session.sessionID).issues.isEmpty)
    }

    @Test(arguments: corpus)
    func exportRoundTripsByteForByte(_ c: CorpusCase) throws {
        let (_, sessions) = try Fixtures.importFixture(c.file)
        let session = try #require(sessions.first).session
        let original = try Fixtures.bytes(c.file)
        let reread = try SessionValidator.session(fromCanonical: session.canonicalBytes)
        for candidate in [session, reread] {
            let files = try MochiExporter().export(candidate)
            try #require(files.count == 1)
            #expect(files[0].relativePath == "chat_sessions/" + (c.file as NSString).lastPathComponent)
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/export.json"
            _ = FileManager.default.createFile(atPath: path, contents: Data(files[0].bytes))
            #expect(try Fixtures.pythonValueDifferences(Fixtures.path(c.file), path) == "")
            let same = files[0].bytes == original
            #expect(same, "not byte-identical to the app's file")
        }
    }

    @Test func mapsMessagesMetadataAndState() throws {
        let (_, sessions) = try Fixtures.importFixture("legacy/mochi/format_1_4_head/chat_sessions/173725e818.json")
        let s = try #require(sessions.first).session
        #expect(
            s.auditLog.map(\.kind) == [
                "message.user", "message.assistant", "message.tool", "message.tool", "message.assistant",
            ])
        #expect(s.auditLog[0].actor == "user")
        #expect(s.auditLog[1].actor == "qwen3:14b")
        #expect(s.auditLog[1].timestamp == "2026-11-21T13:45:24.509774Z")
        #expect(s.auditLog[1].payload["model"] == nil)
        #expect(s.auditLog[1].payload["timestamp"] == nil)
        #expect(s.auditLog[1].payload["message_id"] == .string("e32d4ae421"))
        #expect(s.auditLog[1].payload["tool_calls"]?.arrayValue?.count == 2)
        #expect(s.auditLog[1].payload["thinking"] == .string("User wants a sum and the time; call both tools."))
        #expect(s.auditLog[2].payload["tool_name"] == .string("add_numbers"))
        #expect(s.metadata.createdAt == "2026-11-21T13:45:24.509716Z")
        #expect(s.metadata.updatedAt == "2026-11-21T13:45:24.509822Z")
        #expect(s.state["tool_settings"]?["tool_policies"]?["add_numbers"] == .string("never_confirm"))
        #expect(s.state["format_version"] == .string("1.4"))
        #expect(s.state["session_id"] == nil)
        #expect(s.state["created_at"] == nil)

        let (_, german) = try Fixtures.importFixture("legacy/mochi/format_1_4_head/chat_sessions/0f7a24a33f.json")
        let g = try #require(german.first).session
        #expect(g.metadata.name == "Arithmetic question in German")
        #expect(g.metadata.tags == ["math", "german"])
        #expect(g.auditLog[0].kind == "message.system")
        #expect(g.auditLog[0].payload["source_file"] == .string("german.md"))

        let (_, old) = try Fixtures.importFixture("legacy/mochi/format_1_3_phase2/chat_sessions/954507d178.json")
        let o = try #require(old.first).session
        #expect(o.state["tool_settings"]?["tool_group"] == .string("math_tools"))
        #expect(o.origin.format == "mochi-session/1.3")
    }

    @Test func missingFormatVersionIs13AndStaysMissing() throws {
        var doc = try #require(
            try JSONReader.read(Fixtures.bytes("legacy/mochi/format_1_3_phase2/chat_sessions/954507d178.json")).value
                .objectValue)
        var metadata = try #require(doc["metadata"]?.objectValue)
        metadata.removeValue(forKey: "format_version")
        doc["metadata"] = .object(metadata)
        let bytes = PythonJSONWriter(indent: 2, ensureASCII: false).bytes(.object(doc))
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (format, sessions) = try Self.importBytes(bytes, name: "954507d178.json", in: dir)
        #expect(format.qualifiedName == "mochi-session/1.3")
        let exported = try MochiExporter().export(try #require(sessions.first).session)
        #expect(exported.first?.bytes == bytes)
    }

    /// Generated sessions (1.3 with and without format_version, 1.4, tool calls, unicode)
    /// import, validate and export back to the generator's bytes.
    @Test func generatedSessionsRoundTripByteForByte() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try LobsterTests.runGenerator("mochi", dir, count: 40, seed: 3)
        let names = (try FileManager.default.contentsOfDirectory(atPath: dir + "/chat_sessions")).sorted()
        #expect(names.count == 40)
        for name in names {
            let relative = "chat_sessions/" + name
            let bytes = try #require(FileManager.default.contents(atPath: dir + "/" + relative).map { [UInt8]($0) })
            let input = InputSniffer.parse(SourceFile(path: dir + "/" + relative, displayPath: relative, bytes: bytes))
            let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: dir))
            guard case .recognized(let format, let importer) = LegacySystems.detect(input, context: context) else {
                Issue.record("\(relative) not recognized")
                continue
            }
            let session = try #require(try importer.importSessions(input, as: format, context: context).first).session
            #expect(
                SessionValidator.validate(fileBytes: session.canonicalBytes, fileStem: session.sessionID).issues.isEmpty
            )
            let files = try MochiExporter().export(session)
            #expect(files.map(\.relativePath) == [relative])
            let same = files.first?.bytes == bytes
            #expect(same, "\(relative) differs from the generated file")
        }
    }

    /// Values the app would not write but a file may hold still come back exactly: an assistant
    /// message without a model or with a null one, a time that is not a time, a time with
    /// another offset, arguments as a JSON string, a member the app does not know.
    @Test func unusualValuesRoundTripExactly() throws {
        let json = #"""
            {
              "metadata": {
                "session_id": "abcdef0123",
                "model": "qwen3:14b",
                "created_at": "2026-11-21T15:45:24.5+02:00",
                "updated_at": "yesterday",
                "message_count": 3,
                "format_version": "1.4"
              },
              "messages": [
                {
                  "role": "assistant",
                  "content": "a",
                  "message_id": "0000000001",
                  "timestamp": "2026-11-21T13:45:24Z"
                },
                {
                  "role": "assistant",
                  "content": "b",
                  "model": null,
                  "message_id": "0000000002",
                  "timestamp": null,
                  "tool_calls": [
                    {
                      "function": {
                        "name": "add",
                        "arguments": "{\"a\": 1}"
                      }
                    }
                  ]
                },
                {
                  "role": "assistant",
                  "content": "c",
                  "model": "assistant",
                  "message_id": "0000000003",
                  "timestamp": "2026-11-21T13:45:24.000100Z"
                }
              ],
              "extra": {
                "kept": true
              }
            }
            """#
        let bytes = Array(json.utf8)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, sessions) = try Self.importBytes(bytes, name: "abcdef0123.json", in: dir)
        let imported = try #require(sessions.first)
        let s = imported.session
        #expect(s.metadata.createdAt == "2026-11-21T13:45:24.5Z")
        #expect(s.state["created_at"] == .string("2026-11-21T15:45:24.5+02:00"))
        #expect(s.metadata.updatedAt == nil)
        #expect(imported.warnings.contains { $0.code == "unparseable-time" && $0.location == "/metadata/updated_at" })
        #expect(s.auditLog.map(\.actor) == ["assistant", "assistant", "assistant"])
        #expect(s.auditLog[0].payload["timestamp"] == nil)
        #expect(SessionValidator.validate(fileBytes: s.canonicalBytes, fileStem: s.sessionID).issues.isEmpty)
        for candidate in [s, try SessionValidator.session(fromCanonical: s.canonicalBytes)] {
            let out = try MochiExporter().export(candidate)
            let same = out.first?.bytes == bytes
            #expect(same, "\(String(decoding: out.first?.bytes ?? [], as: UTF8.self))")
        }
    }

    struct MalformedCase: Sendable, CustomStringConvertible {
        var name: String
        var json: String
        var location: String
        var description: String { name }
    }

    static let meta =
        #""metadata": {"session_id": "0123456789", "created_at": "2026-01-01T00:00:00Z", "format_version": "1.4""#

    static let malformedCases: [MalformedCase] = [
        .init(name: "messages not a list", json: "{\(meta)}, \"messages\": {}}", location: "/messages"),
        .init(name: "message not an object", json: "{\(meta)}, \"messages\": [1]}", location: "/messages/0"),
        .init(
            name: "message without role", json: "{\(meta)}, \"messages\": [{\"content\": \"x\"}]}",
            location: "/messages/0/role"),
        .init(
            name: "unknown role", json: "{\(meta)}, \"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}",
            location: "/messages/0/role"),
        .init(
            name: "session_id not a string",
            json: #"{"metadata": {"session_id": 12, "created_at": "2026-01-01T00:00:00Z"}, "messages": []}"#,
            location: "/metadata/session_id"),
        .init(
            name: "format_version not a string",
            json: #"{"metadata": {"session_id": "a", "format_version": 1.4}, "messages": []}"#,
            location: "/metadata/format_version"),
    ]

    @Test(arguments: malformedCases)
    func malformedSessionsGiveAFormatErrorWithALocation(_ c: MalformedCase) throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try Self.importBytes(Array(c.json.utf8), name: "0123456789.json", in: dir)
            Issue.record("no error for \(c.name)")
        } catch let error as FormatError {
            #expect(error.location == c.location)
        }
    }

    @Test func truncatedFileIsAFailureWithALocation() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = try Fixtures.bytes("legacy/mochi/format_1_4_head/chat_sessions/173725e818.json")
        do {
            _ = try Self.importBytes(Array(full.prefix(700)), name: "173725e818.json", in: dir)
            Issue.record("a truncated file must fail")
        } catch let error as FormatError {
            #expect(error.location.hasPrefix("line "))
        }
    }

    @Test func aPathAsSessionIDIsRefusedWithItsPlace() throws {
        let json =
            #"{"metadata": {"session_id": "../../etc/x", "created_at": "2026-01-01T00:00:00Z", "format_version": "1.4"}, "messages": []}"#
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try Self.importBytes(Array(json.utf8), name: "x.json", in: dir)
            Issue.record("an id that is a path must be refused")
        } catch let error as FormatError {
            #expect(error.location == "/metadata/session_id")
            #expect(error.reason.contains("../../etc/x"))
        }
    }

    @Test func otherSystemsCannotBeExportedAsMochi() throws {
        let (_, sessions) = try Fixtures.importFixture(
            "legacy/lobster/workspace_v1_0/session_session_20260213_101500.json", root: "legacy/lobster")
        #expect(throws: FormatError.self) { try MochiExporter().export(try #require(sessions.first).session) }
    }

    static func importBytes(_ bytes: [UInt8], name: String, in dir: String) throws -> (
        DetectedFormat, [ImportedSession]
    ) {
        let path = dir + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let input = InputSniffer.parse(SourceFile(path: path, displayPath: name, bytes: bytes))
        let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: dir))
        switch LegacySystems.detect(input, context: context) {
        case .recognized(let format, let importer):
            return (format, try importer.importSessions(input, as: format, context: context))
        case .failed(let error): throw error
        case .notASession(let reason): throw FixtureMissing(path: "\(name): \(reason)")
        }
    }
}
