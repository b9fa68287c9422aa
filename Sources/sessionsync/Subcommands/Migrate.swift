import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Convert legacy sessions to sessionsync/1 into a canonical folder store or a git repository.",
            discussion: """
                Walks files and folders (symlinks leaving an input are not followed), detects each \
                file's format by content, converts in parallel, validates every result, and writes \
                sessions/<xx>/<id>.json under --out with atomic writes. Copies of one session (a server \
                file and its recovery backup, a copied file) are resolved by the session's own \
                modification time: the newest is migrated, the others are reported as superseded. \
                Files that are not sessions are listed as skipped. Unchanged files are left untouched.

                --report writes a JSON report of every input: detected format, outcome, session ids, \
                warnings (naive times, NaN values, duplicate keys, skipped lines, …) and errors with \
                their place. One bad file never stops the run. Exit 1 if any input failed, else 0.

                --repo commits into a git repository (created if missing; --bare for a bare one) on \
                --branch (default main): one commit per lock, holding the session as it was at that \
                lock, dated with the lock's time, all sessions in one timeline, and a last commit of \
                the current state where it differs; sessions without locks get one commit. The final \
                tree equals what --out writes. Re-running adds no commit; an interrupted run is \
                finished by running it again; commit ids are the same on every machine.
                """)

        @Argument(help: "Legacy files or folders (a server cache/, a workspace, a data folder, a SQLite file, …).")
        var inputs: [String]

        @Option(name: .long, help: ArgumentHelp("Canonical folder store to write.", valueName: "dir"))
        var out: String?

        @Option(
            name: .long, help: ArgumentHelp("Git repository to commit into (created if missing).", valueName: "repo"))
        var repo: String?

        @Option(name: .long, help: ArgumentHelp("Branch of --repo to commit to.", valueName: "branch"))
        var branch = "main"

        @Flag(name: .long, help: "Create --repo as a bare repository if it does not exist.")
        var bare = false

        @Option(name: .long, help: ArgumentHelp("Write the JSON report here.", valueName: "file"))
        var report: String?

        @Flag(name: .long, help: "Convert and report, but write nothing (the report still is written).")
        var dryRun = false

        @Option(name: .long, help: ArgumentHelp("Parallel workers (default: all cores).", valueName: "n"))
        var jobs: Int?

        @OptionGroup var importArguments: ImportArguments
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if (out == nil) == (repo == nil) {
                throw ValidationError(
                    "give either --out DIR (a canonical folder store) or --repo REPO (a git repository)")
            }
            if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        }

        func run() throws {
            var options = MigrationOptions(
                inputs: inputs, importOptions: try importArguments.importOptions(), jobs: jobs ?? defaultJobCount,
                dryRun: dryRun)
            options.rendersReport = report != nil || output.json
            let store: any SessionSink
            if let repo {
                store = try openGitSink(repo: repo, branch: branch, bare: bare)
            } else {
                store = FolderStore(root: out!)
            }
            let sink: any SessionSink = dryRun ? DryRunSink(wrapping: store) : store
            let result = try Migration(options: options).run(into: sink, progress: TerminalProgress.ifInteractive())
            if let report {
                do {
                    try AtomicFile.write(to: report) { emit in try result.writeJSON(emit) }
                } catch {
                    throw CommandFailure(message: "cannot write the report: \(error)")
                }
            }
            if output.json {
                try result.writeJSON { Terminal.standardOutput.write(bytes: $0) }
            } else {
                MigrationSummary(report: result).print(to: .standardOutput)
            }
            if result.hasFailures { throw ExitCode(1) }
        }
    }
}

/// The human summary of a migration: failures and warnings per file, then the totals.
struct MigrationSummary {
    var report: MigrationReport

    func print(to out: Terminal) {
        // Errors first (every one: a pass over the inputs, read back from the spill file in a
        // bulk run, only when there are any), then the first warnings (the report's sample).
        if report.hasFailures {
            report.forEachInput { input in
                if let error = input.error { out.line(out.styled("error", .red) + " " + error.description) }
            }
        }
        let sample = report.warningSample
        for file in sample.files {
            for w in file.warnings { out.line(out.styled("warning", .yellow) + " \(file.path): \(w)") }
            if file.total > file.warnings.count {
                out.line(
                    out.styled("warning", .yellow)
                        + " \(file.path): … \(file.total - file.warnings.count) more in the report")
            }
        }
        if sample.warnedFiles > sample.files.count {
            out.line(
                out.styled("warning", .yellow)
                    + " … warnings in \(sample.warnedFiles - sample.files.count) more files: see the report")
        }
        let t = report.totals
        let verb = report.dryRun ? "would migrate" : "migrated"
        var parts = [
            "\(t.sessions) session\(t.sessions == 1 ? "" : "s") \(verb) from \(t.inputs) input\(t.inputs == 1 ? "" : "s")"
        ]
        if report.dryRun {
            parts.append("\(t.planned) to write, \(t.unchanged) unchanged")
        } else {
            parts.append("\(t.created) created, \(t.updated) updated, \(t.unchanged) unchanged")
        }
        if report.commits > 0 { parts.append("\(report.commits) commit\(report.commits == 1 ? "" : "s")") }
        out.line(out.styled(parts.joined(separator: ": "), .bold))
        var details: [String] = []
        if t.supersededCopies > 0 {
            details.append("\(t.supersededCopies) superseded cop\(t.supersededCopies == 1 ? "y" : "ies")")
        }
        if t.joinedInputs > 0 { details.append("\(t.joinedInputs) joined into other sessions") }
        if t.skippedInputs > 0 { details.append("\(t.skippedInputs) skipped (not sessions)") }
        details.append(out.styled("\(t.failedInputs) failed", t.failedInputs > 0 ? .red : .green))
        out.line(details.joined(separator: ", "))
        if !t.warningsByCode.isEmpty {
            out.line(
                "warnings: "
                    + t.warningsByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                        separator: ", "))
        }
    }
}

/// Opens (or creates) a git store for writing, turning libgit2 failures into a clear message.
func openGitSink(repo: String, branch: String, bare: Bool) throws -> GitStoreSink {
    do {
        return try GitStoreSink(repository: repo, branch: branch, bare: bare)
    } catch {
        throw CommandFailure(message: "cannot open git repository \(repo): \(error)")
    }
}
