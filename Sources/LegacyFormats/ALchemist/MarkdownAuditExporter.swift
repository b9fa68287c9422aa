import SessionModel

/// an audit trail in Markdown, like ALchemist's export_audit_markdown
public struct MarkdownAuditExporter: SessionExporter {
    public let name = "markdown"
    public let summary = "an audit trail in Markdown, like ALchemist's export_audit_markdown"
    public init() {}
    public func export(_ session: Session) throws -> [ExportedFile] {
        throw FormatError(file: session.sessionID, location: "", reason: "export to markdown is not available yet")
    }
}
