import Foundation
import LegacyFormats
import SessionModel
import Testing

/// ALchemist session JSON, server-store JSON and recovery backups: detection, canonical
/// goldens, export round trips, snapshots, the Markdown audit trail and malformed input.
@Suite struct ALchemistTests {
    /// Every ALchemist JSON file of the corpus, with the format and version it must be detected as.
    static let corpus: [(path: String, format: String, version: String)] = [
        ("legacy/alchemist/session_json/head_empty_session.json", "alchemist-session", "1.1.0"),
        ("legacy/alchemist/session_json/head_unicode_searchspace_only.json", "alchemist-session", "1.1.0"),
        ("legacy/alchemist/session_json/head_full_workflow.json", "alchemist-session", "1.1.0"),
        ("legacy/alchemist/session_json/v_9c4310c_2025-11-19.json", "alchemist-session", "1.0.0"),
        ("legacy/alchemist/session_json/v_e23b28d_2025-11-24.json", "alchemist-session", "1.0.0"),
        ("legacy/alchemist/session_json/v_7d47fba_2026-05-15.json", "alchemist-session", "1.0.0"),
        (
            "legacy/alchemist/rest_store_json_449b9f2/cache/sessions/d808b38a-26fd-40ce-8a96-d7ccf34a6524.json",
            "alchemist-server-json", "1.0.0"
        ),
        (
            "legacy/alchemist/rest_store_json_449b9f2/cache/sessions/fa148e38-3084-4420-9cf0-b1d14c67d9c8.json",
            "alchemist-server-json", "1.0.0"
        ),
        (
            "legacy/alchemist/rest_store_json_head/cache/sessions/792b2f7c-4888-4587-a783-47a872797ee7.json",
            "alchemist-server-json", "1.1.0"
        ),
        (
            "legacy/alchemist/rest_store_json_head/cache/sessions/f0d7f576-4942-4fb3-9cbf-98b86809a4ca.json",
            "alchemist-server-json", "1.1.0"
        ),
        (
            "legacy/alchemist/rest_store_json_head/cache/recovery/792b2f7c-4888-4587-a783-47a872797ee7_recovery_20261121_134452.json",
            "alchemist-recovery", "1.1.0"
        ),
    ]
    static let corpusPaths = corpus.map(\.path)

    static func importOne(_ path: String, timeZone: String = "UTC") throws -> (DetectedFormat, ImportedSession) {
        let (format, sessions) = try Fixtures.importFixture(path, timeZone: timeZone)
        guard sessions.count == 1, let s = sessions.first else {
            throw FixtureMissing(path: "\(path): \(sessions.count) sessions")
        }
        return (format, s)
    }

    /// The golden's name: recovery backups share their server file's session id.
    static func goldenName(_ path: String, _ session: Session) -> String {
        "golden/alchemist/\(path.contains("/recovery/") ? "recovery/" : "")\(session.sessionID).json"
    }

    /// Imports through the canonical bytes, as `export` reads a store (sorted keys, no order
    /// held in memory), so the exporters must rebuild the app's order from what is recorded.
    static func viaCanonical(_ s: Session) throws -> Session {
        try SessionValidator.session(fromCanonical: s.canonicalBytes)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    // MARK: - Detection

    @Test(arguments: corpus.map { [$0.path, $0.format, $0.version] })
    func detectsFormatAndVersion(_ c: [String]) throws {
        let (format, imported) = try Self.importOne(c[0])
        #expect(format.system == "alchemist")
        #expect(format.format == c[1])
        #expect(format.version == c[2])
        #expect(format.role == .session)
        #expect(imported.session.origin.format == "\(c[1])/\(c[2])")
    }

    @Test func legacyFormsAreNamedInTheNote() throws {
        let (format, _) = try Self.importOne("legacy/alchemist/session_json/v_9c4310c_2025-11-19.json")
        #expect(format.note?.contains("audit log as a list") == true)
        #expect(format.note?.contains("model_state") == true)
        let (server, _) = try Self.importOne(Self.corpus[6].path)
        #expect(server.note?.contains("expires_at") == true)
    }

    @Test func missingVersionReadsAsOneZeroZero() throws {
        var doc = try Self.document("legacy/alchemist/session_json/head_empty_session.json")
        doc.removeValue(forKey: "version")
        let (format, session) = try Self.importBytes(PythonJSONWriter(indent: 2).bytes(.object(doc)))
        #expect(format.version == "1.0.0")
        #expect(session.session.state["version"] == nil)
        let exported = try ALchemistSessionExporter().export(try Self.viaCanonical(session.session))
        #expect(Self.same(exported.first?.bytes, PythonJSONWriter(indent: 2).bytes(.object(doc))))
    }

    @Test func otherJSONIsNotALchemist() throws {
        let file = SourceFile(path: "x.json", bytes: Array(#"{"messages": [], "title": "chat"}"#.utf8))
        let input = InputSniffer.parse(file)
        let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: "."))
        #expect(ALchemistImporter().detect(input, context: context) == nil)
    }

    // MARK: - Canonical goldens

    @Test(arguments: corpusPaths)
    func goldenCanonicalBytes(_ path: String) throws {
        let (_, imported) = try Self.importOne(path)
        let bytes = imported.session.canonicalBytes
        Fixtures.expectGolden(bytes, Self.goldenName(path, imported.session))
        let (decoded, issues) = SessionValidator.validate(fileBytes: bytes, fileStem: imported.session.sessionID)
        #expect(issues.isEmpty, "\(issues)")
        #expect(decoded?.canonicalBytes == bytes)
    }

    @Test func goldensOnDiskValidate() throws {
        let dir = Fixtures.path("golden/alchemist")
        // Copies of one session (a recovery backup) keep their golden in a sub-folder, so that
        // every golden is named <session id>.json as canonical files must be.
        let names = try FileManager.default.subpathsOfDirectory(atPath: dir).filter {
            $0.hasSuffix(".json") && !$0.hasPrefix("pickle/")  // pickled sessions: ALchemistPickleTests
        }.sorted()
        #expect(names.count == Self.corpus.count)
        for name in names {
            let bytes = try Fixtures.bytes("golden/alchemist/" + name)
            let stem = String((name as NSString).lastPathComponent.dropLast(5))
            let (_, issues) = SessionValidator.validate(fileBytes: bytes, fileStem: stem)
            #expect(issues.isEmpty, "\(name): \(issues)")
        }
    }

    // MARK: - Mapping

    @Test func fullWorkflowMapping() throws {
        let (_, imported) = try Self.importOne("legacy/alchemist/session_json/head_full_workflow.json")
        let s = imported.session
        #expect(s.sessionID == "a3505bba-b7e4-46a2-b34a-55bfdb3a708f")
        #expect(s.origin.legacyID == "a3505bba-b7e4-46a2-b34a-55bfdb3a708f")
        #expect(s.origin.extra["assumed_timezone"] == "UTC")
        #expect(s.metadata.name == "Catalyst screening")
        #expect(s.metadata.owner == "A. Researcher")
        #expect(s.metadata.tags == ["catalyst", "demo"])
        #expect(s.metadata.createdAt == "2026-11-21T13:44:16.741847Z")
        #expect(s.metadata.updatedAt == "2026-11-21T13:44:19.082077Z")
        #expect(imported.modifiedAt == "2026-11-21T13:44:19.082077Z")
        #expect(
            s.auditLog.map(\.kind) == [
                "lock.data", "lock.model", "lock.acquisition", "alchemist.objective_label_changed",
                "alchemist.experiment_completed",
            ])
        #expect(s.auditLog.map(\.iteration) == [nil, 10, 10, nil, 10])
        #expect(s.auditLog.map(\.actor) == [nil, nil, nil, nil, nil])
        #expect(s.auditLog[0].notes == "Initial LHS dataset")
        #expect(s.auditLog[0].payload["hash"] == "9f0b67eda149c75e")
        #expect(s.auditLog[0].payload["parameters"]?["data_hash"] == "34c8099c2650ba06")
        // Every corpus hash is ALchemist's own: no mismatch.
        #expect(!imported.warnings.contains { $0.code == "hash-mismatch" })
        let columns = s.state["experiments"]?["columns"]
        #expect(
            columns == ["temperature", "pressure", "catalyst", "Output", "Iteration", "Reason", "ProvenanceId"])
        // NaN noise kept as a float NaN.
        if case .float(let d)? = s.state["experiments"]?["data"]?.arrayValue?.first?["ProvenanceId"] {
            #expect(d.isNaN)
        } else {
            Issue.record("ProvenanceId should stay a NaN float")
        }
        #expect(s.state["audit_log"]?["experiment_data_is_experiments"] == true)
        #expect(s.state["model_config"]?["kernel"] == "Matern")
        #expect(s.state["objective_metadata"]?["Output"]?["label"] == "Yield")
    }

    @Test func firstReleaseMapping() throws {
        let (_, imported) = try Self.importOne("legacy/alchemist/session_json/v_9c4310c_2025-11-19.json")
        let s = imported.session
        #expect(s.state["audit_log"]?["form"] == "list")
        #expect(s.state["model_state"]?["trained"] == false)
        #expect(s.state["model_config"] == nil)
        #expect(s.metadata.owner == nil)
        #expect(s.metadata.name == "Legacy 9c4310c — ß∂ƒ")
        #expect(s.auditLog.map(\.kind) == ["lock.data", "lock.model", "lock.acquisition"])
        #expect(!imported.warnings.contains { $0.code == "hash-mismatch" })
    }

    @Test func tamperedParametersGiveAHashMismatchWarning() throws {
        var doc = try Self.document("legacy/alchemist/session_json/v_e23b28d_2025-11-24.json")
        guard case .object(var log)? = doc["audit_log"], case .array(var entries)? = log["entries"],
            case .object(var first) = entries[0], case .object(var params)? = first["parameters"]
        else { throw FixtureMissing(path: "unexpected fixture shape") }
        params["n_experiments"] = 9
        first["parameters"] = .object(params)
        entries[0] = .object(first)
        log["entries"] = .array(entries)
        doc["audit_log"] = .object(log)
        let (_, imported) = try Self.importBytes(PythonJSONWriter(indent: 2).bytes(.object(doc)))
        let mismatches = imported.warnings.filter { $0.code == "hash-mismatch" }
        #expect(mismatches.count == 1)
        #expect(mismatches.first?.location == "/audit_log/entries/0/hash")
        // Kept as written, not "fixed".
        #expect(imported.session.auditLog[0].payload["hash"] == "6660f7af081e2ae4")
    }

    /// DataFrame columns are every row's keys in first-seen order, told apart by their bytes:
    /// "é" and "e" + combining acute are two columns (pandas sees two different strings).
    @Test func columnsAreEveryRowsKeysInFirstSeenOrderByBytes() throws {
        var doc = try Self.document("legacy/alchemist/session_json/v_e23b28d_2025-11-24.json")
        guard case .object(var experiments)? = doc["experiments"], case .array(var rows)? = experiments["data"],
            rows.count >= 3, case .object(var r0) = rows[0], case .object(var r2) = rows[2]
        else { throw FixtureMissing(path: "unexpected fixture shape") }
        let before = r0.keys
        r0["\u{E9}"] = 1
        r2["e\u{301}"] = 2
        r2["\u{E9}"] = 3
        rows[0] = .object(r0)
        rows[2] = .object(r2)
        experiments["data"] = .array(rows)
        doc["experiments"] = .object(experiments)
        let (_, imported) = try Self.importBytes(PythonJSONWriter(indent: 2).bytes(.object(doc)))
        let columns = imported.session.state["experiments"]?["columns"]?.arrayValue?.compactMap(\.stringValue)
        #expect(columns.map { $0.map { Array($0.utf8) } } == (before + ["\u{E9}", "e\u{301}"]).map { Array($0.utf8) })
    }

    @Test func hashIsPythonsSortedDumps() throws {
        // Non-ASCII, nested objects, floats and the numpy-repr strings of default=str.
        for path in Self.corpusPaths {
            let (_, imported) = try Self.importOne(path)
            #expect(!imported.warnings.contains { $0.code == "hash-mismatch" }, "\(path)")
        }
    }

    // MARK: - Session ids across store, recovery and session files

    @Test func serverStoreIdIsTheSessionId() throws {
        let (_, old) = try Self.importOne(Self.corpus[6].path)
        #expect(old.session.sessionID == "d808b38a-26fd-40ce-8a96-d7ccf34a6524")
        #expect(old.session.origin.legacyID == "d808b38a-26fd-40ce-8a96-d7ccf34a6524")
        #expect(old.session.state["metadata"]?["session_id"] == "eaddb566-55da-4575-88f5-ad0dc4b24850")
        #expect(old.warnings.contains { $0.code == "id-from-file-name" })
        #expect(old.session.state["_session_store_metadata"]?["expires_at"] == "2026-11-22T13:44:56.385158")

        let (_, server) = try Self.importOne(Self.corpus[8].path)
        let (_, recovery) = try Self.importOne(Self.corpus[10].path)
        #expect(server.session.sessionID == "792b2f7c-4888-4587-a783-47a872797ee7")
        #expect(recovery.session.sessionID == server.session.sessionID)
        #expect(server.session.state["metadata"]?["session_id"] == nil)
        #expect(!server.warnings.contains { $0.code == "id-from-file-name" || $0.code == "session-id-mismatch" })
        // The copies are told apart by the session's own last_modified: the backup is newer.
        #expect(server.modifiedAt == "2026-11-21T13:44:52.328394Z")
        #expect(recovery.modifiedAt == "2026-11-21T13:44:52.331115Z")
        #expect(recovery.modifiedAt! > server.modifiedAt!)
        #expect(recovery.session.state["_recovery_metadata"]?["backup_time"] == "2026-11-21T13:44:52.334487")
        // The same audit entries give the same ids on both copies.
        #expect(server.session.auditLog.map(\.id) == recovery.session.auditLog.map(\.id))
    }

    @Test func renamedServerFileFallsBackToTheMetadataId() throws {
        let bytes = try Fixtures.bytes(Self.corpus[8].path)
        let (_, imported) = try Self.importBytes(bytes, name: "copy of session.json")
        #expect(imported.session.sessionID == "792b2f7c-4888-4587-a783-47a872797ee7")
    }

    @Test func hostileIdIsHashedAndNeverAPath() throws {
        var doc = try Self.document("legacy/alchemist/session_json/head_empty_session.json")
        guard case .object(var meta)? = doc["metadata"] else { throw FixtureMissing(path: "metadata") }
        meta["session_id"] = "../../etc/x"
        doc["metadata"] = .object(meta)
        let (_, imported) = try Self.importBytes(PythonJSONWriter(indent: 2).bytes(.object(doc)))
        let s = imported.session
        #expect(s.sessionID == SessionID.derive(system: "alchemist", legacyID: "../../etc/x"))
        #expect(s.origin.legacyID == "../../etc/x")
        for exporter in [ALchemistSessionExporter(), ALchemistServerExporter(), MarkdownAuditExporter()]
            as [any SessionExporter]
        {
            for file in try exporter.export(s) {
                #expect(!file.relativePath.contains(".."), "\(file.relativePath)")
                #expect(file.relativePath.contains(s.sessionID))
            }
        }
        let back = try ALchemistSessionExporter().export(try Self.viaCanonical(s))
        #expect(Self.same(back.first?.bytes, PythonJSONWriter(indent: 2).bytes(.object(doc))))
    }

    // MARK: - Export round trips

    /// The export of each corpus file, written where Python can read it.
    static func exportedFile(for path: String, session: Session, into dir: String) throws -> String {
        let files: [ExportedFile]
        if path.contains("/cache/") {
            files = try ALchemistServerExporter().export(session)
        } else {
            files = try ALchemistSessionExporter().export(session)
        }
        let wanted = files.first { f in
            path.contains("/recovery/")
                ? f.relativePath.hasPrefix("cache/recovery/") : !f.relativePath.hasPrefix("cache/recovery/")
        }
        guard let file = wanted else { throw FixtureMissing(path: "no export for \(path)") }
        let out = dir + "/" + file.relativePath
        try write(file.bytes, to: out)
        return out
    }

    @Test(arguments: corpusPaths)
    func exportRoundTripReadsBackTheSameValues(_ path: String) throws {
        let (_, imported) = try Self.importOne(path)
        let session = try Self.viaCanonical(imported.session)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try Self.exportedFile(for: path, session: session, into: dir)
        let differences = try Fixtures.pythonValueDifferences(Fixtures.path(path), out)
        #expect(differences.isEmpty, "\(differences)")
    }

    @Test(arguments: corpusPaths)
    func exportIsByteForByteTheApps(_ path: String) throws {
        let (_, imported) = try Self.importOne(path)
        let session = try Self.viaCanonical(imported.session)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try Self.exportedFile(for: path, session: session, into: dir)
        let exported = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
        let original = try Fixtures.bytes(path)
        #expect(Self.same(exported, original), "\(path): export differs from the app's bytes")
        if path.contains("/recovery/") {
            #expect(out.hasSuffix("cache/recovery/792b2f7c-4888-4587-a783-47a872797ee7_recovery_20261121_134452.json"))
        }
    }

    @Test func exportInAnotherAssumedZoneGivesTheSameBytes() throws {
        let path = "legacy/alchemist/session_json/head_full_workflow.json"
        let (_, imported) = try Self.importOne(path, timeZone: "America/New_York")
        #expect(imported.session.metadata.createdAt == "2026-11-21T18:44:16.741847Z")
        #expect(imported.session.origin.extra["assumed_timezone"] == "America/New_York")
        let out = try ALchemistSessionExporter().export(try Self.viaCanonical(imported.session))
        #expect(Self.same(out.first?.bytes, try Fixtures.bytes(path)))
    }

    @Test func sessionFileExportedAsServerStore() throws {
        let (_, imported) = try Self.importOne("legacy/alchemist/session_json/head_full_workflow.json")
        let files = try ALchemistServerExporter().export(try Self.viaCanonical(imported.session))
        #expect(files.map(\.relativePath) == ["cache/sessions/a3505bba-b7e4-46a2-b34a-55bfdb3a708f.json"])
        let doc = try JSONReader.read(files[0].bytes).value
        #expect(doc["_session_store_metadata"]?["created_at"] == "2026-11-21T13:44:16.741847")
        #expect(doc["_session_store_metadata"]?["last_accessed"] == "2026-11-21T13:44:19.082077")
        // Reads back as a server file of the same session.
        let (format, back) = try Self.importBytes(files[0].bytes, name: "a3505bba-b7e4-46a2-b34a-55bfdb3a708f.json")
        #expect(format.format == "alchemist-server-json")
        #expect(back.session.sessionID == imported.session.sessionID)
        #expect(back.session.auditLog == imported.session.auditLog)
    }

    @Test func exportersRefuseOtherSystems() throws {
        let s = Self.chatSession()
        for exporter in [ALchemistSessionExporter(), ALchemistServerExporter()] as [any SessionExporter] {
            #expect(throws: FormatError.self) { try exporter.export(s) }
        }
    }

    // MARK: - Snapshots

    @Test func snapshotsCutTheLogAndTheRows() throws {
        let (_, imported) = try Self.importOne("legacy/alchemist/session_json/head_full_workflow.json")
        let s = try Self.viaCanonical(imported.session)
        let importer = ALchemistImporter()
        func rows(_ x: Session) -> Int { x.state["experiments"]?["data"]?.arrayValue?.count ?? -1 }

        let atData = importer.snapshot(of: s, throughEntry: 0)
        #expect(atData.auditLog.count == 1)
        #expect(rows(atData) == 10)
        #expect(atData.state["experiments"]?["n_total"] == 10)
        #expect(atData.state["provenance"] == [])
        #expect(atData.state["last_suggestions"] == [])
        #expect(atData.state["objective_metadata"] == .object(JSONObject()))
        #expect(atData.state["staged_experiments"] == [])
        #expect(atData.metadata.updatedAt == "2026-11-21T13:44:16.761557Z")

        let atModel = importer.snapshot(of: s, throughEntry: 1)
        #expect(rows(atModel) == 10)
        let atAcquisition = importer.snapshot(of: s, throughEntry: 2)
        #expect(rows(atAcquisition) == 10)
        #expect(atAcquisition.state["last_suggestions"]?.arrayValue?.count == 2)
        let atCompletion = importer.snapshot(of: s, throughEntry: 4)
        #expect(rows(atCompletion) == 11)
        #expect(atCompletion.state["provenance"]?.arrayValue?.count == 1)

        for i in s.auditLog.indices {
            var snap = importer.snapshot(of: s, throughEntry: i)
            snap.sealAuditLog()
            let (_, issues) = SessionValidator.validate(fileBytes: snap.canonicalBytes, fileStem: snap.sessionID)
            #expect(issues.isEmpty, "\(issues)")
            // A snapshot is still a loadable ALchemist session.
            let doc = try JSONReader.read(try ALchemistSessionExporter().export(snap)[0].bytes).value
            #expect(doc["experiments"]?["data"]?.arrayValue?.count == doc["experiments"]?["n_total"]?.intValue)
        }
    }

    @Test func snapshotsOfTheFirstReleaseUseTheDataLockCount() throws {
        let (_, imported) = try Self.importOne("legacy/alchemist/session_json/v_9c4310c_2025-11-19.json")
        var doc = try Self.document("legacy/alchemist/session_json/v_9c4310c_2025-11-19.json")
        // Two rows added after the lock: the lock counted 8.
        guard case .object(var exp)? = doc["experiments"], case .array(var rows)? = exp["data"] else {
            throw FixtureMissing(path: "rows")
        }
        rows += rows.prefix(2)
        exp["data"] = .array(rows)
        exp["n_total"] = .int(rows.count)
        doc["experiments"] = .object(exp)
        let (_, grown) = try Self.importBytes(PythonJSONWriter(indent: 2).bytes(.object(doc)))
        let snap = ALchemistImporter().snapshot(of: grown.session, throughEntry: 0)
        #expect(snap.state["experiments"]?["data"]?.arrayValue?.count == 8)
        #expect(imported.session.auditLog.count == 3)
    }

    // MARK: - Markdown

    @Test func markdownMatchesTheAppsAuditTrail() throws {
        let (_, imported) = try Self.importOne("legacy/alchemist/session_json/head_full_workflow.json")
        let files = try MarkdownAuditExporter().export(try Self.viaCanonical(imported.session))
        let text = String(decoding: files[0].bytes, as: UTF8.self)
        var app = String(
            decoding: try Fixtures.bytes("legacy/alchemist/session_json/head_full_workflow.audit.md"), as: UTF8.self)
        // The app renders it after save_session bumped last_modified (documented).
        app = app.replacingOccurrences(
            of: "- **Last Modified**: 2026-11-21T13:44:19.117630",
            with: "- **Last Modified**: 2026-11-21T13:44:19.082077")
        #expect(text == app)
        Fixtures.expectGolden(files[0].bytes, "golden/alchemist/markdown/head_full_workflow.audit.md")
    }

    @Test(arguments: corpusPaths)
    func markdownGoldens(_ path: String) throws {
        let (_, imported) = try Self.importOne(path)
        let files = try MarkdownAuditExporter().export(try Self.viaCanonical(imported.session))
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        Fixtures.expectGolden(files[0].bytes, "golden/alchemist/markdown/\(stem).md")
    }

    @Test func markdownForAnySystem() throws {
        let files = try MarkdownAuditExporter().export(Self.chatSession())
        let text = String(decoding: files[0].bytes, as: UTF8.self)
        #expect(text.hasPrefix("# Audit Trail\n"))
        #expect(text.contains("### 1. message.user"))
        #expect(text.contains("### 2. lock.model"))
        Fixtures.expectGolden(files[0].bytes, "golden/alchemist/markdown/other_system.md")
    }

    @Test func pythonReprOfSuggestions() throws {
        // Quotes, non-ASCII and floats as Python prints a list of dicts.
        var doc = try Self.document("legacy/alchemist/session_json/v_e23b28d_2025-11-24.json")
        guard case .object(var log)? = doc["audit_log"], case .array(var entries)? = log["entries"],
            case .object(var acq) = entries[2], case .object(var params)? = acq["parameters"]
        else { throw FixtureMissing(path: "shape") }
        params["suggestions"] = [["name": "it's", "x": 1e-05, "y": "é\"", "z": nil, "b": true]]
        acq["parameters"] = .object(params)
        entries[2] = .object(acq)
        log["entries"] = .array(entries)
        doc["audit_log"] = .object(log)
        let (_, imported) = try Self.importBytes(PythonJSONWriter(indent: 2).bytes(.object(doc)))
        let text = String(decoding: try MarkdownAuditExporter().export(imported.session)[0].bytes, as: UTF8.self)
        #expect(text.contains(#"**Suggested Next**: [{'name': "it's", 'x': 1e-05, 'y': 'é"', 'z': None, 'b': True}]"#))
    }

    // MARK: - Malformed input

    static let malformed: [(String, String, String)] = [
        (#"{"metadata": [], "search_space": {}, "experiments": {"data": []}}"#, "/metadata", "object"),
        (
            #"{"metadata": {"session_id": "x", "name": "n", "created_at": "2026-01-01T00:00:00", "last_modified": "2026-01-01T00:00:00"}, "audit_log": {"entries": []}, "search_space": {"variables": []}, "experiments": {"data": {}}}"#,
            "/experiments/data", "list"
        ),
        (
            #"{"metadata": {"session_id": "x", "name": "n", "created_at": "2026-01-01T00:00:00", "last_modified": "2026-01-01T00:00:00"}, "audit_log": {"entries": [{"timestamp": "2026-01-01T00:00:00", "entry_type": "data_locked", "parameters": [1], "hash": "0", "notes": ""}]}, "search_space": {"variables": []}, "experiments": {"data": []}}"#,
            "/audit_log/entries/0/parameters", "object"
        ),
        (
            #"{"metadata": {"session_id": "x", "name": "n", "created_at": "2026-01-01T00:00:00", "last_modified": "2026-01-01T00:00:00"}, "audit_log": [{"timestamp": "2026-01-01T00:00:00", "entry_type": 5, "parameters": {}, "hash": "0"}], "search_space": {"variables": []}, "experiments": {"data": []}}"#,
            "/audit_log/0/entry_type", "string"
        ),
        (
            #"{"metadata": {"session_id": 7, "name": "n", "created_at": "2026-01-01T00:00:00", "last_modified": "2026-01-01T00:00:00"}, "audit_log": {"entries": []}, "search_space": {"variables": []}, "experiments": {"data": []}}"#,
            "/metadata/session_id", "string"
        ),
        (
            #"{"metadata": {"session_id": "x", "name": "n", "created_at": "2026-01-01T00:00:00", "last_modified": "2026-01-01T00:00:00"}, "audit_log": "log", "search_space": {"variables": []}, "experiments": {"data": []}}"#,
            "/audit_log", "list"
        ),
        (
            #"{"metadata": {"session_id": "x", "name": "n", "created_at": "2026-01-01T00:00:00", "last_modified": "2026-01-01T00:00:00"}, "audit_log": {"entries": []}, "search_space": {"variables": [{"name": 1, "type": "real"}]}, "experiments": {"data": []}}"#,
            "/search_space/variables/0/name", "string"
        ),
        (
            #"{"metadata": {"session_id": "x", "name": "n", "created_at": "2026-01-01T00:00:00", "last_modified": "2026-01-01T00:00:00"}, "audit_log": {"entries": []}, "search_space": {"variables": []}, "experiments": {"data": [1, 2]}}"#,
            "/experiments/data/0", "object"
        ),
        (
            #"{"metadata": {"session_id": "x", "name": "n", "created_at": "2026-01-01T00:00:00", "last_modified": "2026-01-01T00:00:00"}, "audit_log": {"entries": []}, "search_space": {"variables": []}, "experiments": {"data": []}, "_recovery_metadata": {"backup_time": "x"}}"#,
            "/_recovery_metadata/session_id", "string"
        ),
    ]

    @Test(arguments: malformed.map { [$0.0, $0.1, $0.2] })
    func wrongTypesGiveAFormatErrorWithTheLocation(_ c: [String]) throws {
        do {
            _ = try Self.importBytes(Array(c[0].utf8))
            Issue.record("expected a FormatError")
        } catch let e as FormatError {
            #expect(e.location == c[1])
            #expect(e.reason.contains(c[2]), "\(e.reason)")
            #expect(e.file == "input.json")
        }
    }

    @Test func truncatedFileFailsWithALocation() throws {
        let bytes = try Fixtures.bytes("legacy/alchemist/session_json/head_full_workflow.json")
        let file = SourceFile(path: "t.json", bytes: Array(bytes.prefix(bytes.count / 2)))
        let input = InputSniffer.parse(file)
        let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: "."))
        guard case .failed(let error) = LegacySystems.detect(input, context: context) else {
            Issue.record("a truncated file must fail")
            return
        }
        #expect(error.location.hasPrefix("line "))
    }

    @Test func deepAndOddValuesNeverCrash() throws {
        var doc = try Self.document("legacy/alchemist/session_json/head_empty_session.json")
        var deep: JSONValue = 1
        for _ in 0..<200 { deep = .array([deep]) }
        doc["config"] = ["nested": deep, "big": .bigInt("123456789012345678901234567890"), "inf": .float(.infinity)]
        doc["surprise"] = "kept"
        // Nulls where the dataclass has defaults, a zone offset, an unknown member, odd entry types.
        guard case .object(var meta)? = doc["metadata"] else { throw FixtureMissing(path: "metadata") }
        meta["description"] = .some(.null)
        meta["author"] = .some(.null)
        meta["tags"] = .some(.null)
        meta["created_at"] = "2026-11-21T13:44:16.7+01:00"
        meta["favourite"] = ["x", 1]
        doc["metadata"] = .object(meta)
        let params: JSONValue = ["z": 1, "a": [1.5, "s"]]
        doc["audit_log"] = [
            "entries": [
                [
                    "timestamp": "2026-11-21T13:44:17", "entry_type": "Weird Type", "parameters": params,
                    "hash": "0000000000000000", "notes": nil, "who": "me",
                ],
                [
                    "notes": "first", "entry_type": "config_changed",
                    "parameters": ["component": "model", "old": [:], "new": ["k": 1], "iteration": 3],
                    "hash": "deadbeefdeadbeef", "timestamp": "not a time",
                ],
            ]
        ]
        let bytes = PythonJSONWriter(indent: 2).bytes(.object(doc))
        let (_, imported) = try Self.importBytes(bytes)
        #expect(imported.session.state["other"]?["surprise"] == "kept")
        #expect(imported.session.metadata.createdAt == "2026-11-21T12:44:16.7Z")
        #expect(imported.session.metadata.tags == nil && imported.session.metadata.owner == nil)
        #expect(imported.session.state["metadata"]?["tags"] == .null)
        #expect(imported.session.auditLog.map(\.kind) == ["alchemist.other", "alchemist.config_changed"])
        #expect(imported.session.auditLog[0].payload["entry_type"] == "Weird Type")
        #expect(imported.session.auditLog[1].iteration == 3)
        #expect(imported.session.auditLog[1].timestamp == nil)
        #expect(imported.warnings.filter { $0.code == "hash-mismatch" }.count == 2)
        #expect(imported.warnings.contains { $0.code == "unparseable-time" })
        let (_, issues) = SessionValidator.validate(
            fileBytes: imported.session.canonicalBytes, fileStem: imported.session.sessionID)
        #expect(issues.isEmpty, "\(issues)")
        let back = try ALchemistSessionExporter().export(try Self.viaCanonical(imported.session))
        #expect(Self.same(back.first?.bytes, bytes))
    }

    // MARK: - Generated sessions

    /// Every era the generator writes must import, validate and export back byte for byte.
    @Test func generatedSessionsRoundTripByteForByte() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Fixtures.packageRoot + "/scripts/gen/alchemist.py", dir, "36", "11"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let files = (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 36)
        var formats = Set<String>()
        for rel in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/" + rel)))
            let (format, imported) = try Self.importBytes(bytes, name: (rel as NSString).lastPathComponent)
            formats.insert(format.qualifiedName)
            #expect(!imported.warnings.contains { $0.code == "hash-mismatch" }, "\(rel)")
            let s = imported.session
            let (_, issues) = SessionValidator.validate(fileBytes: s.canonicalBytes, fileStem: s.sessionID)
            #expect(issues.isEmpty, "\(rel): \(issues)")
            let back = try Self.viaCanonical(s)
            let exported: [ExportedFile]
            if format.format == "alchemist-session" {
                exported = try ALchemistSessionExporter().export(back)
            } else {
                exported = try ALchemistServerExporter().export(back).filter {
                    $0.relativePath.contains("/recovery/") == (format.format == "alchemist-recovery")
                }
            }
            #expect(Self.same(exported.first?.bytes, bytes), "\(rel)")
            for i in s.auditLog.indices {
                let snap = ALchemistImporter().snapshot(of: back, throughEntry: i)
                _ = try ALchemistSessionExporter().export(snap)
                _ = try MarkdownAuditExporter().export(snap)
            }
        }
        #expect(
            formats.isSuperset(of: [
                "alchemist-session/1.0.0", "alchemist-session/1.1.0", "alchemist-server-json/1.0.0",
                "alchemist-server-json/1.1.0", "alchemist-recovery/1.1.0",
            ]))
    }

    // MARK: - Helpers

    /// Byte equality that reports the first differing line instead of two byte arrays.
    static func same(_ a: [UInt8]?, _ b: [UInt8]) -> Bool {
        guard let a else { return false }
        if a == b { return true }
        let x = String(decoding: a, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let y = String(decoding: b, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(x.count, y.count)).first { x[$0] != y[$0] } ?? min(x.count, y.count)
        Issue.record(
            "bytes differ at line \(line + 1): got `\(line < x.count ? String(x[line]) : "<end>")`, want `\(line < y.count ? String(y[line]) : "<end>")`"
        )
        return false
    }

    static func document(_ path: String) throws -> JSONObject {
        guard case .object(let o) = try JSONReader.read(try Fixtures.bytes(path)).value else {
            throw FixtureMissing(path: path)
        }
        return o
    }

    static func importBytes(_ bytes: [UInt8], name: String = "input.json") throws -> (DetectedFormat, ImportedSession) {
        let file = SourceFile(path: "/nonexistent/" + name, displayPath: name, bytes: bytes)
        let input = InputSniffer.parse(file)
        let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: "/nonexistent"))
        let importer = ALchemistImporter()
        guard let format = importer.detect(input, context: context) else { throw FixtureMissing(path: "not detected") }
        let sessions = try importer.importSessions(input, as: format, context: context)
        guard let s = sessions.first else { throw FixtureMissing(path: "no session") }
        return (format, s)
    }

    /// A session of another system, for the exporters that must refuse or handle it.
    static func chatSession() -> Session {
        var s = Session(
            sessionID: "0b6f3f0e-2d7c-4f5b-9a55-1c2d3e4f5a6b",
            origin: Origin(system: "mochi", format: "mochi-session/1", legacyID: "chat-1"),
            metadata: Metadata(
                name: "Chat ü", description: nil, tags: ["x"], owner: "ann", status: "active",
                createdAt: "2026-01-01T10:00:00Z", updatedAt: "2026-01-01T10:05:00.5Z"),
            state: JSONObject(),
            auditLog: [
                AuditEntry(
                    kind: "message.user", timestamp: "2026-01-01T10:00:01Z", actor: "ann", notes: nil,
                    payload: JSONObject([("content", "hello ```x```")])),
                AuditEntry(
                    kind: "lock.model", timestamp: nil, iteration: 2, actor: nil, notes: "chosen",
                    payload: JSONObject([("model", "gpt"), ("nan", .float(.nan))])),
            ])
        s.sealAuditLog()
        return s
    }
}
