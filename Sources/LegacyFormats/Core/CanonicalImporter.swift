import SessionModel

/// Canonical `sessionsync/1` files as inputs, so that `migrate`, `commit` and `diff` take
/// sessions already converted (from another machine, an export) like any other format.
/// The file must be valid, byte for byte: a canonical file that fails `validate` is an error
/// here too, rather than a silent re-canonicalization.
public struct CanonicalImporter: SessionImporter {
    public let system = "sessionsync"

    public init() {}

    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? {
        guard input.kind == .json, case .object(let o)? = input.json, o["format"] == .string(Session.formatName) else {
            return nil
        }
        return DetectedFormat(system: "sessionsync", format: "sessionsync", version: "1")
    }

    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws
        -> [ImportedSession]
    {
        let (session, issues) = SessionValidator.validate(fileBytes: input.file.bytes, fileStem: nil)
        if let first = issues.first {
            throw FormatError(file: input.file.displayPath, location: first.location, reason: first.reason)
        }
        guard let session else {
            throw FormatError(file: input.file.displayPath, location: "", reason: "not a valid sessionsync/1 document")
        }
        return [ImportedSession(session: session)]
    }
}
