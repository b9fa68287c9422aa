import Foundation
import SessionModel

/// Lobster AI workspaces (FORMATS.md 2): the session JSON (schema 1.0 and 1.1, and the
/// `export_session()` form) joined with its provenance folder, provenance folders on their own,
/// stray provenance logs, and `ProvenanceTracker.export_to_json()` files.
///
/// Formats (`origin.format`):
/// - `lobster-session/1.0`, `lobster-session/1.1`: `session_<id>.json` by `_save_session_json`;
/// - `lobster-session-export`: the same written by `export_session()` (no `lobster_version`,
///   `provenance` or `schema_version`);
/// - `lobster-provenance`: `provenance.jsonl` (role `.part` when its workspace has the session
///   JSON of the same id, which migrates it);
/// - `lobster-provenance-metadata`: the session folder's `metadata.json` (always `.part`);
/// - `lobster-provenance-export`: `export_to_json()` output.
///
/// The audit log lists the conversation first (its messages carry no time), then the
/// provenance activities in file order (see docs/mapping/lobster.md).
public struct LobsterImporter: SessionImporter {
    public let system = "lobster"
    public init() {}

    static let sessionFormat = "lobster-session"
    static let sessionExportFormat = "lobster-session-export"
    static let provenanceFormat = "lobster-provenance"
    static let metadataFormat = "lobster-provenance-metadata"
    static let trackerExportFormat = "lobster-provenance-export"

    // MARK: Detection

    /// The keys whose values ``isSessionJSON(_:hasConversation:)`` looks at (besides
    /// `conversation`, whose presence alone counts: detection need not build it, and it is
    /// most of the file).
    static let sessionJSONKeys: Set<String> = ["session_id", "workspace_status", "token_usage", "status", "exported_at"]

    /// A session JSON: `session_id` and `conversation`, plus one of the members only the
    /// session JSON has.
    static func isSessionJSON(_ o: JSONObject) -> Bool {
        isSessionJSON(o, hasConversation: o["conversation"] != nil)
    }

    static func isSessionJSON(_ o: JSONObject, hasConversation: Bool) -> Bool {
        o["session_id"] != nil && hasConversation
            && (o["workspace_status"] != nil || o["token_usage"] != nil || o["status"] != nil
                || o["exported_at"] != nil)
    }

    /// A session folder's `metadata.json`: `{created_at, last_modified, activity_count, software_versions}`.
    static func isProvenanceMetadata(_ o: JSONObject) -> Bool {
        o["created_at"] != nil && o["last_modified"] != nil && o["activity_count"] != nil && o["conversation"] == nil
            && o.count <= 6
    }

    /// `export_to_json()`: `{namespace, activities, entities, agents, export_timestamp}`.
    static func isTrackerExport(_ o: JSONObject) -> Bool {
        o["namespace"] != nil && o["activities"] != nil && o["export_timestamp"] != nil
            && (o["entities"] != nil || o["agents"] != nil)
    }

    /// The name rule for empty files, the one tie the content cannot break.
    static func isProvenanceLogName(_ name: String) -> Bool {
        name == "provenance.jsonl" || name.hasSuffix(".provenance.jsonl")
    }

    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? {
        switch input.kind {
        case .json:
            guard let value = input.json else {
                // A JSONL file whose first line is the broken one does not parse as a whole.
                if input.jsonError != nil, LobsterProvenanceLog.containsActivity(input.file.bytes) {
                    return provenanceFormat(
                        input, context: context, note: "provenance log; its first line is not valid JSON")
                }
                return nil
            }
            guard case .object(let o) = value else { return nil }
            if LobsterImporter.isSessionJSON(o) {
                switch o["schema_version"] {
                case .string(let v)?:
                    return DetectedFormat(system: system, format: LobsterImporter.sessionFormat, version: v)
                case nil where o["lobster_version"] == nil && o["provenance"] == nil:
                    return DetectedFormat(
                        system: system, format: LobsterImporter.sessionExportFormat, version: nil,
                        note: "written by export_session(): no lobster_version, provenance or schema_version")
                case nil:
                    return DetectedFormat(
                        system: system, format: LobsterImporter.sessionFormat, version: "1.0",
                        note: "no schema_version: read as schema 1.0")
                case let other?:
                    return DetectedFormat(
                        system: system, format: LobsterImporter.sessionFormat, version: nil,
                        note: "schema_version is a \(other.kindName), not a string")
                }
            }
            if LobsterImporter.isTrackerExport(o) {
                return DetectedFormat(
                    system: system, format: LobsterImporter.trackerExportFormat, version: nil,
                    note: "ProvenanceTracker.export_to_json(): activities, entities and agents")
            }
            if LobsterImporter.isProvenanceMetadata(o) {
                return DetectedFormat(
                    system: system, format: LobsterImporter.metadataFormat, version: nil, role: .part,
                    note: "a session folder's metadata.json: migrated with its provenance.jsonl")
            }
            if o["v"] != nil, LobsterProvenanceLog.looksLikeActivity(value) {
                return provenanceFormat(input, context: context, note: "provenance log with a single line")
            }
            return nil
        case .jsonLines:
            guard LobsterProvenanceLog.containsActivity(input.file.bytes) else { return nil }
            return provenanceFormat(input, context: context, note: nil)
        case .empty:
            guard LobsterImporter.isProvenanceLogName(input.file.fileName) else { return nil }
            return provenanceFormat(
                input, context: context,
                note: "empty file recognized as a provenance log by its name (the content cannot tell)")
        default:
            return nil
        }
    }

    /// A provenance log is a `.part` when its workspace holds the session JSON of the same
    /// id (that import joins it), else a session of its own.
    private func provenanceFormat(_ input: ParsedInput, context: ImportContext, note: String?) -> DetectedFormat {
        if input.file.fileName == "provenance.jsonl",
            let (workspace, id) = LobsterLayout.sessionFolder(containing: input.file.path),
            let path = LobsterLayout(related: context.related).sessionJSONPath(for: id, in: workspace)
        {
            let shown = PathText.lastComponent(path)
            return DetectedFormat(
                system: system, format: LobsterImporter.provenanceFormat, version: nil, role: .part,
                note: "migrated with \(shown)" + (note.map { "; " + $0 } ?? ""))
        }
        return DetectedFormat(system: system, format: LobsterImporter.provenanceFormat, version: nil, note: note)
    }

    // MARK: Import

    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws
        -> [ImportedSession]
    {
        guard format.role != .part else { return [] }
        let layout = LobsterLayout(related: context.related)
        let file = input.file
        let displayFolder = PathText.parent(file.displayPath)
        switch format.format {
        case LobsterImporter.sessionFormat, LobsterImporter.sessionExportFormat:
            guard case .object(let doc)? = input.json else {
                throw FormatError(
                    file: file.displayPath, location: "", reason: "a Lobster session JSON must be an object")
            }
            var parts = LobsterParts(format: format, mainFile: file.displayPath)
            try parts.addSessionJSON(doc, file: file.displayPath)
            parts.addSessionFolder(
                of: parts.legacyID, in: file.directory, displayWorkspace: displayFolder, layout: layout)
            return [try parts.build(context: context)]

        case LobsterImporter.provenanceFormat:
            var parts = LobsterParts(format: format, mainFile: file.displayPath)
            if file.fileName == "provenance.jsonl", let (_, id) = LobsterLayout.sessionFolder(containing: file.path) {
                // The app's own layout: the folder name is the session id.
                parts.legacyID = id
            } else {
                parts.legacyID = LobsterImporter.idFromFileName(file)
                parts.warnings.append(
                    ImportWarning(
                        "id-from-file-name", "",
                        "a provenance log outside a workspace's .lobster/sessions/<id>/ folder has no session id; "
                            + "used \"\(parts.legacyID)\" from its file name"))
            }
            parts.addProvenanceLog(LobsterProvenanceLog(bytes: file.bytes), file: file.displayPath, prefix: "")
            if file.fileName == "provenance.jsonl" {
                let metadataPath = LobsterLayout.join(file.directory, "metadata.json")
                parts.addProvenanceMetadata(
                    context.related.read(metadataPath), file: LobsterLayout.join(displayFolder, "metadata.json"))
            }
            return [try parts.build(context: context)]

        case LobsterImporter.trackerExportFormat:
            guard case .object(let doc)? = input.json else {
                throw FormatError(file: file.displayPath, location: "", reason: "a provenance export must be an object")
            }
            return [
                try importTrackerExport(doc, input: input, format: format, layout: layout)
                    .build(context: context)
            ]

        default:
            return []
        }
    }

    /// `export_to_json()` has no session id. Its activities say which tracker it came from: if
    /// a session folder under the input root holds any of them, the export is a copy of that
    /// session (SPEC 2.3) and carries all of it (session JSON, provenance log, metadata) plus
    /// what only the export has (namespace, entities, agents), so whichever copy is migrated,
    /// the activities are migrated once. Otherwise it is a session of its own, its legacy id
    /// derived from its first activity id.
    func importTrackerExport(_ doc: JSONObject, input: ParsedInput, format: DetectedFormat, layout: LobsterLayout)
        throws
        -> LobsterParts
    {
        let file = input.file
        var parts = LobsterParts(format: format, mainFile: file.displayPath)
        let reader = RecordReader(file: file.displayPath)
        let activities = try reader.array(doc["activities"], at: "/activities")
        let ids = Set(activities.compactMap { $0["id"]?.stringValue })

        var best: (workspace: String, folder: String, id: String, overlap: Int)? = nil
        if !ids.isEmpty {
            for workspace in layout.workspaces(near: file.directory) {
                let sessions = LobsterLayout.sessionsFolder(of: workspace)
                for name in layout.related.listing(sessions) {
                    let folder = LobsterLayout.join(sessions, name)
                    guard let bytes = layout.related.read(LobsterLayout.join(folder, "provenance.jsonl")) else {
                        continue
                    }
                    let log = LobsterProvenanceLog(bytes: bytes)
                    let overlap = log.lines.filter { ids.contains($0.activity["id"]?.stringValue ?? "") }.count
                    if overlap > 0, overlap > (best?.overlap ?? 0) { best = (workspace, folder, name, overlap) }
                }
            }
        }
        if let match = best {
            parts.legacyID = match.id
            let displayWorkspace = LobsterImporter.display(match.workspace, for: input)
            if let (path, sessionDoc) = layout.sessionJSON(for: match.id, in: match.workspace) {
                let shown = LobsterImporter.display(path, for: input)
                try parts.addSessionJSON(sessionDoc, file: shown)
                parts.joinedFiles.append(shown)
            }
            parts.addSessionFolder(
                of: match.id, in: match.workspace, displayWorkspace: displayWorkspace, layout: layout)
            parts.warnings.append(
                ImportWarning(
                    "joined-by-content", "",
                    "the export has no session id; its activities belong to session \"\(match.id)\" "
                        + "(\(match.overlap) of \(activities.count) found in its provenance log), so it is migrated as a copy of that session"
                ))
        } else {
            let first = activities.lazy.compactMap { $0["id"]?.stringValue }.first
            if let first {
                parts.legacyID = "export:" + first
                parts.warnings.append(
                    ImportWarning(
                        "id-derived", "",
                        "the export has no session id and no session folder under the input root holds its activities; "
                            + "used \"\(parts.legacyID)\" from its first activity id"))
            } else {
                parts.legacyID = "export:" + LobsterImporter.idFromFileName(file)
                parts.warnings.append(
                    ImportWarning(
                        "id-from-file-name", "",
                        "the export has no session id and no activities; used \"\(parts.legacyID)\" from its file name")
                )
            }
        }
        try parts.addTrackerExport(doc, file: file.displayPath)
        return parts
    }

    /// The id a stray provenance log gets from its name: `<stem>.provenance.jsonl` → `<stem>`,
    /// `provenance.jsonl` → its folder's name, anything else → the name without its extension.
    static func idFromFileName(_ file: SourceFile) -> String {
        let name = file.fileName
        for suffix in [".provenance.jsonl", ".provenance.json"]
        where name.hasSuffix(suffix) && name.count > suffix.count {
            return String(name.dropLast(suffix.count))
        }
        if name == "provenance.jsonl" || name == "provenance.json" {
            let folder = PathText.lastComponent(file.directory)
            if !folder.isEmpty, folder != ".", folder != "/" { return folder }
        }
        let stem = (name as NSString).deletingPathExtension
        return stem.isEmpty ? name : stem
    }

    /// A path found beside `input` shown like the input's display path (relative to the root).
    static func display(_ path: String, for input: ParsedInput) -> String {
        let file = input.file
        // The display path is the real path with a prefix cut off; cut the same prefix.
        if file.path.hasSuffix(file.displayPath) {
            let prefix = String(file.path.dropLast(file.displayPath.count))
            if path.hasPrefix(prefix) { return String(path.dropFirst(prefix.count)) }
        }
        return PathText.lastComponent(path)
    }
}
