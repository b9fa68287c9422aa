import SessionModel

/// ALchemist session JSON exactly as `OptimizationSession.save_session` writes it:
/// `json.dump(indent=2, default=str)` (ensure_ascii, bare NaN tokens, no final newline), the
/// app's member order, loadable by `OptimizationSession.load_session`.
///
/// Store bookkeeping (`_session_store_metadata`, `_recovery_metadata`) is not part of a saved
/// session and is left out; `alchemist-server` writes it.
public struct ALchemistSessionExporter: SessionExporter {
    public let name = "alchemist"
    public let summary = "ALchemist session JSON, as save_session writes it"
    public init() {}

    public func export(_ session: Session) throws -> [ExportedFile] {
        try ALchemistDocument.requireALchemist(session, exporter: name)
        let doc = ALchemistDocument.build(session, extras: .none)
        return [ExportedFile(relativePath: session.sessionID + ".json", bytes: ALchemistDocument.bytes(doc))]
    }
}
