import ArgumentParser
import Foundation
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the sessions of any store, newest first.",
            discussion: """
                STORE is a git store (REPO[@REV]), a canonical folder store, or any legacy store (a server cache/ folder, a \
                workspace, a mochi data folder, a SQLite database, …), read without writing anything. \
                Shows id, name, tags, created and updated times and the source format, so a server \
                admin sees which sessions are still pickles.
                """)

        @Argument(help: "Stores (folders or files).")
        var stores: [String]

        @OptionGroup var output: OutputOptions
        @OptionGroup var importArguments: ImportArguments

        func run() throws {
            let (sessions, failures) = try SessionLoader.summaries(
                of: stores, importOptions: try importArguments.importOptions())
            if output.json {
                printJSON([
                    "sessions": .array(
                        sessions.map { s in
                            [
                                "session_id": .string(s.sessionID), "name": JSONValue(s.name),
                                "tags": s.tags.map { .array($0.map(JSONValue.string)) } ?? .null,
                                "created_at": JSONValue(s.createdAt), "updated_at": JSONValue(s.updatedAt),
                                "source_format": .string(s.sourceFormat),
                            ]
                        }),
                    "errors": .array(failures.map { .string($0.description) }),
                ])
            } else {
                let out = Terminal.standardOutput
                for s in sessions {
                    let tags = (s.tags ?? []).isEmpty ? "" : " [" + s.tags!.joined(separator: ", ") + "]"
                    out.line(
                        "\(out.styled(s.sessionID, .cyan))  \(s.updatedAt ?? s.createdAt ?? "-")  \(out.styled(s.sourceFormat, .dim))  \(s.name ?? "(unnamed)")\(tags)"
                    )
                }
                for f in failures {
                    Terminal.standardError.line(Terminal.standardError.styled("error", .red) + " \(f)")
                }
                out.line("\(sessions.count) session\(sessions.count == 1 ? "" : "s")")
            }
            if !failures.isEmpty { throw ExitCode(1) }
        }
    }
}
