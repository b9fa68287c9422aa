import Foundation
import Git
import Testing

@Suite struct DiffTests {
    @Test func changedPathsMatchGitDiffTree() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            var files: [String: String?] = [:]
            for index in 0..<40 {
                let name = String(format: "%02x", index * 6)
                files["sessions/\(name)/\(name)-\(index).json"] = "{\"i\": \(index)}\n"
            }
            files["README"] = "readme\n"
            files["kind"] = "file becomes folder\n"
            let old = try commitFiles(repository, files, parent: nil, message: "old\n")
            let new = try commitFiles(
                repository,
                [
                    "sessions/00/00-0.json": "{\"i\": \"changed\"}\n",
                    "sessions/06/06-1.json": nil,
                    "sessions/ff/ff-new.json": "{\"new\": 1}\n",
                    "kind": nil, "kind/inner.json": "{}\n",
                ],
                parent: old, message: "new\n")
            let oldTree = try repository.commit(old).tree
            let newTree = try repository.commit(new).tree

            let changes = try repository.changedPaths(from: oldTree, to: newTree)
            let zero = String(repeating: "0", count: 40)
            let ours = changes.map { "\($0.old?.hex ?? zero) \($0.new?.hex ?? zero) \($0.path)" }
            let theirs = try git(["diff-tree", "-r", "--no-renames", oldTree.hex, newTree.hex], in: root)
                .split(separator: "\n").map { line in
                    let fields = line.split(separator: "\t", maxSplits: 1)
                    let meta = fields[0].split(separator: " ")
                    return "\(meta[2]) \(meta[3]) \(fields[1])"
                }
            #expect(ours == theirs)
            #expect(changes.count == 5)
            #expect(try repository.changedPaths(from: oldTree, to: oldTree) == [])
            #expect(try repository.changedPaths(from: nil, to: oldTree).count == 42)
            #expect(try repository.changedPaths(from: newTree, to: nil).allSatisfy { $0.new == nil })
        }
    }

    @Test func changedPathsNeverReadsUnchangedSubtrees() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let old = try commitFiles(
                repository, ["sessions/aa/a.json": "a\n", "sessions/bb/b.json": "b\n"], parent: nil, message: "old\n")
            let new = try commitFiles(repository, ["sessions/aa/a.json": "a2\n"], parent: old, message: "new\n")
            let oldTree = try repository.commit(old).tree
            let newTree = try repository.commit(new).tree
            // Remove the unchanged subtree from disk: a diff that followed the change alone
            // never notices.
            let unchanged = try #require(try repository.entry(atPath: "sessions/bb", inTree: newTree)).id
            let hex = unchanged.hex
            try FileManager.default.removeItem(atPath: "\(root)/objects/\(hex.prefix(2))/\(hex.dropFirst(2))")
            let fresh = try Repository.open(at: root)
            let changes = try fresh.changedPaths(from: oldTree, to: newTree)
            #expect(changes.map(\.path) == ["sessions/aa/a.json"])
            #expect(changes.first?.new == (try fresh.hashBlob(bytes("a2\n"))))
            #expect(throws: GitError.self) { _ = try fresh.tree(unchanged) }
        }
    }
}
