import Foundation
import SessionModel

/// Collects what an importer had to map while converting one input: naive times read in the
/// assumed zone, times it could not read, values it had to change. One per input, so the
/// report can say per file what happened (SPEC 2.4: nothing silently lost).
public struct ConversionLog: Sendable {
    public let options: ImportOptions
    public private(set) var warnings: [ImportWarning] = []
    /// How many naive (zone-less) times were read in the assumed zone.
    public private(set) var naiveTimes = 0

    public init(options: ImportOptions) { self.options = options }

    public mutating func warn(_ code: String, _ location: String, _ message: String) {
        warnings.append(ImportWarning(code, location, message))
    }

    /// The canonical UTC form of a legacy time value. Naive times are read in the assumed
    /// zone and counted; a value that is not a time gives nil and a warning (the caller keeps
    /// the original text in `state` or `payload`, so it is not lost).
    /// (`location` is an autoclosure: importers name places like `/messages/\(i)/timestamp` for
    /// every record, and the text is needed only when something is wrong.)
    public mutating func time(_ value: JSONValue?, at location: @autoclosure () -> String) -> String? {
        switch value {
        case .none, .null?: return nil
        case .string(let text)?:
            guard let (utc, naive) = Timestamp.canonical(text, assuming: options.assumeTimeZone) else {
                warn("unparseable-time", location(), "\"\(text)\" is not a time SessionSync can read; kept as text")
                return nil
            }
            if naive { naiveTimes += 1 }
            return utc
        case let other?:
            warn("unparseable-time", location(), "expected a time string, found \(other.kindName); kept as is")
            return nil
        }
    }

    /// The naive-time summary warning, if any naive times were read.
    public var naiveTimeSummary: ImportWarning? {
        guard naiveTimes > 0 else { return nil }
        return ImportWarning(
            "naive-time", "",
            "\(naiveTimes) time\(naiveTimes == 1 ? "" : "s") without a zone read as \(options.assumeTimeZoneName)")
    }

    /// All warnings, the naive-time summary first.
    public var allWarnings: [ImportWarning] { (naiveTimeSummary.map { [$0] } ?? []) + warnings }

    /// `origin.assumed_timezone` for sessions that had naive times.
    public var originExtra: JSONObject {
        var o = JSONObject()
        o["assumed_timezone"] = .string(options.assumeTimeZoneName)
        return o
    }
}

/// A typed-field reader for legacy JSON records that throws ``FormatError`` with the exact
/// place when the app's fixed types are violated (e.g. `messages` that is not a list). Places
/// are autoclosures: they are built only for an error.
public struct RecordReader: Sendable {
    public let file: String

    public init(file: String) { self.file = file }

    public func error(_ location: String, _ reason: String) -> FormatError {
        FormatError(file: file, location: location, reason: reason)
    }

    public func object(_ v: JSONValue?, at location: @autoclosure () -> String) throws -> JSONObject {
        guard case .object(let o)? = v else {
            throw error(location(), "expected an object, found \(v?.kindName ?? "nothing")")
        }
        return o
    }

    public func array(_ v: JSONValue?, at location: @autoclosure () -> String) throws -> [JSONValue] {
        guard case .array(let a)? = v else {
            throw error(location(), "expected a list, found \(v?.kindName ?? "nothing")")
        }
        return a
    }

    public func string(_ v: JSONValue?, at location: @autoclosure () -> String) throws -> String {
        guard case .string(let s)? = v else {
            throw error(location(), "expected a string, found \(v?.kindName ?? "nothing")")
        }
        return s
    }

    /// A string, or nil for JSON null or a missing key.
    public func optionalString(_ v: JSONValue?, at location: @autoclosure () -> String) throws -> String? {
        switch v {
        case .none, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw error(location(), "expected a string or null, found \(other.kindName)")
        }
    }

    public func int(_ v: JSONValue?, at location: @autoclosure () -> String) throws -> Int {
        guard case .int(let i)? = v else {
            throw error(location(), "expected an integer, found \(v?.kindName ?? "nothing")")
        }
        return i
    }

    public func optionalInt(_ v: JSONValue?, at location: @autoclosure () -> String) throws -> Int? {
        switch v {
        case .none, .null?: return nil
        case .int(let i)?: return i
        case let other?: throw error(location(), "expected an integer or null, found \(other.kindName)")
        }
    }
}
