import Foundation
import Git
import Testing

@Suite struct HistoryTests {
    @Test func logListsNewestFirstLikeRevList() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            var tip: ObjectID? = nil
            var chain: [ObjectID] = []
            for step in 0..<5 {
                tip = try commitFiles(
                    repository, ["f": "\(step)"], parent: tip, message: "\(step)\n", time: 1_700_000_000 + Int64(step))
                chain.append(tip!)
            }
            // A side branch merged back, with a clock that goes backwards on the side.
            let side = try commitFiles(
                repository, ["g": "side"], parent: chain[1], message: "side\n", time: 1_600_000_000)
            let mergeTree = try repository.updatingTree(
                try repository.commit(chain[4]).tree, set: [(path: "g", blob: try repository.writeBlob(bytes("side")))])
            let merge = try repository.createCommit(
                tree: mergeTree, parents: [chain[4], side], author: alice, committer: alice, message: "merge\n")
            try repository.updateReference("refs/heads/main", to: merge, expecting: nil, logMessage: "create")

            let log = try repository.log(from: merge)
            #expect(log.count == 7)
            #expect(log.first == merge)
            #expect(log.last == chain[0])
            // Topological: every commit comes before its parents.
            for (index, id) in log.enumerated() {
                for parent in try repository.commit(id).parents {
                    #expect(log.firstIndex(of: parent)! > index)
                }
            }
            #expect(
                Set(log.map(\.hex))
                    == Set(try git(["rev-list", "main"], in: root).split(separator: "\n").map(String.init)))
            #expect(try repository.log(from: chain[4]) == chain.reversed())
            #expect(try repository.log(from: chain[4], limit: 2) == [chain[4], chain[3]])
            #expect(try repository.log(from: merge, hiding: [chain[4]]) == [merge, side])
        }
    }

    @Test func commitsTouchingAPathMatchGitLog() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let path = "sessions/ab/ab12.json"
            let steps: [[String: String?]] = [
                [path: "v1", "sessions/cd/cd.json": "c1"],
                ["sessions/cd/cd.json": "c2"],
                [path: "v2"],
                ["other": "x"],
                [path: "v2", "other": "y"],  // same content again: not a change of the blob
                [path: nil],
                ["other": "z"],
                [path: "v3"],
            ]
            var tip: ObjectID? = nil
            var commits: [ObjectID] = []
            for (index, files) in steps.enumerated() {
                tip = try commitFiles(
                    repository, files, parent: tip, message: "step \(index)\n", time: 1_700_000_000 + Int64(index))
                commits.append(tip!)
            }
            try repository.updateReference("refs/heads/main", to: tip!, expecting: nil, logMessage: "create")
            let history = try repository.commits(touching: path, from: tip!)
            #expect(history.map(\.commit) == [commits[7], commits[5], commits[2], commits[0]])
            #expect(
                history.map(\.blob) == [
                    try repository.hashBlob(bytes("v3")), nil, try repository.hashBlob(bytes("v2")),
                    try repository.hashBlob(bytes("v1")),
                ])
            let gitSays = try git(["log", "--format=%H", "main", "--", path], in: root).split(separator: "\n").map(
                String.init)
            #expect(history.map(\.commit.hex) == gitSays)
            #expect(try repository.commits(touching: path, from: tip!, limit: 1).map(\.commit) == [commits[7]])
            #expect(try repository.commits(touching: "absent", from: tip!) == [])
        }
    }
}
