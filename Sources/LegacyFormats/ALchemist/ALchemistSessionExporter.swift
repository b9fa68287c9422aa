import SessionModel

/// ALchemist session JSON, as save_session writes it
public struct ALchemistSessionExporter: SessionExporter {
    public let name = "alchemist"
    public let summary = "ALchemist session JSON, as save_session writes it"
    public init() {}
    public func export(_ session: Session) throws -> [ExportedFile] {
        throw FormatError(file: session.sessionID, location: "", reason: "export to alchemist is not available yet")
    }
}
