import Foundation
import SessionModel
import SessionSync
import Testing

struct MergeTests {
    /// The merged session must be valid `sessionsync/1`, byte for byte.
    func expectValid(_ result: MergeResult, sourceLocation: SourceLocation = #_sourceLocation) {
        let issues = SessionValidator.validate(
            fileBytes: result.session.canonicalBytes, fileStem: result.session.sessionID
        ).issues
        #expect(issues.isEmpty, "\(issues)", sourceLocation: sourceLocation)
    }

    func conflictRecords(_ s: Session) -> [JSONValue] { s.state[SessionMerge.conflictsKey]?.arrayValue ?? [] }

    @Test func newLocksOfBothSidesAreUnitedInTimeOrder() throws {
        let shared = Make.chat(["hi", "hello"])
        let base = Make.session(state: ["x": 1, "y": 1], log: shared)
        let ours = Make.session(
            name: "Renamed", state: ["x": 2, "y": 1],
            log: shared + [Make.entry("lock.data", 10, iteration: 1), Make.entry("lock.model", 30, iteration: 1)])
        let theirs = Make.session(
            state: ["x": 1, "y": 3, "z": true], log: shared + [Make.entry("lock.acquisition", 20, iteration: 1)])
        let result = try SessionMerge.merge(base: base, ours: ours, theirs: theirs)
        #expect(result.isClean)
        #expect(result.session.metadata.name == "Renamed")
        #expect(result.session.state == ["x": 2, "y": 3, "z": true])
        #expect(
            result.session.auditLog.map(\.kind) == [
                "message.user", "message.assistant", "lock.data", "lock.acquisition", "lock.model",
            ])
        #expect(result.session.auditLog.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(result.addedFromOurs == 2 && result.addedFromTheirs == 1 && result.removedEntries == 0)
        #expect(result.session.state[SessionMerge.conflictsKey] == nil)
        expectValid(result)
        // Which side is "ours" does not change a clean merge.
        let swapped = try SessionMerge.merge(base: base, ours: theirs, theirs: ours)
        #expect(swapped.session.auditLog.map(\.id) == result.session.auditLog.map(\.id))
        #expect(swapped.session.canonicalBytes == result.session.canonicalBytes)
    }

    @Test func anEntryBothSidesAddedAppearsOnce() throws {
        let base = Make.session(log: Make.chat(["hi"]))
        let replayed = Make.entry("lock.data", 5, iteration: 1)
        let ours = Make.session(log: Make.chat(["hi"]) + [replayed])
        let theirs = Make.session(log: Make.chat(["hi"]) + [replayed, Make.entry("message.user", 6)])
        let result = try SessionMerge.merge(base: base, ours: ours, theirs: theirs)
        #expect(result.isClean)
        #expect(result.session.auditLog.count == 3)
        #expect(result.addedByBoth == 1 && result.addedFromTheirs == 1)
    }

    @Test func theSameLockDecidedDifferentlyIsAConflictWithBothDecisions() throws {
        let shared = [Make.entry("lock.data", 1, iteration: 1)]
        let base = Make.session(log: shared)
        let ours = Make.session(log: shared + [Make.entry("lock.model", 5, iteration: 2, notes: "Matern 5/2")])
        let theirs = Make.session(log: shared + [Make.entry("lock.model", 6, iteration: 2, notes: "RBF")])
        let result = try SessionMerge.merge(base: base, ours: ours, theirs: theirs)
        #expect(result.conflicts.count == 1)
        let c = result.conflicts[0]
        #expect(c.kind == .lockDecision)
        #expect(c.decision == "lock.model iteration 2")
        #expect(c.ours?["notes"] == "Matern 5/2" && c.theirs?["notes"] == "RBF")
        // Both decisions stay in the log; the record is in the document for a reviewer.
        #expect(result.session.auditLog.compactMap(\.notes) == ["Matern 5/2", "RBF"])
        let records = conflictRecords(result.session)
        #expect(records.count == 1)
        #expect(records[0]["kind"] == "lock_decision")
        #expect(records[0]["ours"]?["notes"] == "Matern 5/2")
        expectValid(result)
    }

    @Test func aMochiEditOnOneSideStaysTruncated() throws {
        let base = Make.session(log: Make.chat(["u1", "a1", "u2", "a2"]))
        // Ours edited u2: the chat after it is cut and answered anew.
        let ours = Make.session(log: Make.chat(["u1", "a1"]) + Make.chat(["u2 (edited)", "a2 again"], start: 20))
        let result = try SessionMerge.merge(base: base, ours: ours, theirs: base)
        #expect(result.isClean)
        #expect(
            result.session.auditLog.map { $0.payload["content"]?.stringValue } == [
                "u1", "a1", "u2 (edited)", "a2 again",
            ])
        #expect(result.removedEntries == 2)
        expectValid(result)
    }

    @Test func removalAgainstAChangeIsAConflict() throws {
        let base = Make.session(log: Make.chat(["u1", "a1", "u2", "a2"]))
        // Ours deleted the last exchange; theirs edited the last answer.
        let ours = Make.session(log: Make.chat(["u1", "a1"]))
        let theirs = Make.session(
            log: Make.chat(["u1", "a1", "u2"]) + [
                Make.entry("message.assistant", 40, payload: ["content": "a2 (edited)"])
            ])
        let result = try SessionMerge.merge(base: base, ours: ours, theirs: theirs)
        #expect(result.conflicts.map(\.kind) == [.entryRemovedVsChanged])
        let c = result.conflicts[0]
        #expect(c.base?["payload"]?["content"] == "a2")
        #expect(c.ours == nil)
        #expect(c.theirs?["payload"]?["content"] == "a2 (edited)")
        // The removed entries stay removed; the changed one is kept for the reviewer.
        #expect(result.session.auditLog.map { $0.payload["content"]?.stringValue } == ["u1", "a1", "a2 (edited)"])
        #expect(conflictRecords(result.session).first?["kind"] == "entry_removed_vs_changed")
        #expect(conflictRecords(result.session).first?["ours"] == nil)
        expectValid(result)
    }

    @Test func removalAgainstEntriesWrittenAfterItIsAConflict() throws {
        let base = Make.session(log: Make.chat(["u1", "a1", "u2", "a2"]))
        let ours = Make.session(log: Make.chat(["u1", "a1"]) + Make.chat(["u2 (edited)"], start: 20))
        let theirs = Make.session(log: Make.chat(["u1", "a1", "u2", "a2", "u3"]))
        let result = try SessionMerge.merge(base: base, ours: ours, theirs: theirs)
        #expect(result.conflicts.map(\.kind) == [.entryRemovedVsAdded])
        let c = result.conflicts[0]
        #expect(c.base?.arrayValue?.map { $0["payload"]?["content"] } == ["u2", "a2"])
        #expect(c.theirs?.arrayValue?.map { $0["payload"]?["content"] } == ["u3"])
        #expect(c.ours == nil)
        expectValid(result)
    }

    @Test func bothSidesEditingTheSameMessageDifferentlyIsAConflict() throws {
        let base = Make.session(log: Make.chat(["u1", "a1", "u2"]))
        let ours = Make.session(log: Make.chat(["u1", "a1"]) + Make.chat(["u2 ours"], start: 20))
        let theirs = Make.session(log: Make.chat(["u1", "a1"]) + Make.chat(["u2 theirs"], start: 21))
        let result = try SessionMerge.merge(base: base, ours: ours, theirs: theirs)
        #expect(result.conflicts.map(\.kind) == [.entryChangedDifferently])
        #expect(result.session.auditLog.count == 4)
        expectValid(result)
    }

    @Test func valuesChangedDifferentlyConflictAndKeepOurs() throws {
        let base = Make.session(name: "Base", state: ["model": ["ls": 1.0]], updatedAt: "2026-11-21T10:00:00Z")
        let ours = Make.session(name: "Ours", state: ["model": ["ls": 2.0]], updatedAt: "2026-11-21T11:00:00.5Z")
        let theirs = Make.session(name: "Theirs", state: [:], updatedAt: "2026-11-21T11:00:00Z")
        let result = try SessionMerge.merge(base: base, ours: ours, theirs: theirs)
        #expect(result.conflicts.map(\.path) == ["/metadata/name", "/state/model"])
        #expect(result.conflicts.allSatisfy { $0.kind == .value })
        #expect(
            result.conflicts[0].base == "Base" && result.conflicts[0].ours == "Ours"
                && result.conflicts[0].theirs == "Theirs")
        #expect(result.conflicts[1].theirs == nil)  // theirs removed it
        #expect(result.session.metadata.name == "Ours")
        // Both sides touching the session is not a conflict: the later time wins.
        #expect(result.session.metadata.updatedAt == "2026-11-21T11:00:00.5Z")
        let records = conflictRecords(result.session)
        #expect(records.map { $0["path"] } == ["/metadata/name", "/state/model"])
        expectValid(result)
    }

    @Test func withoutABaseTheCommonPrefixIsTheBase() throws {
        let shared = Make.chat(["u1", "a1"])
        let ours = Make.session(
            state: ["only_ours": 1, "both": "same"], log: shared + [Make.entry("lock.data", 30, iteration: 1)])
        let theirs = Make.session(
            state: ["only_theirs": 2, "both": "same"], log: shared + [Make.entry("message.user", 20)])
        let result = try SessionMerge.merge(base: nil, ours: ours, theirs: theirs)
        #expect(result.isClean)
        #expect(result.session.state == ["only_ours": 1, "only_theirs": 2, "both": "same"])
        #expect(
            result.session.auditLog.map(\.kind) == ["message.user", "message.assistant", "message.user", "lock.data"])
        // Without a base, two different values for one path cannot be told apart: a conflict.
        let differ = try SessionMerge.merge(base: nil, ours: Make.session(name: "A"), theirs: Make.session(name: "B"))
        #expect(differ.conflicts.map(\.path) == ["/metadata/name"])
        #expect(differ.conflicts[0].base == nil)
    }

    @Test func differentSessionsDoNotMerge() {
        #expect(throws: MergeError.self) {
            try SessionMerge.merge(
                base: nil, ours: Make.session(), theirs: Make.session(id: "00000000-0000-4000-8000-000000000009"))
        }
    }

    @Test func earlierUnresolvedConflictsAreKept() throws {
        let base = Make.session(name: "Base")
        var ours = Make.session(name: "Ours")
        ours.state[SessionMerge.conflictsKey] = [["kind": "value", "path": "/metadata/owner", "summary": "old"]]
        let theirs = Make.session(name: "Theirs")
        let result = try SessionMerge.merge(base: base, ours: ours, theirs: theirs)
        #expect(conflictRecords(result.session).count == 2)
    }
}
