import Foundation
import LegacyFormats
import SessionModel
import Testing

/// ALchemist's pickled REST store (`cache/sessions/<uuid>.pkl`): detection, goldens, the values
/// Python sees in the real pickles, metadata + audit log, export round trips through the JSON
/// importer, and hostile or damaged pickles that must never execute or crash.
@Suite struct ALchemistPickleTests {
    static let corpusDir = "legacy/alchemist/rest_store_pickle_9dc1bd4/cache/sessions/"
    static let corpusIDs = ["5cfc97df-8fd4-4f92-acf9-9d55569239c1", "ca3f38de-dc56-4151-ab15-cb5fdb00ebb2"]
    static let auditObject = "pickle/store/audit_object/cache/sessions/3f6c1e2a-8b4d-4c9e-a1f0-5d7e9b2c4a61.pkl"
    static let auditList = "pickle/store/audit_list/cache/sessions/9b2e4d6f-1a3c-4e5b-8d7f-0c2a4e6b8d10.pkl"
    static let hostileEntry = "pickle/store/hostile/cache/sessions/6e0f3b9a-2c4d-4a8e-b7f1-3d5c7a9e1b20.pkl"
    static let allPickles = corpusIDs.map { corpusDir + $0 + ".pkl" } + [auditObject, auditList]
    /// Where the hostile fixtures' payloads would `touch` (scripts/pickle-fixtures.py).
    static let marker = "/tmp/sessionsync-pickle-pwned"

    static func importOne(_ path: String, timeZone: String = "UTC") throws -> (DetectedFormat, ImportedSession) {
        let (format, sessions) = try Fixtures.importFixture(path, timeZone: timeZone)
        guard sessions.count == 1, let s = sessions.first else {
            throw FixtureMissing(path: "\(path): \(sessions.count) sessions")
        }
        return (format, s)
    }

    /// Detects and imports bytes placed at `relativePath` inside a temporary folder, as a store would hold them.
    static func importPlaced(_ bytes: [UInt8], at relativePath: String) throws -> Detection {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = dir + "/" + relativePath
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        let input = InputSniffer.parse(SourceFile(path: full, displayPath: relativePath, bytes: bytes))
        let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: dir))
        return LegacySystems.detect(input, context: context)
    }

    // MARK: - Detection

    @Test(arguments: allPickles)
    func detectsStorePickles(_ path: String) throws {
        let (format, _) = try Self.importOne(path)
        #expect(format.system == "alchemist")
        #expect(format.format == "alchemist-server-pickle")
        #expect(format.version == "9dc1bd4")
        #expect(format.qualifiedName == "alchemist-server-pickle/9dc1bd4")
        #expect(format.note?.contains("pickle protocol 4") == true)
        let withAudit = path.hasPrefix("pickle/store/")
        #expect(
            format.note?.contains(withAudit ? "with metadata/audit log" : "without metadata") == true,
            "\(format.note ?? "")")
    }

    @Test func plainPicklesAreNotSessions() throws {
        // Decodable pickles that are not store entries: plain data, a dict without a session.
        for name in ["plain/bools_none.p4.pkl", "plain/bytes.p4.pkl"] {
            let detection = try Self.importPlaced(
                try Fixtures.bytes("pickle/" + name),
                at: "cache/sessions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.pkl")
            guard case .notASession(let reason) = detection else {
                Issue.record("\(name): \(detection)")
                continue
            }
            #expect(reason.contains("pickle"))
        }
    }

    // MARK: - Goldens

    @Test(arguments: allPickles)
    func goldenCanonicalBytes(_ path: String) throws {
        let (_, imported) = try Self.importOne(path)
        let bytes = imported.session.canonicalBytes
        Fixtures.expectGolden(bytes, "golden/alchemist/pickle/\(imported.session.sessionID).json")
        let (decoded, issues) = SessionValidator.validate(fileBytes: bytes, fileStem: imported.session.sessionID)
        #expect(issues.isEmpty, "\(issues)")
        #expect(decoded?.canonicalBytes == bytes)
    }

    @Test func goldensOnDiskValidate() throws {
        let dir = Fixtures.path("golden/alchemist/pickle")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count == Self.allPickles.count)
        for name in names {
            let (_, issues) = SessionValidator.validate(
                fileBytes: try Fixtures.bytes("golden/alchemist/pickle/" + name), fileStem: String(name.dropLast(5)))
            #expect(issues.isEmpty, "\(name): \(issues)")
        }
    }

    // MARK: - The values Python sees (scripts/pickle-crosscheck.py)

    /// A value of the cross-check's tagged form (`["float", "<16 hex digits>"]`, …) as JSON.
    static func untag(_ v: JSONValue) throws -> JSONValue {
        guard let a = v.arrayValue, let tag = a.first?.stringValue else {
            throw FixtureMissing(path: "bad tagged value \(v)")
        }
        switch tag {
        case "none": return .null
        case "bool": return .bool(a[1].stringValue == "True")
        case "int": return JSONValue.integer(decimal: Substring(a[1].stringValue ?? "")) ?? .null
        case "float":
            guard let bits = UInt64(a[1].stringValue ?? "", radix: 16) else {
                throw FixtureMissing(path: "bad float \(v)")
            }
            return .float(Double(bitPattern: bits))
        case "str": return a[1]
        case "list", "tuple": return .array(try (a[1].arrayValue ?? []).map(untag))
        case "dict":
            return .object(
                JSONObject(
                    try (a[1].arrayValue ?? []).map { pair in
                        guard let p = pair.arrayValue, p.count == 2, let k = try untag(p[0]).stringValue else {
                            throw FixtureMissing(path: "bad pair \(pair)")
                        }
                        return (k, try untag(p[1]))
                    }))
        default: throw FixtureMissing(path: "unknown tag \(tag)")
        }
    }

    @Test(arguments: corpusIDs)
    func valuesEqualPythonsView(_ id: String) throws {
        guard
            case .object(let expected) = try JSONReader.read(try Fixtures.bytes("pickle/corpus/\(id).expected.json"))
                .value
        else { throw FixtureMissing(path: id) }
        let (_, imported) = try Self.importOne(Self.corpusDir + id + ".pkl")
        let s = imported.session
        #expect(s.sessionID == id)
        #expect(s.origin.legacyID == id)

        // Search space, categorical variables, config.
        #expect(s.state["search_space"]?["variables"] == (try Self.untag(expected["variables"] ?? .null)))
        #expect(
            s.state["pickle"]?["search_space"]?["other"]?["categorical_variables"]
                == (try Self.untag(expected["categorical_variables"] ?? .null)))
        #expect(s.state["config"] == (try Self.untag(expected["config"] ?? .null)))

        // Rows: every value, in column order, with the column dtypes.
        let frame = try #require(expected["dataframe"]?.objectValue)
        let columns = try (frame["columns"]?.arrayValue ?? []).map { c in try Self.untag(c["name"] ?? .null) }
        let dtypes = (frame["columns"]?.arrayValue ?? []).map { $0["dtype"] ?? .null }
        let expectedRows = try (frame["rows"]?.arrayValue ?? []).map { row in try (row.arrayValue ?? []).map(Self.untag)
        }
        let rows = try #require(s.state["experiments"]?["data"]?.arrayValue)
        #expect(rows.count == expectedRows.count)
        #expect(s.state["experiments"]?["n_total"] == .int(expectedRows.count))
        if !rows.isEmpty { #expect(s.state["experiments"]?["columns"]?.arrayValue == columns) }
        for (row, want) in zip(rows, expectedRows) {
            let o = try #require(row.objectValue)
            #expect(o.keys.map(JSONValue.string) == columns)
            #expect(o.members.map(\.value) == want)
        }
        let recordedDtypes = s.state["pickle"]?["experiment_manager"]?["df"]?["dtypes"]?.objectValue
        #expect(recordedDtypes?.keys.map(JSONValue.string) ?? [] == columns)
        #expect(recordedDtypes?.members.map(\.value) ?? [] == dtypes)

        // Store times: kept as the JSON store writes them; the common times are the same instants.
        let store = try #require(s.state["_session_store_metadata"]?.objectValue)
        #expect(store.keys == ["created_at", "last_accessed", "expires_at"])
        for key in ["created_at", "last_accessed", "expires_at"] { #expect(store[key] == expected[key]) }
        #expect(s.metadata.createdAt == (expected["created_at"]?.stringValue).map { $0 + "Z" })
        #expect(s.metadata.updatedAt == (expected["last_accessed"]?.stringValue).map { $0 + "Z" })
        #expect(imported.modifiedAt == s.metadata.updatedAt)
        #expect(s.metadata.name == nil)
        #expect(s.origin.extra["assumed_timezone"] == "UTC")
        #expect(s.auditLog.isEmpty)
        #expect(s.state["audit_log"]?["form"] == "absent")
    }

    @Test func notDataIsNamedAndKeptAsAClassName() throws {
        let (_, imported) = try Self.importOne(Self.corpusDir + "ca3f38de-dc56-4151-ab15-cb5fdb00ebb2.pkl")
        let notData = imported.warnings.filter { $0.code == "not-data" }
        #expect(
            notData.contains {
                $0.message.hasPrefix("alchemist_core.events.EventEmitter") && $0.location.contains("events")
            })
        #expect(
            notData.contains {
                $0.message.hasPrefix("skopt.space.space.Real") && $0.location.contains("skopt_dimensions[0]")
            })
        #expect(
            notData.contains {
                $0.message.hasPrefix("skopt.space.space.Categorical") && $0.location.contains("skopt_dimensions[1]")
            })
        let pickle = try #require(imported.session.state["pickle"])
        #expect(
            pickle["session"]?["other"]?["events"]
                == .object(JSONObject([("not_data", "alchemist_core.events.EventEmitter")])))
        #expect(
            pickle["search_space"]?["other"]?["skopt_dimensions"]?.arrayValue?.first
                == .object(JSONObject([("not_data", "skopt.space.space.Real")])))
        #expect(
            pickle["session"]?["fields"]?.arrayValue?.compactMap(\.stringValue) == [
                "search_space", "experiment_manager", "events", "model", "model_backend", "acquisition", "config",
            ])
        #expect(pickle["experiment_manager"]?["search_space_is_session_search_space"] == true)
        #expect(pickle["protocol"] == .int(4))
    }

    // MARK: - Metadata and audit log (pickles of 2025-11-19/20)

    @Test func auditObjectPickle() throws {
        let (_, imported) = try Self.importOne(Self.auditObject)
        let s = imported.session
        #expect(s.sessionID == "3f6c1e2a-8b4d-4c9e-a1f0-5d7e9b2c4a61")
        #expect(s.metadata.name == "Catalyst screen — 11/20")
        #expect(s.metadata.owner == "R. Chem")
        #expect(s.metadata.description == "HANDBUILT store pickle")
        #expect(s.metadata.tags == ["pickle", "audit"])
        #expect(s.metadata.createdAt == "2025-11-20T09:12:30.250000Z")
        #expect(s.metadata.updatedAt == "2025-11-20T09:17:00.000100Z")
        // The session's own modification time decides between copies, not the store's access time.
        #expect(imported.modifiedAt == "2025-11-20T09:17:00.000100Z")
        #expect(s.state["_session_store_metadata"]?["last_accessed"] == "2025-11-20T09:17:01.000005")
        #expect(s.state["metadata"] == nil)

        #expect(s.auditLog.map(\.kind) == ["lock.data", "lock.model", "lock.acquisition"])
        #expect(s.auditLog.map(\.iteration) == [nil, 1, 1])
        #expect(
            s.auditLog.map(\.timestamp) == [
                "2025-11-20T09:15:02.104233Z", "2025-11-20T09:16:40.500000Z", "2025-11-20T09:17:00Z",
            ])
        #expect(s.auditLog.map(\.notes) == ["initial design", "", "ümlaut ✓ notes"])
        #expect(s.auditLog.allSatisfy { $0.actor == nil })
        #expect(s.auditLog[0].payload["parameters"]?["initial_design_method"] == "LHS")
        #expect(s.auditLog[1].payload["parameters"]?["hyperparameters"]?["matern_nu"] == .float(2.5))
        #expect(!imported.warnings.contains { $0.code == "hash-mismatch" }, "\(imported.warnings)")
        #expect(s.state["audit_log"]?["form"] == "object")
        #expect(s.state["audit_log"]?["experiment_data_is_experiments"] == true)
        #expect(s.state["audit_log"]?["search_space"]?["variables"]?.arrayValue?.count == 3)

        let rows = try #require(s.state["experiments"]?["data"]?.arrayValue)
        #expect(rows.count == 4)
        #expect(rows[1]["pressure"] == .int(9))  // int64 column: ints
        #expect(rows[0]["temperature"] == .float(310.5))
        #expect(rows[1]["Noise"]?.doubleValue?.isNaN == true)  // NaN noise stays a float NaN
        #expect(rows[3]["Reason"] == "Expected Improvement")
        #expect(
            s.state["experiments"]?["columns"]?.arrayValue?.compactMap(\.stringValue) == [
                "temperature", "pressure", "catalyst", "Output", "Noise", "Iteration", "Reason",
            ])
        #expect(s.state["pickle"]?["experiment_manager"]?["df"]?["dtypes"]?["pressure"] == "int64")
        #expect(
            s.state["pickle"]?["session"]?["other"]?["model"]
                == .object(JSONObject([("not_data", "sklearn.gaussian_process._gpr.GaussianProcessRegressor")])))
        #expect(s.state["pickle"]?["session"]?["other"]?["model_backend"] == "sklearn")
        #expect(
            imported.warnings.contains {
                $0.code == "not-data" && $0.message.hasPrefix("sklearn.gaussian_process._gpr.GaussianProcessRegressor")
            })

        // One commit per lock: the snapshot rules of the JSON importer apply.
        let snapshot = ALchemistPickleImporter().snapshot(of: s, throughEntry: 0)
        #expect(snapshot.auditLog.count == 1)
        #expect(snapshot.state["experiments"]?["data"]?.arrayValue?.count == 3)
    }

    @Test func auditListPickle() throws {
        let (_, imported) = try Self.importOne(Self.auditList)
        let s = imported.session
        // The store's key is the id; a differing metadata.session_id is kept and reported.
        #expect(s.sessionID == "9b2e4d6f-1a3c-4e5b-8d7f-0c2a4e6b8d10")
        #expect(s.state["metadata"]?["session_id"] == "0d1c2b3a-4f5e-4d6c-9b8a-7e6f5d4c3b2a")
        #expect(
            imported.warnings.contains {
                $0.code == "id-from-file-name" && $0.location == "/session/metadata/session_id"
            })
        #expect(s.metadata.owner == nil)  // no author before 81670e5
        #expect(s.state["audit_log"]?["form"] == "list")
        #expect(s.auditLog.map(\.kind) == ["lock.data"])
        #expect(s.auditLog[0].payload["parameters"]?["variables"]?.arrayValue?.count == 3)
        #expect(!imported.warnings.contains { $0.code == "hash-mismatch" })
        #expect(s.state["pickle"]?["experiment_manager"]?["other"]?["filepath"] == "runs/screen.csv")
    }

    @Test func renamedPickleFallsBackToTheMetadataIdOrFails() throws {
        // A copy whose name is not the store's uuid: the session's own id, if it has one.
        let detection = try Self.importPlaced(try Fixtures.bytes(Self.auditObject), at: "backup/session copy.pkl")
        guard case .recognized(let format, let importer) = detection else {
            Issue.record("\(detection)")
            return
        }
        let bytes = try Fixtures.bytes(Self.auditObject)
        let input = InputSniffer.parse(
            SourceFile(path: "/nonexistent/session copy.pkl", displayPath: "session copy.pkl", bytes: bytes))
        let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: "/nonexistent"))
        let s = try importer.importSessions(input, as: format, context: context)
        #expect(s.first?.session.sessionID == "3f6c1e2a-8b4d-4c9e-a1f0-5d7e9b2c4a61")

        // Without metadata there is no id: one FormatError.
        let old = try Fixtures.bytes(Self.corpusDir + "ca3f38de-dc56-4151-ab15-cb5fdb00ebb2.pkl")
        let oldInput = InputSniffer.parse(
            SourceFile(path: "/nonexistent/copy.pkl", displayPath: "copy.pkl", bytes: old))
        #expect(throws: FormatError.self) { try importer.importSessions(oldInput, as: format, context: context) }
    }

    // MARK: - Export round trips through the JSON importer

    /// The canonical session without what only a pickle has (and its origin), for comparing a
    /// pickled session with the same session read back from an export.
    static func comparable(_ s: Session, dropping: [String]) -> String {
        var s = s
        s.origin = Origin(system: "alchemist", format: "-", legacyID: s.origin.legacyID)
        for key in dropping { s.state.removeValue(forKey: key) }
        return String(decoding: s.canonicalBytes, as: UTF8.self)
    }

    /// The session as the JSON importer reads a session file of the app's own id.
    static func renamed(_ s: Session, to appID: String) -> Session {
        var s = s
        s.sessionID = SessionID.derive(system: "alchemist", legacyID: appID)
        s.origin = Origin(system: "alchemist", format: s.origin.format, legacyID: appID)
        if var m = s.state["metadata"]?.objectValue {
            m.removeValue(forKey: "session_id")
            if m.isEmpty { s.state.removeValue(forKey: "metadata") } else { s.state["metadata"] = .object(m) }
        }
        return s
    }

    @Test(arguments: allPickles)
    func exportReadsBackAsTheSameSession(_ path: String) throws {
        let (_, imported) = try Self.importOne(path)
        let session = try SessionValidator.session(fromCanonical: imported.session.canonicalBytes)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for exporter in [ALchemistSessionExporter() as any SessionExporter, ALchemistServerExporter()] {
            let files = try exporter.export(session)
            guard let file = files.first else {
                Issue.record("no export")
                continue
            }
            let out = dir + "/" + exporter.name + "/" + file.relativePath
            try FileManager.default.createDirectory(
                atPath: (out as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(file.bytes).write(to: URL(fileURLWithPath: out))
            let input = InputSniffer.parse(SourceFile(path: out, displayPath: file.relativePath, bytes: file.bytes))
            let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: dir))
            guard case .recognized(let format, let importer) = LegacySystems.detect(input, context: context) else {
                Issue.record("\(exporter.name): the export is not detected")
                continue
            }
            #expect(format.format == (exporter.name == "alchemist" ? "alchemist-session" : "alchemist-server-json"))
            let back = try #require(try importer.importSessions(input, as: format, context: context).first)
            // Documented normalizations: the pickle-only state; the store times for a plain session
            // file (save_session has no store bookkeeping); a session without metadata gets the
            // SessionMetadata default name the JSON layout requires.
            var original = session
            if original.metadata.name == nil { original.metadata.name = "Untitled Session" }
            if exporter.name == "alchemist", case .string(let appID)? = session.state["metadata"]?["session_id"] {
                // A session file knows only metadata.session_id: a store entry whose metadata
                // disagrees with its store key becomes a session file of the metadata's id.
                #expect(back.session.sessionID == SessionID.derive(system: "alchemist", legacyID: appID))
                original = try SessionValidator.session(fromCanonical: Self.renamed(original, to: appID).canonicalBytes)
            }
            let dropped = exporter.name == "alchemist" ? ["pickle", "_session_store_metadata"] : ["pickle"]
            #expect(
                Self.comparable(original, dropping: dropped) == Self.comparable(back.session, dropping: dropped),
                "\(path) via \(exporter.name)")
            #expect(back.session.sessionID == original.sessionID)
            #expect(back.modifiedAt == imported.modifiedAt)
        }
    }

    // MARK: - Hostile and damaged pickles

    @Test func hostilePicklesInTheStoreNeverExecute() throws {
        try? FileManager.default.removeItem(atPath: Self.marker)
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("pickle/hostile")).filter {
            $0.hasSuffix(".pkl")
        }.sorted()
        #expect(names.count > 10)
        for name in names {
            let bytes = try Fixtures.bytes("pickle/hostile/" + name)
            switch try Self.importPlaced(bytes, at: "cache/sessions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.pkl") {
            case .notASession, .failed: break
            case .recognized(let format, _):
                Issue.record("\(name) was taken for a store entry (\(format.qualifiedName))")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: Self.marker))
    }

    @Test func systemCallInsideASessionIsOpaque() throws {
        try? FileManager.default.removeItem(atPath: Self.marker)
        let (_, imported) = try Self.importOne(Self.hostileEntry)
        let s = imported.session
        #expect(
            s.state["pickle"]?["session"]?["other"]?["model"] == .object(JSONObject([("not_data", "posix.system")])))
        #expect(
            imported.warnings.contains {
                $0.code == "not-data" && $0.message.hasPrefix("posix.system") && $0.location.contains("model")
            })
        #expect(s.auditLog.count == 3)
        #expect(!FileManager.default.fileExists(atPath: Self.marker))
        let (_, issues) = SessionValidator.validate(fileBytes: s.canonicalBytes, fileStem: s.sessionID)
        #expect(issues.isEmpty)
    }

    @Test func truncatedPickleIsOneFormatErrorWithTheByteOffset() throws {
        let bytes = try Fixtures.bytes(Self.corpusDir + "ca3f38de-dc56-4151-ab15-cb5fdb00ebb2.pkl")
        for cut in [bytes.count / 2, bytes.count - 1, 200] {
            let detection = try Self.importPlaced(
                Array(bytes.prefix(cut)), at: "cache/sessions/ca3f38de-dc56-4151-ab15-cb5fdb00ebb2.pkl")
            guard case .recognized(let format, let importer) = detection else {
                Issue.record("cut at \(cut): \(detection)")
                continue
            }
            #expect(format.format == "alchemist-server-pickle")
            #expect(format.note?.contains("does not decode") == true)
            let input = InputSniffer.parse(
                SourceFile(path: "/nonexistent/x.pkl", displayPath: "x.pkl", bytes: Array(bytes.prefix(cut))))
            let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: "/nonexistent"))
            do {
                _ = try importer.importSessions(input, as: format, context: context)
                Issue.record("cut at \(cut): imported")
            } catch let error as FormatError {
                #expect(error.file == "x.pkl")
                #expect(error.location.hasPrefix("byte "))
                let offset = Int(error.location.dropFirst(5)) ?? -1
                #expect(offset >= 0 && offset <= cut)
                #expect(error.reason.contains("truncated"), "\(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func wrongTypesInsideTheSessionGiveAFormatError() throws {
        // The DataFrame replaced by a string: a store entry whose data cannot be read.
        var bytes = try Fixtures.bytes(Self.auditObject)
        // Renaming the field `df` to `dg` leaves the ExperimentManager without its DataFrame.
        let needle: [UInt8] = [0x8C, 0x02, UInt8(ascii: "d"), UInt8(ascii: "f")]  // SHORT_BINUNICODE "df"
        guard
            let at = (0...(bytes.count - needle.count)).first(where: {
                Array(bytes[$0..<($0 + needle.count)]) == needle
            })
        else {
            Issue.record("no df field in the fixture")
            return
        }
        bytes[at + 3] = UInt8(ascii: "g")
        let detection = try Self.importPlaced(bytes, at: "cache/sessions/3f6c1e2a-8b4d-4c9e-a1f0-5d7e9b2c4a61.pkl")
        guard case .recognized(let format, let importer) = detection else {
            Issue.record("\(detection)")
            return
        }
        let input = InputSniffer.parse(SourceFile(path: "/nonexistent/x.pkl", displayPath: "x.pkl", bytes: bytes))
        let context = ImportContext(options: try ImportOptions(), related: RelatedFiles(root: "/nonexistent"))
        #expect {
            _ = try importer.importSessions(input, as: format, context: context)
        } throws: { error in
            (error as? FormatError)?.location == "/session/experiment_manager/df"
        }
    }
}
