import Foundation
import Git
import Testing

@Suite struct ObjectTests {
    @Test func blobsHaveTheIdsGitComputes() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let content = bytes("{\n  \"format\": \"sessionsync/1\"\n}\n") + [0, 255, 10]
            let hashed = try repository.hashBlob(content)
            #expect(hashed.hex == (try gitLineWithInput(["hash-object", "--stdin"], in: root, input: content)))
            // Hashing writes nothing.
            #expect(throws: GitCLIFailure.self) { try git(["cat-file", "-e", hashed.hex], in: root) }

            let written = try repository.writeBlob(content)
            #expect(written == hashed)
            try git(["cat-file", "-e", written.hex], in: root)
            #expect(try repository.blob(written) == content)
            #expect(try gitLine(["cat-file", "-t", written.hex], in: root) == "blob")

            let empty = try repository.writeBlob([])
            #expect(empty.hex == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
            #expect(try repository.blob(empty) == [])

            let viaPointer = try content.withUnsafeBytes { try repository.writeBlob($0) }
            #expect(viaPointer == written)
            expectGitError(.notFound) { _ = try repository.blob(try repository.hashBlob(bytes("absent"))) }
        }
    }

    @Test func updatingTreeRewritesOnlyChangedSubtrees() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let one = try repository.writeBlob(bytes("one\n"))
            let two = try repository.writeBlob(bytes("two\n"))
            let three = try repository.writeBlob(bytes("three\n"))
            let first = try repository.updatingTree(
                nil,
                set: [
                    (path: "sessions/ab/ab01.json", blob: one), (path: "sessions/cd/cd01.json", blob: two),
                    (path: "README", blob: three),
                ])
            #expect(
                try git(["ls-tree", "-r", first.hex], in: root)
                    == """
                    100644 blob \(three.hex)\tREADME
                    100644 blob \(one.hex)\tsessions/ab/ab01.json
                    100644 blob \(two.hex)\tsessions/cd/cd01.json

                    """)
            let cdBefore = try #require(try repository.entry(atPath: "sessions/cd", inTree: first))
            #expect(cdBefore.kind == .tree && cdBefore.mode == .tree)

            let second = try repository.updatingTree(
                first, set: [(path: "sessions/ab/ab01.json", blob: three), (path: "sessions/ab/ab02.json", blob: two)])
            #expect(try repository.entry(atPath: "sessions/cd", inTree: second) == cdBefore)
            #expect(try repository.entry(atPath: "sessions/ab/ab01.json", inTree: second)?.id == three)
            #expect(try repository.entry(atPath: "sessions/ab/ab02.json", inTree: second)?.id == two)
            #expect(try repository.entry(atPath: "sessions/ab/missing.json", inTree: second) == nil)
            #expect(try repository.entry(atPath: "nothing/here", inTree: second) == nil)

            // Deleting the last file of a folder drops the folder; deleting an absent path is a no-op.
            let third = try repository.updatingTree(
                second, set: [(path: "sessions/cd/cd01.json", blob: nil), (path: "sessions/zz/none.json", blob: nil)])
            let sessions = try #require(try repository.entry(atPath: "sessions", inTree: third))
            #expect(try repository.tree(sessions.id).map(\.name) == ["ab"])
            #expect(try repository.updatingTree(third, set: []) == third)
            let emptied = try repository.updatingTree(
                third,
                set: [
                    (path: "sessions/ab/ab01.json", blob: nil), (path: "sessions/ab/ab02.json", blob: nil),
                    (path: "README", blob: nil),
                ])
            #expect(emptied == (try repository.emptyTree()))
            #expect(emptied.hex == "4b825dc642cb6eb9a060e54bf8d69288fbee4904")

            for bad in ["", "a//b", "../x", "a/./b", "/abs"] {
                expectGitError(.invalid) { _ = try repository.updatingTree(first, set: [(path: bad, blob: one)]) }
            }
            expectGitError(.invalid) { _ = try repository.updatingTree(first, set: [(path: ".git/x", blob: one)]) }
            expectGitError(.invalid) {
                _ = try repository.updatingTree(first, set: [(path: "a", blob: one), (path: "a/b", blob: two)])
            }
            try git(["fsck", "--strict", "--no-dangling"], in: root)
        }
    }

    @Test func treeBuilderAndTreeListing() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let blob = try repository.writeBlob(bytes("#!/bin/sh\n"))
            let builder = try TreeBuilder(repository: repository)
            try builder.insert(name: "run.sh", id: blob, mode: .executable)
            try builder.insert(name: "link", id: blob, mode: .link)
            try builder.insert(name: "plain", id: blob, mode: .blob)
            #expect(try builder.remove(name: "plain"))
            #expect(try !builder.remove(name: "plain"))
            let missing = try repository.hashBlob(bytes("never written"))
            expectGitError(.other(-1)) { try builder.insert(name: "ghost", id: missing, mode: .blob) }
            let tree = try builder.write()
            let entries = try repository.tree(tree)
            #expect(entries.map(\.name) == ["link", "run.sh"])
            #expect(entries.map(\.mode) == [.link, .executable])
            #expect(entries.allSatisfy { $0.kind == .blob && $0.id == blob })

            let sub = try TreeBuilder(repository: repository, base: tree)
            #expect(sub.count == 2)
            #expect(sub.entry(named: "run.sh")?.mode == .executable)
            try sub.insert(name: "dir", id: tree, mode: .tree)
            let nested = try sub.write()
            #expect(
                try gitLine(["ls-tree", "--name-only", "-r", nested.hex], in: root)
                    == "dir/link\ndir/run.sh\nlink\nrun.sh")
            #expect(try repository.entry(atPath: "dir/run.sh", inTree: nested)?.mode == .executable)
        }
    }
}

func gitLineWithInput(_ arguments: [String], in directory: String, input: [UInt8]) throws -> String {
    var text = try git(arguments, in: directory, input: input)
    if text.hasSuffix("\n") { text.removeLast() }
    return text
}
