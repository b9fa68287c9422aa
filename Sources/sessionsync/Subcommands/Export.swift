import ArgumentParser
import Foundation
import LegacyFormats
import SessionModel
import SessionSync

extension SessionSyncCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a session in an app's own format, or as a Markdown audit trail.",
            discussion: """
                SESSION is a canonical sessionsync/1 file, or any legacy file holding one session \
                (it is converted first). Formats: \(LegacySystems.exporters.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")).
                A format that writes one file prints it on standard output unless -o names a file; \
                a format that writes several files (lobster) needs -o naming a folder.
                """)

        @Argument(help: "A canonical file or a legacy file holding one session.")
        var session: String

        @Option(name: .long, help: ArgumentHelp("The format to write.", valueName: "format"))
        var to: String

        @Option(
            name: [.short, .customLong("output")],
            help: ArgumentHelp("Output file (or folder for multi-file formats).", valueName: "path"))
        var output: String?

        @OptionGroup var importArguments: ImportArguments

        func validate() throws {
            if LegacySystems.exporter(named: to) == nil {
                throw ValidationError(
                    "unknown format \"\(to)\"; choose one of \(LegacySystems.exporters.map(\.name).joined(separator: ", "))"
                )
            }
        }

        func run() throws {
            let loaded = try SessionLoader.loadOne(session, importOptions: try importArguments.importOptions())
            let exporter = LegacySystems.exporter(named: to)!
            let files: [ExportedFile]
            do {
                files = try exporter.export(loaded)
            } catch let error as FormatError {
                throw CommandFailure(message: "cannot export \(session) as \(to): \(error.reason)", exitCode: 1)
            }
            if files.count == 1, output == nil {
                Terminal.standardOutput.write(String(decoding: files[0].bytes, as: UTF8.self))
                return
            }
            guard let output else {
                throw CommandFailure(message: "\(to) writes \(files.count) files: give -o FOLDER")
            }
            if files.count == 1 {
                try AtomicFile.write(files[0].bytes, to: output)
                return
            }
            for file in files {
                try AtomicFile.write(file.bytes, to: output + "/" + file.relativePath)
            }
        }
    }
}
