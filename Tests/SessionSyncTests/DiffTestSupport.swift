import Foundation
import SessionModel
import SessionSync

/// Builders for small sessions, so each test states only what it is about.
enum Make {
    static let id = "3f2a8c1e-5b7d-4e9a-8c6f-1a2b3c4d5e6f"

    static func session(
        id: String = Make.id, name: String? = "Catalyst screen", state: JSONObject = [:], log: [AuditEntry] = [],
        updatedAt: String? = nil
    ) -> Session {
        var s = Session(
            sessionID: id, origin: Origin(system: "alchemist", format: "alchemist-session/1.1.0", legacyID: nil),
            metadata: Metadata(name: name, tags: ["bo"], updatedAt: updatedAt), state: state, auditLog: log)
        s.sealAuditLog()
        return s
    }

    static func entry(
        _ kind: String, _ minute: Int, iteration: Int? = nil, notes: String? = nil, payload: JSONObject = [:]
    ) -> AuditEntry {
        AuditEntry(
            kind: kind, timestamp: String(format: "2026-11-21T10:%02d:00Z", minute), iteration: iteration, actor: "ana",
            notes: notes, payload: payload)
    }

    /// A chat: user and assistant messages, one a minute from `start`.
    static func chat(_ texts: [String], start: Int = 0) -> [AuditEntry] {
        texts.enumerated().map { i, text in
            entry(i % 2 == 0 ? "message.user" : "message.assistant", start + i, payload: ["content": .string(text)])
        }
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sessionsync-diff-" + UUID().uuidString)
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The document as a file holds it, read back (non-finite floats are `{"$number": …}` objects).
    static func document(_ s: Session) throws -> JSONValue {
        try JSONReader.read(s.canonicalBytes, options: .strict).value
    }
}

/// A minimal RFC 6902 applier (add, remove, replace, test), written from the RFC so the
/// patch generator is checked by something it does not share code with.
enum PatchApplier {
    struct Failure: Error { var message: String }

    static func apply(_ patch: [JSONValue], to document: JSONValue) throws -> JSONValue {
        var doc = document
        for op in patch {
            guard let name = op["op"]?.stringValue, let path = op["path"]?.stringValue else {
                throw Failure(message: "bad op")
            }
            let tokens = try parse(path)
            switch name {
            case "test":
                guard try get(doc, tokens) == op["value"] else { throw Failure(message: "test failed at \(path)") }
            case "add": doc = try update(doc, tokens[...], mode: .add(op["value"] ?? .null))
            case "remove": doc = try update(doc, tokens[...], mode: .remove)
            case "replace": doc = try update(doc, tokens[...], mode: .replace(op["value"] ?? .null))
            default: throw Failure(message: "unsupported op \(name)")
            }
        }
        return doc
    }

    enum Mode {
        case add(JSONValue), remove, replace(JSONValue)
    }

    static func parse(_ pointer: String) throws -> [String] {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { throw Failure(message: "bad pointer \(pointer)") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ v: JSONValue, _ tokens: [String]) throws -> JSONValue {
        var cur = v
        for t in tokens {
            switch cur {
            case .object(let o):
                guard let next = o[t] else { throw Failure(message: "no member \(t)") }
                cur = next
            case .array(let a):
                guard let i = Int(t), a.indices.contains(i) else { throw Failure(message: "no index \(t)") }
                cur = a[i]
            default: throw Failure(message: "not a container at \(t)")
            }
        }
        return cur
    }

    static func update(_ v: JSONValue, _ tokens: ArraySlice<String>, mode: Mode) throws -> JSONValue {
        guard let t = tokens.first else {
            switch mode {
            case .add(let x), .replace(let x): return x
            case .remove: throw Failure(message: "cannot remove the root")
            }
        }
        let rest = tokens.dropFirst()
        switch v {
        case .object(var o):
            if rest.isEmpty {
                switch mode {
                case .add(let x): o[t] = x
                case .replace(let x):
                    guard o[t] != nil else { throw Failure(message: "replace of missing \(t)") }
                    o[t] = x
                case .remove:
                    guard o.removeValue(forKey: t) != nil else { throw Failure(message: "remove of missing \(t)") }
                }
            } else {
                guard let child = o[t] else { throw Failure(message: "no member \(t)") }
                o[t] = try update(child, rest, mode: mode)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                switch mode {
                case .add(let x):
                    if t == "-" {
                        a.append(x)
                    } else {
                        guard let i = Int(t), i >= 0, i <= a.count else { throw Failure(message: "bad index \(t)") }
                        a.insert(x, at: i)
                    }
                case .replace(let x):
                    guard let i = Int(t), a.indices.contains(i) else { throw Failure(message: "bad index \(t)") }
                    a[i] = x
                case .remove:
                    guard let i = Int(t), a.indices.contains(i) else { throw Failure(message: "bad index \(t)") }
                    a.remove(at: i)
                }
            } else {
                guard let i = Int(t), a.indices.contains(i) else { throw Failure(message: "bad index \(t)") }
                a[i] = try update(a[i], rest, mode: mode)
            }
            return .array(a)
        default:
            throw Failure(message: "not a container at \(t)")
        }
    }
}
