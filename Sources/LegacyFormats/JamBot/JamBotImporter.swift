import SessionModel

/// JamBot's SQL rows: a SQLite database or a JSON rows dump (FORMATS.md 5).
public struct JamBotImporter: SessionImporter {
    public let system = "jambot"
    public init() {}
    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? { nil }
    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws -> [ImportedSession] { [] }
}
