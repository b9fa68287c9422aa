import Foundation
import SessionModel
import Testing

/// `validate` must name each kind of problem (issue #2's list), with its place.
struct ValidationTests {
    static let id = "a3505bba-b7e4-46a2-b34a-55bfdb3a708f"

    static func sample() -> Session {
        var s = Session(
            sessionID: id,
            origin: Origin(
                system: "alchemist", format: "alchemist-session/1.1.0", legacyID: id, extra: ["assumed_timezone": "UTC"]
            ),
            metadata: Metadata(
                name: "Catalyst screening", tags: ["catalyst"], createdAt: "2026-11-21T13:44:16.741847Z",
                updatedAt: "2026-11-21T13:44:19.082077Z"),
            state: ["experiments": ["n_total": 2, "noise": .float(.nan)]],
            auditLog: [
                AuditEntry(
                    kind: "lock.data", timestamp: "2026-11-21T13:44:16.761557Z", notes: "Initial",
                    payload: ["n_experiments": 2]),
                AuditEntry(
                    kind: "lock.model", timestamp: "2026-11-21T13:44:19.081727Z", iteration: 2,
                    payload: ["kernel": "Matern"]),
            ])
        s.sealAuditLog()
        return s
    }

    static var bytes: [UInt8] { sample().canonicalBytes }

    func issues(_ bytes: [UInt8], stem: String? = ValidationTests.id) -> [String] {
        SessionValidator.validate(fileBytes: bytes, fileStem: stem).issues.map(\.description)
    }

    func edited(_ transform: (String) -> String) -> [UInt8] {
        Array(transform(String(decoding: Self.bytes, as: UTF8.self)).utf8)
    }

    @Test func aCanonicalFileHasNoIssuesAndDecodesToTheSameSession() {
        let result = SessionValidator.validate(fileBytes: Self.bytes, fileStem: Self.id)
        #expect(result.issues.isEmpty)
        #expect(result.session == Self.sample())
    }

    @Test func wrongIndentation() {
        let bad = edited { $0.replacingOccurrences(of: "\n  \"format\"", with: "\n   \"format\"") }
        #expect(issues(bad) == [#"line 28: wrong indentation: expected 2 spaces, found 3 spaces"#])
    }

    @Test func unsortedKeys() {
        // Swap two members of the metadata object.
        let bad = edited {
            $0.replacingOccurrences(
                of: "    \"created_at\": \"2026-11-21T13:44:16.741847Z\",\n    \"description\": null,",
                with: "    \"description\": null,\n    \"created_at\": \"2026-11-21T13:44:16.741847Z\",")
        }
        #expect(issues(bad) == ["/metadata: keys are not sorted by Unicode code point"])
    }

    @Test func trailingSpaces() {
        let bad = edited {
            $0.replacingOccurrences(of: "\"format\": \"sessionsync/1\",", with: "\"format\": \"sessionsync/1\",  ")
        }
        #expect(issues(bad) == ["line 28: trailing white space"])
    }

    @Test func missingFinalNewline() {
        #expect(issues(Array(Self.bytes.dropLast())) == ["missing final newline"])
    }

    @Test func idNotEqualToFileName() {
        #expect(
            issues(Self.bytes, stem: "other") == [
                #"/session_id: session id "a3505bba-b7e4-46a2-b34a-55bfdb3a708f" does not match the file name "other.json""#
            ])
    }

    @Test func gapInSeq() {
        let bad = edited { $0.replacingOccurrences(of: "\"seq\": 2", with: "\"seq\": 3") }
        #expect(issues(bad) == ["/audit_log/1/seq: is 3, expected 2 (seq must be 1-based and contiguous)"])
    }

    @Test func wrongEntryId() {
        let entry = Self.sample().auditLog[0]
        let bad = edited { $0.replacingOccurrences(of: "\"notes\": \"Initial\"", with: "\"notes\": \"Edited\"") }
        let found = issues(bad)
        #expect(found.count == 1)
        #expect(
            found.first?.hasPrefix("/audit_log/0/id: is \(entry.id), but the entry's content gives sha256:") == true)
    }

    @Test func nonUTCTime() {
        let bad = edited {
            $0.replacingOccurrences(of: "2026-11-21T13:44:16.741847Z", with: "2026-11-21T13:44:16.741847+01:00")
        }
        #expect(
            issues(bad) == [
                #"/metadata/created_at: "2026-11-21T13:44:16.741847+01:00" is not an RFC 3339 UTC time of the form YYYY-MM-DDTHH:MM:SS[.ffffff]Z"#
            ])
    }

    @Test func otherProblemsAreNamedToo() {
        #expect(
            issues(edited { $0.replacingOccurrences(of: "\n", with: "\r\n") }).first
                == "line 1: carriage return: lines must end with LF only")
        #expect(
            issues(edited { $0.replacingOccurrences(of: "\"lock.data\"", with: "\"LockData\"") }).contains(
                "/audit_log/0/kind: must be dotted lowercase words, e.g. \"lock.data\""))
        // An integer changed to a float is a different value in canonical form (state is not
        // covered by entry ids): no issue. The byte form of numbers is checked below.
        #expect(issues(edited { $0.replacingOccurrences(of: "\"n_total\": 2", with: "\"n_total\": 2.0") }) == [])
        #expect(
            issues(Array("{\"format\": NaN}".utf8)) == [
                "line 1 column 12: NaN is not a JSON number (write it as {\"$number\": \"NaN\"})"
            ])
        let missing = issues(Array("{}\n".utf8), stem: nil)
        #expect(missing.contains("/: missing key \"audit_log\""))
        #expect(missing.count == 6)
    }

    @Test func floatFormIsPartOfTheBytes() {
        // 1.50 reads as the same double as 1.5 but is not its canonical form.
        let original = edited { $0.replacingOccurrences(of: "\"n_total\": 2", with: "\"n_total\": 1.5") }
        let reformatted = Array(
            String(decoding: original, as: UTF8.self).replacingOccurrences(of: "1.5", with: "1.50").utf8)
        let found = issues(reformatted)
        #expect(found.count == 1)
        #expect(
            found.first?.contains(
                "not in canonical form: expected `      \"n_total\": 1.5,`, found `      \"n_total\": 1.50,`") == true)
    }
}
