import SessionModel

/// ALchemist REST server store JSON (cache/sessions/<id>.json)
public struct ALchemistServerExporter: SessionExporter {
    public let name = "alchemist-server"
    public let summary = "ALchemist REST server store JSON (cache/sessions/<id>.json)"
    public init() {}
    public func export(_ session: Session) throws -> [ExportedFile] {
        throw FormatError(file: session.sessionID, location: "", reason: "export to alchemist-server is not available yet")
    }
}
