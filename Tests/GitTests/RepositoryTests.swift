import Foundation
import Git
import Testing

@Suite struct RepositoryTests {
    @Test func objectIDParsesAndOrdersLikeHex() throws {
        let hex = "0123456789abcdef0123456789ABCDEF01234567"
        let id = try #require(ObjectID(hex: hex))
        #expect(id.hex == hex.lowercased())
        #expect(id.description == hex.lowercased())
        #expect(ObjectID(bytes: id.bytes) == id)
        #expect(ObjectID(hex: String(hex.dropLast())) == nil)
        #expect(ObjectID(hex: String(hex.dropLast()) + "g") == nil)
        #expect(ObjectID(bytes: [UInt8](repeating: 0, count: 19)) == nil)
        let samples = [
            "ff00000000000000000000000000000000000000", "00000000000000000000000000000000000000ff",
            "0000000000000000ff0000000000000000000000", "0000000000000000000000000000000001000000",
        ].map { ObjectID(hex: $0)! }
        #expect(samples.sorted().map(\.hex) == samples.map(\.hex).sorted())
        #expect(Set(samples + samples).count == 4)
    }

    @Test func createUsesTheExplicitInitialBranch() throws {
        try withTemporaryDirectory { root in
            let path = root + "/work"
            // A user default that must not leak into what we create.
            let repository = try Repository.create(at: path, bare: false, initialBranch: "trunk")
            #expect(!repository.isBare)
            #expect(repository.workdir == path + "/")
            #expect(repository.gitDirectory == path + "/.git/")
            #expect(try repository.headReferenceName == "refs/heads/trunk")
            #expect(try repository.referenceTarget("HEAD") == nil)
            #expect(try gitLine(["symbolic-ref", "HEAD"], in: path) == "refs/heads/trunk")
            #expect(try gitLine(["rev-parse", "--is-bare-repository"], in: path) == "false")

            let barePath = root + "/bare.git"
            let bare = try Repository.create(at: barePath, bare: true, initialBranch: "refs/heads/main")
            #expect(bare.isBare)
            #expect(bare.workdir == nil)
            #expect(try gitLine(["rev-parse", "--is-bare-repository"], in: barePath) == "true")
            #expect(try gitLine(["symbolic-ref", "HEAD"], in: barePath) == "refs/heads/main")
        }
    }

    @Test func createOpenAndOpenOrCreateReportWhatExists() throws {
        try withTemporaryDirectory { root in
            let path = root + "/repo"
            expectGitError(.notFound) { _ = try Repository.open(at: path) }
            let created = try Repository.openOrCreate(at: path, bare: true, initialBranch: "main")
            #expect(created.isBare)
            expectGitError(.exists) { _ = try Repository.create(at: path, bare: true, initialBranch: "main") }
            let reopened = try Repository.openOrCreate(at: path, bare: true, initialBranch: "other")
            #expect(try reopened.headReferenceName == "refs/heads/main")
            expectGitError(.invalid) {
                _ = try Repository.create(at: root + "/x", bare: true, initialBranch: "bad..name")
            }

            // open never searches upwards: a folder inside a work tree is not a repository.
            let work = root + "/work"
            _ = try Repository.create(at: work, bare: false, initialBranch: "main")
            try FileManager.default.createDirectory(atPath: work + "/sub", withIntermediateDirectories: true)
            expectGitError(.notFound) { _ = try Repository.open(at: work + "/sub") }
            #expect(try Repository.open(at: work).workdir == work + "/")
        }
    }

    @Test func configIsWrittenToTheRepositoryOwnFile() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            #expect(try repository.configString("merge.sessionsync.driver") == nil)
            try repository.setConfig("merge.sessionsync.driver", "sessionsync merge %O %A %B -o %A")
            #expect(try repository.configString("merge.sessionsync.driver") == "sessionsync merge %O %A %B -o %A")
            #expect(
                try gitLine(["config", "--file", root + "/config", "--get", "merge.sessionsync.driver"], in: root)
                    == "sessionsync merge %O %A %B -o %A")
            try repository.unsetConfig("merge.sessionsync.driver")
            try repository.unsetConfig("merge.sessionsync.driver")
            #expect(try repository.configString("merge.sessionsync.driver") == nil)
        }
    }
}
