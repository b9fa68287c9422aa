import Foundation
import Git
import LegacyFormats
import SessionModel

/// A git store at one revision, as `REPO[@REV]` names it: the sessions of that revision's tree.
public final class GitStoreView {
    public let repository: Repository
    public let path: String
    /// The commit the view shows.
    public let commit: ObjectID
    public let tree: ObjectID

    /// Splits `REPO@REV` (the revision after the last `@`, if what precedes it is a folder).
    public static func parseAddress(_ address: String) -> (path: String, revision: String?) {
        if FileManager.default.fileExists(atPath: address) { return (address, nil) }
        guard let at = address.lastIndex(of: "@") else { return (address, nil) }
        let path = String(address[..<at])
        let revision = String(address[address.index(after: at)...])
        var isDirectory: ObjCBool = false
        guard !revision.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else { return (address, nil) }
        return (path, revision)
    }

    /// Whether `address` names a git repository (with or without `@REV`).
    public static func isGitStore(_ address: String) -> Bool {
        let (path, _) = parseAddress(address)
        return (try? Repository.open(at: path)) != nil
    }

    /// Opens `REPO[@REV]`; without a revision, the repository's HEAD.
    public init(address: String) throws {
        let (path, revision) = Self.parseAddress(address)
        self.path = path
        repository = try Repository.open(at: path)
        let rev = revision ?? "HEAD"
        do {
            commit = try repository.revparse(rev + "^{commit}")
        } catch {
            throw FormatError(file: path, location: rev, reason: "no such revision in the repository (\(error))")
        }
        tree = try repository.commit(commit).tree
    }

    /// Every session blob of the revision, by session id.
    public func sessionBlobs() throws -> [String: ObjectID] {
        try GitStoreReader.sessionBlobs(in: repository, tree: tree)
    }

    /// The canonical bytes of a session at this revision, or nil.
    public func bytes(of sessionID: String) throws -> [UInt8]? {
        try repository.entry(atPath: Session.storePath(for: sessionID), inTree: tree).map { try repository.blob($0.id) }
    }

    /// Resolves what a user typed for a session: a UUID, a unique prefix of one, a legacy id
    /// (of any system), or `latest` (the session of the newest commit).
    public func resolve(_ spec: String) throws -> String {
        if spec == "latest" {
            let message = try repository.commit(commit).message
            guard let id = Self.trailer("Session-Id", in: message) else {
                throw FormatError(file: path, location: "latest", reason: "the newest commit has no Session-Id trailer")
            }
            return id
        }
        if let uuid = SessionID.normalizedUUID(spec), try bytesExist(uuid) { return uuid }
        var candidates = Set<String>()
        let lower = spec.lowercased()
        if lower.count >= 4, lower.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
            candidates.formUnion(try prefixMatches(lower))
        }
        for system in SessionID.systems.sorted() {
            let id = SessionID.derive(system: system, legacyID: spec)
            if try bytesExist(id) { candidates.insert(id) }
        }
        if candidates.count == 1 { return candidates.first! }
        if candidates.isEmpty {
            throw FormatError(file: path, location: spec, reason: "no session with that id, prefix or legacy id")
        }
        throw FormatError(
            file: path, location: spec, reason: "ambiguous: \(candidates.sorted().joined(separator: ", "))")
    }

    func bytesExist(_ id: String) throws -> Bool {
        try repository.entry(atPath: Session.storePath(for: id), inTree: tree) != nil
    }

    func prefixMatches(_ prefix: String) throws -> [String] {
        let shard = String(prefix.prefix(2))
        guard let entry = try repository.entry(atPath: "sessions/" + shard, inTree: tree), entry.kind == .tree else {
            return []
        }
        return try repository.tree(entry.id).map(\.name).filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.map {
            String($0.dropLast(5))
        }
    }

    /// The value of a git trailer in a commit message (the last paragraph), if present.
    public static func trailer(_ key: String, in message: String) -> String? {
        for line in message.split(separator: "\n").reversed() where line.hasPrefix(key + ": ") {
            return String(line.dropFirst(key.count + 2)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}

/// One commit of a session's history, for `log`.
public struct SessionHistoryEntry: Sendable {
    public var commit: String
    public var time: Int64
    public var summary: String
    public var kind: String
    public var iteration: Int?
    public var notes: String?
    public var auditSeq: Int?
}

extension GitStoreView {
    /// The commits that changed the session's file, newest first.
    public func history(of sessionID: String) throws -> [SessionHistoryEntry] {
        try repository.commits(touching: Session.storePath(for: sessionID), from: commit).map { revision in
            let info = try repository.commit(revision.commit)
            let paragraphs = info.message.components(separatedBy: "\n\n")
            let summary = info.summary
            let kind = summary.split(separator: ":", maxSplits: 1).first.map(String.init) ?? summary
            var iteration: Int? = nil
            if let open = summary.range(of: "(iteration ", options: .backwards), summary.hasSuffix(")") {
                iteration = Int(summary[open.upperBound..<summary.index(before: summary.endIndex)])
            }
            let notes = paragraphs.count > 2 ? paragraphs[1...(paragraphs.count - 2)].joined(separator: "\n\n") : nil
            return SessionHistoryEntry(
                commit: revision.commit.hex, time: info.committer.time, summary: summary, kind: kind,
                iteration: iteration,
                notes: notes, auditSeq: Self.trailer("Audit-Seq", in: info.message).flatMap { Int($0) })
        }
    }
}
