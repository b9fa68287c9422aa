import SessionModel

/// ALchemist's pickled server store, `cache/sessions/<uuid>.pkl` (FORMATS.md 1.2), read as data.
public struct ALchemistPickleImporter: SessionImporter {
    public let system = "alchemist"
    public init() {}
    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? { nil }
    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws -> [ImportedSession] { [] }
}
