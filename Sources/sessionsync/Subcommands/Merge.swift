import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Three-way merge of one session; also a git merge driver.",
            usage: """
                sessionsync merge BASE OURS THEIRS [-o OUT] [--json]
                sessionsync merge --no-base OURS THEIRS [-o OUT] [--json]
                """,
            discussion: """
                Each input is a canonical file or a legacy file holding one session. Metadata, origin \
                and state merge per JSON path; audit logs merge as a union by entry id (base order, \
                then new entries by time); entries one side removed stay removed. Conflicts (a path \
                changed differently, a lock decided differently, a removal against a change or \
                against entries written after it) are recorded in the merged file under \
                state.sessionsync_conflicts and the exit code is 1. The merged file is always valid \
                sessionsync/1. Without a base (--no-base, or an empty BASE file, as git passes for \
                add/add), the common audit-log prefix is the base. -o writes atomically and may name \
                an input, so a git merge driver is `sessionsync merge %O %A %B -o %A`. \
                See docs/diff-merge.md. Exit 0 clean, 1 conflicts, 2 usage or unreadable input.
                """)

        @Argument(help: ArgumentHelp("BASE OURS THEIRS, or OURS THEIRS with --no-base.", valueName: "file"))
        var files: [String]

        @Flag(name: .long, help: "Merge two versions that share no base (the common audit-log prefix is the base).")
        var noBase = false

        @Option(
            name: [.short, .customLong("output")],
            help: ArgumentHelp(
                "Write the merged session here (atomically) instead of standard output.", valueName: "out"))
        var output: String?

        @Flag(name: .long, help: "Print a JSON report of the merge (needs -o).")
        var json = false

        @OptionGroup var importArguments: ImportArguments

        func validate() throws {
            let expected = noBase ? 2 : 3
            guard files.count == expected else {
                throw ValidationError(
                    noBase
                        ? "--no-base takes OURS THEIRS (got \(files.count) files)"
                        : "merge takes BASE OURS THEIRS (got \(files.count) files; use --no-base for two)")
            }
            if json && output == nil {
                throw ValidationError("--json needs -o, since the merged session would go to standard output")
            }
        }

        func run() throws {
            let options = try importArguments.importOptions()
            func load(_ path: String) throws -> Session {
                do {
                    return try SessionLoader.loadOne(path, importOptions: options)
                } catch let error as FormatError {
                    throw CommandFailure(message: error.description)
                }
            }
            var basePath: String? = noBase ? nil : files[0]
            // git passes an empty base file when both branches added the file.
            if let path = basePath, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                (attributes[.size] as? NSNumber)?.intValue == 0
            {
                basePath = nil
            }
            let base = try basePath.map(load)
            let ours = try load(files[noBase ? 0 : 1])
            let theirs = try load(files[noBase ? 1 : 2])
            let result: MergeResult
            do {
                result = try SessionMerge.merge(base: base, ours: ours, theirs: theirs)
            } catch let error as MergeError {
                throw CommandFailure(message: error.description)
            }
            let bytes = result.session.canonicalBytes
            if let output {
                do {
                    try AtomicFile.write(bytes, to: output)
                } catch {
                    throw CommandFailure(message: "cannot write \(output): \(error)")
                }
            } else {
                Terminal.standardOutput.write(String(decoding: bytes, as: UTF8.self))
            }
            if json {
                printJSON([
                    "session_id": .string(result.session.sessionID),
                    "clean": .bool(result.isClean),
                    "base": basePath.map { .string($0) } ?? .null,
                    "output": JSONValue(output),
                    "conflicts": .array(result.conflicts.map(\.jsonValue)),
                    "audit_log": [
                        "entries": .int(result.session.auditLog.count),
                        "removed": .int(result.removedEntries),
                        "added_from_ours": .int(result.addedFromOurs),
                        "added_from_theirs": .int(result.addedFromTheirs),
                        "added_by_both": .int(result.addedByBoth),
                    ],
                ])
            } else {
                report(result, base: basePath)
            }
            if !result.isClean { throw ExitCode(1) }
        }

        /// The summary goes to standard error: standard output may carry the merged document.
        func report(_ result: MergeResult, base: String?) {
            let err = Terminal.standardError
            let log =
                "audit log: \(result.session.auditLog.count) entries (\(result.addedFromOurs) new from ours, \(result.addedFromTheirs) from theirs, \(result.addedByBoth) from both, \(result.removedEntries) removed)"
            if result.isClean {
                err.line(err.styled("merged cleanly", .green) + (base == nil ? " (no base)" : "") + "; " + log)
                return
            }
            for c in result.conflicts { err.line(err.styled("conflict", .red) + " [\(c.kind.rawValue)] \(c.summary)") }
            err.line(
                err.styled("\(result.conflicts.count) conflict\(result.conflicts.count == 1 ? "" : "s")", .bold)
                    + " recorded in state.\(SessionMerge.conflictsKey); " + log)
        }
    }
}
