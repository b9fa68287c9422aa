import Foundation
import Testing

/// Runs the built `sessionsync` binary, as a user would (STYLE.md: CLI tests run the product).
enum CLI {
    /// The package root, from this file's path.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The `sessionsync` built next to this test binary (same configuration).
    static let binary: String = {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test binary may sit inside a bundle folder (…/X.xctest/…); walk up to the products folder.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("sessionsync").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return packageRoot + "/.build/debug/sessionsync"
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary with `arguments` in `directory`, with no terminal and `NO_COLOR` unset
    /// unless given. Standard input is empty.
    @discardableResult
    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws
        -> Result
    {
        try runProcess(binary, arguments, in: directory, environment: environment)
    }

    static func runProcess(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]
    ) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Read both pipes concurrently so a full pipe never blocks the child.
        let errData = Locked(Data())
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }

    /// Runs `/usr/bin/env NAME ARGS…` (python3, git) as an independent witness.
    @discardableResult
    static func tool(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws
        -> Result
    {
        try runProcess("/usr/bin/env", arguments, in: directory, environment: environment)
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sessionsync-cli-" + UUID().uuidString)
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A value set once by another thread.
final class Locked<T>: @unchecked Sendable {
    private var stored: T
    private var done = false
    private let lock = NSLock()
    init(_ value: T) { stored = value }
    func set(_ value: T) {
        lock.lock()
        stored = value
        done = true
        lock.unlock()
    }
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }
    var value: T {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

extension CLI {
    /// Compares `text` with a golden file under Fixtures/ byte for byte; `SESSIONSYNC_RECORD=1`
    /// rewrites it instead (never edit goldens by hand).
    static func expectGolden(_ text: String, _ relative: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let path = packageRoot + "/Fixtures/" + relative
        if ProcessInfo.processInfo.environment["SESSIONSYNC_RECORD"] == "1" {
            try? write(text, to: path)
            return
        }
        guard let golden = read(path) else {
            Issue.record(
                "golden \(relative) is missing (record with SESSIONSYNC_RECORD=1)", sourceLocation: sourceLocation)
            return
        }
        if golden != text {
            let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let b = text.split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record(
                "\(relative) differs at line \(i + 1): golden `\(i < a.count ? a[i] : "<end>")`, got `\(i < b.count ? b[i] : "<end>")`",
                sourceLocation: sourceLocation)
        }
    }

    /// Every file under `root`, relative path -> bytes.
    static func tree(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for rel in (FileManager.default.subpaths(atPath: root) ?? []) {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = FileManager.default.contents(atPath: root + "/" + rel)
            }
        }
        return out
    }
}
