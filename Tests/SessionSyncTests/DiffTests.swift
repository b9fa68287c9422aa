import Foundation
import LegacyFormats
import SessionModel
import SessionSync
import Testing

struct SessionDiffTests {
    @Test func metadataChangeIsOnePathWithBothValues() {
        let a = Make.session(name: "Screen A")
        let b = Make.session(name: "Screen B")
        let diff = SessionDiff(a: a, b: b)
        #expect(diff.changes == [ValueChange(path: "/metadata/name", old: "Screen A", new: "Screen B")])
        #expect(diff.changes[0].operation == .replace)
        #expect(diff.auditLog.isIdentical)
        #expect(!diff.isIdentical)
    }

    @Test func nestedStateChangesArePointersIntoObjectsAndArrays() {
        let a = Make.session(state: [
            "model": ["kernel": ["lengthscale": 1.5, "nu": 2.5]], "rows": [1, 2, 3], "a/b~c": 1, "gone": "x",
        ])
        let b = Make.session(state: [
            "model": ["kernel": ["lengthscale": 2.0, "nu": 2.5]], "rows": [1, 5], "a/b~c": 2, "new": true,
        ])
        let changes = SessionDiff(a: a, b: b).changes
        #expect(
            changes == [
                ValueChange(path: "/state/a~1b~0c", old: 1, new: 2),
                ValueChange(path: "/state/gone", old: "x", new: nil),
                ValueChange(path: "/state/model/kernel/lengthscale", old: 1.5, new: 2.0),
                ValueChange(path: "/state/new", old: nil, new: true),
                ValueChange(path: "/state/rows/1", old: 2, new: 5),
                ValueChange(path: "/state/rows/2", old: 3, new: nil),
            ])
        #expect(changes.map(\.operation) == [.replace, .remove, .replace, .add, .replace, .remove])
        #expect(changes[1].jsonValue == ["op": "remove", "path": "/state/gone", "old": "x"])
        // An integer and a float of the same magnitude differ: the format keeps number kinds.
        #expect(SessionDiff(a: Make.session(state: ["x": 5]), b: Make.session(state: ["x": 5.0])).changes.count == 1)
    }

    @Test func entriesOnlyInAAndOnlyInBAfterTheCommonPrefix() {
        let shared = Make.chat(["hi", "hello", "fit a GP"])
        let a = Make.session(log: shared + [Make.entry("message.assistant", 10, notes: "A's answer")])
        let b = Make.session(
            log: shared + [Make.entry("message.assistant", 11, notes: "B's answer"), Make.entry("event.tool", 12)])
        let log = SessionDiff(a: a, b: b).auditLog
        #expect(log.commonPrefix == 3)
        #expect(log.countA == 4 && log.countB == 5)
        #expect(log.onlyInA.map(\.notes) == ["A's answer"])
        #expect(log.onlyInB.map(\.kind) == ["message.assistant", "event.tool"])
        #expect(log.onlyInB.map(\.seq) == [4, 5])
        #expect(log.divergent.isEmpty)
        #expect(log.reordered == 0)
    }

    @Test func sameLockKindAndIterationDecidedDifferentlyIsDivergent() {
        let shared = [Make.entry("lock.data", 1, iteration: 1)]
        let a = Make.session(
            log: shared + [
                Make.entry("lock.model", 5, iteration: 2, notes: "Matern 5/2"), Make.entry("message.user", 6),
            ])
        let b = Make.session(
            log: shared + [Make.entry("message.user", 4), Make.entry("lock.model", 7, iteration: 2, notes: "RBF")])
        let log = SessionDiff(a: a, b: b).auditLog
        #expect(log.divergent.count == 1)
        #expect(log.divergent[0].decision == DecisionKey(kind: "lock.model", iteration: 2, ordinal: nil))
        #expect(log.divergent[0].decision.description == "lock.model iteration 2")
        #expect(log.divergent[0].a.notes == "Matern 5/2")
        #expect(log.divergent[0].b.notes == "RBF")
        // A lock for another iteration is not the same decision.
        let c = Make.session(log: shared + [Make.entry("lock.model", 7, iteration: 3, notes: "RBF")])
        #expect(SessionDiff(a: a, b: c).auditLog.divergent.isEmpty)
    }

    @Test func locksWithoutIterationAreMatchedByTheirOrdinal() {
        let shared = [Make.entry("lock.acquisition", 1)]
        let a = Make.session(log: shared + [Make.entry("lock.acquisition", 2, notes: "EI")])
        let b = Make.session(log: shared + [Make.entry("lock.acquisition", 3, notes: "UCB")])
        let divergent = SessionDiff(a: a, b: b).auditLog.divergent
        #expect(divergent.map(\.decision.description) == ["lock.acquisition #2"])
    }

    @Test func identicalWhenCanonicalBytesAreEqualWhateverTheMemberOrder() {
        let log = Make.chat(["a", "b"]) + [Make.entry("lock.data", 3, iteration: 1)]
        let a = Make.session(state: ["x": 1, "y": ["p": 1, "q": 2]], log: log)
        let b = Make.session(state: ["y": ["q": 2, "p": 1], "x": 1], log: log)
        let diff = SessionDiff(a: a, b: b)
        #expect(diff.isIdentical)
        #expect(a.canonicalBytes == b.canonicalBytes)
        #expect(!SessionDiff(a: a, b: Make.session(state: ["x": 1], log: log)).isIdentical)
    }

    @Test func repeatedIdenticalEntriesCountAsAMultiset() {
        let ok = Make.entry("message.user", 1, notes: "ok")
        let a = Make.session(log: [ok, ok])
        let b = Make.session(log: [ok])
        let log = SessionDiff(a: a, b: b).auditLog
        #expect(log.commonPrefix == 1)
        #expect(log.onlyInA.count == 1 && log.onlyInB.isEmpty)
    }

    @Test func longLogsCompareInLinearTime() {
        // 200k entries with a reordered tail: quadratic matching would take minutes.
        let n = 20_000
        let base = (0..<n).map { AuditEntry(kind: "event.tool", timestamp: nil, payload: ["i": .int($0)]) }
        let a = Make.session(log: base + [Make.entry("lock.model", 1, iteration: 9, notes: "a")])
        let b = Make.session(log: base.reversed() + [Make.entry("lock.model", 1, iteration: 9, notes: "b")])
        let start = Date()
        let log = SessionDiff(a: a, b: b).auditLog
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(log.commonPrefix == 0)
        #expect(log.onlyInA.count == 1 && log.divergent.count == 1)
        #expect(log.reordered == n)  // an even count reversed: every entry moved
    }
}

struct JSONPatchTests {
    @Test func patchAppliedToAsDocumentGivesBsDocument() throws {
        let shared = Make.chat(["hi", "hello"])
        let a = Make.session(
            name: "A", state: ["model": ["ls": 1.5], "rows": [1, 2, 3], "odd": .float(.nan), "k/~": ["x"]],
            log: shared + [Make.entry("lock.model", 5, iteration: 2, notes: "A"), Make.entry("message.user", 6)])
        let b = Make.session(
            name: "B",
            state: ["model": ["ls": 2.0, "nu": 2.5], "rows": [1, 4, 3, 7, 8], "odd": .float(.infinity), "k/~": []],
            log: shared + [Make.entry("lock.model", 7, iteration: 2, notes: "B")])
        // As `diff --patch` prints it: non-finite floats become `{"$number": …}` on the way out.
        func serialized(_ ops: [JSONValue]) throws -> [JSONValue] {
            try JSONReader.read(CanonicalJSON.bytes(.array(ops)), options: .strict).value.arrayValue ?? []
        }
        let patch = try serialized(JSONPatch.operations(from: a, to: b))
        #expect(patch.first?["op"] == "test")
        let docA = try Make.document(a)
        let docB = try Make.document(b)
        #expect(try PatchApplier.apply(patch, to: docA) == docB)
        // And the reverse direction.
        #expect(try PatchApplier.apply(try serialized(JSONPatch.operations(from: b, to: a)), to: docB) == docA)
        // Applied to another session, the leading test fails.
        let other = Make.session(id: "00000000-0000-4000-8000-000000000001")
        let docOther = try Make.document(other)
        #expect(throws: PatchApplier.Failure.self) { try PatchApplier.apply(patch, to: docOther) }
    }

    @Test func identicalSessionsGiveOnlyTheTest() {
        let a = Make.session(log: Make.chat(["x"]))
        #expect(JSONPatch.operations(from: a, to: a).count == 1)
    }
}

struct StoreDiffTests {
    let ids = (1...5).map { "0000000\($0)-0000-4000-8000-000000000000" }

    func writeStore(_ sessions: [Session]) throws -> String {
        let root = try Make.temporaryDirectory()
        let store = FolderStore(root: root)
        for s in sessions { try AtomicFile.write(s.canonicalBytes, to: store.path(of: s.sessionID)) }
        return root
    }

    @Test func twoFolderStoresMatchedBySessionID() throws {
        let log = Make.chat(["a", "b"])
        let a = try writeStore([
            Make.session(id: ids[0], name: "same", log: log),
            Make.session(id: ids[1], name: "changed", log: log),
            Make.session(id: ids[2], name: "only A"),
            Make.session(id: ids[4], name: "same too"),
        ])
        let b = try writeStore([
            Make.session(id: ids[0], name: "same", log: log),
            Make.session(id: ids[1], name: "changed", log: log + [Make.entry("lock.data", 9, iteration: 1)]),
            Make.session(id: ids[3], name: "only B"),
            Make.session(id: ids[4], name: "same too"),
        ])
        let diff = try StoreDiff.compare(FolderSessionSource(root: a), FolderSessionSource(root: b))
        #expect(diff.errors.isEmpty)
        #expect(diff.identical == 2)
        #expect(diff.onlyInA.map(\.sessionID) == [ids[2]])
        #expect(diff.onlyInA.map(\.name) == ["only A"])
        #expect(diff.onlyInB.map(\.sessionID) == [ids[3]])
        #expect(diff.changed.map(\.sessionID) == [ids[1]])
        #expect(diff.changed[0].auditLog.onlyInB.map(\.kind) == ["lock.data"])
        #expect(diff.hasDifferences)
        let json = diff.jsonValue
        for key in ["identical", "only_in_a", "only_in_b", "changed"] { #expect(json[key] != nil) }
        #expect(json["changed"]?.arrayValue?.first?["session_id"] == .string(ids[1]))
        let same = try StoreDiff.compare(FolderSessionSource(root: a), FolderSessionSource(root: a))
        #expect(!same.hasDifferences && same.identical == 4)
    }

    @Test func aFileNamedForAnotherSessionIsAnErrorNotAMatch() throws {
        let root = try Make.temporaryDirectory()
        let s = Make.session(id: ids[0])
        try AtomicFile.write(s.canonicalBytes, to: root + "/" + Session.storePath(for: ids[1]))
        let other = try writeStore([Make.session(id: ids[1], name: "x")])
        let diff = try StoreDiff.compare(FolderSessionSource(root: root), FolderSessionSource(root: other))
        #expect(diff.errors.count == 1)
        #expect(diff.changed.isEmpty)
    }

    /// A source whose sessions fail to decode, except those asked for by the test: equal digests
    /// must be enough to call a session identical.
    struct CountingSource: SessionSource {
        let displayName = "counting"
        let sessions: [Session]
        let digestFor: @Sendable (Session) -> SessionDigest?
        let loads = LoadCounter()

        func listing() throws -> SourceListing {
            SourceListing(
                handles: sessions.map {
                    SessionHandle(
                        sessionID: $0.sessionID, digest: digestFor($0), location: "mem:" + $0.sessionID,
                        name: $0.metadata.name)
                })
        }

        func load(_ handle: SessionHandle) throws -> Session {
            loads.add()
            return sessions.first { $0.sessionID == handle.sessionID }!
        }
    }

    final class LoadCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add() {
            lock.lock()
            n += 1
            lock.unlock()
        }
        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return n
        }
    }

    @Test func equalDigestsSkipDecoding() throws {
        let sessionsA = ids.map { Make.session(id: $0, name: "n") }
        var sessionsB = sessionsA
        sessionsB[2] = Make.session(id: ids[2], name: "renamed")
        // A git-style digest: only comparable with the same scheme.
        let blob: @Sendable (Session) -> SessionDigest? = {
            SessionDigest(scheme: "git-blob", value: Digest.sha256Hex($0.canonicalBytes))
        }
        let a = CountingSource(sessions: sessionsA, digestFor: blob)
        let b = CountingSource(sessions: sessionsB, digestFor: blob)
        let diff = try StoreDiff.compare(a, b)
        #expect(diff.identical == 4 && diff.changed.map(\.sessionID) == [ids[2]])
        #expect(a.loads.count == 1 && b.loads.count == 1)
        // Without digests every common session is decoded.
        let c = CountingSource(sessions: sessionsA, digestFor: { _ in nil })
        let d = CountingSource(sessions: sessionsB, digestFor: blob)
        _ = try StoreDiff.compare(c, d)
        #expect(c.loads.count == 5)
    }
}

/// Two stored copies of one session (a desktop save, a server store file) differ only in
/// where they came from and the store's bookkeeping: the same session, not a change.
struct CopyEnvelopeTests {
    func alchemist(_ format: String, store: Bool, rows: Int) -> Session {
        var state: JSONObject = ["experiments": ["n_total": .int(rows)]]
        if store { state["_session_store_metadata"] = ["last_accessed": "2026-11-21T13:00:00"] }
        var s = Session(
            sessionID: "a3505bba-b7e4-46a2-b34a-55bfdb3a708f",
            origin: Origin(system: "alchemist", format: format, legacyID: "a3505bba-b7e4-46a2-b34a-55bfdb3a708f"),
            metadata: Metadata(name: "x"), state: state,
            auditLog: [AuditEntry(kind: "lock.data", timestamp: "2026-11-21T13:00:00Z", payload: ["n": 1])])
        s.sealAuditLog()
        return s
    }

    @Test func originAndStoreBookkeepingAreTheCopyNotTheSession() {
        let desktop = alchemist("alchemist-session/1.1.0", store: false, rows: 3)
        let server = alchemist("alchemist-server-json/1.1.0", store: true, rows: 3)
        let diff = SessionDiff(a: desktop, b: server)
        #expect(!diff.isIdentical)
        #expect(diff.isSameContent)
        #expect(diff.changes.allSatisfy(diff.isEnvelope))
        // A real change next to them is still a change.
        let changed = SessionDiff(a: desktop, b: alchemist("alchemist-server-json/1.1.0", store: true, rows: 4))
        #expect(!changed.isSameContent)
        #expect(changed.changes.contains { $0.path == "/state/experiments/n_total" && !changed.isEnvelope($0) })
    }
}
