// Benchmark of the bulk write paths, run by scripts/bench-packwriter [commits] [--new-only].
// Writes the objects of N commits shaped like `sessionsync migrate --repo` (a ~5 KB JSON
// document, three trees `/`, `sessions/`, `sessions/<2>/`, a commit) into a fresh bare
// repository, in batches of 2,000 commits, once through `PackWriter` and once through the old
// `withPackedWrites` path, and prints objects/s, commits/s and pack size.
import Foundation
import Git

let commits = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 10_000
let batchSize = 2_000
let sessions = max(1, commits * 7 / 10)

func sessionID(_ session: Int) -> String {
    String(format: "%08x-aaaa-4000-8000-%012x", UInt32(truncatingIfNeeded: session &* 2_654_435_761), session)
}

/// About 5 KB, growing by one audit entry per version.
func document(_ session: Int, _ version: Int) -> [UInt8] {
    var text =
        "{\n  \"session_id\": \"\(sessionID(session))\",\n  \"updated_at\": \(1_700_000_000 + version),\n  \"audit_log\": [\n"
    for entry in 0..<(72 + version) {
        text +=
            "    {\"id\": \"e-\(entry)\", \"action\": \"lock\", \"user\": \"user-\(session % 13)\", \"n\": \(entry * 31 % 977)},\n"
    }
    text += "    {\"id\": \"end\"}\n  ],\n  \"state\": {\"locked\": \(version % 2 == 0)}\n}\n"
    return Array(text.utf8)
}

/// Generated before the clocks start, so that both paths are timed on object writing alone.
let documents = (0..<commits).map { document($0 % sessions, $0 / sessions) }

func signature(_ index: Int) -> Signature {
    Signature(name: "SessionSync", email: "sync@example.invalid", time: 1_700_000_000 + Int64(index), offsetMinutes: 0)
}

func packBytes(_ root: String) throws -> Int {
    let folder = root + "/objects/pack"
    return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".pack") }.reduce(0) {
        $0 + (try FileManager.default.attributesOfItem(atPath: folder + "/" + $1)[.size] as! Int)
    }
}

func report(_ name: String, objects: Int, seconds: Double, flushSeconds: Double, root: String) throws {
    let megabytes = Double(try packBytes(root)) / 1_048_576
    print(
        String(
            format:
                "%@ %6d commits %7d objects %6.2f s (flush %5.2f s)  %8.0f objects/s %7.0f commits/s  packs %6.1f MB",
            name.padding(toLength: 22, withPad: " ", startingAt: 0) as NSString, commits, objects, seconds,
            flushSeconds, Double(objects) / seconds, Double(commits) / seconds,
            megabytes))
}

func temporaryRepository(_ name: String) throws -> (String, Repository) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(name)-\(UUID().uuidString)").path
    return (root, try Repository.create(at: root, bare: true, initialBranch: "main"))
}

/// The new path: raw objects built in memory, deltas against the previous versions.
func packWriterRun(durable: Bool) throws {
    let (root, repository) = try temporaryRepository("packwriter")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let writer = try PackWriter(repository: repository)
    var folders: [String: [String: TreeEntry]] = [:]
    var previousTree: [String: ObjectID] = [:]
    var previousBlob: [Int: ObjectID] = [:]
    var tip: ObjectID? = nil
    var published: ObjectID? = nil
    var objects = 0
    var flushSeconds = 0.0
    let start = Date()
    for index in 0..<commits {
        let session = index % sessions
        let id = sessionID(session)
        let blob = try writer.add(.blob, documents[index], deltaBase: previousBlob[session])
        previousBlob[session] = blob
        let prefix = String(id.prefix(2))
        folders["sessions/" + prefix, default: [:]][id + ".json"] = TreeEntry(
            name: id + ".json", id: blob, kind: .blob, mode: .blob)
        let leaf = try writer.add(
            .tree, RawObject.tree(entries: Array(folders["sessions/" + prefix]!.values)),
            deltaBase: previousTree[prefix])
        previousTree[prefix] = leaf
        folders["sessions", default: [:]][prefix] = TreeEntry(name: prefix, id: leaf, kind: .tree, mode: .tree)
        let middle = try writer.add(
            .tree, RawObject.tree(entries: Array(folders["sessions"]!.values)), deltaBase: previousTree["sessions"])
        previousTree["sessions"] = middle
        let rootTree = try writer.add(
            .tree, RawObject.tree(entries: [TreeEntry(name: "sessions", id: middle, kind: .tree, mode: .tree)]),
            deltaBase: previousTree[""])
        previousTree[""] = rootTree
        tip = try writer.add(
            .commit,
            RawObject.commit(
                tree: rootTree, parents: tip.map { [$0] } ?? [], author: signature(index), committer: signature(index),
                message: "lock.data: session \(id)\n\nSession-Id: \(id)\n"))
        if (index + 1) % batchSize == 0 || index == commits - 1 {
            let flushStart = Date()
            objects += try writer.flush(durable: durable).objectCount
            flushSeconds += Date().timeIntervalSince(flushStart)
            try repository.updateReference("refs/heads/main", to: tip!, expecting: published, logMessage: "bench")
            published = tip
        }
    }
    let seconds = Date().timeIntervalSince(start)
    try report(
        "PackWriter" + (durable ? "" : " (no fsync)"), objects: objects, seconds: seconds, flushSeconds: flushSeconds,
        root: root)
}

/// The old path: libgit2 writes into its mempack, `updatingTree` builds trees, the packbuilder flushes.
func packedWritesRun() throws {
    let (root, repository) = try temporaryRepository("packed")
    defer { try? FileManager.default.removeItem(atPath: root) }
    var tip: ObjectID? = nil
    var tree: ObjectID? = nil
    var objects = 0
    var flushSeconds = 0.0
    let start = Date()
    var index = 0
    while index < commits {
        let end = min(index + batchSize, commits)
        try repository.withPackedWrites { batch in
            for commit in index..<end {
                let id = sessionID(commit % sessions)
                let blob = try repository.writeBlob(documents[commit])
                tree = try repository.updatingTree(
                    tree, set: [(path: "sessions/\(id.prefix(2))/\(id).json", blob: blob)])
                tip = try repository.createCommit(
                    tree: tree!, parents: tip.map { [$0] } ?? [], author: signature(commit),
                    committer: signature(commit),
                    message: "lock.data: session \(id)\n\nSession-Id: \(id)\n")
            }
            let flushStart = Date()
            objects += try batch.flush().objectCount
            flushSeconds += Date().timeIntervalSince(flushStart)
        }
        index = end
    }
    let seconds = Date().timeIntervalSince(start)
    try report("withPackedWrites", objects: objects, seconds: seconds, flushSeconds: flushSeconds, root: root)
}

/// Object ids: swift-crypto's SHA-1 (PackWriter) against libgit2's collision-detecting one.
func hashRun() throws {
    let (root, repository) = try temporaryRepository("hash")
    defer { try? FileManager.default.removeItem(atPath: root) }
    let blobs = (0..<2_000).map { document($0, $0 % 10) }
    var start = Date()
    var sink = 0
    for _ in 0..<5 { for blob in blobs { sink &+= RawObject.id(of: .blob, blob).hashValue } }
    let crypto = Date().timeIntervalSince(start) / 10_000
    start = Date()
    for _ in 0..<5 { for blob in blobs { sink &+= try repository.hashBlob(blob).hashValue } }
    let libgit2 = Date().timeIntervalSince(start) / 10_000
    print(
        String(
            format: "SHA-1 of a %d-byte blob: swift-crypto %.1f µs, git_odb_hash %.1f µs (%d)", blobs[0].count,
            crypto * 1e6, libgit2 * 1e6, sink & 1))
}

print("\(commits) documents of \(documents.map(\.count).min()!)...\(documents.map(\.count).max()!) bytes")
try hashRun()
try packWriterRun(durable: true)
try packWriterRun(durable: false)
if !CommandLine.arguments.contains("--new-only") { try packedWritesRun() }
