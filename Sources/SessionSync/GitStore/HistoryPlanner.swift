import Foundation
import LegacyFormats
import SessionModel

/// One snapshot commit a session asks for: at one of its locks, or of its final state.
public struct SnapshotCommit: Sendable {
    public enum Point: Sendable, Equatable {
        /// Right after the audit entry at this index (a lock).
        case lock(index: Int)
        /// The session as it is now (its canonical file).
        case final
    }

    public var sessionID: String
    public var point: Point
    /// The audit entry the commit is for (locks), or the last entry (final), if any.
    public var entryID: String?
    public var entrySeq: Int?
    /// Canonical bytes of the snapshot.
    public var bytes: [UInt8]
    /// The author/committer date, seconds since the epoch; and its fraction, for ordering.
    public var time: Int64
    public var fraction: Double
    /// Position in the session's own plan (snapshots of one session stay in this order).
    public var order: Int
    public var author: String
    public var authorEmail: String
    public var message: String
}

/// Turns a session into its history (SPEC 3): one snapshot per `lock.*` entry, holding the
/// session as it was at that lock as far as its app's data allows, then the final state if it
/// differs from the last lock's snapshot; a session without locks gets the final state only.
///
/// Times come from the entries, never from the clock; a lock without a time takes the time of
/// the entry or snapshot before it (or the session's creation time), and times never go back
/// within one session, so the history reads forward.
public enum HistoryPlanner {
    public static func plan(_ session: Session) -> [SnapshotCommit] {
        let importer = LegacySystems.importer(forSystem: session.origin.system)
        var out: [SnapshotCommit] = []
        var clock = TimeKey(session.metadata.createdAt)
        let name = session.metadata.name.flatMap { $0.isEmpty ? nil : $0 } ?? String(session.sessionID.prefix(8))
        let (author, email) = identity(session.metadata.owner)
        for (index, entry) in session.auditLog.enumerated() {
            let t = TimeKey(entry.timestamp)
            if t.seconds != Int64.min && clock < t { clock = t }
            guard entry.isLock else { continue }
            let snapshot = importer?.snapshot(of: session, throughEntry: index) ?? cut(session, index)
            var summary = "\(entry.kind): \(name)"
            if let iteration = entry.iteration { summary += " (iteration \(iteration))" }
            let actor = entry.actor.map { identity($0) } ?? (author, email)
            out.append(
                SnapshotCommit(
                    sessionID: session.sessionID, point: .lock(index: index), entryID: entry.id, entrySeq: entry.seq,
                    bytes: snapshot.canonicalBytes, time: max(clock.seconds, 0), fraction: clock.fraction,
                    order: out.count,
                    author: actor.0, authorEmail: actor.1,
                    message: message(summary: summary, body: entry.notes, session: session, entry: entry)))
        }
        let finalBytes = session.canonicalBytes
        if out.last?.bytes != finalBytes {
            let updated = TimeKey(session.metadata.updatedAt)
            if updated.seconds != Int64.min && clock < updated { clock = updated }
            let last = session.auditLog.last
            out.append(
                SnapshotCommit(
                    sessionID: session.sessionID, point: .final, entryID: last?.id, entrySeq: last?.seq,
                    bytes: finalBytes,
                    time: max(clock.seconds, 0), fraction: clock.fraction, order: out.count, author: author,
                    authorEmail: email,
                    message: message(summary: "snapshot: \(name)", body: nil, session: session, entry: last)))
        }
        return out
    }

    static func cut(_ session: Session, _ index: Int) -> Session {
        var s = session
        s.auditLog = Array(session.auditLog.prefix(index + 1))
        return s
    }

    /// A commit message: one summary line, an optional body, then the trailers of SPEC 3.
    static func message(summary: String, body: String?, session: Session, entry: AuditEntry?) -> String {
        var text = oneLine(summary) + "\n\n"
        if let body = body.map({ trimming($0, .whitespacesAndNewlines) }), !body.isEmpty {
            text += body + "\n\n"
        }
        text += "Session-Id: \(session.sessionID)\n"
        if let entry {
            text += "Audit-Entry: \(entry.id)\n"
            text += "Audit-Seq: \(entry.seq)\n"
        }
        text += "Source-Format: \(oneLine(session.origin.format))\n"
        return text
    }

    static func oneLine(_ s: String) -> String {
        trimming(String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 }), .whitespaces)
    }

    /// What `s.trimmingCharacters(in: set)` gives (leading and trailing scalars of `set`
    /// removed; both sets used here hold only scalars of the Basic Multilingual Plane, so
    /// Foundation's UTF-16 walk and this scalar walk agree), without Foundation's trip through
    /// NSString, whose first use costs a few tenths of a millisecond of a single `commit`
    /// (issue #5). Text that starts and ends with printable ASCII, as messages almost always
    /// do, is returned as it is.
    static func trimming(_ s: String, _ set: CharacterSet) -> String {
        let scalars = s.unicodeScalars
        if let first = scalars.first, let last = scalars.last, (0x21...0x7E).contains(first.value),
            (0x21...0x7E).contains(last.value)
        {
            return s
        }
        guard let start = scalars.firstIndex(where: { !set.contains($0) }),
            let end = scalars.lastIndex(where: { !set.contains($0) })
        else { return "" }
        return String(scalars[start...end])
    }

    /// Git wants a name and an email; an owner that looks like an email gives both, another
    /// owner gives the name, nothing gives SessionSync's own identity.
    static func identity(_ owner: String?) -> (String, String) {
        guard let owner = owner?.trimmingCharacters(in: .whitespacesAndNewlines), !owner.isEmpty else {
            return (GitIdentity.name, GitIdentity.email)
        }
        let clean = String(owner.filter { $0 != "<" && $0 != ">" && $0 != "\n" })
        if clean.contains("@"), !clean.contains(" ") { return (clean, clean) }
        return (clean, GitIdentity.email)
    }
}

/// The committer of every SessionSync commit: fixed, so commits are identical on every machine
/// and never depend on the user's git config.
public enum GitIdentity {
    public static let name = "SessionSync"
    public static let email = "sessionsync@sessionsync.invalid"
}
