import ArgumentParser

/// `sessionsync`: moves application sessions out of their legacy formats into one canonical,
/// byte-deterministic JSON format and into git, and diffs, merges and replays them.
struct SessionSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessionsync",
        abstract: "Migrate application sessions from legacy formats into canonical JSON and git.",
        discussion: """
            Formats read: ALchemist session JSON, server store (JSON and pickle) and recovery backups; \
            Lobster workspaces (session JSON + provenance JSONL); mochi chat sessions; casefile \
            exports; JamBot SQLite databases and JSON row dumps. Detection is by content.

            Exit codes: 0 success; 1 the command ran but found what it reports (invalid files, \
            failed inputs, differences with --exit-code, merge conflicts); 2 usage or environment error.
            """,
        version: "0.1.0",
        subcommands: [
            Detect.self, Migrate.self, Validate.self, Schema.self, List.self, Export.self, Commit.self, Log.self,
            Show.self,
            Diff.self, Merge.self, Replay.self, GitSetup.self, Canonicalize.self,
        ]
    )
}
