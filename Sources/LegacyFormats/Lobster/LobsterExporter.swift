import SessionModel

/// Lobster session JSON + .lobster/sessions/<id>/provenance.jsonl + metadata.json
public struct LobsterExporter: SessionExporter {
    public let name = "lobster"
    public let summary = "Lobster session JSON + .lobster/sessions/<id>/provenance.jsonl + metadata.json"
    public init() {}
    public func export(_ session: Session) throws -> [ExportedFile] {
        throw FormatError(file: session.sessionID, location: "", reason: "export to lobster is not available yet")
    }
}
