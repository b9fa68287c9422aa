import SessionModel

/// Lobster AI workspaces: session JSON 1.0/1.1 joined with provenance JSONL (FORMATS.md 2).
public struct LobsterImporter: SessionImporter {
    public let system = "lobster"
    public init() {}
    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? { nil }
    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws -> [ImportedSession] { [] }
}
