import Foundation
import Git
import LegacyFormats
import SessionModel

/// Installs (and removes) SessionSync's git diff and merge drivers in a repository, as nbdime's
/// `config-git` does for notebooks:
///
/// - an attributes line `sessions/**/*.json diff=sessionsync merge=sessionsync`, in the work
///   tree's `.gitattributes` (in `info/attributes` for a bare repository), added once and
///   keeping every other line;
/// - in the repository's own config (never the user's): `diff.sessionsync.textconv` (plain
///   `git diff`, `git log -p` and `git show` then compare readable renderings of the session,
///   ``SessionRendering``, one line per field and per audit entry) and
///   `merge.sessionsync.{name,driver}` (`sessionsync merge %O %A %B -o %A`: a three-way
///   session merge, exit 1 with the conflicts recorded in the merged file).
///
/// textconv rather than `diff.<driver>.command`: git applies textconv everywhere a text diff
/// is shown (`log -p`, `show`, `diff --stat`, rename detection) and keeps its own hunk format,
/// colours and pager; an external command only runs for `git diff` with external diffs on,
/// and is skipped by `log -p` unless `--ext-diff` is given.
public enum GitSetup {
    public static let driverName = "sessionsync"
    public static let attributesLine = "sessions/**/*.json diff=sessionsync merge=sessionsync"

    /// What ``install(repository:executable:)`` did.
    public struct Outcome: Sendable {
        /// The attributes file written.
        public var attributesFile: String
        /// False when the line was already there.
        public var attributesChanged: Bool
        /// The config keys set, with their values.
        public var config: [(key: String, value: String)]
    }

    /// The config this setup writes, for `executable` (an absolute path).
    public static func configuration(executable: String) -> [(key: String, value: String)] {
        let exe = shellQuoted(executable)
        return [
            ("diff.\(driverName).textconv", "\(exe) git-setup textconv"),
            ("merge.\(driverName).name", "SessionSync three-way session merge"),
            // git names the temporary files relative to the folder it runs the driver in
            // (`.merge_file_XXXXXX`); `-o` gets an absolute path because `merge -o` cannot
            // yet write to a bare relative file name (AtomicFile creates its parent folder).
            ("merge.\(driverName).driver", "\(exe) merge %O %A %B -o %A"),
        ]
    }

    /// Installs the drivers in the repository at `path`, calling `executable`.
    public static func install(repository path: String, executable: String) throws -> Outcome {
        let repo = try Repository.open(at: path)
        let config = configuration(executable: executable)
        for (key, value) in config { try repo.setConfig(key, value) }
        let file = attributesFile(repo)
        let existing = (try? FileReading.read(file)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let changed = !lines.contains { $0.trimmingCharacters(in: .whitespaces) == attributesLine }
        if changed {
            lines.append(attributesLine)
            try AtomicFile.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: file)
        }
        return Outcome(attributesFile: file, attributesChanged: changed, config: config)
    }

    /// Removes what ``install(repository:executable:)`` added: the config keys and the
    /// attributes line (other lines stay; an attributes file left empty is removed).
    public static func uninstall(repository path: String) throws -> (attributesFile: String, removedKeys: [String]) {
        let repo = try Repository.open(at: path)
        var removed: [String] = []
        for (key, _) in configuration(executable: "") where try repo.configString(key) != nil {
            try repo.unsetConfig(key)
            removed.append(key)
        }
        let file = attributesFile(repo)
        if let bytes = try? FileReading.read(file) {
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            let kept = lines.filter { $0.trimmingCharacters(in: .whitespaces) != attributesLine }
            if kept.count != lines.count {
                if kept.isEmpty {
                    try FileManager.default.removeItem(atPath: file)
                } else {
                    try AtomicFile.write(Array((kept.joined(separator: "\n") + "\n").utf8), to: file)
                }
            }
        }
        return (file, removed)
    }

    /// `.gitattributes` in the work tree, or `info/attributes` of a bare repository (git reads
    /// both; a bare repository has no work tree to hold the first).
    static func attributesFile(_ repo: Repository) -> String {
        if let workdir = repo.workdir { return workdir + ".gitattributes" }
        return repo.gitDirectory + "info/attributes"
    }

    /// Quotes a path for the shell git runs drivers with, only when it needs it.
    static func shellQuoted(_ text: String) -> String {
        let plain = text.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || "/._-+".utf8.contains(c)
        }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// A stable, line-oriented text rendering of a session for `git diff` (the textconv driver):
/// line diffs of two renderings read as semantic diffs.
///
/// Layout: a header (`session`, `format`, `origin`), then one line per metadata field, then one
/// line per value in `state` as `JSON-pointer = compact JSON` (objects are walked member by
/// member in code point order; an array element is one line, so an added experiment row is one
/// added line), then `audit_log (N entries)` and one line per entry:
/// `#seq kind time [iteration N] [actor] "notes" id`. A file that is not a valid session is
/// printed as it is, so the driver never hides bytes from a diff.
public enum SessionRendering {
    public static func render(_ bytes: [UInt8]) -> String {
        guard let session = try? SessionValidator.session(fromCanonical: bytes) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        return render(session)
    }

    public static func render(_ session: Session) -> String {
        var out: [String] = []
        out.append("session \(session.sessionID)")
        out.append("origin \(compact(session.origin.jsonValue))")
        for (key, value) in session.metadata.jsonValue.objectValue?.sortedMembers ?? [] {
            out.append("metadata.\(key) = \(compact(value))")
        }
        for (key, value) in session.state.sortedMembers {
            flatten(value, path: "/state/" + JSONPointer.escape(key), into: &out)
        }
        out.append("audit_log (\(session.auditLog.count) entries)")
        for e in session.auditLog {
            var line = "#\(e.seq) \(e.kind) \(e.timestamp ?? "-")"
            if let i = e.iteration { line += " iteration \(i)" }
            if let a = e.actor { line += " by \(a)" }
            if let n = e.notes, !n.isEmpty { line += " " + compact(.string(n)) }
            line += " " + String(e.id.prefix(19))
            out.append(line)
            if !e.payload.isEmpty { out.append("    payload \(compact(.object(e.payload)))") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func flatten(_ value: JSONValue, path: String, into out: inout [String]) {
        if case .object(let members) = value, !members.isEmpty {
            for (key, member) in members.sortedMembers {
                flatten(member, path: path + "/" + JSONPointer.escape(key), into: &out)
            }
        } else if case .array(let items) = value, !items.isEmpty {
            for (i, item) in items.enumerated() { out.append("\(path)/\(i) = \(compact(item))") }
        } else {
            out.append("\(path) = \(compact(value))")
        }
    }

    static func compact(_ value: JSONValue) -> String {
        PythonJSONWriter(indent: nil, ensureASCII: false, sortKeys: true).string(value)
    }
}
