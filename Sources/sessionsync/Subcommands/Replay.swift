import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Append to TO the audit entries FROM has and TO lacks, writing TO in its own format.",
            discussion: """
                FROM: any store diff reads (a file, a canonical or legacy folder, REPO[@REV]). TO: a \
                git store (REPO, its checked-out branch, or REPO@BRANCH: one commit per replayed lock, \
                dated by the lock's time), a canonical folder store or file (rewritten atomically), or \
                a legacy file or folder (each file rewritten in its own format, e.g. ALchemist desktop \
                session JSON or server store JSON, atomically, the old file kept as \
                <file>.sessionsync-backup-<n>). Sessions are matched by session_id; only sessions both \
                hold are replayed. A session whose logs decided the same lock differently is left \
                untouched and reported as diverged. See docs/replay-and-git.md.
                Exit 0; 1 when a session diverged or could not be read or written; 2 on usage errors.
                """)

        @Argument(help: "Where the entries come from.")
        var from: String

        @Argument(help: "The store to extend.")
        var to: String

        @Flag(name: .long, help: "Print the plan (entries per session, or why it is skipped) and write nothing.")
        var dryRun = false

        @OptionGroup var output: OutputOptions
        @OptionGroup var importArguments: ImportArguments

        func run() throws {
            let options = ReplayOptions(importOptions: try importArguments.importOptions(), dryRun: dryRun)
            let report: ReplayReport
            do {
                report = try SessionSync.Replay.run(from: from, to: to, options: options)
            } catch let error as FormatError {
                throw CommandFailure(message: error.description)
            }
            if output.json {
                printJSON(report.jsonValue)
            } else {
                printHuman(report)
            }
            if report.hasDivergence || report.hasFailures { throw ExitCode(1) }
        }

        func printHuman(_ report: ReplayReport) {
            let out = Terminal.standardOutput
            let err = Terminal.standardError
            for e in report.errors { err.line(err.styled("error", .red) + " \(e)") }
            let verb = report.dryRun ? "would append" : "appended"
            for s in report.sessions {
                let title = "\(s.sessionID)  \(s.name ?? "(unnamed)")"
                switch s.status {
                case .replayed:
                    out.line(
                        out.styled("replay \(title)", .green)
                            + ": \(verb) \(s.entries.count) entr\(s.entries.count == 1 ? "y" : "ies") to \(s.location)")
                    for e in s.entries {
                        var line = "    + #\(e.seq) \(e.kind)  \(e.timestamp ?? "(no time)")"
                        if let i = e.iteration { line += "  iteration \(i)" }
                        if let n = e.notes, !n.isEmpty {
                            line += "  \"\(n.replacingOccurrences(of: "\n", with: "⏎").prefix(80))\""
                        }
                        out.line(line)
                    }
                    if let b = s.backup { out.line(out.styled("    previous file kept as \(b)", .dim)) }
                case .diverged:
                    out.line(out.styled("diverged \(title)", .magenta) + ": \(s.reason ?? "")")
                case .skipped:
                    out.line(
                        out.styled("skipped \(title)", .yellow)
                            + ": \(s.entries.count) entries not written: \(s.reason ?? "")")
                case .failed:
                    out.line(out.styled("failed \(title)", .red) + ": \(s.reason ?? "")")
                }
            }
            var summary =
                "\(report.count(.replayed)) replayed, \(report.count(.diverged)) diverged, \(report.count(.skipped)) skipped, \(report.count(.failed)) failed, \(report.upToDate) up to date"
            if report.onlyInFrom > 0 { summary += ", \(report.onlyInFrom) only in FROM (not created)" }
            if report.targetKind == "git" && !report.dryRun {
                summary += "; \(report.commits) commit\(report.commits == 1 ? "" : "s")"
            }
            if report.dryRun { summary += " (dry run: nothing written)" }
            out.line(out.styled(summary, .bold))
        }
    }
}
