import Foundation
import SessionModel
import Testing

/// `schema` and `validate` through the binary; the schema checked by an independent validator
/// (Python's `jsonschema`) against every golden file, so schema and Swift validator agree.
struct SchemaAndValidateTests {
    static func sampleSession() -> Session {
        var s = Session(
            sessionID: "6a0fc014-e93f-4e18-9787-a4f3c638fb9b",
            origin: Origin(system: "mochi", format: "mochi-session/1.4", legacyID: "0f7a24a33f"),
            metadata: Metadata(
                name: "Grüße 😀", tags: [], createdAt: "2026-11-21T13:45:24.508930Z", updatedAt: "2026-11-21T13:45:24Z"),
            state: ["model": "llama3.2:3b", "noise": .float(.nan), "big": .bigInt("123456789012345678901234567890")],
            auditLog: [
                AuditEntry(
                    kind: "message.user", timestamp: "2026-11-21T13:45:24.508930Z", actor: "user",
                    payload: ["content": "Hallo"])
            ])
        s.sealAuditLog()
        return s
    }

    /// Every golden canonical file in Fixtures/golden plus a sample written here.
    static func canonicalFiles(in dir: String) throws -> [String] {
        let sample = sampleSession()
        let samplePath = dir + "/" + sample.sessionID + ".json"
        _ = FileManager.default.createFile(atPath: samplePath, contents: Data(sample.canonicalBytes))
        var files = [samplePath]
        let golden = CLI.packageRoot + "/Fixtures/golden"
        if let e = FileManager.default.enumerator(atPath: golden) {
            for case let rel as String in e where rel.hasSuffix(".json") { files.append(golden + "/" + rel) }
        }
        return files.sorted()
    }

    @Test func schemaIsValidDraft2020AndAcceptsEveryGoldenFile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let schema = try CLI.run(["schema"])
        #expect(schema.status == 0)
        try CLI.write(schema.stdout, to: dir + "/schema.json")
        let files = try Self.canonicalFiles(in: dir)
        let check = try CLI.tool(["python3", "-c", Self.jsonschemaCheck, dir + "/schema.json"] + files)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("\(files.count) valid"))
        // Every golden file also passes our own validator.
        let validate = try CLI.run(["validate"] + files)
        #expect(validate.status == 0, "\(validate.stdout)")
        #expect(validate.stdout.contains("\(files.count) file\(files.count == 1 ? "" : "s") checked, 0 invalid"))
    }

    @Test func schemaRejectsWhatTheValidatorRejects() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CLI.write(try CLI.run(["schema"]).stdout, to: dir + "/schema.json")
        let good = String(decoding: Self.sampleSession().canonicalBytes, as: UTF8.self)
        let bad = [
            good.replacingOccurrences(of: "\"message.user\"", with: "\"Message\""),
            good.replacingOccurrences(of: "\"2026-11-21T13:45:24Z\"", with: "\"2026-11-21T13:45:24+01:00\""),
            good.replacingOccurrences(of: "\"format\": \"sessionsync/1\"", with: "\"format\": \"sessionsync/2\""),
            good.replacingOccurrences(of: "\"system\": \"mochi\"", with: "\"system\": \"other\""),
            good.replacingOccurrences(of: "\"seq\": 1", with: "\"seq\": 0"),
        ]
        for (i, text) in bad.enumerated() {
            let path = dir + "/bad\(i).json"
            try CLI.write(text, to: path)
            let check = try CLI.tool(["python3", "-c", Self.jsonschemaCheck, dir + "/schema.json", path])
            #expect(check.status == 1, "schema accepted case \(i)")
            #expect(try CLI.run(["validate", path]).status == 1, "validator accepted case \(i)")
        }
    }

    @Test func validateNamesTheFileThePlaceAndTheReason() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let s = Self.sampleSession()
        let text = String(decoding: s.canonicalBytes, as: UTF8.self)
        try CLI.write(text, to: dir + "/store/\(s.sessionID).json")
        try CLI.write(
            text.replacingOccurrences(of: "\"seq\": 1", with: "\"seq\": 2"), to: dir + "/store/sub/\(s.sessionID).json")
        try CLI.write(text, to: dir + "/store/wrong-name.json")
        let result = try CLI.run(["validate", dir + "/store"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "\(dir)/store/sub/\(s.sessionID).json: /audit_log/0/seq: is 2, expected 1 (seq must be 1-based and contiguous)"
            ))
        #expect(
            lines.contains(
                "\(dir)/store/wrong-name.json: /session_id: session id \"\(s.sessionID)\" does not match the file name \"wrong-name.json\""
            ))
        #expect(lines.last == "3 files checked, 2 invalid")

        let json = try CLI.run(["validate", "--json", dir + "/store"])
        #expect(json.status == 1)
        let report = try JSONReader.read(json.stdout).value
        #expect(report["files"] == .int(3))
        #expect(report["invalid"] == .int(2))
        #expect(report["issues"]?.arrayValue?.count == 2)

        #expect(try CLI.run(["validate", dir + "/store/\(s.sessionID).json"]).status == 0)
    }

    @Test func usageAndEnvironmentErrorsExitWithTwo() throws {
        #expect(try CLI.run(["validate"]).status == 2)
        #expect(try CLI.run(["migrate", "x"]).status == 2)
        #expect(try CLI.run(["migrate", "x", "--out", "/tmp/x", "--assume-timezone", "Mars/Olympus"]).status == 2)
        #expect(try CLI.run(["validate", "/nonexistent/file.json"]).status == 2)
        #expect(try CLI.run(["no-such-command"]).status == 2)
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit codes: 0 success"))
    }

    @Test func canonicalizeRewritesAnyJSONAndChecks() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CLI.write("{\"b\": [1, 2.50, NaN], \"a\": \"\\u00e9\"}", to: dir + "/in/x.json")
        #expect(try CLI.run(["canonicalize", "--check", dir + "/in"]).status == 1)
        let r = try CLI.run(["canonicalize", dir + "/in", "--out", dir + "/out"])
        #expect(r.status == 0)
        #expect(
            CLI.read(dir + "/out/x.json")
                == "{\n  \"a\": \"é\",\n  \"b\": [\n    1,\n    2.5,\n    {\n      \"$number\": \"NaN\"\n    }\n  ]\n}\n"
        )
        #expect(try CLI.run(["canonicalize", "--check", dir + "/out"]).status == 0)
    }

    static let jsonschemaCheck = """
        import json, sys
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1]))
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        bad = 0
        for path in sys.argv[2:]:
            errors = list(validator.iter_errors(json.load(open(path))))
            for e in errors:
                print(path, "/".join(map(str, e.absolute_path)), e.message)
            bad += bool(errors)
        print(f"{len(sys.argv) - 2 - bad} valid, {bad} invalid")
        sys.exit(1 if bad else 0)
        """
}
