import SessionModel

/// The casefile service's Firestore exports, legacy and unified layouts (FORMATS.md 4).
public struct CasefileImporter: SessionImporter {
    public let system = "casefile"
    public init() {}
    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? { nil }
    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws -> [ImportedSession] { [] }
}
