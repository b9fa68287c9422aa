import Foundation
import SessionModel
import Testing

/// Session ids (SPEC 2.3), times (SPEC 2.2) and audit entry ids.
struct SessionIDTests {
    @Test func publishedUUIDv5Vectors() {
        // Python's documentation: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org').
        #expect(
            SessionID.uuidV5(namespace: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", name: "python.org")
                == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
        #expect(
            SessionID.uuidV5(namespace: "6ba7b811-9dad-11d1-80b4-00c04fd430c8", name: "http://www.example.com/")
                == "fcde3c85-2270-590f-9e7c-ee003d65e0e2")
    }

    /// Computed with Python's `uuid.uuid5(UUID("b8242c62-…"), name)`: these ids must never change.
    @Test(arguments: [
        ("mochi", "0f7a24a33f", "a48f245a-e412-574d-9a5d-37025b3e88b0"),
        ("lobster", "session_20261121_134500", "b30789a4-0cc1-59ef-9fc7-5d5b7659789a"),
        ("casefile", "ts_251023_ecomcf44_9607c3", "ecef0b85-9f35-519f-9c54-b412d6b693e5"),
        ("lobster", "my custom id ü", "db6e7f6e-7673-5583-961f-7fae273e5416"),
        ("jambot", "x", "5d2efd2c-868e-5938-9f4d-79503dcd65b2"),
    ])
    func sessionSyncNamespaceVectors(system: String, legacy: String, expected: String) {
        #expect(SessionID.derive(system: system, legacyID: legacy) == expected)
    }

    @Test func uuidLegacyIdsAreKeptLowercased() {
        #expect(
            SessionID.derive(system: "alchemist", legacyID: "A3505BBA-B7E4-46A2-B34A-55BFDB3A708F")
                == "a3505bba-b7e4-46a2-b34a-55bfdb3a708f")
        #expect(
            SessionID.derive(system: "jambot", legacyID: "00000000-0000-0000-0000-000000000000")
                == "00000000-0000-0000-0000-000000000000")
        // A path-traversal id is only ever hashed.
        #expect(SessionID.isCanonical(SessionID.derive(system: "mochi", legacyID: "../../etc/x")))
    }
}

struct TimestampTests {
    let utc = TimeZone(identifier: "UTC")!
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    @Test func naiveTimesAreReadInTheAssumedZoneKeepingFractionDigits() {
        #expect(
            Timestamp.canonical("2026-11-21T13:44:16.730911", assuming: utc)! == ("2026-11-21T13:44:16.730911Z", true))
        #expect(
            Timestamp.canonical("2026-11-21T13:44:16.730911", assuming: berlin)!.utc == "2026-11-21T12:44:16.730911Z")
        #expect(Timestamp.canonical("2026-07-01T00:30:00", assuming: berlin)!.utc == "2026-06-30T22:30:00Z")
        #expect(Timestamp.canonical("2026-11-21 13:44:16", assuming: utc)!.utc == "2026-11-21T13:44:16Z")
    }

    @Test func awareTimesAreConvertedToUTC() {
        #expect(
            Timestamp.canonical("2026-11-21T13:45:11.476216+00:00", assuming: berlin)! == (
                "2026-11-21T13:45:11.476216Z", false
            ))
        #expect(Timestamp.canonical("2026-01-01T01:00:00.5+02:00", assuming: utc)!.utc == "2025-12-31T23:00:00.5Z")
        #expect(
            Timestamp.canonical("2026-11-21T13:45:24.508930Z", assuming: berlin)!.utc == "2026-11-21T13:45:24.508930Z")
    }

    @Test func daylightSavingGapsAndOverlapsResolveTheSameWayEverywhere() {
        // 02:30 does not exist in Berlin on 2026-03-29; 02:30 happens twice on 2026-10-25.
        #expect(Timestamp.canonical("2026-03-29T02:30:00", assuming: berlin)!.utc == "2026-03-29T01:30:00Z")
        #expect(Timestamp.canonical("2026-10-25T02:30:00", assuming: berlin)!.utc == "2026-10-25T00:30:00Z")
    }

    @Test func instantsCompareSecondsThenMicroseconds() throws {
        let a = try #require(Timestamp.instant(of: "2026-01-01T00:00:00.5Z"))
        #expect(a == Timestamp.Instant(seconds: 1_767_225_600, micros: 500_000))
        #expect(
            Timestamp.instant(of: "2026-01-01T01:00:00+01:00") == Timestamp.Instant(seconds: 1_767_225_600, micros: 0))
        #expect(
            try #require(Timestamp.instant(of: "2026-01-01T00:00:00.000001Z")) > #require(
                Timestamp.instant(of: "2026-01-01T00:00:00Z")))
        #expect(
            try #require(Timestamp.instant(of: "2025-12-31T23:59:59.999999Z")) < #require(
                Timestamp.instant(of: "2026-01-01T00:00:00Z")))
        #expect(Timestamp.instant(of: "not a time") == nil)
    }

    @Test func rejectsWhatIsNotATime() {
        for bad in [
            "", "2026-13-01T00:00:00", "2026-02-29T00:00:00", "2026-11-21", "yesterday", "2026-11-21T25:00:00",
            "2026-11-21T10:00:00+25:00",
        ] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
        #expect(Timestamp.isCanonical("2026-11-21T13:44:16.730911Z"))
        #expect(!Timestamp.isCanonical("2026-11-21T13:44:16.730911"))
        #expect(!Timestamp.isCanonical("2026-11-21T13:44:16+00:00"))
        #expect(!Timestamp.isCanonical("2026-11-21 13:44:16Z"))
        // Canonical: what `format` writes for a real time; nothing else, however close.
        for good in [
            "2026-11-21T13:44:16Z", "2026-11-21T13:44:16.5Z", "2026-11-21T13:44:16.123456Z", "2024-02-29T23:59:59Z",
            "0999-01-01T00:00:00Z",
        ] {
            #expect(Timestamp.isCanonical(good), "\(good)")
        }
        for bad in [
            "2026-11-21T13:44:16.1234567Z", "2026-11-21T13:44:16.Z", "2026-11-21T13:44Z", "2026-11-21t13:44:16Z",
            "2026-11-21T13:44:16z", "2025-02-29T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T13:60:00Z",
            "2026-1-21T13:44:16Z", "+2026-11-21T13:44:16Z", "2026-11-21T13:44:16.12a456Z", "2026-11-21T13:44:16ZZ",
        ] {
            #expect(!Timestamp.isCanonical(bad), "\(bad)")
        }
    }

    @Test func writesBackAsPythonIsoformat() {
        #expect(
            Timestamp.pythonNaiveISO(fromCanonical: "2026-11-21T12:44:16.730911Z", in: berlin)
                == "2026-11-21T13:44:16.730911")
        #expect(
            Timestamp.pythonNaiveISO(fromCanonical: "2026-11-21T12:44:16.000000Z", in: utc) == "2026-11-21T12:44:16")
        #expect(
            Timestamp.pythonNaiveISO(fromCanonical: "2026-11-21T12:44:16.5Z", in: utc) == "2026-11-21T12:44:16.500000")
        #expect(
            Timestamp.pythonAwareISO(fromCanonical: "2026-11-21T13:45:11.476216Z", suffix: "+00:00")
                == "2026-11-21T13:45:11.476216+00:00")
        #expect(Timestamp.epochSeconds(of: "1970-01-02T00:00:00Z") == 86400)
        #expect(Timestamp.epochSeconds(of: "2026-11-21T13:44:16Z") == 1_795_268_656)
    }
}

struct KindTests {
    @Test func dottedLowercaseKindsOnly() {
        for good in ["lock.data", "a.b", "message.user", "provenance.activity_2", "a.b.c", "x1.y_"] {
            #expect(SessionValidator.isValidKind(good), "\(good)")
        }
        for bad in [
            "", "lock", "lock.", ".data", "lock..data", "Lock.data", "1lock.data", "_a.b", "lock.Data", "lock.da-ta",
            "lock.dé", "a.b.",
        ] {
            #expect(!SessionValidator.isValidKind(bad), "\(bad)")
        }
    }
}

struct AuditEntryTests {
    @Test func entryIdIsTheSHA256OfTheCanonicalEntryWithoutIdAndSeq() {
        var entry = AuditEntry(
            kind: "lock.data", timestamp: "2026-11-21T13:44:16.761557Z", iteration: 10, payload: ["n": 1])
        entry.seq = 7
        let identity = """
            {
              "actor": null,
              "iteration": 10,
              "kind": "lock.data",
              "notes": null,
              "payload": {
                "n": 1
              },
              "timestamp": "2026-11-21T13:44:16.761557Z"
            }

            """
        #expect(entry.computedID() == "sha256:" + Digest.sha256Hex(Array(identity.utf8)))
        var other = entry
        other.seq = 1
        #expect(other.computedID() == entry.computedID())
        other.notes = "changed"
        #expect(other.computedID() != entry.computedID())
    }

    /// Sealed entries are written from the identity bytes their ids were hashed from; the
    /// result must be exactly the generic canonical writer's, and a change after sealing must
    /// not reuse stale bytes.
    @Test func sessionBytesEqualTheGenericWriterBeforeAndAfterChanges() throws {
        var s = Session(
            sessionID: SessionID.derive(system: "mochi", legacyID: "x"),
            origin: Origin(system: "mochi", format: "mochi-session/1.4", legacyID: "x"),
            metadata: Metadata(name: "n", createdAt: "2026-01-01T00:00:00Z"), state: ["k": [1, 2, ["z": "é"]]],
            auditLog: [
                AuditEntry(kind: "message.user", timestamp: nil, payload: [:]),
                AuditEntry(
                    kind: "lock.data", timestamp: "2026-01-01T00:00:00Z", iteration: 3, actor: "a\"b", notes: "x\ny",
                    payload: ["rows": [["a": 1, "b": .float(.nan)], [:], []], "e": [:], "s": "\u{1F600}"]),
            ])
        s.sealAuditLog()
        #expect(s.canonicalBytes == CanonicalJSON.bytes(s.jsonValue))
        #expect(try SessionValidator.session(fromCanonical: s.canonicalBytes) == s)
        s.auditLog[1].payload["rows"] = "changed"
        s.auditLog[0].notes = "now with notes"
        #expect(s.canonicalBytes == CanonicalJSON.bytes(s.jsonValue))
        #expect(String(decoding: s.canonicalBytes, as: UTF8.self).contains("\"rows\": \"changed\""))
        s.sealAuditLog()
        #expect(s.canonicalBytes == CanonicalJSON.bytes(s.jsonValue))
        let sealed = s.canonicalBytes
        s.discardEncodingCaches()
        #expect(s.canonicalBytes == sealed)
        #expect(
            Session(sessionID: s.sessionID, origin: s.origin, metadata: s.metadata, state: [:], auditLog: [])
                .canonicalBytes
                == CanonicalJSON.bytes(
                    Session(sessionID: s.sessionID, origin: s.origin, metadata: s.metadata, state: [:], auditLog: [])
                        .jsonValue))
    }

    /// Sealing writes each identity straight into one reused buffer; every id must still be
    /// the hash of the generic canonical writer's bytes (``AuditEntry/computedID()``), for every
    /// mix of absent and present fields, and a long entry before a short one must leave nothing
    /// behind in the buffer.
    @Test func sealedIdsAreTheGenericWritersHashForEveryShapeOfEntry() {
        var entries: [AuditEntry] = []
        for actor in [nil, "ä\"b"] as [String?] {
            for iteration in [nil, 0, -12, Int.max] as [Int?] {
                for notes in [nil, "", "x\ny\u{1}"] as [String?] {
                    for timestamp in [nil, "2026-01-01T00:00:00Z"] as [String?] {
                        entries.append(
                            AuditEntry(
                                kind: "lock.data", timestamp: timestamp, iteration: iteration, actor: actor,
                                notes: notes,
                                payload: entries.count % 3 == 0
                                    ? ["z": .float(.nan), "a": ["long": .string(String(repeating: "é", count: 200))]]
                                    : [:]))
                    }
                }
            }
        }
        var s = Session(
            sessionID: SessionID.derive(system: "mochi", legacyID: "shapes"),
            origin: Origin(system: "mochi", format: "x", legacyID: nil), metadata: Metadata(), state: [:],
            auditLog: entries)
        s.sealAuditLog()
        #expect(s.auditLog.count == 48)
        for entry in s.auditLog { #expect(entry.id == entry.computedID()) }
        var single = entries[1]
        single.seal(seq: 5)
        #expect(single.id == single.computedID() && single.id == s.auditLog[1].id)
        #expect(s.canonicalBytes == CanonicalJSON.bytes(s.jsonValue))
    }

    @Test func sealNumbersContiguouslyFromOne() {
        var s = Session(
            sessionID: "a3505bba-b7e4-46a2-b34a-55bfdb3a708f",
            origin: Origin(system: "alchemist", format: "x", legacyID: nil),
            metadata: Metadata(), state: JSONObject(),
            auditLog: [
                AuditEntry(kind: "lock.data", timestamp: nil, payload: JSONObject()),
                AuditEntry(kind: "message.user", timestamp: nil, payload: JSONObject()),
            ])
        s.sealAuditLog()
        #expect(s.auditLog.map(\.seq) == [1, 2])
        #expect(s.auditLog.allSatisfy { $0.id == $0.computedID() })
        #expect(Session.storePath(for: s.sessionID) == "sessions/a3/a3505bba-b7e4-46a2-b34a-55bfdb3a708f.json")
    }
}
