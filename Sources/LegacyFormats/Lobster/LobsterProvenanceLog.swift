import SessionModel

/// Lobster's `provenance.jsonl`, read line by line exactly as `ProvenanceTracker` reloads it
/// (FORMATS.md 2.2), so that SessionSync keeps the activities the app itself would see:
///
/// - lines end at `\n`, `\r\n` or `\r` (Python's text mode, universal newlines);
/// - each line is stripped of Python whitespace, and blank lines are skipped silently;
/// - a line that is not JSON (a truncated last line after a crash, corruption mid-file) is
///   skipped, and so is one whose `v` is not 1 (a missing `v` included): both with a
///   `skipped-line` warning naming the line number and the reason.
///
/// Python compares `v != 1`, so `1.0` and `true` are accepted as version 1, as in the app.
/// Where the app would raise instead (a line that is JSON but not an object, bytes that are not
/// UTF-8), SessionSync skips the line with a warning too, so one bad line never costs the rest.
struct LobsterProvenanceLog: Sendable {
    /// One activity the app would load, with its 1-based line number.
    struct Line: Sendable {
        var number: Int
        var activity: JSONObject
    }

    /// A line the app skips, kept (text and reason) in `state` so nothing is silently lost.
    struct Skipped: Sendable {
        var number: Int
        var reason: String
        var text: String
    }

    var lines: [Line] = []
    var skipped: [Skipped] = []
    /// What the lenient reader tolerated inside loaded lines (NaN tokens, duplicate keys).
    var readerWarnings: [ImportWarning] = []

    /// The warnings for the report, in line order (`location` is prefixed with `prefix`, e.g.
    /// the joined file's path).
    func warnings(prefix: String = "") -> [ImportWarning] {
        skipped.map {
            ImportWarning("skipped-line", prefix + "line \($0.number)", "skipped: \($0.reason) (the app skips it too)")
        }
            + readerWarnings.map { ImportWarning($0.code, prefix + $0.location, $0.message) }
    }

    init(bytes: [UInt8]) {
        var number = 0
        var start = 0
        let n = bytes.count
        while start < n {
            let i = bytes.withUnsafeBufferPointer { nextLineBreak(in: $0, from: start) }
            number += 1
            readLine(bytes[start..<i], number: number)
            if i >= n { break }
            start = (bytes[i] == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A) ? i + 2 : i + 1
        }
    }

    /// Whether a parsed line looks like a Lobster activity (used for detection only).
    static func looksLikeActivity(_ value: JSONValue) -> Bool {
        guard case .object(let o) = value, o["id"]?.stringValue != nil, o["type"] != nil, o["timestamp"] != nil else {
            return false
        }
        return o["agent"] != nil || o["inputs"] != nil || o["outputs"] != nil
    }

    /// Whether the first lines of `bytes` hold a Lobster activity (detection of a JSONL file
    /// whose first line may be the broken one).
    static func containsActivity(_ bytes: [UInt8], scanningLines limit: Int = 50) -> Bool {
        var seen = 0
        var start = 0
        let n = bytes.count
        while start < n, seen < limit {
            let end = bytes.withUnsafeBufferPointer { nextLineBreak(in: $0, from: start) }
            defer { start = end + 1 }
            guard end > start, let stripped = strippedLine(bytes[start..<end]) else { continue }
            if stripped.isEmpty { continue }
            seen += 1
            if let doc = try? JSONReader.read(stripped, options: .legacy), looksLikeActivity(doc.value) { return true }
        }
        return false
    }

    private mutating func readLine(_ raw: ArraySlice<UInt8>, number: Int) {
        // The line's text is only built for a line that is skipped (it is kept in `state`).
        var text: String { String(decoding: raw, as: UTF8.self) }
        guard let stripped = LobsterProvenanceLog.strippedLine(raw) else {
            skipped.append(Skipped(number: number, reason: "not valid UTF-8", text: text))
            return
        }
        if stripped.isEmpty { return }
        let document: JSONDocument
        do {
            document = try JSONReader.read(stripped, options: .legacy)
        } catch {
            skipped.append(
                Skipped(
                    number: number, reason: "not valid JSON (\(error.reason) at column \(error.column))", text: text))
            return
        }
        guard case .object(let record) = document.value else {
            skipped.append(
                Skipped(number: number, reason: "a JSON \(document.value.kindName), not an activity object", text: text)
            )
            return
        }
        switch record["v"] {
        case .int(1)?, .float(1.0)?, .bool(true)?: break
        case nil:
            skipped.append(Skipped(number: number, reason: "no \"v\" (record version) member", text: text))
            return
        case let v?:
            skipped.append(
                Skipped(
                    number: number, reason: "unsupported record version v=\(PythonJSONWriter().string(v))", text: text))
            return
        }
        for w in document.warnings {
            readerWarnings.append(ImportWarning(LobsterProvenanceLog.code(of: w.kind), "line \(number)", w.description))
        }
        lines.append(Line(number: number, activity: record))
    }

    static func code(of kind: JSONReadWarning.Kind) -> String {
        switch kind {
        case .duplicateKey: return "duplicate-key"
        case .nonFiniteToken, .floatOverflow: return "non-finite-number"
        case .loneSurrogate: return "lone-surrogate"
        }
    }

    /// The bytes of a line as the app reads it, `line.strip()`ped, or nil when they are not
    /// UTF-8. Works on the bytes (no text is built): ASCII white space is trimmed here, and
    /// only a line that starts or ends with a non-ASCII byte goes through ``pythonStrip(_:)``.
    static func strippedLine(_ raw: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard raw.withUnsafeBufferPointer({ isASCII($0) || validatedString($0) != nil }) else { return nil }
        var lower = raw.startIndex
        var upper = raw.endIndex
        while lower < upper, isASCIIPythonSpace(raw[lower]) { lower += 1 }
        while upper > lower, isASCIIPythonSpace(raw[upper - 1]) { upper -= 1 }
        if lower < upper, raw[lower] >= 0x80 || raw[upper - 1] >= 0x80 {
            return ArraySlice(pythonStrip(String(decoding: raw[lower..<upper], as: UTF8.self)).utf8)
        }
        return raw[lower..<upper]
    }

    /// ``isPythonSpace(_:)`` for one ASCII byte.
    @inline(__always)
    static func isASCIIPythonSpace(_ b: UInt8) -> Bool { (0x09...0x0D).contains(b) || (0x1C...0x20).contains(b) }

    /// Python's `str.strip()` with no argument: removes Unicode whitespace at both ends.
    static func pythonStrip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isPythonSpace($0) }),
            let last = scalars.lastIndex(where: { !isPythonSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }

    /// `str.isspace()` for one character: the ASCII controls 0x09–0x0D and 0x1C–0x1F, space,
    /// and the Unicode separators and spaces.
    static func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default: return false
        }
    }
}
