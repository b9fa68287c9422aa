import Foundation
import SessionModel

/// Where Lobster keeps the files of one session inside a workspace (FORMATS.md 2.1):
///
/// ```
/// <workspace>/session_<id>.json                  (or <workspace>/<id>.json, which loading accepts)
/// <workspace>/.lobster/sessions/<id>/provenance.jsonl
/// <workspace>/.lobster/sessions/<id>/metadata.json
/// ```
///
/// A legacy id is only ever used as one name inside a known folder, and only when it is a
/// plain file name (``LegacyFileName/isSafe(_:)``: no `/`, not `.` or `..`): an id such as
/// `../../etc/x` is never looked up at all. All reads go through ``RelatedFiles``, which stays
/// inside the input root and refuses symlinks. (Looking names up directly rather than listing
/// folders keeps a workspace of 10,000 sessions linear.)
struct LobsterLayout: Sendable {
    let related: RelatedFiles

    static func join(_ folder: String, _ name: String) -> String {
        folder.isEmpty ? name : (folder.hasSuffix("/") ? folder + name : folder + "/" + name)
    }

    static func sessionsFolder(of workspace: String) -> String { join(join(workspace, ".lobster"), "sessions") }

    /// `(workspace, id)` when `path` is `<workspace>/.lobster/sessions/<id>/<file>`.
    static func sessionFolder(containing path: String) -> (workspace: String, id: String)? {
        let folder = PathText.parent(path)
        let sessions = PathText.parent(folder)
        let dotLobster = PathText.parent(sessions)
        let id = PathText.lastComponent(folder)
        guard !id.isEmpty, id != ".", id != "..", PathText.lastComponent(sessions) == "sessions",
            PathText.lastComponent(dotLobster) == ".lobster"
        else { return nil }
        return (PathText.parent(dotLobster), id)
    }

    /// The session folder for `id` in `workspace` (it may not exist; reads of it give nil).
    func sessionFolder(for id: String, in workspace: String) -> String? {
        guard LegacyFileName.isSafe(id) else { return nil }
        return LobsterLayout.join(LobsterLayout.sessionsFolder(of: workspace), id)
    }

    /// The session JSON of `id` in `workspace` (`session_<id>.json`, else `<id>.json`) when it
    /// is a Lobster session JSON whose own `session_id` is `id`: the path and the document.
    func sessionJSON(for id: String, in workspace: String) -> (path: String, document: JSONObject)? {
        guard LegacyFileName.isSafe(id) else { return nil }
        for name in ["session_" + id + ".json", id + ".json"] {
            let path = LobsterLayout.join(workspace, name)
            guard let bytes = related.read(path),
                case .object(let o)? = try? JSONReader.read(bytes, options: .legacy).value,
                LobsterImporter.isSessionJSON(o), case .string(let sid)? = o["session_id"], keyEquals(sid, id)
            else { continue }
            return (path, o)
        }
        return nil
    }

    /// The path of the session JSON of `id` in `workspace`, as ``sessionJSON(for:in:)`` finds
    /// it, for detection: the file is checked whole but only the keys that identify a Lobster
    /// session are built (each provenance log of a workspace asks this of its session JSON).
    func sessionJSONPath(for id: String, in workspace: String) -> String? {
        guard LegacyFileName.isSafe(id) else { return nil }
        for name in ["session_" + id + ".json", id + ".json"] {
            let path = LobsterLayout.join(workspace, name)
            var hasConversation = false
            guard let bytes = related.read(path),
                let o = try? JSONReader.topLevelMembers(
                    bytes,
                    keep: { key in
                        if key == "conversation" { hasConversation = true }
                        return LobsterImporter.sessionJSONKeys.contains(key)
                    }),
                LobsterImporter.isSessionJSON(o, hasConversation: hasConversation),
                case .string(let sid)? = o["session_id"], keyEquals(sid, id)
            else { continue }
            return path
        }
        return nil
    }

    /// Folders that hold a `.lobster/sessions` folder, looked for where a provenance export
    /// would sit beside its workspace: the export's folder, its sub-folders, and its parents up
    /// to the input root. Sorted, so every machine looks in the same order.
    func workspaces(near folder: String) -> [String] {
        var candidates: [String] = [folder]
        for name in related.listing(folder) where name != ".lobster" {
            candidates.append(LobsterLayout.join(folder, name))
        }
        let root = (related.root as NSString).standardizingPath
        var up = (folder as NSString).standardizingPath
        while up != root, up.hasPrefix(root), up.count > root.count {
            up = PathText.parent(up)
            candidates.append(up)
        }
        return candidates.filter { !related.listing(LobsterLayout.sessionsFolder(of: $0)).isEmpty }
    }
}
