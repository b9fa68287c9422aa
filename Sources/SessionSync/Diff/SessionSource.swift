import Foundation
import LegacyFormats
import SessionModel

/// A digest of a session's stored content that a source can give without decoding it.
///
/// Two digests are only comparable when their schemes are equal: `sha256` is the SHA-256 of a
/// file's bytes (equal bytes mean an identical session); a git store gives `git-blob` ids.
/// Equal digests of one scheme must mean identical sessions; unequal digests mean nothing
/// (the sessions are then decoded and compared).
public struct SessionDigest: Hashable, Sendable {
    public var scheme: String
    public var value: String

    public init(scheme: String, value: String) {
        self.scheme = scheme
        self.value = value
    }

    public static func sha256(_ bytes: [UInt8]) -> SessionDigest {
        SessionDigest(scheme: "sha256", value: Digest.sha256Hex(bytes))
    }
}

/// One session a source holds, before it is decoded.
public struct SessionHandle: Sendable {
    public var sessionID: String
    /// Optional: lets ``StoreDiff`` skip identical sessions without decoding them.
    public var digest: SessionDigest?
    /// Where it lives (a file path, `REPO@REV:path`, …), for messages.
    public var location: String
    /// The session's name, when the source already knows it.
    public var name: String?

    public init(sessionID: String, digest: SessionDigest?, location: String, name: String? = nil) {
        self.sessionID = sessionID
        self.digest = digest
        self.location = location
        self.name = name
    }
}

/// What a source lists: its sessions by id, and the inputs it could not read.
public struct SourceListing: Sendable {
    public var handles: [SessionHandle]
    public var failures: [FormatError]

    public init(handles: [SessionHandle], failures: [FormatError] = []) {
        self.handles = handles
        self.failures = failures
    }
}

/// A store that yields sessions by id: a canonical file or folder store, a legacy store
/// converted on the fly, or (added by the git layer) a git store at a revision.
///
/// Listing is separate from decoding so that a store can be compared by its listing alone
/// where the digests allow (two git trees list blob ids for free).
public protocol SessionSource: Sendable {
    /// How the user named it (for messages).
    var displayName: String { get }
    /// Every session, one handle per session id.
    func listing() throws -> SourceListing
    /// Decodes one listed session.
    func load(_ handle: SessionHandle) throws -> Session
}

/// A source that can find the differences with another source of its own kind without
/// listing every session (two git revisions: a tree diff skips unchanged subtrees).
public protocol PrecomparingSessionSource: SessionSource {
    /// Returns nil when `other` is not comparable this way; ``StoreDiff`` then lists both.
    func precompare(with other: any SessionSource) throws -> StorePrecomparison?
}

/// The result of ``PrecomparingSessionSource/precompare(with:)``.
public struct StorePrecomparison: Sendable {
    public var onlyInA: [SessionHandle]
    public var onlyInB: [SessionHandle]
    /// Sessions on both sides whose content may differ; they are decoded and diffed.
    public var candidates: [(a: SessionHandle, b: SessionHandle)]
    /// Sessions on both sides known to be identical.
    public var identical: Int

    public init(
        onlyInA: [SessionHandle], onlyInB: [SessionHandle], candidates: [(a: SessionHandle, b: SessionHandle)],
        identical: Int
    ) {
        self.onlyInA = onlyInA
        self.onlyInB = onlyInB
        self.candidates = candidates
        self.identical = identical
    }
}

/// A canonical folder store (SPEC 3) read in place. The file name is the session id by the
/// store's layout; every decoded session is checked against it.
public struct FolderSessionSource: SessionSource {
    public let root: String

    public init(root: String) { self.root = root }

    public var displayName: String { root }

    public func listing() throws -> SourceListing {
        let files = FolderStore(root: root).sessionFiles()
        // Reading and hashing every file is most of a store diff's cost when little changed.
        let digests = Locked([SessionDigest?](repeating: nil, count: files.count))
        parallelForEach(count: files.count, jobs: defaultJobCount) { i in
            guard let data = FileManager.default.contents(atPath: files[i]) else { return }
            let digest = SessionDigest.sha256([UInt8](data))
            digests.withLock { $0[i] = digest }
        }
        var handles: [SessionHandle] = []
        var failures: [FormatError] = []
        for (file, digest) in zip(files, digests.withLock { $0 }) {
            guard let digest else {
                failures.append(FormatError(file: file, location: "", reason: "cannot be read"))
                continue
            }
            let name = PathText.lastComponent(file)
            handles.append(SessionHandle(sessionID: String(name.dropLast(5)), digest: digest, location: file))
        }
        return SourceListing(handles: handles, failures: failures)
    }

    public func load(_ handle: SessionHandle) throws -> Session {
        guard let data = FileManager.default.contents(atPath: handle.location) else {
            throw FormatError(file: handle.location, location: "", reason: "cannot be read")
        }
        let (session, issues) = SessionValidator.validate(fileBytes: [UInt8](data), fileStem: handle.sessionID)
        guard let session, session.sessionID == handle.sessionID else {
            let issue = issues.first { $0.location == "/session_id" } ?? issues.first
            throw FormatError(
                file: handle.location, location: issue?.location ?? "",
                reason: issue?.reason ?? "not a valid sessionsync/1 file")
        }
        return session
    }
}

/// Sessions already in memory: a single file, or a legacy store converted on the fly.
public struct LoadedSessionSource: SessionSource {
    public let displayName: String
    let sessions: [String: (session: Session, digest: SessionDigest, location: String)]
    let failures: [FormatError]

    /// `sessions` with unique ids (a repeated id is reported as a failure and its later copy dropped).
    public init(displayName: String, sessions: [(session: Session, location: String)], failures: [FormatError] = []) {
        self.init(
            displayName: displayName,
            entries: sessions.map { ($0.session, .sha256($0.session.canonicalBytes), $0.location) }, failures: failures)
    }

    /// Sessions with a digest each: the SHA-256 of canonical bytes, or of the file they were
    /// read from (equal file bytes mean an identical session, so no re-serialization is needed).
    init(
        displayName: String, entries: [(session: Session, digest: SessionDigest, location: String)],
        failures: [FormatError]
    ) {
        self.displayName = displayName
        var byID: [String: (session: Session, digest: SessionDigest, location: String)] = [:]
        var failures = failures
        for entry in entries {
            if let first = byID[entry.session.sessionID] {
                failures.append(
                    FormatError(
                        file: entry.location, location: "",
                        reason:
                            "session \(entry.session.sessionID) is also in \(first.location); the first copy is used"))
                continue
            }
            byID[entry.session.sessionID] = entry
        }
        sessions = byID
        self.failures = failures
    }

    public func listing() throws -> SourceListing {
        let handles = sessions.keys.sorted().map { id -> SessionHandle in
            let s = sessions[id]!
            return SessionHandle(sessionID: id, digest: s.digest, location: s.location, name: s.session.metadata.name)
        }
        return SourceListing(handles: handles, failures: failures)
    }

    public func load(_ handle: SessionHandle) throws -> Session {
        guard let s = sessions[handle.sessionID] else {
            throw FormatError(file: handle.location, location: "", reason: "no session \(handle.sessionID)")
        }
        return s.session
    }
}

/// Opens whatever the user names as a ``SessionSource``.
public enum StoreReader {
    /// `path` is a git store (`REPO[@REV]`), a canonical file, a canonical folder store, or any
    /// legacy file or folder (converted in memory, nothing written). Throws when it does not exist or a single file
    /// cannot be read as a session.
    public static func open(_ path: String, importOptions: ImportOptions, jobs: Int = defaultJobCount) throws
        -> any SessionSource
    {
        // A git repository (`REPO@REV`, a bare repository, or a work tree meaning its HEAD) is
        // read from its object database, never from the work tree: blob ids are digests and
        // two revisions precompare by tree diff.
        if let git = try GitSessionSource.openIfRepository(path) { return git }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FormatError(file: path, location: "", reason: "no such file or folder")
        }
        if isDirectory.boolValue {
            if FolderStore.isStore(path) { return FolderSessionSource(root: path) }
            return try mixedFolder(path, importOptions: importOptions, jobs: jobs)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FormatError(file: path, location: "", reason: "cannot be read")
        }
        let bytes = [UInt8](data)
        switch readCanonical(data, bytes: bytes, path: path, fileStem: nil) {
        case .session(let session):
            return LoadedSessionSource(displayName: path, entries: [(session, .sha256(bytes), path)], failures: [])
        case .invalid(let error):
            throw error
        case .notCanonical:
            let sessions = try SessionLoader.importLegacy(path, bytes: bytes, importOptions: importOptions)
            return LoadedSessionSource(displayName: path, sessions: sessions.map { ($0.0, path) })
        }
    }

    enum CanonicalRead {
        case session(Session)
        case invalid(FormatError)
        case notCanonical
    }

    static let formatMarker = Data("\"\(Session.formatName)\"".utf8)

    /// Reads a file as a canonical document if it is one. Valid files are parsed once: the
    /// validator runs first, and only a file it rejects is parsed again to tell a broken
    /// canonical file from a legacy one. `fileStem`, when given, must equal the session id.
    static func readCanonical(_ data: Data, bytes: [UInt8], path: String, fileStem: String?) -> CanonicalRead {
        // Every canonical document holds the format name; most legacy files do not.
        guard data.range(of: formatMarker) != nil else { return .notCanonical }
        let (session, issues) = SessionValidator.validate(fileBytes: bytes, fileStem: fileStem)
        let idIssue = issues.first { $0.location == "/session_id" }
        if let session, fileStem == nil || idIssue == nil { return .session(session) }
        guard SessionLoader.isCanonical(bytes) else { return .notCanonical }
        let issue = idIssue ?? issues.first
        return .invalid(
            FormatError(
                file: path, location: issue?.location ?? "", reason: issue?.reason ?? "not a valid sessionsync/1 file"))
    }

    /// A folder that is not a canonical store: canonical files in it (found anywhere below, as
    /// `validate` finds them) are read as they are; everything else goes through the migration
    /// pipeline in dry-run mode, so copies of one session resolve exactly as `migrate` resolves
    /// them. A folder with no canonical file is handed to the pipeline whole, so importers see
    /// it as they would in `migrate` (related files, workspaces).
    static func mixedFolder(_ path: String, importOptions: ImportOptions, jobs: Int) throws -> LoadedSessionSource {
        var canonical: [(session: Session, digest: SessionDigest, location: String)] = []
        var failures: [FormatError] = []
        var others: [String] = []
        for file in InputWalker.walk([path]).files {
            guard file.path.hasSuffix(".json"), let data = FileManager.default.contents(atPath: file.path) else {
                others.append(file.path)
                continue
            }
            let bytes = [UInt8](data)
            let name = PathText.lastComponent(file.path)
            switch readCanonical(data, bytes: bytes, path: file.path, fileStem: String(name.dropLast(5))) {
            case .session(let session): canonical.append((session, .sha256(bytes), file.path))
            case .invalid(let error): failures.append(error)
            case .notCanonical: others.append(file.path)
            }
        }
        var migrated: [MigratedSession] = []
        let inputs = canonical.isEmpty && failures.isEmpty ? [path] : others
        if !inputs.isEmpty {
            let collector = MigratedCollector()
            let migration = Migration(
                options: MigrationOptions(inputs: inputs, importOptions: importOptions, jobs: jobs, dryRun: true))
            let report = try migration.run(into: collector)
            failures += report.inputs.compactMap(\.error)
            migrated = collector.all()
        }
        let converted = migrated.map {
            (session: $0.session, digest: SessionDigest(scheme: "sha256", value: $0.digest), location: path)
        }
        return LoadedSessionSource(displayName: path, entries: canonical + converted, failures: failures)
    }
}

/// Keeps the winning copy of each session of a dry-run migration.
final class MigratedCollector: SessionSink, @unchecked Sendable {
    private let sessions = Locked([String: MigratedSession]())
    var destination: String { "none" }

    func existingDigest(of sessionID: String) throws -> String? { nil }

    func store(_ migrated: MigratedSession) throws {
        // A later call for the same id carries a newer copy (SessionSink's contract).
        sessions.withLock { $0[migrated.session.sessionID] = migrated }
    }

    func finish(report: inout MigrationReport, progress: (any ProgressSink)?) throws {}

    func all() -> [MigratedSession] {
        sessions.withLock { byID in byID.keys.sorted().map { byID[$0]! } }
    }
}
