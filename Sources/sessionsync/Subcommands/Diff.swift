import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Compare two sessions or two stores, session by session and audit entry by audit entry.",
            discussion: """
                A and B are each a canonical file, a canonical folder store, a git store as \
                REPO[@REV] (another machine's repository is just another path; between revisions one \
                repository can read, identical sessions are skipped by blob id), or any legacy file or \
                folder (converted in memory, nothing written). Sessions are matched by session_id.
                Per changed session: metadata, origin and state changes as JSON Pointer paths with \
                both values, and the audit log as common prefix, entries only in A or B, and divergent \
                decisions (locks of the same kind and iteration decided differently).
                --json prints {identical, only_in_a, only_in_b, changed, errors}; --patch prints an \
                RFC 6902 patch turning A's canonical document into B's (A and B must differ in at \
                most one session, present on both sides). See docs/diff-merge.md.
                Exit 0, or with --exit-code 1 when there are differences; 1 when an input could not \
                be read; 2 on usage errors.
                """)

        @Argument(help: "The first store or file.")
        var a: String

        @Argument(help: "The second store or file.")
        var b: String

        @OptionGroup var output: OutputOptions

        @Flag(name: .long, help: "Print an RFC 6902 JSON Patch from A's document to B's (one session).")
        var patch = false

        @Flag(name: .long, help: "Exit 1 when there are differences, 0 when there are none.")
        var exitCode = false

        @OptionGroup var importArguments: ImportArguments

        func validate() throws {
            if patch && output.json { throw ValidationError("--json and --patch cannot be combined") }
        }

        func run() throws {
            let options = try importArguments.importOptions()
            let sourceA: any SessionSource
            let sourceB: any SessionSource
            do {
                sourceA = try StoreReader.open(a, importOptions: options)
                sourceB = try StoreReader.open(b, importOptions: options)
            } catch let error as FormatError {
                throw CommandFailure(message: error.description)
            }
            let diff = try StoreDiff.compare(sourceA, sourceB, progress: TerminalProgress.ifInteractive())
            for e in diff.errors { Terminal.standardError.line(Terminal.standardError.styled("error", .red) + " \(e)") }
            if patch {
                try printPatch(diff, sourceA, sourceB)
            } else if output.json {
                printJSON(diff.jsonValue)
            } else {
                DiffPrinter(out: Terminal.standardOutput).print(diff, a: a, b: b)
            }
            if !diff.errors.isEmpty || exitCode && diff.hasDifferences { throw ExitCode(1) }
        }

        func printPatch(_ diff: StoreDiff, _ sourceA: any SessionSource, _ sourceB: any SessionSource) throws {
            if let only = diff.onlyInA.first ?? diff.onlyInB.first {
                throw CommandFailure(
                    message:
                        "--patch needs the session on both sides, but \(only.sessionID) is only in \(diff.onlyInA.isEmpty ? "B" : "A")"
                )
            }
            guard diff.changed.count <= 1 else {
                throw CommandFailure(
                    message:
                        "--patch works on one session, but \(diff.changed.count) sessions differ: \(diff.changed.map(\.sessionID).prefix(5).joined(separator: ", "))"
                )
            }
            guard let changed = diff.changed.first else {
                printJSON(.array([]))
                return
            }
            let handleA = try sourceA.listing().handles.first { $0.sessionID == changed.sessionID }!
            let handleB = try sourceB.listing().handles.first { $0.sessionID == changed.sessionID }!
            printJSON(.array(JSONPatch.operations(from: try sourceA.load(handleA), to: try sourceB.load(handleB))))
        }
    }
}

/// The human form of a ``StoreDiff``.
struct DiffPrinter {
    let out: Terminal

    func print(_ diff: StoreDiff, a: String, b: String) {
        out.line(out.styled("--- a: \(a)", .dim))
        out.line(out.styled("+++ b: \(b)", .dim))
        for s in diff.onlyInA {
            out.line(
                out.styled("- \(s.sessionID)", .red) + "  \(s.name ?? "(unnamed)")  " + out.styled("only in A", .dim))
        }
        for s in diff.onlyInB {
            out.line(
                out.styled("+ \(s.sessionID)", .green) + "  \(s.name ?? "(unnamed)")  " + out.styled("only in B", .dim))
        }
        for d in diff.changed { printSession(d) }
        let summary =
            "\(diff.changed.count) changed, \(diff.onlyInA.count) only in A, \(diff.onlyInB.count) only in B, \(diff.identical) identical"
        out.line(diff.hasDifferences ? out.styled(summary, .bold) : out.styled(summary, .green))
    }

    func printSession(_ d: SessionDiff) {
        var title = d.nameB ?? d.nameA ?? "(unnamed)"
        if let n = d.nameA, let m = d.nameB, n != m { title = "\(n) → \(m)" }
        out.line(out.styled("~ \(d.sessionID)", .yellow) + "  " + out.styled(title, .bold))
        for c in d.changes {
            switch c.operation {
            case .add: out.line("    " + out.styled("+ \(c.path)", .green) + ": \(show(c.new))")
            case .remove: out.line("    " + out.styled("- \(c.path)", .red) + ": \(show(c.old))")
            case .replace: out.line("    " + out.styled("~ \(c.path)", .yellow) + ": \(show(c.old)) → \(show(c.new))")
            }
        }
        let log = d.auditLog
        if log.isIdentical { return }
        out.line("    audit log: \(log.countA) entries in A, \(log.countB) in B, first \(log.commonPrefix) shared")
        let divergentIDs = Set(log.divergent.flatMap { [$0.a.id, $0.b.id] })
        for e in log.onlyInA {
            out.line("      " + entryLine(e, mark: "-", style: .red, divergent: divergentIDs.contains(e.id)))
        }
        for e in log.onlyInB {
            out.line("      " + entryLine(e, mark: "+", style: .green, divergent: divergentIDs.contains(e.id)))
        }
        for p in log.divergent {
            out.line(
                "      "
                    + out.styled(
                        "! divergent \(p.decision): A #\(p.a.seq) \(short(p.a.id)) vs B #\(p.b.seq) \(short(p.b.id))",
                        .magenta))
        }
        if log.reordered > 0 { out.line("      \(log.reordered) shared entries at different positions") }
    }

    func entryLine(_ e: AuditEntry, mark: String, style: Terminal.Style, divergent: Bool) -> String {
        var text = "\(mark) #\(e.seq) \(e.kind)  \(e.timestamp ?? "(no time)")"
        if let i = e.iteration { text += "  iteration \(i)" }
        if let notes = e.notes, !notes.isEmpty { text += "  \"\(clip(notes, 80))\"" }
        let line = out.styled(text, style)
        return divergent ? line + " " + out.styled("(divergent)", .magenta) : line
    }

    func show(_ value: JSONValue?) -> String {
        guard let value else { return "(absent)" }
        return clip(PythonJSONWriter(indent: nil, ensureASCII: false, sortKeys: true).string(value), 120)
    }

    func short(_ id: String) -> String { String(id.prefix(19)) }

    func clip(_ text: String, _ n: Int) -> String {
        let oneLine = text.replacingOccurrences(of: "\n", with: "⏎")
        return oneLine.count > n ? String(oneLine.prefix(n - 1)) + "…" : oneLine
    }
}
