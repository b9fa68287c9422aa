import SessionModel

/// mochi-server chat sessions, formats 1.3 and 1.4 (FORMATS.md 3).
public struct MochiImporter: SessionImporter {
    public let system = "mochi"
    public init() {}
    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? { nil }
    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws -> [ImportedSession] { [] }
}
