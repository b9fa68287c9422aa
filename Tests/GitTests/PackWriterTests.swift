import Foundation
import Git
import Testing

/// A store shaped like SessionSync's (`sessions/<2>/<id>.json`), written as raw objects through a
/// `PackWriter`, each tree as a delta against its previous version and each document against
/// the session's previous one.
private struct RawStore {
    /// Path to the entries of that folder ("" is the root), name-keyed.
    var folders: [String: [String: TreeEntry]] = ["": [:]]
    var previousTree: [String: ObjectID] = [:]
    var previousBlob: [String: ObjectID] = [:]
    var tip: ObjectID?
    var rootTree: ObjectID?

    /// Writes blob, the three trees along its path, and a commit.
    mutating func commit(_ path: String, _ content: [UInt8], time: Int64, writer: PackWriter) throws -> ObjectID {
        let blob = try writer.add(.blob, content, deltaBase: previousBlob[path])
        previousBlob[path] = blob
        var components = path.split(separator: "/").map(String.init)
        var child = TreeEntry(name: components.removeLast(), id: blob, kind: .blob, mode: .blob)
        while true {
            let folder = components.joined(separator: "/")
            folders[folder, default: [:]][child.name] = child
            let tree = try writer.add(
                .tree, RawObject.tree(entries: Array(folders[folder]!.values)), deltaBase: previousTree[folder])
            previousTree[folder] = tree
            guard let name = components.popLast() else {
                rootTree = tree
                break
            }
            child = TreeEntry(name: name, id: tree, kind: .tree, mode: .tree)
        }
        let signature = Signature(name: "SessionSync", email: "sync@example.invalid", time: time, offsetMinutes: 0)
        tip = try writer.add(
            .commit,
            RawObject.commit(
                tree: rootTree!, parents: tip.map { [$0] } ?? [], author: signature, committer: signature,
                message: "lock: \(path) at \(time)\n"),
            deltaBase: tip)
        return tip!
    }
}

/// A canonical-looking session document that grows in the middle (the audit log) and changes
/// near the top (the update time), like a session's successive snapshots.
private func document(session: Int, version: Int) -> [UInt8] {
    var text =
        "{\n  \"session_id\": \"s-\(session)\",\n  \"updated_at\": \(1_700_000_000 + version),\n  \"audit_log\": [\n"
    for entry in 0...version {
        text +=
            "    {\"id\": \"e-\(session)-\(entry)\", \"action\": \"lock\", \"note\": \"entry \(entry) of session \(session) with some padding text\"},\n"
    }
    text +=
        "    {\"id\": \"end\"}\n  ],\n  \"state\": {\"locked\": \(version % 2 == 0), \"owner\": \"user-\(session % 7)\"}\n}\n"
    return Array(text.utf8)
}

private func sessionPath(_ session: Int) -> String {
    // Sixteen folders of seven or eight sessions: folder trees big enough to be worth a delta.
    let id = String(format: "%02x%06x-aaaa-4000-8000-%012x", session % 16, session &* 40_503 & 0xff_ffff, session)
    return "sessions/\(id.prefix(2))/\(id).json"
}

@Suite struct PackWriterTests {
    static func packFiles(_ root: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root + "/objects/pack").filter { $0.hasSuffix(".pack") }
            .sorted()
    }

    static func countObjects(_ root: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for line in try git(["count-objects", "-v"], in: root).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            values[parts[0]] = parts[1]
        }
        return values
    }

    /// `git verify-pack -v` of one pack: the type and delta depth of each object, and the
    /// chain-length histogram's lengths.
    static func verifyPack(_ root: String, _ pack: String) throws -> (
        depth: [String: (type: String, depth: Int)], chains: [Int]
    ) {
        let output = try git(["verify-pack", "-v", "objects/pack/" + pack], in: root)
        var depth: [String: (type: String, depth: Int)] = [:]
        var chains: [Int] = []
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("chain length = ") {
                chains.append(Int(fields[3].dropLast())!)
            } else if fields.count >= 5, fields[0].count == 40 {
                depth[String(fields[0])] = (String(fields[1]), fields.count >= 7 ? Int(fields[5])! : 0)
            }
        }
        return (depth, chains)
    }

    @Test func rawTreesAndCommitsHaveLibgit2sAndGitsIDs() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let blob = try repository.writeBlob(bytes("content\n"))
            let tool = try repository.writeBlob(bytes("#!/bin/sh\n"))
            let link = try repository.writeBlob(bytes("target"))
            let inner = try TreeBuilder(repository: repository)
            try inner.insert(name: "x.json", id: blob, mode: .blob)
            let innerID = try inner.write()
            // Names that sort differently as trees ("a/" > "a-b", "a.b") than as files.
            let given: [TreeEntry] = [
                TreeEntry(name: "a", id: innerID, kind: .tree, mode: .tree),
                TreeEntry(name: "a-b", id: blob, kind: .blob, mode: .blob),
                TreeEntry(name: "a.b", id: tool, kind: .blob, mode: .executable),
                TreeEntry(name: "a0", id: link, kind: .blob, mode: .link),
                TreeEntry(name: "Z", id: blob, kind: .blob, mode: .blob),
                TreeEntry(name: "é", id: blob, kind: .blob, mode: .blob),
                TreeEntry(name: "sub", id: innerID, kind: .tree, mode: .tree),
            ]
            let builder = try TreeBuilder(repository: repository)
            for entry in given { try builder.insert(name: entry.name, id: entry.id, mode: entry.mode) }
            let libgit2Tree = try builder.write()
            for order in [given, given.reversed(), given.shuffled()] {
                #expect(RawObject.id(of: .tree, RawObject.tree(entries: order)) == libgit2Tree)
            }
            let mktreeInput = given.map { entry in
                let type = entry.mode == .tree ? "tree" : "blob"
                return
                    "\(String(entry.mode.rawValue, radix: 8).leftPadded(to: 6)) \(type) \(entry.id.hex)\t\(entry.name)\n"
            }.joined()
            let mktree = try git(["mktree"], in: root, input: bytes(mktreeInput)).trimmingCharacters(in: .newlines)
            #expect(mktree == libgit2Tree.hex)
            #expect(
                RawObject.id(of: .tree, RawObject.tree(entries: [])).hex == "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
            // Many names sharing their first eight bytes or more, trees and files mixed, shuffled.
            let many = (0..<300).map { index in
                let name = "session-\(index % 7)\(index % 3 == 0 ? "" : "-\(index)")" + (index % 5 == 0 ? ".json" : "")
                return index % 4 == 0
                    ? TreeEntry(name: name, id: innerID, kind: .tree, mode: .tree)
                    : TreeEntry(name: name, id: blob, kind: .blob, mode: .blob)
            }
            var unique: [String: TreeEntry] = [:]
            for entry in many { unique[entry.name] = entry }
            let manyBuilder = try TreeBuilder(repository: repository)
            for entry in unique.values { try manyBuilder.insert(name: entry.name, id: entry.id, mode: entry.mode) }
            #expect(
                RawObject.id(of: .tree, RawObject.tree(entries: unique.values.shuffled())) == (try manyBuilder.write()))
            // A submodule entry, which only raw trees and mktree can hold without the commit.
            let submodule = ObjectID(hex: String(repeating: "5a", count: 20))!
            let gitlink = TreeEntry(name: "module", id: submodule, kind: .commit, mode: .commit)
            let withLink = try git(
                ["mktree"], in: root, input: bytes("160000 commit \(submodule.hex)\tmodule\n")
            ).trimmingCharacters(in: .newlines)
            #expect(RawObject.id(of: .tree, RawObject.tree(entries: [gitlink])).hex == withLink)

            let offsets: [Int32] = [0, 90, -300, 330, -720, 840, -1]
            for (index, offset) in offsets.enumerated() {
                let author = Signature(
                    name: " Ann Example ", email: "ann@example.com\t", time: 1_600_000_000 + Int64(index),
                    offsetMinutes: offset)
                let committer = Signature(
                    name: "Bot", email: "bot@example.invalid", time: 1_700_000_000, offsetMinutes: -offset)
                let message = index == 1 ? "no newline" : "Subject \(index)\n\nBody line\nTrailer: x\n"
                // None, one, and (once) two parents; libgit2 checks that they are commits.
                let realParents = try (0..<(index == 0 ? 0 : index == 3 ? 2 : 1)).map { parent in
                    try repository.createCommit(
                        tree: innerID, parents: [], author: alice, committer: alice, message: "parent \(parent)\n")
                }
                let libgit2 = try repository.createCommit(
                    tree: libgit2Tree, parents: realParents, author: author, committer: committer, message: message)
                let raw = RawObject.commit(
                    tree: libgit2Tree, parents: realParents, author: author, committer: committer, message: message)
                #expect(RawObject.id(of: .commit, raw) == libgit2, "offset \(offset)")
                #expect(try repository.commit(libgit2).author.offsetMinutes == offset)
                let catFile = try git(["cat-file", "commit", libgit2.hex], in: root)
                #expect(Array(catFile.utf8) == raw)
            }
            // git commit-tree as witness, with its identity given through the environment.
            let environment = [
                "GIT_AUTHOR_NAME": "Ann Example", "GIT_AUTHOR_EMAIL": "ann@example.com",
                "GIT_AUTHOR_DATE": "@1600000000 +0130", "GIT_COMMITTER_NAME": "Bot",
                "GIT_COMMITTER_EMAIL": "bot@example.invalid", "GIT_COMMITTER_DATE": "@1700000000 -0500",
            ]
            let commitTree = try gitLine(
                ["commit-tree", libgit2Tree.hex, "-m", "Subject"], in: root, environment: environment)
            let raw = RawObject.commit(
                tree: libgit2Tree, parents: [],
                author: Signature(
                    name: "Ann Example", email: "ann@example.com", time: 1_600_000_000, offsetMinutes: 90),
                committer: Signature(
                    name: "Bot", email: "bot@example.invalid", time: 1_700_000_000, offsetMinutes: -300),
                message: "Subject\n")
            #expect(RawObject.id(of: .commit, raw).hex == commitTree)
            #expect(RawObject.id(of: .blob, bytes("content\n")) == blob)
        }
    }

    @Test func threeThousandCommitsInTwoPacks() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let writer = try PackWriter(repository: repository)
            var store = RawStore()
            var versions: [Int: Int] = [:]
            var commits: [ObjectID] = []
            var results: [PackFlushResult] = []
            let sessions = 120
            for index in 0..<3_000 {
                let session = (index * 7) % sessions
                let version = versions[session, default: 0]
                versions[session] = version + 1
                commits.append(
                    try store.commit(
                        sessionPath(session), document(session: session, version: version),
                        time: 1_700_000_000 + Int64(index),
                        writer: writer))
                if index == 1_499 {
                    #expect(writer.count >= 1_500 * 5 - 20)
                    // Not on disk yet, so no reference can point at it.
                    #expect(throws: GitError.self) {
                        try repository.updateReference(
                            "refs/heads/main", to: commits.last!, expecting: nil, logMessage: "early")
                    }
                    results.append(try writer.flush())
                    #expect(writer.count == 0)
                    try repository.updateReference(
                        "refs/heads/main", to: commits.last!, expecting: nil, logMessage: "half")
                }
            }
            results.append(try writer.flush(durable: false))
            try repository.updateReference(
                "refs/heads/main", to: commits.last!, expecting: commits[1_499], logMessage: "all")

            let packs = try Self.packFiles(root)
            #expect(packs.count == 2)
            #expect(Set(packs) == Set(results.compactMap { $0.packName.map { $0 + ".pack" } }))
            let objects = try Self.countObjects(root)
            #expect(objects["count"] == "0")
            #expect(objects["packs"] == "2")
            #expect(objects["in-pack"] == "\(results.reduce(0) { $0 + $1.objectCount })")
            try git(["fsck", "--strict", "--no-dangling"], in: root)
            #expect(try gitLine(["rev-list", "--count", "main"], in: root) == "3000")

            // Trees and documents are stored as deltas, and no chain is longer than the cap.
            for pack in packs {
                let (depth, chains) = try Self.verifyPack(root, pack)
                let deltaTrees = depth.values.filter { $0.type == "tree" && $0.depth > 0 }.count
                let deltaBlobs = depth.values.filter { $0.type == "blob" && $0.depth > 0 }.count
                #expect(deltaTrees > 2_500, "\(pack): \(deltaTrees) tree deltas")
                #expect(deltaBlobs > 1_000, "\(pack): \(deltaBlobs) blob deltas")
                #expect(!chains.isEmpty && chains.max()! <= PackWriter.maximumDeltaDepth, "\(chains)")
                #expect(chains.max()! == PackWriter.maximumDeltaDepth)
            }

            // Every object reads back, through this handle (no reopen needed) and through git,
            // and the history is the one libgit2 writes for the same content.
            var reference = RawStore()
            let check = try PackWriter(repository: repository)
            versions = [:]
            // (No object list on git's stdin: the test helper writes all input before reading.)
            let catFile = try git(["cat-file", "--batch-all-objects", "--batch-check"], in: root)
            let kinds = Dictionary(grouping: catFile.split(separator: "\n"), by: { $0.split(separator: " ")[1] })
            #expect(kinds["commit"]?.count == 3_000 && kinds["blob"]?.count == 3_000)
            for (index, commit) in commits.enumerated() {
                let session = (index * 7) % sessions
                let version = versions[session, default: 0]
                versions[session] = version + 1
                let content = document(session: session, version: version)
                let info = try repository.commit(commit)
                let entry = try #require(try repository.entry(atPath: sessionPath(session), inTree: info.tree))
                #expect(try repository.blob(entry.id) == content)
                #expect(entry.id == (try repository.hashBlob(content)))
                if index % 500 == 0 { _ = try repository.tree(info.tree) }
                #expect(
                    try reference.commit(
                        sessionPath(session), content, time: 1_700_000_000 + Int64(index), writer: check) == commit)
            }
            #expect(
                try git(["cat-file", "blob", "main:" + sessionPath(0)], in: root)
                    == String(decoding: document(session: 0, version: 24), as: UTF8.self))

            // libgit2's own writers give the same ids for the first commits.
            let witness = try Repository.create(at: root + "/witness", bare: true, initialBranch: "main")
            var tip: ObjectID? = nil
            var tree: ObjectID? = nil
            versions = [:]
            for index in 0..<40 {
                let session = (index * 7) % sessions
                let version = versions[session, default: 0]
                versions[session] = version + 1
                let blob = try witness.writeBlob(document(session: session, version: version))
                tree = try witness.updatingTree(tree, set: [(path: sessionPath(session), blob: blob)])
                let signature = Signature(
                    name: "SessionSync", email: "sync@example.invalid", time: 1_700_000_000 + Int64(index),
                    offsetMinutes: 0)
                tip = try witness.createCommit(
                    tree: tree!, parents: tip.map { [$0] } ?? [], author: signature, committer: signature,
                    message: "lock: \(sessionPath(session)) at \(1_700_000_000 + Int64(index))\n")
                #expect(tip == commits[index])
            }
        }
    }

    @Test func largeAndScatteredChangesRoundTrip() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let writer = try PackWriter(repository: repository)
            // 300 KB: copies longer than one instruction's 64 KiB, offsets past 16 bits.
            var big = (0..<300_000).map { UInt8(truncatingIfNeeded: ($0 * 7_919) >> 3) }
            var ids = [try writer.add(.blob, big)]
            var contents = [big]
            for round in 0..<6 {
                // Changes at the start, in the middle, near the end; an insertion and a deletion.
                big[round * 10] ^= 0xff
                big[150_000 + round] = UInt8(round)
                big.insert(contentsOf: Array("inserted \(round)".utf8), at: 200_000)
                big.removeSubrange(250_000..<250_100)
                big[big.count - 5] = UInt8(round)
                ids.append(try writer.add(.blob, big, deltaBase: ids.last))
                contents.append(big)
            }
            // Small and empty objects, a delta target that shares nothing with its base.
            ids.append(try writer.add(.blob, [], deltaBase: ids[0]))
            contents.append([])
            let unrelated = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 17) }
            ids.append(try writer.add(.blob, unrelated, deltaBase: ids[1]))
            contents.append(unrelated)
            #expect(writer.bytes(of: ids[3]) == contents[3])
            let result = try writer.flush()
            #expect(result.objectCount == ids.count)
            #expect(writer.bytes(of: ids[3]) == nil)
            for (id, content) in zip(ids, contents) {
                #expect(try repository.blob(id) == content)
            }
            let (depth, _) = try Self.verifyPack(root, try #require(result.packName) + ".pack")
            #expect((1...6).allSatisfy { depth[ids[$0].hex]?.depth == $0 })
            #expect(depth[ids[7].hex]?.depth == 0 && depth[ids[8].hex]?.depth == 0)
            // The deltas are small: the pack is about one deflated copy of the big blob.
            let size =
                try FileManager.default.attributesOfItem(atPath: root + "/objects/pack/" + result.packName! + ".pack")[
                    .size] as! Int
            #expect(size < 2 * 300_000)
            try git(["fsck", "--strict"], in: root)
        }
    }

    @Test func basesOutsideTheWriterOrOfAnotherKindAreIgnored() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let writer = try PackWriter(repository: repository)
            let text = Array(String(repeating: "a line of a growing document\n", count: 200).utf8)
            let first = try writer.add(.blob, text)
            try writer.flush()
            // `first` is on disk now, no longer in the writer: the next version is stored whole.
            #expect(!writer.contains(first))
            let second = try writer.add(.blob, text + Array("one more line\n".utf8), deltaBase: first)
            let unknown = ObjectID(hex: String(repeating: "ab", count: 20))!
            let third = try writer.add(.blob, text + Array("two more lines\n".utf8), deltaBase: unknown)
            // A tree cannot be a delta of a blob: a delta's result takes its base's type.
            let tree = try writer.add(
                .tree, RawObject.tree(entries: [TreeEntry(name: "f", id: second, kind: .blob, mode: .blob)]),
                deltaBase: second)
            // The same object twice is stored once.
            #expect(try writer.add(.blob, text + Array("one more line\n".utf8)) == second)
            #expect(writer.count == 3)
            #expect(writer.contains(second) && writer.contains(third) && writer.contains(tree))
            let result = try writer.flush()
            #expect(result.objectCount == 3)
            let (depth, _) = try Self.verifyPack(root, result.packName! + ".pack")
            #expect(depth.count == 3 && depth.values.allSatisfy { $0.depth == 0 })
            #expect(try repository.tree(tree).map(\.name) == ["f"])
            try git(["fsck", "--strict"], in: root)
        }
    }

    @Test func emptyFlushAndDroppedWriterChangeNothing() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let writer = try PackWriter(repository: repository)
            let nothing = try writer.flush()
            #expect(nothing.objectCount == 0 && nothing.packName == nil)
            var dropped: ObjectID? = nil
            do {
                let doomed = try PackWriter(repository: repository)
                dropped = try doomed.add(.blob, bytes("never flushed\n"))
                _ = try doomed.add(
                    .tree, RawObject.tree(entries: [TreeEntry(name: "x", id: dropped!, kind: .blob, mode: .blob)]))
                #expect(doomed.count == 2)
            }
            #expect(try Self.packFiles(root).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/objects/pack").isEmpty)
            #expect(try Self.countObjects(root)["count"] == "0")
            #expect(throws: GitCLIFailure.self) { try git(["cat-file", "-e", dropped!.hex], in: root) }
            expectGitError(.notFound) { _ = try repository.blob(dropped!) }
            try git(["fsck", "--strict"], in: root)
        }
    }

    @Test func retainedBytesAreBounded() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let writer = try PackWriter(repository: repository)
            writer.retainedBytesLimit = 10_000
            let first = try writer.add(.blob, Array(repeating: 1, count: 6_000))
            let second = try writer.add(.blob, Array(repeating: 2, count: 6_000))
            #expect(writer.bytes(of: first) == nil)
            #expect(writer.bytes(of: second)?.count == 6_000)
            // Without its base's bytes, a new version is stored whole; still correct.
            let third = try writer.add(.blob, Array(repeating: 1, count: 6_001), deltaBase: first)
            let result = try writer.flush()
            let (depth, _) = try Self.verifyPack(root, result.packName! + ".pack")
            #expect(depth[third.hex]?.depth == 0)
            #expect(try repository.blob(third).count == 6_001)
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
