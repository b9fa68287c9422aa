import Foundation
import Testing

/// Desktop ↔ server end to end through the binary (issue #6): an ALchemist desktop folder and a
/// server `cache/` folder hold the same session, each with a lock the other lacks; `diff` shows
/// them, `replay` both ways gives both the union, each file in its own format, with backups.
struct DesktopServerTests {
    static let fixture = CLI.packageRoot + "/Fixtures/legacy/alchemist/session_json/head_full_workflow.json"

    /// Writes the two stores as the app would (Python's json, the app's hash rule): the
    /// desktop save gets `desktopLock`, the server store file `serverLock` (entry_type,
    /// parameters, notes, time).
    static let writer = #"""
        import hashlib, json, sys, copy
        src, desktop, server, spec = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
        base = json.load(open(src))
        def entry(e):
            p = e["parameters"]
            h = hashlib.sha256(json.dumps(p, sort_keys=True, default=str).encode()).hexdigest()[:16]
            return {"timestamp": e["time"], "entry_type": e["type"], "parameters": p, "hash": h, "notes": e["notes"]}
        def with_lock(e):
            d = copy.deepcopy(base)
            for row in e.get("rows", []):
                row.setdefault("ProvenanceId", float("nan"))
                d["experiments"]["data"].append(row)
            d["experiments"]["n_total"] = len(d["experiments"]["data"])
            if e["type"] == "data_locked":
                d["audit_log"]["experiment_data"] = copy.deepcopy(d["experiments"]["data"])
            d["audit_log"]["entries"].append(entry(e))
            d["metadata"]["last_modified"] = e["time"]
            return d
        d = with_lock(spec["desktop"])
        with open(desktop, "w") as f:
            json.dump(d, f, indent=2, default=str)
        s = with_lock(spec["server"])
        s["_session_store_metadata"] = {"created_at": "2026-11-21T13:44:16.700000", "last_accessed": spec["server"]["time"]}
        with open(server, "w") as f:
            json.dump(s, f, indent=2)
        """#

    static let sessionID = "a3505bba-b7e4-46a2-b34a-55bfdb3a708f"

    struct Stores {
        var dir: String
        var desktop: String { dir + "/desktop" }
        var desktopFile: String { desktop + "/Catalyst run (final).json" }
        var server: String { dir + "/server" }
        var serverFile: String { server + "/cache/sessions/\(DesktopServerTests.sessionID).json" }
    }

    static func makeStores(desktopLock: String, serverLock: String) throws -> Stores {
        let stores = Stores(dir: try CLI.temporaryDirectory())
        try FileManager.default.createDirectory(atPath: stores.desktop, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: stores.server + "/cache/sessions", withIntermediateDirectories: true)
        let spec = "{\"desktop\": \(desktopLock), \"server\": \(serverLock)}"
        let r = try CLI.tool(["python3", "-c", writer, fixture, stores.desktopFile, stores.serverFile, spec])
        #expect(r.status == 0, "\(r.stderr)")
        return stores
    }

    static let modelLock =
        #"{"time": "2026-11-21T15:00:00.000001", "type": "model_locked", "notes": "RBF after 11 runs", "parameters": {"backend": "sklearn", "kernel": "RBF", "hyperparameters": {"length_scale": 0.5}, "iteration": 11}}"#
    static let acquisitionLock =
        #"{"time": "2026-11-21T15:05:00.500000", "type": "acquisition_locked", "notes": "UCB batch", "parameters": {"strategy": "UCB", "parameters": {"kappa": 2.0}, "suggestions": [{"temperature": 400.0}], "iteration": 11}}"#
    static let otherModelLock =
        #"{"time": "2026-11-21T15:01:00", "type": "model_locked", "notes": "Matern instead", "parameters": {"backend": "sklearn", "kernel": "Matern", "hyperparameters": {"nu": 1.5}, "iteration": 11}}"#

    static func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    /// What Python's json reads from a file: top-level keys and the audit entry types.
    static func pythonView(_ path: String) throws -> (keys: [String], entries: [String]) {
        let script = """
            import json, sys
            d = json.load(open(sys.argv[1]))
            print(json.dumps({"keys": sorted(d), "entries": [e["entry_type"] + ":" + e["notes"] for e in d["audit_log"]["entries"]]}))
            """
        let r = try CLI.tool(["python3", "-c", script, path])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try json(r.stdout)
        return (o["keys"] as? [String] ?? [], o["entries"] as? [String] ?? [])
    }

    @Test func replayBothWaysGivesBothSidesTheUnionInTheirOwnFormats() throws {
        let s = try Self.makeStores(desktopLock: Self.modelLock, serverLock: Self.acquisitionLock)
        defer { try? FileManager.default.removeItem(atPath: s.dir) }

        // The diff shows one entry only in A and one only in B, and no divergence.
        let diff = try CLI.run(["diff", s.desktop, s.server, "--json"])
        #expect(diff.status == 0, "\(diff.stderr)")
        let changed = (try Self.json(diff.stdout)["changed"] as? [[String: Any]]) ?? []
        #expect(changed.count == 1)
        let log = changed.first?["audit_log"] as? [String: Any] ?? [:]
        #expect((log["only_in_a"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["lock.model"])
        #expect((log["only_in_b"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["lock.acquisition"])
        #expect((log["divergent"] as? [Any])?.isEmpty == true)

        // Dry run: a plan, nothing written.
        let before = CLI.read(s.serverFile)
        let plan = try CLI.run(["replay", s.desktop, s.server, "--dry-run"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("would append 1 entry"))
        #expect(plan.stdout.contains("lock.model"))
        #expect(CLI.read(s.serverFile) == before)

        let toServer = try CLI.run(["replay", s.desktop, s.server, "--json"])
        #expect(toServer.status == 0, "\(toServer.stderr)")
        let report = try Self.json(toServer.stdout)
        #expect((report["totals"] as? [String: Any])?["replayed"] as? Int == 1)
        let toDesktop = try CLI.run(["replay", s.server, s.desktop])
        #expect(toDesktop.status == 0, "\(toDesktop.stderr)")
        #expect(toDesktop.stdout.contains("lock.acquisition"))

        // Each file is still in its own format, and Python reads both.
        let server = try Self.pythonView(s.serverFile)
        let desktop = try Self.pythonView(s.desktopFile)
        #expect(server.keys.contains("_session_store_metadata"))
        #expect(!desktop.keys.contains("_session_store_metadata"))
        #expect(server.entries == desktop.entries)
        #expect(server.entries.suffix(2) == ["model_locked:RBF after 11 runs", "acquisition_locked:UCB batch"])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: s.desktop).sorted() == [
                "Catalyst run (final).json", "Catalyst run (final).json.sessionsync-backup-1",
            ])
        #expect(FileManager.default.fileExists(atPath: s.serverFile + ".sessionsync-backup-1"))
        #expect(CLI.read(s.serverFile + ".sessionsync-backup-1") == before)

        // Both hold the same session now: diff reports it identical. What still differs is where
        // each app keeps its own bookkeeping (origin, the server's access times): the report
        // counts it as the same session in two copies.
        let after = try CLI.run(["diff", s.desktop, s.server, "--json", "--exit-code"])
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
        let finalDiff = try Self.json(after.stdout)
        #expect((finalDiff["changed"] as? [Any])?.isEmpty == true)
        #expect(finalDiff["identical"] as? Int == 1)
        #expect(finalDiff["identical_in_other_copies"] as? Int == 1)
        let again = try CLI.run(["replay", s.server, s.desktop, "--json"])
        #expect((try Self.json(again.stdout)["totals"] as? [String: Any])?["replayed"] as? Int == 0)
    }

    static let dataLock =
        #"{"time": "2026-11-21T15:10:00.250000", "type": "data_locked", "notes": "two more runs", "parameters": {"n_experiments": 13, "data_hash": "0123456789abcdef"}, "rows": [{"temperature": 455.0, "pressure": 7, "catalyst": "A", "Output": 1.72, "Iteration": 11, "Reason": "Manual"}, {"temperature": 470.5, "pressure": 8, "catalyst": "C", "Output": 1.66, "Iteration": 12, "Reason": "Manual"}]}"#

    @Test func aReplayedDataLockBringsTheRowsItCounted() throws {
        let s = try Self.makeStores(desktopLock: Self.dataLock, serverLock: Self.acquisitionLock)
        defer { try? FileManager.default.removeItem(atPath: s.dir) }
        let r = try CLI.run(["replay", s.desktop, s.server])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let script = """
            import json, math, sys
            d = json.load(open(sys.argv[1]))
            rows = d["experiments"]["data"]
            print(json.dumps({"rows": len(rows), "n_total": d["experiments"]["n_total"], "snapshot": len(d["audit_log"].get("experiment_data", [])),
                              "last": [r["Reason"] for r in rows[-2:]], "nan": all(math.isnan(r["ProvenanceId"]) for r in rows[-2:]),
                              "entries": [e["entry_type"] for e in d["audit_log"]["entries"][-2:]], "store": "_session_store_metadata" in d}))
            """
        let out = try CLI.tool(["python3", "-c", script, s.serverFile])
        #expect(out.status == 0, "\(out.stderr)")
        let v = try Self.json(out.stdout)
        #expect(v["rows"] as? Int == 13 && v["n_total"] as? Int == 13 && v["snapshot"] as? Int == 13)
        #expect(v["last"] as? [String] == ["Manual", "Manual"] && v["nan"] as? Bool == true)
        #expect(v["entries"] as? [String] == ["acquisition_locked", "data_locked"])  // by time
        #expect(v["store"] as? Bool == true)
    }

    @Test func aLockDecidedDifferentlyStopsThatSessionAndLeavesItUntouched() throws {
        let s = try Self.makeStores(desktopLock: Self.modelLock, serverLock: Self.otherModelLock)
        defer { try? FileManager.default.removeItem(atPath: s.dir) }
        let before = CLI.read(s.serverFile)
        let r = try CLI.run(["replay", s.desktop, s.server])
        #expect(r.status == 1)
        #expect(r.stdout.contains("diverged"))
        #expect(r.stdout.contains("lock.model iteration 11"))
        #expect(CLI.read(s.serverFile) == before)
        #expect(!FileManager.default.fileExists(atPath: s.serverFile + ".sessionsync-backup-1"))
    }
}
