import Foundation
import Git
import Testing

@Suite struct PackedWriteTests {
    static func packFiles(_ root: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root + "/objects/pack").filter { $0.hasSuffix(".pack") }
    }

    static func countObjects(_ root: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try git(["count-objects", "-v"], in: root).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            values[parts[0]] = parts[1]
        }
        return values
    }

    @Test func aBatchOfTwoThousandCommitsBecomesOnePack() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let count = 2_000
            let start = Date()
            let (tip, flushed) = try repository.withPackedWrites { batch in
                var tip: ObjectID? = nil
                var tree: ObjectID? = nil
                for index in 0..<count {
                    let id = String(format: "%08x-0000-4000-8000-%012x", index % 97, index % 97)
                    let blob = try repository.writeBlob(
                        bytes("{\n  \"session_id\": \"\(id)\",\n  \"seq\": \(index)\n}\n"))
                    tree = try repository.updatingTree(
                        tree, set: [(path: "sessions/\(id.prefix(2))/\(id).json", blob: blob)])
                    let signature = Signature(
                        name: "SessionSync", email: "sync@example.invalid", time: 1_700_000_000 + Int64(index),
                        offsetMinutes: 0)
                    tip = try repository.createCommit(
                        tree: tree!, parents: tip.map { [$0] } ?? [], author: signature, committer: signature,
                        message: "lock.data: session \(index)\n\nSession-Id: \(id)\n")
                    // Everything written in the batch is readable before the flush.
                    #expect(try repository.blob(blob).count > 0)
                    #expect(try repository.commit(tip!).tree == tree)
                }
                #expect(batch.pendingObjectCount > 3 * count / 2)
                // A reference must not point at an object that is only in memory.
                expectGitError(.invalid) {
                    try repository.updateReference("refs/heads/main", to: tip!, expecting: nil, logMessage: "too early")
                }
                #expect(try repository.referenceTarget("refs/heads/main") == nil)
                let flushed = try batch.flush()
                #expect(batch.pendingObjectCount == 0)
                try repository.updateReference("refs/heads/main", to: tip!, expecting: nil, logMessage: "import")
                return (tip!, flushed)
            }
            let seconds = Date().timeIntervalSince(start)
            print(
                "packed batch: \(count) commits in \(String(format: "%.2f", seconds)) s (\(Int(Double(count) / seconds)) commits/s)"
            )

            let packs = try Self.packFiles(root)
            #expect(packs.count == 1)
            #expect(packs == [try #require(flushed.packName) + ".pack"])
            #expect(flushed.objectCount >= 2 * count)
            let objects = try Self.countObjects(root)
            #expect(objects["count"] == "0")
            #expect(objects["in-pack"] == "\(flushed.objectCount)")
            try git(["fsck", "--strict", "--no-dangling"], in: root)
            #expect(try gitLine(["rev-list", "--count", "main"], in: root) == "\(count)")
            #expect(try gitLine(["rev-parse", "main"], in: root) == tip.hex)

            // After the batch, writes go to disk again (loose), not into a vanished memory store.
            let after = try repository.writeBlob(bytes("after the batch\n"))
            try git(["cat-file", "-e", after.hex], in: root)
            #expect(try Self.countObjects(root)["count"] == "1")
            // A fresh handle reads the packed objects from disk.
            let reopened = try Repository.open(at: root)
            #expect(try reopened.log(from: tip).count == count)
        }
    }

    @Test func severalFlushesAndNothingToFlush() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let existing = try repository.writeBlob(bytes("already on disk\n"))
            try repository.withPackedWrites { batch in
                let nothing = try batch.flush()
                #expect(nothing.objectCount == 0 && nothing.packName == nil)
                // Rewriting an object that is on disk does not repack it.
                #expect(try repository.writeBlob(bytes("already on disk\n")) == existing)
                #expect(batch.pendingObjectCount == 0)
                let first = try commitFiles(repository, ["a": "1"], parent: nil, message: "one\n")
                #expect(try batch.flush().objectCount == 3)
                try repository.updateReference("refs/heads/main", to: first, expecting: nil, logMessage: "one")
                let second = try commitFiles(repository, ["a": "2"], parent: first, message: "two\n")
                #expect(try batch.flush().objectCount == 3)
                try repository.updateReference("refs/heads/main", to: second, expecting: first, logMessage: "two")
                // Not reentrant.
                expectGitError(.invalid) { try repository.withPackedWrites { _ in } }
            }
            #expect(try Self.packFiles(root).count == 2)
            #expect(try Self.countObjects(root)["count"] == "1")
            try git(["fsck", "--strict", "--no-dangling"], in: root)
            #expect(try gitLine(["rev-list", "--count", "main"], in: root) == "2")
        }
    }

    @Test func aBatchThatThrowsLeavesNothingBehind() throws {
        struct Abort: Error {}
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            var written: ObjectID? = nil
            #expect(throws: Abort.self) {
                try repository.withPackedWrites { _ in
                    written = try repository.writeBlob(bytes("dropped\n"))
                    throw Abort()
                }
            }
            #expect(try Self.packFiles(root).isEmpty)
            #expect(try Self.countObjects(root)["count"] == "0")
            #expect(throws: GitCLIFailure.self) { try git(["cat-file", "-e", written!.hex], in: root) }
            // Pending objects left at the end of the body are flushed, not lost.
            let kept = try repository.withPackedWrites { _ in try repository.writeBlob(bytes("kept\n")) }
            #expect(try Self.packFiles(root).count == 1)
            try git(["cat-file", "-e", kept.hex], in: root)
        }
    }
}
