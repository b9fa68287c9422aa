import SessionModel

/// Writes a casefile session back as a flat export map `{"<document path>": {fields}}` in the
/// layout it came from: the export's non-document members, the casefile document, the session
/// document (a chat session's `messages` rebuilt from its `message.*` entries), the documents
/// of its other audit entries in log order, then any other documents below the session.
///
/// Written like the samples: `json.dumps(indent=2, ensure_ascii=False)`, no final newline,
/// non-finite markers of the canonical form back to `NaN`/`Infinity` tokens.
/// Firestore maps have no member order, so documents keep the order the session holds (the
/// export's order right after an import, code point order after a canonical round trip).
public struct CasefileExporter: SessionExporter {
    public let name = "casefile"
    public let summary = "casefile Firestore export (flat JSON map of document paths)"

    public init() {}

    public func export(_ session: Session) throws -> [ExportedFile] {
        func fail(_ location: String, _ reason: String) -> FormatError {
            FormatError(file: session.sessionID, location: location, reason: reason)
        }
        guard session.origin.system == "casefile" else {
            throw fail("/origin/system", "a \(session.origin.system) session cannot be written as a casefile export")
        }
        guard case .object(let root)? = session.state["session_document"], case .string(let rootPath)? = root["path"],
            case .object(var document)? = root["document"]
        else {
            throw fail("/state/session_document", "expected {\"path\": string, \"document\": object}")
        }

        var members: [(key: String, value: JSONValue)] = []
        if case .object(let extra)? = session.state["export_members"] { members += extra.members }
        if case .object(let casefile)? = session.state["casefile"] {
            guard case .string(let path)? = casefile["path"], let doc = casefile["document"] else {
                throw fail("/state/casefile", "expected {\"path\": string, \"document\": …} or null")
            }
            members.append((path, doc))
        }

        // A chat session holds its messages: put them back in their list order (entries
        // without a position, e.g. replayed ones, follow in log order).
        var isChat = false
        if case .chatSession = CasefileDocumentPath(rootPath) { isChat = true }
        var positioned: [(Int, Int, JSONValue)] = []
        var entryDocuments: [(key: String, value: JSONValue)] = []
        for (i, entry) in session.auditLog.enumerated() {
            if isChat, entry.kind.hasPrefix("message."), let message = entry.payload["message"] {
                let position = entry.payload["position"]?.intValue ?? Int.max
                positioned.append((position, i, message))
            } else if case .string(let path)? = entry.payload["path"], let doc = entry.payload["document"] {
                entryDocuments.append((path, doc))
            } else {
                throw fail(
                    "/audit_log/\(i)/payload",
                    "a \(entry.kind) entry without a message or a {path, document} pair has no casefile document")
            }
        }
        if isChat {
            positioned.sort { ($0.0, $0.1) < ($1.0, $1.1) }
            document["messages"] = .array(positioned.map(\.2))
        }
        members.append((rootPath, .object(document)))
        members += entryDocuments
        if case .object(let subdocuments)? = session.state["subdocuments"] { members += subdocuments.members }

        let restored = members.map { (key: $0.key, value: NonFiniteMarkers.restore($0.value)) }
        let bytes = PythonJSONWriter(indent: 2, ensureASCII: false).bytes(.object(JSONObject(restored)))
        return [ExportedFile(relativePath: "casefile_export_\(session.sessionID).json", bytes: bytes)]
    }
}
