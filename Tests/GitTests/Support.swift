import Foundation
import Git
import Testing

/// Runs `body` with a fresh temporary directory that is removed afterwards, so each test owns
/// its repositories and tests can run in parallel.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("GitTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// A failed `git` invocation, with what it printed.
struct GitCLIFailure: Error, CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let output: String
    var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(output)" }
}

/// The `git` command line as an independent witness of what the Git layer wrote. Runs with no
/// system or global config so the user's settings cannot change what it reports.
@discardableResult
func git(
    _ arguments: [String], in directory: String, environment: [String: String] = [:], input: [UInt8]? = nil
) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_CONFIG_GLOBAL"] = "/dev/null"
    env["LC_ALL"] = "C"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let stdout = Pipe()
    let stderr = Pipe()
    let stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input)) }
    try stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    let errors = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw GitCLIFailure(
            arguments: arguments, status: process.terminationStatus,
            output: String(decoding: output + errors, as: UTF8.self))
    }
    return String(decoding: output, as: UTF8.self)
}

/// `git` output without the final newline.
func gitLine(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> String {
    var text = try git(arguments, in: directory, environment: environment)
    if text.hasSuffix("\n") { text.removeLast() }
    return text
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

let alice = Signature(name: "Alice Example", email: "alice@example.com", time: 1_700_000_000, offsetMinutes: 90)
let robot = Signature(
    name: "SessionSync", email: "sessionsync@example.invalid", time: 1_700_000_100, offsetMinutes: -300)

/// Writes a commit holding `files` (path → content) on top of `parent`'s tree.
func commitFiles(
    _ repository: Repository, _ files: [String: String?], parent: ObjectID?, message: String,
    time: Int64 = 1_700_000_000
) throws -> ObjectID {
    let base = try parent.map { try repository.commit($0).tree }
    let changes = try files.sorted { $0.key < $1.key }.map { path, content in
        (path: path, blob: try content.map { try repository.writeBlob(bytes($0)) })
    }
    let tree = try repository.updatingTree(base, set: changes)
    let signature = Signature(name: "Tester", email: "tester@example.com", time: time, offsetMinutes: 0)
    return try repository.createCommit(
        tree: tree, parents: parent.map { [$0] } ?? [], author: signature, committer: signature, message: message)
}

/// Expects `body` to throw a `GitError` with `code`.
func expectGitError(_ code: GitError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void)
{
    do {
        try body()
        Issue.record("expected GitError \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as GitError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected GitError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
