import Foundation
import LegacyFormats
import SessionModel
import Testing

/// JamBot's SQLite database and JSON rows dump (FORMATS.md 5; docs/mapping/jambot.md).
@Suite struct JamBotTests {
    static let sqlite = "legacy/jambot/jambot.sqlite"
    static let rows = "legacy/jambot/jambot_rows.json"
    static let corpus = [sqlite, rows]

    static let emptySession = "2144babc-f27a-4abe-8ecc-d674db34be16"
    static let fullSession = "ea1cd102-b8a7-4219-970a-1a6d4a9b08c7"
    static let archivedSession = "a42f3f1d-f463-4403-ab7c-fb4dddfe9b5e"

    @Test func detection() throws {
        let (db, dbSessions) = try Fixtures.importFixture(Self.sqlite)
        #expect(db.system == "jambot")
        #expect(db.format == "jambot-sqlite")
        #expect(db.version == nil)
        #expect(db.role == .container)
        #expect(dbSessions.count == 3)

        let (dump, dumpSessions) = try Fixtures.importFixture(Self.rows)
        #expect(dump.format == "jambot-rows-json")
        #expect(dump.version == nil)
        #expect(dump.role == .container)
        #expect(dumpSessions.count == 3)

        for schema in ["legacy/jambot/schema_sqlite.sql", "legacy/jambot/schema_mysql_ddl.sql"] {
            let input = InputSniffer.parse(SourceFile(path: Fixtures.path(schema), bytes: try Fixtures.bytes(schema)))
            guard case .notASession = LegacySystems.detect(input, context: try Self.context()) else {
                Issue.record("\(schema) is DDL, not a session")
                continue
            }
        }
    }

    @Test func goldenCanonicalBytes() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.sqlite)
        #expect(Set(sessions.map(\.session.sessionID)) == [Self.emptySession, Self.fullSession, Self.archivedSession])
        for imported in sessions {
            Fixtures.expectGolden(imported.session.canonicalBytes, "golden/jambot/\(imported.session.sessionID).json")
        }
    }

    /// The rows dump holds the same rows as the database: the same sessions, apart from the
    /// format named in `origin` and the tables the dump does not have (it has no
    /// `mission_assets`, `hop_assets`, `tool_executions`).
    @Test func rowsDumpGivesTheSameSessions() throws {
        let (_, fromDB) = try Fixtures.importFixture(Self.sqlite)
        let (_, fromDump) = try Fixtures.importFixture(Self.rows)
        #expect(fromDB.count == fromDump.count)
        for (a, b) in zip(fromDB.map(\.session), fromDump.map(\.session)) {
            #expect(a.sessionID == b.sessionID)
            #expect(b.origin.format == "jambot-rows-json")
            #expect(a.metadata == b.metadata)
            #expect(a.auditLog == b.auditLog)
            let dumpColumns = try #require(b.state["columns"]?.objectValue)
            #expect(
                dumpColumns.keys == [
                    "user_sessions", "chats", "chat_messages", "missions", "hops", "tool_steps", "assets",
                ])
            for key in b.state.keys {
                if key == "columns" {
                    for table in dumpColumns.keys { #expect(a.state["columns"]?[table] == dumpColumns[table]) }
                } else {
                    #expect(a.state[key] == b.state[key], "\(b.sessionID) state.\(key)")
                }
            }
            #expect(Set(a.state.keys).subtracting(b.state.keys) == ["mission_assets", "hop_assets", "tool_executions"])
        }
    }

    @Test(arguments: corpus) func everySessionValidates(fixture: String) throws {
        let (_, sessions) = try Fixtures.importFixture(fixture)
        for imported in sessions {
            let s = imported.session
            let (decoded, issues) = SessionValidator.validate(fileBytes: s.canonicalBytes, fileStem: s.sessionID)
            #expect(issues.isEmpty, "\(s.sessionID): \(issues)")
            #expect(decoded == s)
        }
        for id in [Self.emptySession, Self.fullSession, Self.archivedSession] {
            let golden = try Fixtures.bytes("golden/jambot/\(id).json")
            #expect(SessionValidator.validate(fileBytes: golden, fileStem: id).issues.isEmpty)
        }
    }

    @Test func mapping() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.sqlite)
        let byID = Dictionary(uniqueKeysWithValues: sessions.map { ($0.session.sessionID, $0) })
        let full = try #require(byID[Self.fullSession]?.session)
        #expect(full.origin.legacyID == Self.fullSession)
        #expect(full.origin.format == "jambot-sqlite")
        #expect(full.origin.extra["assumed_timezone"] == "UTC")
        #expect(full.metadata.owner == "1")
        #expect(full.metadata.status == "ACTIVE")
        #expect(full.metadata.name == "Session 1")
        #expect(full.metadata.createdAt == "2026-11-21T13:45:44.530850Z")
        #expect(
            full.auditLog.map(\.kind) == [
                "message.user", "message.assistant", "message.tool", "message.status", "message.system",
            ])
        #expect(full.auditLog[0].payload["content"] == "Summarize my AI newsletters ✨")
        #expect(full.auditLog[0].payload["message_metadata"] == .object(JSONObject()))
        #expect(full.state["mission"]?["status"] == "IN_PROGRESS")
        #expect(full.state["mission"]?["success_criteria"] == ["digest produced", "< 500 words"])
        #expect(full.state["hops"]?.arrayValue?.count == 2)
        #expect(full.state["tool_steps"]?.arrayValue?.count == 2)
        #expect(full.state["assets"]?.arrayValue?.map { $0["scope_type"] } == ["MISSION", "HOP"])
        #expect(full.state["chat"]?["context_data"]?["payload_history"]?.arrayValue?.count == 1)
        #expect(byID[Self.fullSession]?.modifiedAt == "2026-11-21T13:45:44.530853Z")

        // JSON `null` text and SQL NULL stay apart.
        let archived = try #require(byID[Self.archivedSession]?.session)
        #expect(archived.metadata.status == "ARCHIVED")
        #expect(archived.state["user_session"]?["session_metadata"] == .null)
        #expect(archived.state["user_session"]?["$sql_null"] == nil)
        #expect(archived.state["chat"]?["context_data"] == .null)
        #expect(archived.state["chat"]?["$sql_null"] == nil)
        let hop2 = try #require(full.state["hops"]?.arrayValue?[1])
        #expect(hop2["hop_metadata"] == .null)
        #expect(hop2["$sql_null"] == ["success_criteria", "hop_metadata"])
        #expect(full.auditLog[3].payload["message_metadata"] == .null)
        #expect(full.auditLog[3].payload["$sql_null"] == nil)

        let empty = try #require(byID[Self.emptySession]?.session)
        #expect(empty.auditLog.isEmpty)
        #expect(empty.state["mission"] == .null)
        #expect(empty.state["hops"] == [])
        #expect(empty.metadata.owner == "2")
    }

    @Test func naiveTimesAreUTCWhateverTheAssumedZone() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.sqlite, timeZone: "America/New_York")
        let full = try #require(sessions.first { $0.session.sessionID == Self.fullSession })
        #expect(full.session.metadata.createdAt == "2026-11-21T13:45:44.530850Z")
        #expect(full.session.origin.extra["assumed_timezone"] == "UTC")
        #expect(full.warnings.contains { $0.code == "timezone-not-applied" })
    }

    /// Every row of every session table survives: each session, read back from its canonical
    /// bytes and exported as rows, equals (by Python's json) the rows Python's own sqlite3
    /// (or json) module selects for that session from the source, JSON columns compared as
    /// the values the app reads (their text's key order is not kept: see the mapping doc).
    /// Exported straight after import, even the JSON column texts are the stored ones.
    @Test(arguments: corpus) func everyRowSurvivesTheRoundTrip(fixture: String) throws {
        let (_, sessions) = try Fixtures.importFixture(fixture)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for imported in sessions {
            let id = imported.session.sessionID
            let expected = dir + "/expected-\(id).json"
            try runPython(
                Self.subsetScript, [Fixtures.path(fixture), imported.session.origin.legacyID ?? "", expected])
            let decoded = try #require(
                SessionValidator.validate(fileBytes: imported.session.canonicalBytes, fileStem: id).session)
            for (label, session) in [("direct", imported.session), ("canonical", decoded)] {
                let files = try JamBotRowsExporter().export(session)
                #expect(files.map(\.relativePath) == ["jambot_rows_\(id).json"])
                #expect(files[0].bytes.last != 0x0A)
                let out = dir + "/\(label)-" + files[0].relativePath
                #expect(FileManager.default.createFile(atPath: out, contents: Data(files[0].bytes)))
                var (a, b) = (expected, out)
                if label == "canonical" {
                    (a, b) = (expected + ".values.json", out + ".values.json")
                    try runPython(Self.jsonColumnValuesScript, [expected, a])
                    try runPython(Self.jsonColumnValuesScript, [out, b])
                }
                let differences = try Fixtures.pythonValueDifferences(a, b)
                #expect(differences.isEmpty, "\(fixture) \(id) (\(label)): \(differences)")
            }
        }
    }

    /// The same comparison on generated stores (scripts/gen/jambot.py): a database and a
    /// dump with NaN in JSON text, `'null'` text and SQL NULL, every session table.
    @Test func generatedStoresRoundTrip() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 40 sessions, 20 per file: one database and one rows dump.
        try runPython(
            "import runpy, sys; g = runpy.run_path(sys.argv[1]); g['generate'].__globals__['SESSIONS_PER_FILE'] = 20; g['generate'](sys.argv[2], 40, 3)",
            [Fixtures.packageRoot + "/scripts/gen/jambot.py", dir + "/in"])
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/in").sorted()
        #expect(names == ["jambot_3_0000.sqlite", "jambot_rows_3_0001.json"])
        let context = try Self.context()
        for name in names {
            let path = dir + "/in/" + name
            let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
            let input = InputSniffer.parse(SourceFile(path: path, displayPath: name, bytes: bytes))
            guard case .recognized(let format, let importer) = LegacySystems.detect(input, context: context) else {
                Issue.record("\(name) not detected")
                continue
            }
            let sessions = try importer.importSessions(input, as: format, context: context)
            #expect(sessions.count == 20)
            for imported in sessions {
                let s = imported.session
                let (decoded, issues) = SessionValidator.validate(fileBytes: s.canonicalBytes, fileStem: s.sessionID)
                #expect(issues.isEmpty)
                let expected = dir + "/expected-\(s.sessionID).json"
                try runPython(Self.subsetScript, [path, s.origin.legacyID ?? "", expected])
                let out = dir + "/out-\(s.sessionID).json"
                #expect(
                    FileManager.default.createFile(
                        atPath: out, contents: Data(try JamBotRowsExporter().export(try #require(decoded))[0].bytes)))
                try runPython(Self.jsonColumnValuesScript, [expected, expected + ".v"])
                try runPython(Self.jsonColumnValuesScript, [out, out + ".v"])
                let differences = try Fixtures.pythonValueDifferences(expected + ".v", out + ".v")
                #expect(differences.isEmpty, "\(name) \(s.sessionID): \(differences)")
            }
        }
    }

    @Test func unattachedRowsAndOtherTablesAreReported() throws {
        let (_, sessions) = try Fixtures.importFixture(Self.sqlite)
        let codes = sessions.flatMap(\.warnings).filter { $0.code == "table-not-migrated" }.map(\.location)
        #expect(codes == ["users"])
    }

    @Test func theDatabaseIsNeverWritten() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/copy.sqlite"
        let original = try Fixtures.bytes(Self.sqlite)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(original)))
        let input = InputSniffer.parse(SourceFile(path: path, displayPath: "copy.sqlite", bytes: original))
        let context = try Self.context()
        guard case .recognized(let format, let importer) = LegacySystems.detect(input, context: context) else {
            Issue.record("not detected")
            return
        }
        #expect(try importer.importSessions(input, as: format, context: context).count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["copy.sqlite"])
        #expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == original)
    }

    @Test func aTruncatedDatabaseIsAFormatError() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/cut.sqlite"
        let bytes = Array(try Fixtures.bytes(Self.sqlite).prefix(8192))
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let input = InputSniffer.parse(SourceFile(path: path, displayPath: "cut.sqlite", bytes: bytes))
        let context = try Self.context()
        switch LegacySystems.detect(input, context: context) {
        case .recognized(let format, let importer):
            #expect(format.format == "jambot-sqlite")
            do {
                _ = try importer.importSessions(input, as: format, context: context)
                Issue.record("a truncated database must not import")
            } catch let error as FormatError {
                #expect(error.file == "cut.sqlite")
                #expect(error.location.hasPrefix("table "), "\(error)")
            }
        default:
            Issue.record("a truncated JamBot database must be reported as one")
        }
    }

    @Test(arguments: [
        (#"{"user_sessions": {}, "chats": [], "chat_messages": []}"#, "/user_sessions"),
        (#"{"user_sessions": [1], "chats": [], "chat_messages": []}"#, "/user_sessions/0"),
        (
            #"{"user_sessions": [{"id": 5, "user_id": 1, "status": "ACTIVE", "chat_id": "c"}], "chats": [], "chat_messages": []}"#,
            "/user_sessions/0/id"
        ),
        (
            #"{"user_sessions": [{"id": "s", "user_id": 1, "status": 3, "chat_id": "c"}], "chats": [], "chat_messages": []}"#,
            "/user_sessions/0/status"
        ),
        (
            #"{"user_sessions": [{"id": "s", "user_id": 1, "status": "ACTIVE", "chat_id": "c", "session_metadata": "{oops"}], "chats": [], "chat_messages": []}"#,
            "/user_sessions/0/session_metadata"
        ),
        (
            #"{"user_sessions": [{"id": "s", "user_id": 1, "status": "ACTIVE", "chat_id": "c"}], "chats": [], "chat_messages": [{"id": "m", "chat_id": "c", "sequence_order": "1", "role": "USER"}]}"#,
            "/chat_messages/0/sequence_order"
        ),
        (
            #"{"user_sessions": [{"id": "s", "user_id": 1, "status": "ACTIVE", "chat_id": "c"}], "chats": [{"id": "c", "context_data": 4}], "chat_messages": []}"#,
            "/chats/0/context_data"
        ),
    ])
    func malformedRowsGiveAFormatError(text: String, location: String) throws {
        do {
            let sessions = try importText(text)
            Issue.record("expected a FormatError at \(location), imported \(sessions.count) sessions")
        } catch let error as FormatError {
            #expect(error.location == location, "\(error)")
            #expect(error.file == "rows.json")
        }
    }

    /// JamBot never validates its ids: a hostile one is hashed into the session id and never
    /// used as a path, not even by the exporter.
    @Test func hostileIDIsHashedNotUsed() throws {
        let text =
            #"{"user_sessions": [{"id": "../../etc/x", "user_id": 1, "status": "ACTIVE", "chat_id": "c"}], "chats": [], "chat_messages": []}"#
        let sessions = try importText(text)
        let s = try #require(sessions.first?.session)
        #expect(s.origin.legacyID == "../../etc/x")
        #expect(s.sessionID == SessionID.derive(system: "jambot", legacyID: "../../etc/x"))
        #expect(SessionID.isCanonical(s.sessionID))
        #expect(sessions[0].warnings.contains { $0.code == "missing-row" })
        #expect(try JamBotRowsExporter().export(s).map(\.relativePath) == ["jambot_rows_\(s.sessionID).json"])
    }

    @Test func otherSystemsCannotBeExported() throws {
        var session = try Fixtures.importFixture(Self.rows).1[0].session
        session.origin.system = "casefile"
        #expect(throws: FormatError.self) { try JamBotRowsExporter().export(session) }
    }

    // MARK: helpers

    static func context(_ zone: String = "UTC") throws -> ImportContext {
        ImportContext(options: try ImportOptions(assumeTimeZoneName: zone), related: RelatedFiles(root: "/nonexistent"))
    }

    func importText(_ text: String) throws -> [ImportedSession] {
        let input = InputSniffer.parse(SourceFile(path: "rows.json", bytes: Array(text.utf8)))
        let context = try Self.context()
        guard let format = JamBotImporter().detect(input, context: context) else {
            throw FormatError(file: "rows.json", location: "", reason: "not detected")
        }
        return try JamBotImporter().importSessions(input, as: format, context: context)
    }

    /// Replaces the text of every JSON column in a rows file by `["json", json.loads(text)]`
    /// (SQL NULL stays `None`), so a comparison sees the values the app reads and still tells
    /// SQL NULL from the text `null`.
    static let jsonColumnValuesScript = #"""
        import json, sys
        JSON = {"user_sessions": ["session_metadata"], "chats": ["context_data"], "chat_messages": ["message_metadata"],
                "missions": ["success_criteria", "mission_metadata"], "hops": ["success_criteria", "hop_metadata"],
                "tool_steps": ["parameter_mapping", "result_mapping", "resource_configs", "validation_errors",
                               "execution_result"],
                "assets": ["schema_definition", "content", "asset_metadata", "db_entity_metadata"],
                "tool_executions": ["input_parameters", "input_assets", "output_results", "output_assets",
                                    "execution_config", "error_details"]}
        src, out = sys.argv[1:3]
        with open(src, encoding="utf-8") as f:
            d = json.load(f)
        for table, rows in d.items():
            for row in rows:
                for c in JSON.get(table, []):
                    if isinstance(row.get(c), str):
                        row[c] = ["json", json.loads(row[c])]
        with open(out, "w", encoding="utf-8") as f:
            json.dump(d, f, ensure_ascii=False, indent=2)
        """#

    /// The rows of one session, selected by Python from the database (sqlite3, read-only) or
    /// the dump (json), independently of the importer: the session row, its chat and
    /// messages (sequence order), mission, hops, tool steps, assets of mission or hop scope
    /// or linked to them, the mapping rows and tool executions; every session table the
    /// source has, `users` left out.
    static let subsetScript = #"""
        import json, sqlite3, sys
        src, sid, out = sys.argv[1:4]
        if src.endswith(".sqlite"):
            con = sqlite3.connect("file:" + src + "?immutable=1", uri=True)
            con.row_factory = sqlite3.Row
            names = [r[0] for r in con.execute("select name from sqlite_master where type='table' order by rowid")]
            tables = {n: [dict(r) for r in con.execute('select * from "%s" order by rowid' % n)] for n in names}
        else:
            with open(src, encoding="utf-8") as f:
                tables = json.load(f)
        order = ["user_sessions", "chats", "chat_messages", "missions", "hops", "tool_steps", "assets",
                 "mission_assets", "hop_assets", "tool_executions"]
        t = lambda n: tables.get(n, [])
        us = [r for r in t("user_sessions") if r["id"] == sid]
        s = us[0]
        missions = {s["mission_id"]} if s.get("mission_id") else set()
        hops = [r for r in t("hops") if r["mission_id"] in missions]
        hop_ids = {r["id"] for r in hops}
        steps = [r for r in t("tool_steps") if r["hop_id"] in hop_ids]
        step_ids = {r["id"] for r in steps}
        ma = [r for r in t("mission_assets") if r["mission_id"] in missions]
        ha = [r for r in t("hop_assets") if r["hop_id"] in hop_ids]
        linked = {r["asset_id"] for r in ma + ha}
        assets = [r for r in t("assets") if r["id"] in linked
                  or (r["scope_type"] == "MISSION" and r["scope_id"] in missions)
                  or (r["scope_type"] == "HOP" and r["scope_id"] in hop_ids)]
        execs = [r for r in t("tool_executions") if r["mission_id"] in missions or r["hop_id"] in hop_ids
                 or r["tool_step_id"] in step_ids]
        sel = {
            "user_sessions": us,
            "chats": [r for r in t("chats") if r["id"] == s["chat_id"]],
            "chat_messages": sorted([r for r in t("chat_messages") if r["chat_id"] == s["chat_id"]],
                                    key=lambda r: r["sequence_order"]),
            "missions": [r for r in t("missions") if r["id"] in missions],
            "hops": hops, "tool_steps": steps, "assets": assets, "mission_assets": ma, "hop_assets": ha,
            "tool_executions": execs,
        }
        res = {n: sel[n] for n in order if n in tables}
        with open(out, "w", encoding="utf-8") as f:
            json.dump(res, f, ensure_ascii=False, indent=2)
        """#
}
