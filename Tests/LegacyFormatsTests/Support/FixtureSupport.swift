import Foundation
import LegacyFormats
import SessionModel
import Testing

/// Where the package's `Fixtures/` and `scripts/` live, found from this file's path.
enum Fixtures {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func path(_ relative: String) -> String { packageRoot + "/Fixtures/" + relative }

    static func bytes(_ relative: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(relative)) else {
            throw FixtureMissing(path: path(relative))
        }
        return [UInt8](data)
    }

    /// Compares `bytes` with the golden file byte for byte. With `SESSIONSYNC_RECORD=1` in the
    /// environment the golden file is (re)written instead: never edit expectations by hand.
    static func expectGolden(_ bytes: [UInt8], _ relative: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let goldenPath = path(relative)
        if ProcessInfo.processInfo.environment["SESSIONSYNC_RECORD"] == "1" {
            try? FileManager.default.createDirectory(
                atPath: (goldenPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: goldenPath, contents: Data(bytes))
            return
        }
        guard let golden = FileManager.default.contents(atPath: goldenPath).map({ [UInt8]($0) }) else {
            Issue.record(
                "golden file \(relative) is missing (record it with SESSIONSYNC_RECORD=1)",
                sourceLocation: sourceLocation)
            return
        }
        if golden != bytes {
            let a = String(decoding: golden, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let b = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) ?? min(a.count, b.count)
            let want = line < a.count ? String(a[line]) : "<end>"
            let got = line < b.count ? String(b[line]) : "<end>"
            Issue.record(
                "\(relative) differs at line \(line + 1): golden `\(want)`, got `\(got)`",
                sourceLocation: sourceLocation)
        }
    }

    /// Detects and imports one fixture file, as `migrate` would. `root` bounds related-file
    /// reads (default: the fixture's own folder).
    static func importFixture(_ relative: String, root: String? = nil, timeZone: String = "UTC") throws
        -> (DetectedFormat, [ImportedSession])
    {
        let full = path(relative)
        let file = SourceFile(path: full, displayPath: relative, bytes: try bytes(relative))
        let input = InputSniffer.parse(file)
        let context = ImportContext(
            options: try ImportOptions(assumeTimeZoneName: timeZone),
            related: RelatedFiles(root: root.map(path) ?? (full as NSString).deletingLastPathComponent))
        switch LegacySystems.detect(input, context: context) {
        case .recognized(let format, let importer):
            return (format, try importer.importSessions(input, as: format, context: context))
        case .notASession(let reason):
            throw FixtureMissing(path: "\(relative) is not a session: \(reason)")
        case .failed(let error):
            throw error
        }
    }

    /// Runs `scripts/json_same.py A B [--ignore PATH…]`: Python's own `json` reads both files
    /// and compares the values (NaN equal to NaN). Returns its output; empty means equal.
    static func pythonValueDifferences(_ a: String, _ b: String, ignoring: [String] = []) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", packageRoot + "/scripts/json_same.py", a, b] + ignoring.flatMap { ["--ignore", $0] }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: out, as: UTF8.self)
        if p.terminationStatus == 0 { return "" }
        return text.isEmpty ? "json_same.py exited \(p.terminationStatus)" : text
    }

    /// A fresh temporary folder, removed by the caller with `removeTemporary`.
    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sessionsync-test-" + UUID().uuidString)
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct FixtureMissing: Error, CustomStringConvertible {
    var path: String
    var description: String { "fixture problem: \(path)" }
}
