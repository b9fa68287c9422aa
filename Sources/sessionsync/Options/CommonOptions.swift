import ArgumentParser
import LegacyFormats
import SessionModel
import SessionSync

/// `--json`: machine-readable output instead of the human summary.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON instead of the human summary.")
    var json = false
}

/// How legacy inputs are read.
struct ImportArguments: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "IANA time zone that naive legacy times (no offset) are read in.",
            discussion: "Default UTC, never the machine's zone, so that every machine converts alike.",
            valueName: "zone"))
    var assumeTimezone = Self.defaultTimeZone

    static let defaultTimeZone = "UTC"

    func importOptions() throws -> ImportOptions { try Self.importOptions(assumeTimezone: assumeTimezone) }

    static func importOptions(assumeTimezone: String) throws -> ImportOptions {
        do {
            return try ImportOptions(assumeTimeZoneName: assumeTimezone)
        } catch {
            throw ValidationError(
                "unknown time zone \"\(assumeTimezone)\" for --assume-timezone (use an IANA name such as Europe/Berlin)"
            )
        }
    }
}

/// Prints a JSON value in canonical form (sorted keys, two-space indent) on standard output.
func printJSON(_ value: JSONValue) {
    Terminal.standardOutput.write(CanonicalJSON.string(value))
}
