import Foundation
import Git
import Testing

@Suite struct CommitTests {
    static let message = """
        lock.model: Titanium alloy screening (iteration 2)

        Body paragraph kept as written.
          Indented line, trailing spaces stay.  \("")

        Session-Id: 7d0c6f0e-5a4f-4b4e-9d7e-0c1b2a3d4e5f
        Audit-Entry: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
        Audit-Seq: 12
        Source-Format: alchemist/session-json@2

        """

    @Test func commitsAreByteExactAndTrailersAreReadableByGit() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let tree = try repository.updatingTree(
                nil, set: [(path: "sessions/7d/x.json", blob: try repository.writeBlob(bytes("{}\n")))])
            let id = try repository.createCommit(
                tree: tree, parents: [], author: alice, committer: robot, message: Self.message)
            // Creating a commit moves no reference.
            #expect(try repository.referenceTarget("HEAD") == nil)
            #expect(try repository.referenceTarget("refs/heads/main") == nil)

            let raw = try git(["cat-file", "commit", id.hex], in: root)
            #expect(
                raw == """
                    tree \(tree.hex)
                    author Alice Example <alice@example.com> 1700000000 +0130
                    committer SessionSync <sessionsync@example.invalid> 1700000100 -0500


                    """ + Self.message)
            #expect(
                try git(["log", "-1", "--format=%(trailers)", id.hex], in: root)
                    == """
                    Session-Id: 7d0c6f0e-5a4f-4b4e-9d7e-0c1b2a3d4e5f
                    Audit-Entry: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                    Audit-Seq: 12
                    Source-Format: alchemist/session-json@2


                    """)
            #expect(
                try git(["log", "-1", "--format=%(trailers:key=Audit-Seq,valueonly)", id.hex], in: root) == "12\n\n")
            #expect(
                try gitLine(["log", "-1", "--format=%s", id.hex], in: root)
                    == "lock.model: Titanium alloy screening (iteration 2)")

            let info = try repository.commit(id)
            #expect(info.id == id)
            #expect(info.tree == tree)
            #expect(info.parents == [])
            #expect(info.author == alice)
            #expect(info.committer == robot)
            #expect(info.message == Self.message)
            #expect(info.summary == "lock.model: Titanium alloy screening (iteration 2)")

            // Messages git itself would clean up are still stored exactly as given.
            let odd = "\n\nno final newline  "
            let oddID = try repository.createCommit(
                tree: tree, parents: [id], author: alice, committer: alice, message: odd)
            #expect(try git(["cat-file", "commit", oddID.hex], in: root).hasSuffix("\n" + odd))
            #expect(try repository.commit(oddID).message == odd)
            #expect(try repository.commit(oddID).parents == [id])
            try git(["fsck", "--strict"], in: root)
        }
    }

    @Test func commitIdsAreTheOnesGitCommitTreeComputes() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let tree = try repository.updatingTree(
                nil, set: [(path: "sessions/ab/ab.json", blob: try repository.writeBlob(bytes("{\"a\": 1}\n")))])
            let parent = try repository.createCommit(
                tree: tree, parents: [], author: alice, committer: robot, message: "first\n")
            let ours = try repository.createCommit(
                tree: tree, parents: [parent], author: alice, committer: robot, message: Self.message)

            let messageFile = root + "/message.txt"
            try Data(Self.message.utf8).write(to: URL(fileURLWithPath: messageFile))
            let environment = [
                "GIT_AUTHOR_NAME": alice.name, "GIT_AUTHOR_EMAIL": alice.email,
                "GIT_AUTHOR_DATE": "@1700000000 +0130",
                "GIT_COMMITTER_NAME": robot.name, "GIT_COMMITTER_EMAIL": robot.email,
                "GIT_COMMITTER_DATE": "@1700000100 -0500",
            ]
            let theirs = try gitLine(
                ["commit-tree", tree.hex, "-p", parent.hex, "-F", messageFile], in: root, environment: environment)
            #expect(ours.hex == theirs)

            // Same inputs in another repository: same id.
            let other = try Repository.create(at: root + "/other.git", bare: true, initialBranch: "main")
            let otherTree = try other.updatingTree(
                nil, set: [(path: "sessions/ab/ab.json", blob: try other.writeBlob(bytes("{\"a\": 1}\n")))])
            let otherParent = try other.createCommit(
                tree: otherTree, parents: [], author: alice, committer: robot, message: "first\n")
            #expect(
                try other.createCommit(
                    tree: otherTree, parents: [otherParent], author: alice, committer: robot, message: Self.message)
                    == ours)
        }
    }

    @Test func invalidCommitInputsAreRejected() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let tree = try repository.emptyTree()
            let missing = try repository.hashBlob(bytes("no such commit"))
            expectGitError(.other(-1)) {
                _ = try repository.createCommit(
                    tree: tree, parents: [missing], author: alice, committer: alice, message: "x\n")
            }
            let bad = Signature(name: "Eve <evil>", email: "eve@example.com", time: 0, offsetMinutes: 0)
            #expect(throws: GitError.self) {
                _ = try repository.createCommit(tree: tree, parents: [], author: bad, committer: alice, message: "x\n")
            }
            expectGitError(.notFound) { _ = try repository.commit(tree) }
        }
    }
}
