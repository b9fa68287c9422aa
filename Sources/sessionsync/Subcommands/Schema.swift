import ArgumentParser
import SessionModel

extension SessionSyncCommand {
    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Print the JSON Schema (draft 2020-12) of the canonical format sessionsync/1.",
            discussion: """
                The schema covers the document's structure. `sessionsync validate` checks it too, and \
                also what a schema cannot express: the exact canonical bytes, id = file name, \
                contiguous seq and audit entry ids.
                """)

        func run() throws {
            Terminal.standardOutput.write(SessionSchema.text + "\n")
        }
    }
}
