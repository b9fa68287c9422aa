import Dispatch
import Foundation
import Git
import Synchronization
import Testing

@Suite struct ReferenceTests {
    @Test func compareAndSwapHasExactlyOneWinner() throws {
        try withTemporaryDirectory { root in
            let first = try Repository.create(at: root, bare: true, initialBranch: "main")
            let second = try Repository.open(at: root)
            let base = try commitFiles(first, ["a": "1"], parent: nil, message: "base\n")
            let ours = try commitFiles(first, ["a": "2"], parent: base, message: "ours\n")
            let theirs = try commitFiles(second, ["a": "3"], parent: base, message: "theirs\n")

            try first.updateReference("refs/heads/main", to: base, expecting: nil, logMessage: "create")
            // Creating what already exists loses.
            expectGitError(.exists) {
                try second.updateReference("refs/heads/main", to: theirs, expecting: nil, logMessage: "create")
            }
            // Both saw `base`; the first swap wins, the second is told the ref moved.
            try first.updateReference("refs/heads/main", to: ours, expecting: base, logMessage: "advance")
            expectGitError(.modified) {
                try second.updateReference("refs/heads/main", to: theirs, expecting: base, logMessage: "advance")
            }
            #expect(try gitLine(["rev-parse", "refs/heads/main"], in: root) == ours.hex)
            #expect(try second.referenceTarget("refs/heads/main") == ours)
            // Expecting a value for a reference that does not exist also loses.
            expectGitError(.modified) {
                try second.updateReference("refs/heads/other", to: theirs, expecting: base, logMessage: "advance")
            }
            #expect(try second.referenceTarget("refs/heads/other") == nil)
            // HEAD means its branch; HEAD itself stays symbolic.
            try second.updateReference("HEAD", to: theirs, expecting: ours, logMessage: "via HEAD")
            #expect(try gitLine(["symbolic-ref", "HEAD"], in: root) == "refs/heads/main")
            #expect(try first.referenceTarget("HEAD") == theirs)
            #expect(try first.referenceTarget("refs/heads/main") == theirs)
            // Another writer holding the lock file: `.locked`, and the reference is untouched.
            let lock = root + "/refs/heads/main.lock"
            #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
            expectGitError(.locked) {
                try first.updateReference("refs/heads/main", to: ours, expecting: theirs, logMessage: "locked")
            }
            try FileManager.default.removeItem(atPath: lock)
            #expect(try first.referenceTarget("refs/heads/main") == theirs)
            try git(["fsck", "--strict"], in: root)
        }
    }

    @Test func concurrentWritersWithRetriesLoseNothing() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let base = try commitFiles(repository, ["count": "0"], parent: nil, message: "base\n")
            try repository.updateReference("refs/heads/main", to: base, expecting: nil, logMessage: "create")
            let perWorker = 25
            let lostRaces = Atomic<Int>(0)
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { worker in
                do {
                    // One handle per worker: handles are never shared between threads.
                    let handle = try Repository.open(at: root)
                    for step in 0..<perWorker {
                        while true {
                            let tip = try #require(try handle.referenceTarget("refs/heads/main"))
                            let next = try commitFiles(
                                handle, ["w\(worker)/\(step)": "x"], parent: tip, message: "w\(worker) \(step)\n")
                            do {
                                try handle.updateReference(
                                    "refs/heads/main", to: next, expecting: tip, logMessage: "step")
                                break
                            } catch let error as GitError where error.code == .modified || error.code == .locked {
                                lostRaces.add(1, ordering: .relaxed)
                            }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try gitLine(["rev-list", "--count", "main"], in: root) == "\(2 * perWorker + 1)")
            #expect(
                try git(["ls-tree", "-r", "--name-only", "main"], in: root).split(separator: "\n").count == 2
                    * perWorker + 1)
            try git(["fsck", "--strict"], in: root)
        }
    }

    @Test func ancestryAndMergeBase() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let base = try commitFiles(repository, ["a": "1"], parent: nil, message: "base\n")
            let left = try commitFiles(repository, ["b": "1"], parent: base, message: "left\n")
            let right = try commitFiles(repository, ["c": "1"], parent: base, message: "right\n")
            let leftTwo = try commitFiles(repository, ["b": "2"], parent: left, message: "left 2\n")
            let unrelated = try commitFiles(repository, ["z": "1"], parent: nil, message: "unrelated\n")
            #expect(try repository.isAncestor(base, of: leftTwo))
            #expect(try repository.isAncestor(left, of: leftTwo))
            #expect(try repository.isAncestor(leftTwo, of: leftTwo))
            #expect(try !repository.isAncestor(leftTwo, of: left))
            #expect(try !repository.isAncestor(right, of: leftTwo))
            #expect(try repository.mergeBase(leftTwo, right) == base)
            #expect(try repository.mergeBase(left, leftTwo) == left)
            #expect(try repository.mergeBase(leftTwo, unrelated) == nil)
        }
    }

    @Test func revparseResolvesWhatGitResolves() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: true, initialBranch: "main")
            let first = try commitFiles(repository, ["sessions/ab/x.json": "1"], parent: nil, message: "one\n")
            let second = try commitFiles(repository, ["sessions/ab/x.json": "2"], parent: first, message: "two\n")
            let third = try commitFiles(repository, ["sessions/ab/x.json": "3"], parent: second, message: "three\n")
            try repository.updateReference("refs/heads/main", to: third, expecting: nil, logMessage: "create")
            try repository.updateReference("refs/remotes/origin/main", to: first, expecting: nil, logMessage: "fetch")

            #expect(try repository.revparse("HEAD") == third)
            #expect(try repository.revparse("main") == third)
            #expect(try repository.revparse("HEAD~1") == second)
            #expect(try repository.revparse("main~2") == first)
            #expect(try repository.revparse("origin/main") == first)
            #expect(try repository.revparse(String(second.hex.prefix(12))) == second)
            for spec in ["HEAD~1", "main^^", "origin/main"] {
                #expect(try repository.revparse(spec).hex == (try gitLine(["rev-parse", spec], in: root)))
            }
            #expect(try repository.revparseTree("HEAD~1") == (try repository.commit(second).tree))
            #expect(try repository.revparseTree("main").hex == (try gitLine(["rev-parse", "main^{tree}"], in: root)))
            expectGitError(.notFound) { _ = try repository.revparse("nope") }
            expectGitError(.notFound) { _ = try repository.revparse("HEAD~9") }
            #expect(throws: GitError.self) { _ = try repository.revparse("main^{") }
        }
    }
}

@Suite struct ReflogTests {
    @Test func referenceUpdatesAreLoggedWithTheGivenIdentityAndMessage() throws {
        try withTemporaryDirectory { root in
            let repository = try Repository.create(at: root, bare: false, initialBranch: "main")
            try repository.setReflogIdentity(name: "SessionSync", email: "sync@example.invalid")
            let first = try commitFiles(repository, ["a": "1"], parent: nil, message: "one\n")
            let second = try commitFiles(repository, ["a": "2"], parent: first, message: "two\n")
            try repository.updateReference(
                "refs/heads/main", to: first, expecting: nil, logMessage: "migrate: 1 session")
            try repository.updateReference(
                "refs/heads/main", to: second, expecting: first, logMessage: "commit: lock.data")
            #expect(
                try git(["log", "-g", "--format=%H %gn <%ge> %gs", "refs/heads/main"], in: root)
                    == """
                    \(second.hex) SessionSync <sync@example.invalid> commit: lock.data
                    \(first.hex) SessionSync <sync@example.invalid> migrate: 1 session

                    """)
        }
    }
}
