import Foundation
import SessionModel

#if canImport(Glibc)
    import Glibc
#endif

/// One input file, read once, as the importers see it.
public struct SourceFile: Sendable {
    /// The path to open it with (absolute, or relative to the working directory).
    public var path: String
    /// The path shown in reports: relative to the input root it was found under.
    public var displayPath: String
    public var bytes: [UInt8]

    public init(path: String, displayPath: String? = nil, bytes: [UInt8]) {
        self.path = path
        self.displayPath = displayPath ?? path
        self.bytes = bytes
    }

    /// The file's name without its folder.
    public var fileName: String { PathText.lastComponent(path) }
    /// The folder holding the file.
    public var directory: String { PathText.parent(path) }
}

/// What a file holds, decided from its first bytes before any importer looks at it.
public enum ContentKind: Sendable, Equatable {
    /// One JSON document (read leniently, as Python's `json` would).
    case json
    /// Several JSON documents, one per line (e.g. Lobster's `provenance.jsonl`).
    case jsonLines
    /// A SQLite 3 database.
    case sqlite
    /// A Python pickle stream.
    case pickle
    /// Zero bytes.
    case empty
    /// Anything else (Markdown, plain text, binary).
    case other
}

/// A file with its content sniffed and, for JSON, parsed once for all importers.
public struct ParsedInput: Sendable {
    public var file: SourceFile
    public var kind: ContentKind
    /// The document, when `kind == .json`.
    public var json: JSONValue?
    /// What the lenient reader tolerated (NaN tokens, duplicate keys, lone surrogates).
    public var jsonWarnings: [JSONReadWarning]
    /// Why the file is not readable JSON, when it looked like JSON but failed to parse.
    public var jsonError: JSONSyntaxError?

    public init(
        file: SourceFile, kind: ContentKind, json: JSONValue? = nil, jsonWarnings: [JSONReadWarning] = [],
        jsonError: JSONSyntaxError? = nil
    ) {
        self.file = file
        self.kind = kind
        self.json = json
        self.jsonWarnings = jsonWarnings
        self.jsonError = jsonError
    }
}

/// A legacy format recognized in a file.
public struct DetectedFormat: Sendable, Equatable {
    /// `alchemist`, `lobster`, `mochi`, `casefile` or `jambot`.
    public var system: String
    /// The format's name, e.g. `alchemist-session`, `alchemist-server-json`, `mochi-session`.
    public var format: String
    /// The format's version where the file says or implies one (`1.1.0`, `1.4`, …).
    public var version: String?
    /// What the file is to the migration.
    public var role: Role
    /// A short human note (e.g. "audit log as a list: first audit release").
    public var note: String?

    public enum Role: String, Sendable, Equatable {
        /// The file is one session (possibly joined with files beside it).
        case session
        /// The file holds many sessions (a database, an export).
        case container
        /// The file belongs to a session whose main file is elsewhere (e.g. Lobster's
        /// `metadata.json`, or a `provenance.jsonl` whose session JSON sits in the workspace).
        case part
    }

    public init(system: String, format: String, version: String?, role: Role = .session, note: String? = nil) {
        self.system = system
        self.format = format
        self.version = version
        self.role = role
        self.note = note
    }

    /// `format/version`, as written to `origin.format` and the report.
    public var qualifiedName: String { version.map { "\(format)/\($0)" } ?? format }
}

/// A problem with one input, with the place in it and the reason (SPEC 6: every bad file gets
/// one clear line, and the run goes on).
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (display path).
    public var file: String
    /// Where in the file: `line 3 column 7`, a JSON Pointer, `table chats row 2`, `byte 118`, …
    public var location: String
    public var reason: String

    public init(file: String, location: String, reason: String) {
        self.file = file
        self.location = location
        self.reason = reason
    }

    public var description: String { location.isEmpty ? "\(file): \(reason)" : "\(file): \(location): \(reason)" }
}

/// Something the migration had to map, tolerate or drop, named per file in the report.
public struct ImportWarning: Sendable, Equatable, CustomStringConvertible {
    /// A stable code: `naive-time`, `non-finite-number`, `duplicate-key`, `lone-surrogate`,
    /// `skipped-line`, `not-data`, `unparseable-time`, `id-from-file-name`, `hash-mismatch`,
    /// `value-mapped`, …
    public var code: String
    /// Where: a JSON Pointer, `line N`, a table and row, or "" for the whole file.
    public var location: String
    public var message: String

    public init(_ code: String, _ location: String, _ message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    public var description: String { location.isEmpty ? "\(code): \(message)" : "\(code): \(location): \(message)" }
}

/// Settings every importer gets.
public struct ImportOptions: Sendable {
    /// The zone naive legacy times are read in (`--assume-timezone`, default UTC).
    public var assumeTimeZone: TimeZone
    /// Its IANA name, recorded in `origin.assumed_timezone` so exporters can write times back.
    public var assumeTimeZoneName: String

    public init(assumeTimeZoneName: String = "UTC") throws {
        guard let zone = TimeZone(identifier: assumeTimeZoneName) else {
            throw FormatError(
                file: "--assume-timezone", location: "", reason: "unknown time zone \"\(assumeTimeZoneName)\"")
        }
        self.assumeTimeZone = zone
        self.assumeTimeZoneName = assumeTimeZoneName
    }
}

/// Reads files that belong with an input (Lobster's provenance folder beside a session JSON),
/// never outside the input root the file was found under: the folder holding a related file is
/// resolved (symlinks included) and must lie inside the root, and the file itself must not be
/// a symlink.
public struct RelatedFiles: Sendable {
    /// The input root (an absolute path with symlinks resolved); related files stay inside it.
    public var root: String

    public init(root: String) { self.root = root }

    func inside(_ directory: String) -> Bool {
        guard let real = FileReading.realDirectory(directory.isEmpty ? "." : directory) else { return false }
        return real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// The bytes of the regular file at `path` if it lies inside the root.
    public func read(_ path: String) -> [UInt8]? {
        let normalized = FileReading.lexicallyNormalized(path)
        guard inside(PathText.parent(normalized)) else { return nil }
        return try? FileReading.read(normalized, noFollow: true)
    }

    /// Whether a regular file exists at `path` inside the root.
    public func exists(_ path: String) -> Bool {
        let normalized = FileReading.lexicallyNormalized(path)
        var st = stat()
        guard lstat(normalized, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return inside(PathText.parent(normalized))
    }

    /// The names of the entries of a folder inside the root, sorted by bytes; empty if none.
    public func listing(_ directory: String) -> [String] {
        let normalized = FileReading.lexicallyNormalized(directory)
        guard inside(normalized), let dir = opendir(normalized) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

/// Everything an importer needs besides the input itself.
public struct ImportContext: Sendable {
    public var options: ImportOptions
    public var related: RelatedFiles

    public init(options: ImportOptions, related: RelatedFiles) {
        self.options = options
        self.related = related
    }
}

/// One session an importer produced, with what the report must say about it.
public struct ImportedSession: Sendable {
    public var session: Session
    public var warnings: [ImportWarning]
    /// Other files that were read into this session (shown in the report; they are not
    /// migrated separately).
    public var joinedFiles: [String]
    /// The session's own modification time (canonical), which decides between copies of one
    /// session: the newest is migrated. Defaults to `metadata.updated_at`.
    public var modifiedAt: String?

    public init(session: Session, warnings: [ImportWarning] = [], joinedFiles: [String] = [], modifiedAt: String? = nil)
    {
        self.session = session
        self.warnings = warnings
        self.joinedFiles = joinedFiles
        self.modifiedAt = modifiedAt ?? session.metadata.updatedAt
    }
}

/// An importer for one legacy system: recognizes its formats by content and maps them to
/// `sessionsync/1` without losing a field (SPEC 2.4).
public protocol SessionImporter: Sendable {
    /// The system in `origin.system`.
    var system: String { get }
    /// The format of `input` if it is one of this importer's, else nil. Must not throw and
    /// must decide by content (the file name may only break ties the content leaves open).
    func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat?
    /// The sessions in `input`. A file that breaks the format's rules throws one
    /// ``FormatError`` naming the place; a single bad record inside a container that the app
    /// itself would skip becomes a warning instead.
    func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws
        -> [ImportedSession]
    /// The session as it was right after its audit entry at `index` (0-based), as far as the
    /// data allows: the audit log cut after that entry and the state the log dates cut to
    /// that moment. Used to commit one snapshot per lock.
    func snapshot(of session: Session, throughEntry index: Int) -> Session
    /// Keys of `state` that describe one stored copy rather than the session (a server
    /// store's access times, a backup's metadata): two copies that differ only there, and in
    /// `origin`, hold the same session.
    var envelopeStateKeys: [String] { get }
}

extension SessionImporter {
    /// Default: nothing in `state` is copy bookkeeping.
    public var envelopeStateKeys: [String] { [] }

    /// Default: cut the audit log; the state is not dated, so it stays as it is.
    public func snapshot(of session: Session, throughEntry index: Int) -> Session {
        var s = session
        s.auditLog = Array(session.auditLog.prefix(index + 1))
        return s
    }
}

/// One file an exporter writes, relative to the output folder.
public struct ExportedFile: Sendable, Equatable {
    public var relativePath: String
    public var bytes: [UInt8]

    public init(relativePath: String, bytes: [UInt8]) {
        self.relativePath = relativePath
        self.bytes = bytes
    }
}

/// Writes a canonical session back in an app's own format (SPEC 2.4).
public protocol SessionExporter: Sendable {
    /// The `--to` name: `alchemist`, `alchemist-server`, `mochi`, `lobster`, `casefile`, `markdown`, …
    var name: String { get }
    /// A one-line description for `--help`.
    var summary: String { get }
    /// The files that make up the session in that format. Throws ``FormatError`` when the
    /// session cannot be expressed in it (e.g. a mochi chat exported as ALchemist).
    func export(_ session: Session) throws -> [ExportedFile]
}
