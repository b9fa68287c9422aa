import Foundation
import SessionModel

/// An audit trail in Markdown, in the spirit of ALchemist's `export_audit_markdown()`
/// (`AuditLog.to_markdown` with the session's metadata).
///
/// For an ALchemist session the text is what the app writes for the same data: session
/// metadata, the audit log's search-space definition and experiment table, and the
/// "Optimization Iterations" built from the data, model and acquisition locks. (The app calls
/// it after `save_session` bumped `last_modified`, so its "Last Modified" line can be later
/// than the saved file's.) For any other system the metadata section is followed by the
/// canonical audit log, one section per entry with its payload as JSON.
public struct MarkdownAuditExporter: SessionExporter {
    public let name = "markdown"
    public let summary = "an audit trail in Markdown, like ALchemist's export_audit_markdown"
    public init() {}

    public func export(_ session: Session) throws -> [ExportedFile] {
        let text =
            session.origin.system == ALchemistLayout.system
            ? Self.alchemistMarkdown(session) : Self.genericMarkdown(session)
        return [ExportedFile(relativePath: session.sessionID + ".audit.md", bytes: Array(text.utf8))]
    }

    // MARK: - ALchemist (AuditLog.to_markdown)

    static func alchemistMarkdown(_ session: Session) -> String {
        // Rendered from the document the app would load (the canonical audit log with the
        // app's member orders rebuilt), as `to_markdown` renders its own in-memory log.
        let doc = ALchemistDocument.build(session, extras: .none)
        var lines = ["# Optimization Audit Trail\n"]
        metadataSection(doc["metadata"]?.objectValue ?? JSONObject(), into: &lines)

        let audit = doc["audit_log"]?.objectValue ?? JSONObject()
        if PythonText.truthy(audit["search_space"]) {
            lines.append("## Search Space Definition\n")
            for v in audit["search_space"]?["variables"]?.arrayValue ?? [] {
                let type = v["type"].map(PythonText.str) ?? "N/A"
                let name = v["name"].map(PythonText.str) ?? "N/A"
                if type == "real" || type == "integer" {
                    let lo = v["min"].map(PythonText.str) ?? "N/A"
                    let hi = v["max"].map(PythonText.str) ?? "N/A"
                    lines.append("- **\(name)** (\(type)): [\(lo), \(hi)]")
                } else {
                    let values = (v["values"]?.arrayValue ?? []).map(PythonText.str).joined(separator: ", ")
                    lines.append("- **\(name)** (categorical): {\(values)}")
                }
            }
            lines.append("")
        }

        let rows = audit["experiment_data"]?.arrayValue ?? []
        if !rows.isEmpty { experimentTable(rows, into: &lines) }

        let entryValues = doc["audit_log"]?.arrayValue ?? audit["entries"]?.arrayValue ?? []
        let entries = entryValues.map { e in
            AppEntry(
                type: e["entry_type"].map(PythonText.str) ?? "",
                parameters: e["parameters"]?.objectValue ?? JSONObject(),
                timestamp: e["timestamp"].map(PythonText.str) ?? "",
                notes: e["notes"]?.stringValue ?? "")
        }
        if !entries.isEmpty { iterations(entries, into: &lines) }
        return lines.joined(separator: "\n")
    }

    static func metadataSection(_ m: JSONObject, into lines: inout [String]) {
        lines.append("## Session Metadata\n")
        lines.append("- **Name**: \(m["name"].map(PythonText.str) ?? "Untitled Session")")
        if PythonText.truthy(m["created_at"]), let v = m["created_at"] {
            lines.append("- **Created At**: \(PythonText.str(v))")
        }
        if PythonText.truthy(m["last_modified"]), let v = m["last_modified"] {
            lines.append("- **Last Modified**: \(PythonText.str(v))")
        }
        if PythonText.truthy(m["description"]), let v = m["description"] {
            lines.append("- **Description**: \(PythonText.str(v))")
        }
        if PythonText.truthy(m["tags"]), let v = m["tags"] {
            let text = v.arrayValue.map { $0.map(PythonText.str).joined(separator: ", ") } ?? PythonText.str(v)
            lines.append("- **Tags**: \(text)")
        }
        lines.append("")
    }

    /// The column kinds pandas infers for `DataFrame(records)`.
    enum ColumnKind { case int, float, bool, object }

    static func experimentTable(_ rows: [JSONValue], into lines: inout [String]) {
        lines.append("## Experimental Data\n")
        var columns: [String] = []
        for row in rows {
            for k in row.objectValue?.keys ?? [] where !columns.contains(k) { columns.append(k) }
        }
        // Iteration, Reason, the inputs (and any further targets), then Output.
        let meta: Set<String> = ["Iteration", "Reason", "Output", "Noise", "ProvenanceId"]
        var shown: [String] = []
        if columns.contains("Iteration") { shown.append("Iteration") }
        if columns.contains("Reason") { shown.append("Reason") }
        shown += columns.filter { !meta.contains($0) }
        if columns.contains("Output") { shown.append("Output") }

        let kinds = shown.map { c in columnKind(rows.map { $0[c] }) }
        // iterrows() gives each row as one Series: all-numeric frames upcast ints to floats.
        let allNumeric = kinds.allSatisfy { $0 == .int || $0 == .float }
        let rowFloat = allNumeric && kinds.contains(.float)

        lines.append("| " + shown.joined(separator: " | ") + " |")
        lines.append("|" + Array(repeating: "---", count: shown.count).joined(separator: "|") + "|")
        for row in rows {
            var cells: [String] = []
            for (c, kind) in zip(shown, kinds) {
                cells.append(cell(row[c], kind: rowFloat ? .float : kind))
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        lines.append("")
    }

    static func columnKind(_ values: [JSONValue?]) -> ColumnKind {
        var ints = 0
        var floats = 0
        var bools = 0
        var missing = 0
        var others = 0
        for v in values {
            switch v {
            case .none, .null?: missing += 1
            case .int?, .bigInt?: ints += 1
            case .float?: floats += 1
            case .bool?: bools += 1
            default: others += 1
            }
        }
        if others > 0 { return .object }
        if bools > 0 { return bools == values.count ? .bool : .object }
        if ints + floats == 0 { return .object }
        if floats == 0 && missing == 0 { return .int }
        return .float
    }

    static func cell(_ v: JSONValue?, kind: ColumnKind) -> String {
        switch kind {
        case .float:
            switch v {
            case .none, .null?: return "nan"
            case let x?: return x.doubleValue.map(PythonText.fixed4) ?? PythonText.str(x)
            }
        case .int, .bool:
            return v.map(PythonText.str) ?? "nan"
        case .object:
            switch v {
            case .none: return "nan"
            case .float(let d)?: return PythonText.fixed4(d)
            case let x?: return PythonText.str(x)
            }
        }
    }

    struct AppEntry {
        var type: String
        var parameters: JSONObject
        var timestamp: String
        var notes: String
    }

    struct Group {
        var label: String
        var isNA: Bool
        var number: Int?
        var timestamp: String
        var order: Int
        var model: AppEntry?
        var acquisition: AppEntry?
        var data: AppEntry?
    }

    static func iterations(_ entries: [AppEntry], into lines: inout [String]) {
        lines.append("## Optimization Iterations\n")
        var groups: [String: Group] = [:]
        for e in entries {
            var iteration = e.parameters["iteration"] ?? .null
            if e.type == "data_locked", e.parameters["initial_design_method"] != nil { iteration = .int(0) }
            // Python dict keys: 10 and 10.0 are one key; the first one inserted is shown.
            let key: String
            switch iteration {
            case .null: key = "N/A"
            case .float(let d) where d.rounded() == d && abs(d) < 1e15: key = "n:" + String(Int(d))
            case .int(let i): key = "n:" + String(i)
            case .bool(let b): key = "n:" + (b ? "1" : "0")
            default: key = "r:" + PythonText.repr(iteration)
            }
            if groups[key] == nil {
                let number: Int? = iteration.intValue
                groups[key] = Group(
                    label: iteration.isNull ? "N/A" : PythonText.str(iteration), isNA: iteration.isNull, number: number,
                    timestamp: e.timestamp, order: groups.count)
            }
            switch e.type {
            case "model_locked": groups[key]?.model = e
            case "acquisition_locked": groups[key]?.acquisition = e
            case "data_locked": groups[key]?.data = e
            default: break
            }
        }
        let sorted = groups.values.sorted { a, b in
            if a.isNA != b.isNA { return !a.isNA }
            let na = a.number ?? 999_999
            let nb = b.number ?? 999_999
            if na != nb { return na < nb }
            if a.timestamp != b.timestamp {
                return a.timestamp.unicodeScalars.lexicographicallyPrecedes(b.timestamp.unicodeScalars)
            }
            return a.order < b.order
        }
        for g in sorted {
            if g.isNA && g.model == nil && g.acquisition == nil { continue }
            lines.append("### Iteration \(g.label)\n")
            if let e = g.model { modelLines(e, into: &lines) }
            if let e = g.acquisition { acquisitionLines(e, into: &lines) }
            if let e = g.data {
                let p = e.parameters
                if PythonText.truthy(p["initial_design_method"]), let method = p["initial_design_method"] {
                    let n: String
                    if let points = p["initial_design_n_points"], !points.isNull {
                        n = PythonText.str(points)
                    } else {
                        n = p["n_experiments"].map(PythonText.str) ?? "N/A"
                    }
                    lines.append("**Initial Design**: \(PythonText.str(method)) (\(n) points)")
                    lines.append("")
                }
                if !e.notes.isEmpty {
                    lines.append("**Notes**: \(e.notes)")
                    lines.append("")
                }
            }
        }
    }

    static func modelLines(_ e: AppEntry, into lines: inout [String]) {
        let p = e.parameters
        lines.append("**Timestamp**: \(e.timestamp)")
        lines.append("")
        let kernel = p["kernel"].map(PythonText.str) ?? "N/A"
        let hyper = p["hyperparameters"]?.objectValue ?? JSONObject()
        var kernelText = "\(kernel) kernel"
        if kernel == "Matern" {
            // `hyper.get('matern_nu') or hyper.get('nu')`, then `matern_nu` again if that is None.
            var nu = PythonText.truthy(hyper["matern_nu"]) ? hyper["matern_nu"] : hyper["nu"]
            if nu == nil || nu == .null { nu = hyper["matern_nu"] }
            if let nu, !nu.isNull { kernelText = "\(kernel) kernel (ν=\(PythonText.str(nu)))" }
        }
        lines.append("**Model**: \(p["backend"].map(PythonText.str) ?? "N/A"), \(kernelText)")
        lines.append("")
        if PythonText.truthy(p["cv_metrics"]), let metrics = p["cv_metrics"] {
            lines.append("**Metrics**: R²=\(metric(metrics["r2"])), RMSE=\(metric(metrics["rmse"]))")
        } else {
            lines.append("**Metrics**: Not available")
        }
        let input = PythonText.truthy(hyper["input_scaling"]) ? hyper["input_scaling"] : hyper["input_transform_type"]
        let output =
            PythonText.truthy(hyper["output_scaling"]) ? hyper["output_scaling"] : hyper["output_transform_type"]
        let inputShown = input.flatMap { $0.isNull ? nil : $0 }
        let outputShown = output.flatMap { $0.isNull ? nil : $0 }
        if inputShown != nil || outputShown != nil {
            lines.append("")
            lines.append("**Input Scaling**: \(inputShown.map(PythonText.str) ?? "none")")
            lines.append("**Output Scaling**: \(outputShown.map(PythonText.str) ?? "none")")
        }
        if !e.notes.isEmpty {
            lines.append("")
            lines.append("**Notes**: \(e.notes)")
        }
        lines.append("")
    }

    /// `f"{x:.4f}"` of a metric (`metrics.get(name, 0)`).
    static func metric(_ v: JSONValue?) -> String {
        guard let v else { return "0.0000" }
        return v.doubleValue.map(PythonText.fixed4) ?? PythonText.str(v)
    }

    static func acquisitionLines(_ e: AppEntry, into lines: inout [String]) {
        let p = e.parameters
        lines.append("**Acquisition**: \(p["strategy"].map(PythonText.str) ?? "N/A")")
        lines.append("")
        if PythonText.truthy(p["parameters"]), case .object(let acq)? = p["parameters"] {
            let text = acq.members.map { "\($0.key)=\(PythonText.str($0.value))" }.joined(separator: ", ")
            lines.append("**Parameters**: \(text)")
            lines.append("")
        }
        if PythonText.truthy(p["suggestions"]), let s = p["suggestions"] {
            lines.append("**Suggested Next**: \(PythonText.str(s))")
        }
        if !e.notes.isEmpty {
            lines.append("")
            lines.append("**Notes**: \(e.notes)")
        }
        lines.append("")
    }

    // MARK: - Any other system

    static func genericMarkdown(_ session: Session) -> String {
        let m = session.metadata
        var lines = ["# Audit Trail\n", "## Session Metadata\n"]
        lines.append("- **Name**: \(m.name ?? "Untitled Session")")
        lines.append("- **Session Id**: \(session.sessionID)")
        lines.append("- **Source**: \(session.origin.system) (\(session.origin.format))")
        if let v = m.createdAt { lines.append("- **Created At**: \(v)") }
        if let v = m.updatedAt { lines.append("- **Last Modified**: \(v)") }
        if let v = m.owner, !v.isEmpty { lines.append("- **Owner**: \(v)") }
        if let v = m.status, !v.isEmpty { lines.append("- **Status**: \(v)") }
        if let v = m.description, !v.isEmpty { lines.append("- **Description**: \(v)") }
        if let tags = m.tags, !tags.isEmpty { lines.append("- **Tags**: \(tags.joined(separator: ", "))") }
        lines.append("")
        if !session.auditLog.isEmpty {
            lines.append("## Audit Log\n")
            for e in session.auditLog {
                lines.append("### \(e.seq). \(e.kind)\n")
                var facts: [String] = []
                if let t = e.timestamp { facts.append("- **Timestamp**: \(t)") }
                if let i = e.iteration { facts.append("- **Iteration**: \(i)") }
                if let a = e.actor { facts.append("- **Actor**: \(a)") }
                if let n = e.notes, !n.isEmpty { facts.append("- **Notes**: \(n)") }
                if !facts.isEmpty {
                    lines += facts
                    lines.append("")
                }
                if !e.payload.isEmpty {
                    var body = CanonicalJSON.string(.object(e.payload))
                    if body.hasSuffix("\n") { body.removeLast() }
                    // A fence longer than any backtick run in the payload (CommonMark), so
                    // message text cannot close the block early.
                    let fence = String(repeating: "`", count: max(3, longestBacktickRun(body) + 1))
                    lines.append(fence + "json")
                    lines.append(body)
                    lines.append(fence)
                    lines.append("")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func longestBacktickRun(_ text: String) -> Int {
        var best = 0
        var run = 0
        for c in text.utf8 {
            if c == UInt8(ascii: "`") {
                run += 1
                best = max(best, run)
            } else {
                run = 0
            }
        }
        return best
    }
}
