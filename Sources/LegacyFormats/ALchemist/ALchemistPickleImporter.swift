import Foundation
import Pickle
import SessionModel

/// ALchemist's pickled REST server store, `cache/sessions/<uuid>.pkl` (FORMATS.md 1.2, store
/// commits 9dc1bd4 … 449b9f2^, 2025-11-04 … 20), read as data: nothing in the pickle is ever
/// imported or called (`PickleDecoder` + `PickleInterpreter`'s allowlist).
///
/// The store entry `{session, created_at, last_accessed, expires_at}` is rebuilt as the JSON
/// document the JSON-era store would hold for the same session (`save_session` of the code that
/// pickled it + `_session_store_metadata`), and that document goes through the JSON importer, so a
/// pickled session has exactly the state layout, audit kinds and hash checks of a JSON-era one
/// (docs/mapping/alchemist.md, "Pickled server store"). What the pickle holds beyond that
/// document is kept in `state.pickle`; objects that are not data (skopt dimensions, the event
/// emitter, models) only by class name, and each is named in the report as `not-data`.
public struct ALchemistPickleImporter: SessionImporter {
    public let system = "alchemist"
    public init() {}

    public static let format = "alchemist-server-pickle"
    /// The store's first pickling commit: the entry's layout did not change until the JSON store.
    public static let version = "9dc1bd4"
    static let sessionClass = "alchemist_core.session.OptimizationSession"

    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? {
        guard input.kind == .pickle else { return nil }
        let bytes = input.file.bytes
        let protocolNote = Self.protocolVersion(bytes).map { "pickle protocol \($0)" } ?? "pickle protocol 0/1"
        switch Self.decode(bytes) {
        case .failure(let error):
            // A damaged store entry is still the store's: it names the session class (STACK_GLOBAL
            // operands are plain text), so it is reported with its byte offset, not as "not a session".
            guard Self.mentionsSessionClass(bytes) else { return nil }
            return DetectedFormat(
                system: system, format: Self.format, version: Self.version, role: .session,
                note: "\(protocolNote); does not decode: \(error.description)")
        case .success(let decoded):
            guard let entry = PickleStoreEntry(decoded.value) else { return nil }
            let era =
                entry.session["metadata"] != nil || entry.session["audit_log"] != nil
                ? "session with metadata/audit log (9c4310c or later, 2025-11-19/20)"
                : "session without metadata or audit log (before 9c4310c)"
            return DetectedFormat(
                system: system, format: Self.format, version: Self.version, role: .session,
                note: "\(protocolNote); \(era)")
        }
    }

    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws
        -> [ImportedSession]
    {
        let file = input.file
        let decoded: (value: PickleData, notData: [NotDataNote])
        switch Self.decode(file.bytes) {
        case .failure(let error):
            let reason = error.description.replacingOccurrences(of: " at byte \(error.offset)", with: "")
            throw FormatError(file: file.displayPath, location: "byte \(error.offset)", reason: reason)
        case .success(let result): decoded = result
        }
        guard let entry = PickleStoreEntry(decoded.value) else {
            throw FormatError(
                file: file.displayPath, location: "",
                reason: "not an ALchemist store entry (a dict with an OptimizationSession under \"session\")")
        }
        let reader = PickleEntryReader(file: file.displayPath, entry: entry)
        let legacyID = try reader.storeID(fileName: file.fileName)
        let built = try reader.document(legacyID: legacyID)

        var imported: ImportedSession
        do {
            imported = try ALchemistImporter.importDocument(
                built.document, file: file, as: format, legacyID: legacyID, context: context)
        } catch let error as FormatError {
            throw FormatError(
                file: error.file, location: PickleEntryReader.picklePointer(error.location), reason: error.reason)
        }

        // Pickle-only content, and what the store entry had that the document cannot say.
        var session = imported.session
        var state = session.state
        var pickleState = built.pickleState
        if let proto = Self.protocolVersion(file.bytes) { pickleState["protocol"] = .int(proto) }
        state["pickle"] = .object(pickleState)
        if built.metadataAbsent {
            // The session had no SessionMetadata yet (before 9c4310c): no name. Its times are the
            // store's (created, last accessed), read through the conversion log like any naive time.
            session.metadata.name = nil
        }
        if let columns = built.columns {
            // A frame with columns but no rows still has its columns.
            var experiments = state["experiments"]?.objectValue ?? JSONObject()
            experiments["columns"] = .array(columns.map(JSONValue.string))
            state["experiments"] = .object(experiments)
        }
        session.state = state

        var warnings = imported.warnings.map {
            ImportWarning($0.code, PickleEntryReader.picklePointer($0.location), $0.message)
        }
        for note in decoded.notData {
            warnings.append(
                ImportWarning(
                    "not-data", note.path,
                    "\(note.className) is not data (\(note.reason)); kept in state only as its class name, never executed"
                ))
        }
        return [
            ImportedSession(
                session: session, warnings: warnings, joinedFiles: imported.joinedFiles, modifiedAt: imported.modifiedAt
            )
        ]
    }

    public func snapshot(of session: Session, throughEntry index: Int) -> Session {
        ALchemistSnapshot.snapshot(of: session, throughEntry: index)
    }

    // MARK: - Decoding

    static func decode(_ bytes: [UInt8]) -> Result<(value: PickleData, notData: [NotDataNote]), PickleError> {
        do {
            let value = try PickleDecoder(limits: .default).decode(bytes)
            return .success(PickleInterpreter.interpret(value))
        } catch {
            return .failure(error)
        }
    }

    /// The protocol of a `PROTO`-prefixed pickle (2 and later).
    static func protocolVersion(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2, bytes[0] == 0x80 else { return nil }
        return Int(bytes[1])
    }

    /// Whether the bytes name `alchemist_core.session` and `OptimizationSession` (how every
    /// protocol spells a class reference), so that a damaged store entry is still recognized.
    static func mentionsSessionClass(_ bytes: [UInt8]) -> Bool {
        contains(bytes, Array("alchemist_core.session".utf8)) && contains(bytes, Array("OptimizationSession".utf8))
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

/// The store entry dict, checked to be the store's: an `OptimizationSession` under `session`.
struct PickleStoreEntry {
    var entries: [PickleDataEntry]
    var session: PickleDataObject

    init?(_ value: PickleData) {
        guard case .dict(let entries) = value, case .dataObject(let session)? = value["session"],
            session.className == ALchemistPickleImporter.sessionClass
        else { return nil }
        self.entries = entries
        self.session = session
    }

    subscript(key: String) -> PickleData? { entries.last(where: { $0.key == .string(key) })?.value }
}
