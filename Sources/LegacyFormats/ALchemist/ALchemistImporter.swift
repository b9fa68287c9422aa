import SessionModel

/// ALchemist session JSON, server-store JSON and recovery backups (FORMATS.md 1.1, 1.2).
public struct ALchemistImporter: SessionImporter {
    public let system = "alchemist"
    public init() {}
    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? { nil }
    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws -> [ImportedSession] { [] }
}
