import Foundation
import Git
import LegacyFormats
import SessionModel

/// The TO side of a replay: its sessions, and how a changed session is written back.
///
/// - a git store (`REPO` = its checked-out branch, or `REPO@BRANCH`): through ``GitStoreSink``,
///   which commits each lock the branch lacks as one commit dated by the lock's time;
/// - a canonical folder store or canonical file: the file is replaced atomically;
/// - anything else is a legacy file or folder: each file is rewritten in the format it was
///   detected as, by that format's exporter, atomically, after copying it to a backup.
final class ReplayTarget: @unchecked Sendable {
    /// One session of the target, as found in one place.
    struct Item: Sendable {
        var sessionID: String
        var digest: SessionDigest?
        var location: String
        /// Why replay cannot write this one back, if it cannot.
        var cannotWrite: String?
        var handle: SessionHandle?
        /// Legacy targets: the exporter that writes the file's format.
        var exporter: String?
    }

    enum Backend {
        case git(GitSessionSource, branch: String)
        case folder(any SessionSource)
        /// Sessions by `<file>#<session id>`.
        case legacy([String: Session])
    }

    let kind: String
    let importOptions: ImportOptions
    let items: [Item]
    let failures: [FormatError]
    let backend: Backend

    private init(kind: String, items: [Item], failures: [FormatError], backend: Backend, importOptions: ImportOptions) {
        self.kind = kind
        self.importOptions = importOptions
        self.items = items
        self.failures = failures
        self.backend = backend
    }

    static func open(_ address: String, importOptions: ImportOptions, jobs: Int) throws -> ReplayTarget {
        if let git = try openGit(address, importOptions: importOptions) { return git }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: address, isDirectory: &isDirectory) else {
            throw FormatError(file: address, location: "", reason: "no such file, folder or repository")
        }
        if isDirectory.boolValue && FolderStore.isStore(address) {
            let source = FolderSessionSource(root: address)
            let listing = try source.listing()
            let items = listing.handles.map {
                Item(sessionID: $0.sessionID, digest: $0.digest, location: $0.location, handle: $0)
            }
            return ReplayTarget(
                kind: "folder", items: items, failures: listing.failures, backend: .folder(source),
                importOptions: importOptions)
        }
        return try openLegacy(address, importOptions: importOptions)
    }

    static func openGit(_ address: String, importOptions: ImportOptions) throws -> ReplayTarget? {
        let (path, revision) = GitStoreView.parseAddress(address)
        guard let repo = try? Repository.open(at: path) else { return nil }
        let branch: String
        if let revision {
            branch = revision.hasPrefix("refs/heads/") ? String(revision.dropFirst("refs/heads/".count)) : revision
        } else {
            guard let head = try repo.headReferenceName, head.hasPrefix("refs/heads/") else {
                throw FormatError(
                    file: path, location: "HEAD", reason: "HEAD is not on a branch; name one as REPO@BRANCH")
            }
            branch = String(head.dropFirst("refs/heads/".count))
        }
        guard try repo.referenceTarget("refs/heads/" + branch) != nil else {
            throw FormatError(
                file: path, location: branch, reason: "replay commits onto a branch, and there is no branch \(branch)")
        }
        let source = try GitSessionSource(address: path + "@refs/heads/" + branch)
        let items = try source.listing().handles.map {
            Item(sessionID: $0.sessionID, digest: $0.digest, location: $0.location, handle: $0)
        }
        return ReplayTarget(
            kind: "git", items: items, failures: [], backend: .git(source, branch: branch), importOptions: importOptions
        )
    }

    /// The exporter that writes a detected legacy format back, or why none can.
    static func exporter(forFormat qualifiedName: String) -> (name: String?, reason: String?) {
        let format = qualifiedName.split(separator: "/").first.map(String.init) ?? qualifiedName
        switch format {
        case ALchemistImporter.sessionFormat: return ("alchemist", nil)
        case ALchemistImporter.serverFormat: return ("alchemist-server", nil)
        case "mochi-session": return ("mochi", nil)
        case ALchemistImporter.recoveryFormat:
            return (
                nil, "a server recovery backup: replay updates the store file cache/sessions/<id>.json, not its backups"
            )
        default:
            return (
                nil,
                "replay cannot rewrite \(qualifiedName) files in place (a session spread over several files or a file of several sessions)"
            )
        }
    }

    static func openLegacy(_ address: String, importOptions: ImportOptions) throws -> ReplayTarget {
        var items: [Item] = []
        var failures: [FormatError] = []
        var sessions: [String: Session] = [:]
        let files = InputWalker.walk([address]).files.filter { !$0.path.contains(Replay.backupMarker) }
        for file in files {
            guard let bytes = try? FileReading.read(file.path, maxBytes: Migration.maxInputBytes) else {
                failures.append(FormatError(file: file.path, location: "", reason: "cannot be read"))
                continue
            }
            if SessionLoader.isCanonical(bytes) {
                let (session, issues) = SessionValidator.validate(fileBytes: bytes, fileStem: nil)
                guard let session else {
                    failures.append(
                        FormatError(
                            file: file.path, location: issues.first?.location ?? "",
                            reason: issues.first?.reason ?? "invalid"))
                    continue
                }
                sessions[file.path + "#" + session.sessionID] = session
                items.append(
                    Item(sessionID: session.sessionID, digest: .sha256(bytes), location: file.path, exporter: nil))
                continue
            }
            let imported: [(Session, String)]
            do {
                imported = try SessionLoader.importLegacy(file.path, bytes: bytes, importOptions: importOptions)
            } catch let error as FormatError {
                // Files that are no session at all (a README, a Markdown export) are not errors.
                if !error.reason.hasPrefix("not a session") && !error.reason.hasPrefix("is part of a session") {
                    failures.append(error)
                }
                continue
            }
            for (session, format) in imported {
                var (name, reason) = exporter(forFormat: format)
                if imported.count > 1 {
                    (name, reason) = (
                        nil, "the file holds \(imported.count) sessions; replay rewrites single-session files"
                    )
                }
                sessions[file.path + "#" + session.sessionID] = session
                items.append(
                    Item(
                        sessionID: session.sessionID, digest: .sha256(session.canonicalBytes), location: file.path,
                        cannotWrite: reason, exporter: name))
            }
        }
        // The same session in two files (a desktop copy and a server copy in one folder): each
        // file is its own target (keyed by file and id), so both get the entries they lack.
        return ReplayTarget(
            kind: "legacy", items: items, failures: failures, backend: .legacy(sessions), importOptions: importOptions)
    }

    func load(_ item: Item) throws -> Session {
        switch backend {
        case .git(let source, _): return try source.load(item.handle!)
        case .folder(let source): return try source.load(item.handle!)
        case .legacy(let sessions):
            guard let s = sessions[item.location + "#" + item.sessionID] else {
                throw FormatError(file: item.location, location: "", reason: "no session \(item.sessionID)")
            }
            return s
        }
    }

    /// What ``write(_:)`` did, per session in the order given.
    struct Written {
        var commits = 0
        var errors: [String?]
        var backups: [String?]
    }

    func write(_ changes: [(item: Item, session: Session)]) throws -> Written {
        var written = Written(
            errors: Array(repeating: nil, count: changes.count), backups: Array(repeating: nil, count: changes.count))
        switch backend {
        case .git(let source, let branch):
            let sink = try GitStoreSink(repository: source.path, branch: branch, bare: false)
            for (_, session) in changes {
                let bytes = session.canonicalBytes
                try sink.store(
                    MigratedSession(
                        session: session, bytes: bytes, digest: Digest.sha256Hex(bytes),
                        modifiedAt: session.metadata.updatedAt))
            }
            var report = MigrationReport(inputs: [], dryRun: false, destination: sink.destination)
            try sink.finish(report: &report, progress: nil)
            written.commits = report.commits
        case .folder:
            for (k, change) in changes.enumerated() {
                do {
                    try AtomicFile.write(change.session.canonicalBytes, to: change.item.location)
                } catch {
                    written.errors[k] = "cannot write \(change.item.location): \(error)"
                }
            }
        case .legacy:
            for (k, change) in changes.enumerated() {
                do {
                    written.backups[k] = try Self.rewriteLegacy(
                        change.item, change.session, importOptions: importOptions)
                } catch let error as ReplayWriteError {
                    written.errors[k] = error.reason
                } catch {
                    written.errors[k] = "cannot write \(change.item.location): \(error)"
                }
            }
        }
        return written
    }

    /// Keeps the old file as the first free `<file>.sessionsync-backup-<n>`, then replaces
    /// the file atomically with the session in the file's own format. Returns the backup path.
    static func rewriteLegacy(_ item: Item, _ session: Session, importOptions: ImportOptions) throws -> String {
        let bytes: [UInt8]
        if let name = item.exporter {
            guard let exporter = LegacySystems.exporter(named: name) else {
                throw FormatError(file: item.location, location: "", reason: "no exporter \(name)")
            }
            let files = try exporter.export(session)
            // A server export may add a recovery backup; the store file is the one replayed.
            guard let file = files.first(where: { $0.relativePath.hasPrefix("cache/sessions/") }) ?? files.first else {
                throw FormatError(file: item.location, location: "", reason: "the \(name) exporter wrote nothing")
            }
            bytes = file.bytes
            // The file must read back with every entry as planned: a format that cannot hold an
            // entry exactly (a field it does not store) would change its id, and every later
            // replay would append it again. Nothing is written then.
            let readBack = try SessionLoader.importLegacy(item.location, bytes: bytes, importOptions: importOptions)
            let kept = Set(readBack.first { $0.0.sessionID == session.sessionID }?.0.auditLog.map(\.id) ?? [])
            let lost = session.auditLog.filter { !kept.contains($0.id) }
            if !lost.isEmpty {
                throw ReplayWriteError(
                    reason:
                        "the \(name) format does not keep \(lost.count) of the entries as they are (first: #\(lost[0].seq) "
                        + "\(lost[0].kind)); nothing written: replay into a canonical or git store instead")
            }
        } else {
            bytes = session.canonicalBytes
        }
        let old = try FileReading.read(item.location)
        var n = 1
        while FileManager.default.fileExists(atPath: item.location + Replay.backupMarker + String(n)) { n += 1 }
        let backup = item.location + Replay.backupMarker + String(n)
        try AtomicFile.write(old, to: backup)
        try AtomicFile.write(bytes, to: item.location)
        return backup
    }
}

/// A session replay could not write back, and why (for the report).
struct ReplayWriteError: Error {
    var reason: String
}
