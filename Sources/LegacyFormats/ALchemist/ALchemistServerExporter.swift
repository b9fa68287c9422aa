import Foundation
import SessionModel

/// ALchemist's REST server store: `cache/sessions/<id>.json` (the session JSON plus
/// `_session_store_metadata`, re-dumped with `json.dump(indent=2)`), and, for a session that
/// came from a recovery backup, the backup itself at
/// `cache/recovery/<id>_recovery_<YYYYmmdd_HHMMSS>.json` with its `_recovery_metadata`.
public struct ALchemistServerExporter: SessionExporter {
    public let name = "alchemist-server"
    public let summary = "ALchemist REST server store JSON (cache/sessions/<id>.json)"
    public init() {}

    public func export(_ session: Session) throws -> [ExportedFile] {
        try ALchemistDocument.requireALchemist(session, exporter: name)
        // The canonical id is a lowercase uuid, so it is always a safe file name (a legacy id
        // never is used as a path).
        let id = session.sessionID
        var files = [
            ExportedFile(
                relativePath: "cache/sessions/\(id).json",
                bytes: ALchemistDocument.bytes(ALchemistDocument.build(session, extras: .store)))
        ]
        if case .object(let recovery)? = session.state["_recovery_metadata"] {
            let stamp =
                Self.backupStamp(recovery["backup_time"]?.stringValue)
                ?? Self.backupStamp(
                    ALchemistLayout.appTime(session.metadata.updatedAt, zone: ALchemistLayout.zone(of: session)))
            files.append(
                ExportedFile(
                    relativePath: "cache/recovery/\(id)_recovery_\(stamp ?? "00000000_000000").json",
                    bytes: ALchemistDocument.bytes(ALchemistDocument.build(session, extras: .recovery))))
        }
        return files
    }

    /// `backup_time.strftime("%Y%m%d_%H%M%S")` from the app's naive ISO text.
    static func backupStamp(_ text: String?) -> String? {
        guard let text, let t = Timestamp.parse(text) else { return nil }
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return pad(t.year, 4) + pad(t.month, 2) + pad(t.day, 2) + "_" + pad(t.hour, 2) + pad(t.minute, 2)
            + pad(t.second, 2)
    }
}
