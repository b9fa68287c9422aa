import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "A session's history in a git store: time, kind, iteration, notes, commit.",
            discussion: """
                SESSION is a session id, a unique prefix of one (4+ hex digits), a legacy id (the \
                app's own id, e.g. a mochi 10-hex id), or `latest` (the session of the newest commit).
                """)

        @Argument(help: "The session.")
        var session: String

        @Option(name: .long, help: ArgumentHelp("The git store, optionally REPO@REV.", valueName: "repo"))
        var repo: String

        @OptionGroup var output: OutputOptions

        func run() throws {
            let view = try openView(repo)
            let id = try resolveSession(session, in: view)
            let history = try view.history(of: id)
            if output.json {
                printJSON([
                    "session_id": .string(id),
                    "commits": .array(
                        history.map { h in
                            [
                                "commit": .string(h.commit), "time": .string(formatEpoch(h.time)),
                                "kind": .string(h.kind),
                                "iteration": JSONValue(h.iteration), "notes": JSONValue(h.notes),
                                "summary": .string(h.summary),
                                "audit_seq": JSONValue(h.auditSeq),
                            ]
                        }),
                ])
                return
            }
            let out = Terminal.standardOutput
            for h in history {
                var line =
                    "\(out.styled(String(h.commit.prefix(12)), .yellow))  \(formatEpoch(h.time))  \(out.styled(h.kind, .cyan))"
                if let i = h.iteration { line += "  iteration \(i)" }
                out.line(line)
                if let notes = h.notes, !notes.isEmpty {
                    out.line("    " + notes.replacingOccurrences(of: "\n", with: "\n    "))
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print a session as of a revision of a git store: canonical, or in an app's format.",
            discussion: "SESSION[@REV]: a session (as for `log`) and an optional revision (default: HEAD).")

        @Argument(help: "SESSION or SESSION@REV.")
        var session: String

        @Option(name: .long, help: ArgumentHelp("The git store.", valueName: "repo"))
        var repo: String

        @Option(
            name: .long, help: ArgumentHelp("Write in an app's format instead (see `export`).", valueName: "format"))
        var to: String?

        func run() throws {
            var spec = session
            var address = repo
            if let at = session.lastIndex(of: "@") {
                spec = String(session[..<at])
                address = repo + "@" + session[session.index(after: at)...]
            }
            let view = try openView(address)
            let id = try resolveSession(spec, in: view)
            guard let bytes = try view.bytes(of: id) else {
                throw CommandFailure(message: "session \(id) is not in \(address)", exitCode: 1)
            }
            guard let to else {
                Terminal.standardOutput.write(String(decoding: bytes, as: UTF8.self))
                return
            }
            let loaded = try SessionValidator.session(fromCanonical: bytes)
            guard let exporter = LegacySystems.exporter(named: to) else {
                throw ValidationError("unknown format \"\(to)\"")
            }
            let files: [ExportedFile]
            do {
                files = try exporter.export(loaded)
            } catch let error as FormatError {
                throw CommandFailure(message: "cannot show \(id) as \(to): \(error.reason)", exitCode: 1)
            }
            for file in files {
                if files.count > 1 { Terminal.standardOutput.line("==> \(file.relativePath) <==") }
                Terminal.standardOutput.write(
                    String(decoding: file.bytes, as: UTF8.self) + (files.count > 1 ? "\n" : ""))
            }
        }
    }
}

func openView(_ address: String) throws -> GitStoreView {
    do {
        return try GitStoreView(address: address)
    } catch {
        throw CommandFailure(message: "cannot read git store \(address): \(error)")
    }
}

func resolveSession(_ spec: String, in view: GitStoreView) throws -> String {
    do {
        return try view.resolve(spec)
    } catch let error as FormatError {
        throw CommandFailure(message: "\(error.location): \(error.reason)", exitCode: 1)
    }
}

/// Seconds since the epoch as RFC 3339 UTC.
func formatEpoch(_ seconds: Int64) -> String {
    let f = ISO8601DateFormatter()
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
}
