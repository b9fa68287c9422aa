import Foundation
import Git
import Testing

@Suite struct CheckoutTests {
    static func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    @Test func checkedOutBranchFollowsEachCommit() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: false, initialBranch: "main")
            let first = try commitFiles(
                repository, ["sessions/ab/ab.json": "{\"v\": 1}\n", "sessions/cd/cd.json": "{}\n"], parent: nil,
                message: "one\n")
            let firstTree = try repository.commit(first).tree
            try repository.updateReference("refs/heads/main", to: first, expecting: nil, logMessage: "one")
            #expect(try repository.checkoutIfBranchCheckedOut(branch: "main", oldTree: nil, newTree: firstTree))
            #expect(try git(["status", "--porcelain"], in: root) == "")
            #expect(try Self.read(root + "/sessions/ab/ab.json") == "{\"v\": 1}\n")

            let second = try commitFiles(
                repository,
                [
                    "sessions/ab/ab.json": "{\"v\": 2}\n", "sessions/cd/cd.json": nil,
                    "sessions/ef/ef.json": "{\"new\": true}\n",
                ],
                parent: first, message: "two\n")
            let secondTree = try repository.commit(second).tree
            try repository.updateReference("refs/heads/main", to: second, expecting: first, logMessage: "two")
            #expect(
                try repository.checkoutIfBranchCheckedOut(
                    branch: "refs/heads/main", oldTree: firstTree, newTree: secondTree))
            #expect(try git(["status", "--porcelain"], in: root) == "")
            #expect(try Self.read(root + "/sessions/ab/ab.json") == "{\"v\": 2}\n")
            #expect(try Self.read(root + "/sessions/ef/ef.json") == "{\"new\": true}\n")
            #expect(!FileManager.default.fileExists(atPath: root + "/sessions/cd"))
            #expect(try git(["ls-files"], in: root) == "sessions/ab/ab.json\nsessions/ef/ef.json\n")

            // Another branch moving leaves the work tree alone.
            let side = try commitFiles(repository, ["side.txt": "side\n"], parent: second, message: "side\n")
            try repository.updateReference("refs/heads/side", to: side, expecting: nil, logMessage: "side")
            #expect(
                try !repository.checkoutIfBranchCheckedOut(
                    branch: "side", oldTree: secondTree, newTree: try repository.commit(side).tree))
            #expect(!FileManager.default.fileExists(atPath: root + "/side.txt"))

            // A user's edit is never overwritten: the checkout refuses and the edit stays.
            try Data("{\"mine\": 1}\n".utf8).write(to: URL(fileURLWithPath: root + "/sessions/ab/ab.json"))
            let third = try commitFiles(
                repository, ["sessions/ab/ab.json": "{\"v\": 3}\n"], parent: second, message: "three\n")
            try repository.updateReference("refs/heads/main", to: third, expecting: second, logMessage: "three")
            expectGitError(.conflict) {
                try repository.checkoutIfBranchCheckedOut(
                    branch: "main", oldTree: secondTree, newTree: try repository.commit(third).tree)
            }
            #expect(try Self.read(root + "/sessions/ab/ab.json") == "{\"mine\": 1}\n")
        }
    }

    @Test func bareRepositoriesHaveNoWorkTree() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let first = try commitFiles(repository, ["a": "1"], parent: nil, message: "one\n")
            try repository.updateReference("refs/heads/main", to: first, expecting: nil, logMessage: "one")
            #expect(
                try !repository.checkoutIfBranchCheckedOut(
                    branch: "main", oldTree: nil, newTree: try repository.commit(first).tree))
            #expect(!FileManager.default.fileExists(atPath: root + "/a"))
        }
    }
}
