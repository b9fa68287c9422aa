import Foundation
import LegacyFormats
import SessionModel

/// A one-line description of a session, for `list`.
public struct SessionSummary: Sendable, Equatable {
    public var sessionID: String
    public var name: String?
    public var tags: [String]?
    public var createdAt: String?
    public var updatedAt: String?
    /// `origin.format` for canonical sessions, the detected legacy format otherwise.
    public var sourceFormat: String
    /// Where it was read from.
    public var path: String

    public init(session: Session, sourceFormat: String, path: String) {
        sessionID = session.sessionID
        name = session.metadata.name
        tags = session.metadata.tags
        createdAt = session.metadata.createdAt
        updatedAt = session.metadata.updatedAt
        self.sourceFormat = sourceFormat
        self.path = path
    }
}

/// Reads sessions from whatever the user points at: a canonical file, a canonical folder
/// store, or any legacy store (converted on the fly, nothing written).
public enum SessionLoader {
    /// Whether `bytes` are a canonical document (rather than a legacy one).
    public static func isCanonical(_ bytes: [UInt8]) -> Bool {
        guard let doc = try? JSONReader.read(bytes, options: .legacy) else { return false }
        return doc.value["format"] == .string(Session.formatName)
    }

    /// The one session in a canonical file or a legacy file.
    public static func loadOne(_ path: String, importOptions: ImportOptions) throws -> Session {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FormatError(file: path, location: "", reason: "cannot be read")
        }
        let bytes = [UInt8](data)
        if isCanonical(bytes) {
            let name = PathText.lastComponent(path)
            let (session, issues) = SessionValidator.validate(
                fileBytes: bytes, fileStem: name.hasSuffix(".json") ? String(name.dropLast(5)) : nil)
            guard let session else {
                throw FormatError(
                    file: path, location: issues.first?.location ?? "",
                    reason: issues.first?.reason ?? "not a valid sessionsync/1 file")
            }
            return session
        }
        let sessions = try importLegacy(path, bytes: bytes, importOptions: importOptions)
        guard sessions.count == 1 else {
            throw FormatError(
                file: path, location: "",
                reason: sessions.isEmpty
                    ? "holds no session" : "holds \(sessions.count) sessions; export one from a migrated store")
        }
        return sessions[0].0
    }

    /// Converts one legacy file; throws its detection or conversion error.
    public static func importLegacy(_ path: String, bytes: [UInt8], importOptions: ImportOptions) throws -> [(
        Session, String
    )] {
        let parent = PathText.parent(path)
        let root = FileReading.realPath(parent.isEmpty ? "." : parent) ?? parent
        let input = InputSniffer.parse(SourceFile(path: path, displayPath: path, bytes: bytes))
        let context = ImportContext(options: importOptions, related: RelatedFiles(root: root))
        switch LegacySystems.detect(input, context: context) {
        case .recognized(let format, let importer):
            if format.role == .part {
                throw FormatError(
                    file: path, location: "",
                    reason: "is part of a session whose main file is elsewhere (\(format.qualifiedName))")
            }
            return try importer.importSessions(input, as: format, context: context).map {
                ($0.session, format.qualifiedName)
            }
        case .notASession(let reason):
            throw FormatError(file: path, location: "", reason: "not a session: \(reason)")
        case .failed(let error):
            throw error
        }
    }

    /// Summaries of every session in a store of any kind, newest first (by updated time,
    /// then created time, then id). Also returns the inputs that failed.
    public static func summaries(of paths: [String], importOptions: ImportOptions, jobs: Int = defaultJobCount) throws
        -> (sessions: [SessionSummary], failures: [FormatError])
    {
        let collector = SummaryCollector()
        var canonicalPaths: [String] = []
        var legacyPaths: [String] = []
        var failures: [FormatError] = []
        for path in paths {
            if GitStoreView.isGitStore(path) {
                let view = try GitStoreView(address: path)
                for (id, blob) in try view.sessionBlobs() {
                    let bytes = try view.repository.blob(blob)
                    guard let session = try? SessionValidator.session(fromCanonical: bytes) else {
                        failures.append(
                            FormatError(
                                file: path, location: Session.storePath(for: id),
                                reason: "not a valid sessionsync/1 file"))
                        continue
                    }
                    collector.add(SessionSummary(session: session, sourceFormat: session.origin.format, path: path))
                }
            } else if FolderStore.isStore(path) {
                canonicalPaths.append(path)
            } else {
                legacyPaths.append(path)
            }
        }
        for root in canonicalPaths {
            for file in FolderStore(root: root).sessionFiles() {
                guard let data = FileManager.default.contents(atPath: file),
                    let session = try? SessionValidator.session(fromCanonical: [UInt8](data))
                else {
                    failures.append(FormatError(file: file, location: "", reason: "not a valid sessionsync/1 file"))
                    continue
                }
                collector.add(SessionSummary(session: session, sourceFormat: session.origin.format, path: file))
            }
        }
        if !legacyPaths.isEmpty {
            let migration = Migration(
                options: MigrationOptions(inputs: legacyPaths, importOptions: importOptions, jobs: jobs, dryRun: true))
            let report = try migration.run(into: collector)
            for input in report.inputs {
                if let e = input.error { failures.append(e) }
            }
        }
        return (sortedNewestFirst(collector.all()), failures)
    }

    public static func sortedNewestFirst(_ list: [SessionSummary]) -> [SessionSummary] {
        list.sorted { a, b in
            let ka = TimeKey(a.updatedAt ?? a.createdAt)
            let kb = TimeKey(b.updatedAt ?? b.createdAt)
            if ka != kb { return kb < ka }
            return a.sessionID < b.sessionID
        }
    }
}

/// Collects summaries of the winning copies during a dry-run conversion.
final class SummaryCollector: SessionSink, @unchecked Sendable {
    private let summaries = Locked([String: SessionSummary]())
    var destination: String { "none" }

    func add(_ summary: SessionSummary) { summaries.withLock { $0[summary.sessionID] = summary } }
    func all() -> [SessionSummary] { summaries.withLock { Array($0.values) } }

    func existingDigest(of sessionID: String) throws -> String? { nil }

    func store(_ migrated: MigratedSession) throws {
        add(SessionSummary(session: migrated.session, sourceFormat: migrated.session.origin.format, path: ""))
    }

    func finish(report: inout MigrationReport, progress: (any ProgressSink)?) throws {}
}
