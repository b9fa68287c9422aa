import SessionModel

/// mochi-server chat session JSON (chat_sessions/<id>.json)
public struct MochiExporter: SessionExporter {
    public let name = "mochi"
    public let summary = "mochi-server chat session JSON (chat_sessions/<id>.json)"
    public init() {}
    public func export(_ session: Session) throws -> [ExportedFile] {
        throw FormatError(file: session.sessionID, location: "", reason: "export to mochi is not available yet")
    }
}
