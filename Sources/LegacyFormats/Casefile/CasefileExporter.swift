import SessionModel

/// casefile Firestore export (flat JSON map of document paths)
public struct CasefileExporter: SessionExporter {
    public let name = "casefile"
    public let summary = "casefile Firestore export (flat JSON map of document paths)"
    public init() {}
    public func export(_ session: Session) throws -> [ExportedFile] {
        throw FormatError(file: session.sessionID, location: "", reason: "export to casefile is not available yet")
    }
}
