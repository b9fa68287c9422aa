import SessionModel

/// Sniffs a file's content once: SQLite header, pickle opcodes, JSON (read leniently), JSON
/// lines, or something else. Decided from the bytes, never from the file name.
public enum InputSniffer {
    static let sqliteMagic: [UInt8] = Array("SQLite format 3".utf8) + [0]

    public static func parse(_ file: SourceFile) -> ParsedInput {
        let b = file.bytes
        if b.isEmpty { return ParsedInput(file: file, kind: .empty) }
        if b.starts(with: sqliteMagic) { return ParsedInput(file: file, kind: .sqlite) }
        if looksLikePickle(b) { return ParsedInput(file: file, kind: .pickle) }
        guard let first = b.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            return ParsedInput(file: file, kind: .other)
        }
        guard
            b[first] == UInt8(ascii: "{") || b[first] == UInt8(ascii: "[")
                || (b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB)
        else {
            return ParsedInput(file: file, kind: .other)
        }
        do {
            let doc = try JSONReader.read(b, options: .legacy)
            return ParsedInput(file: file, kind: .json, json: doc.value, jsonWarnings: doc.warnings)
        } catch {
            // Several documents, one per line? Then the first one parses on its own.
            if let lineEnd = b[first...].firstIndex(of: 0x0A), lineEnd < b.count - 1,
                case .object? = try? JSONReader.read(b[first..<lineEnd], options: .legacy).value
            {
                return ParsedInput(file: file, kind: .jsonLines)
            }
            return ParsedInput(file: file, kind: .json, jsonError: error)
        }
    }

    /// Protocol 2+ pickles start with PROTO (0x80) and a version; protocol 0/1 pickles of a
    /// dict or list start with MARK/EMPTY_* or GLOBAL and end with STOP.
    static func looksLikePickle(_ b: [UInt8]) -> Bool {
        if b.count >= 3, b[0] == 0x80, b[1] <= 5 { return true }
        guard b.count >= 2, b.last == UInt8(ascii: ".") else { return false }
        return [UInt8(ascii: "("), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "c")].contains(b[0])
            && b.contains(0x0A)
    }
}

/// What detection concluded about one input.
public enum Detection: Sendable {
    /// A legacy format, and the importer that reads it.
    case recognized(DetectedFormat, any SessionImporter)
    /// Not a session at all (a README, a Markdown export, an unrelated JSON file): skipped.
    case notASession(String)
    /// Looks like it should be readable but is not: an error for the report.
    case failed(FormatError)
}

/// The importers and exporters SessionSync knows, and detection across them.
public enum LegacySystems {
    /// In the order detection asks them: the most specific first.
    public static let importers: [any SessionImporter] = [
        CanonicalImporter(), ALchemistPickleImporter(), JamBotImporter(), ALchemistImporter(), LobsterImporter(),
        MochiImporter(),
        CasefileImporter(),
    ]

    /// Detects the format of one sniffed input.
    public static func detect(_ input: ParsedInput, context: ImportContext) -> Detection {
        for importer in importers {
            if let format = importer.detect(input, context: context) { return .recognized(format, importer) }
        }
        let file = input.file.displayPath
        switch input.kind {
        case .empty:
            return .failed(FormatError(file: file, location: "", reason: "empty file (0 bytes)"))
        case .json:
            if let e = input.jsonError {
                return .failed(FormatError(file: file, location: "line \(e.line) column \(e.column)", reason: e.reason))
            }
            let keys = input.json?.objectValue.map { $0.keys.prefix(8).joined(separator: ", ") } ?? ""
            return .notASession(
                "JSON, but not a session format SessionSync knows"
                    + (keys.isEmpty
                        ? " (\(input.json?.kindName ?? "value") at top level)" : " (top-level keys: \(keys))"))
        case .jsonLines:
            return .notASession("JSON lines, but not a session format SessionSync knows")
        case .sqlite:
            return .notASession("a SQLite database without the tables of a known app")
        case .pickle:
            return .notASession("a Python pickle that is not an ALchemist server-store entry")
        case .other:
            let text = input.file.bytes.prefix(64)
            if text.first == UInt8(ascii: "#") { return .notASession("not JSON: Markdown or plain text") }
            return .notASession("not JSON, SQLite or a pickle")
        }
    }

    /// The exporter named `name`, if any.
    public static func exporter(named name: String) -> (any SessionExporter)? {
        exporters.first { $0.name == name }
    }

    /// The importer for a session's system, for format-specific snapshots.
    public static func importer(forSystem system: String) -> (any SessionImporter)? {
        importers.first { $0.system == system && !($0 is ALchemistPickleImporter) && !($0 is CanonicalImporter) }
    }
}
