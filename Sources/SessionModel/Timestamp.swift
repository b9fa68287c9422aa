import Foundation

/// A point in time as the legacy apps wrote it: calendar fields, the fractional digits exactly
/// as written, and the UTC offset if there was one (nil for Python's naive `isoformat()`).
public struct LegacyTime: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// The fractional-second digits as written (at most 6: microseconds), "" when none.
    public var fraction: String
    /// Seconds east of UTC, or nil for a naive time.
    public var offsetSeconds: Int?

    public var isNaive: Bool { offsetSeconds == nil }
}

/// Reading legacy times and writing the canonical RFC 3339 UTC form (`…Z`).
///
/// Naive times are read in an explicitly given zone (`--assume-timezone`, default UTC), never
/// the machine's, so that two machines migrating the same files agree byte for byte.
public enum Timestamp {
    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fff…]][Z|±HH:MM|±HHMM|±HH]`, the forms Python's
    /// `isoformat()`, `str(datetime)` and SQL `DATETIME` columns produce. Fractions past
    /// microseconds are cut to microseconds. Returns nil for anything else or an impossible date.
    public static func parse(_ text: String) -> LegacyTime? {
        // Times are at most ~40 bytes; read them in place rather than copying into an array.
        if let result = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0) }) { return result }
        return Array(text.utf8).withUnsafeBufferPointer { parse(bytes: $0) }
    }

    private static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> LegacyTime? {
        var i = 0
        func expect(_ c: Unicode.Scalar) -> Bool {
            guard i < b.count, b[i] == UInt8(ascii: c) else { return false }
            i += 1
            return true
        }
        guard let year = readDigits(4, of: b, at: &i), expect("-"),
            let month = readDigits(2, of: b, at: &i), expect("-"),
            let day = readDigits(2, of: b, at: &i)
        else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "t") else {
            return nil
        }
        i += 1
        guard let hour = readDigits(2, of: b, at: &i), expect(":"), let minute = readDigits(2, of: b, at: &i)
        else { return nil }
        var second = 0
        var fraction = ""
        if expect(":") {
            guard let s = readDigits(2, of: b, at: &i) else { return nil }
            second = s
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                let start = i
                while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
                guard i > start else { return nil }
                fraction = String(decoding: b[start..<min(i, start + 6)], as: UTF8.self)
            }
        }
        var offset: Int? = nil
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                offset = 0
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = readDigits(2, of: b, at: &i) else { return nil }
                var om = 0
                if expect(":") {
                    guard let m = readDigits(2, of: b, at: &i) else { return nil }
                    om = m
                } else if i < b.count {
                    guard let m = readDigits(2, of: b, at: &i) else { return nil }
                    om = m
                }
                guard oh < 24, om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == b.count else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month), hour < 24, minute < 60, second < 60
        else { return nil }
        return LegacyTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, fraction: fraction,
            offsetSeconds: offset)
    }

    /// `n` decimal digits of `b` at `i` as a number (moving `i` past them), or nil. Inlined
    /// into ``parse(bytes:)``: every time of every session goes through it.
    @inline(__always)
    private static func readDigits(_ n: Int, of b: UnsafeBufferPointer<UInt8>, at i: inout Int) -> Int? {
        guard i + n <= b.count else { return nil }
        var v = 0
        for k in 0..<n {
            let c = b[i + k] &- 0x30
            guard c <= 9 else { return nil }
            v = v &* 10 &+ Int(c)
        }
        i += n
        return v
    }

    /// Whether `text` is exactly a canonical time: `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z`, a real date.
    public static func isCanonical(_ text: String) -> Bool {
        // The layout `format` writes, checked on the bytes: `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z`.
        // A text of that layout is canonical exactly when it is a real time (what `parse`
        // checks), since `format` gives such a time back in the same layout.
        let layout = withUTF8Bytes(of: text) { b -> Bool in
            let n = b.count
            guard n == 20 || (22...27).contains(n), b[n - 1] == UInt8(ascii: "Z") else { return false }
            for i in 0..<19 {
                let c = b[i]
                switch i {
                case 4, 7: if c != UInt8(ascii: "-") { return false }
                case 10: if c != UInt8(ascii: "T") { return false }
                case 13, 16: if c != UInt8(ascii: ":") { return false }
                default: if c < 0x30 || c > 0x39 { return false }
                }
            }
            if n > 20 {
                guard b[19] == UInt8(ascii: ".") else { return false }
                for i in 20..<(n - 1) where b[i] < 0x30 || b[i] > 0x39 { return false }
            }
            return true
        }
        return layout && parse(text) != nil
    }

    /// The canonical UTC text of a legacy time; naive times are read in `zone`.
    public static func canonical(_ time: LegacyTime, assuming zone: TimeZone) -> String {
        let local = epochSeconds(time.year, time.month, time.day, time.hour, time.minute, time.second)
        let utcSeconds: Int64
        if let offset = time.offsetSeconds {
            utcSeconds = local - Int64(offset)
        } else {
            utcSeconds = local - Int64(offsetOf(zone, atLocal: local))
        }
        var t = fields(ofEpoch: utcSeconds)
        t.fraction = time.fraction
        t.offsetSeconds = 0
        return format(t, utc: true)
    }

    /// Parses and canonicalizes in one step. `wasNaive` tells the caller to count it.
    public static func canonical(_ text: String, assuming zone: TimeZone) -> (utc: String, wasNaive: Bool)? {
        guard let t = parse(text) else { return nil }
        return (canonical(t, assuming: zone), t.isNaive)
    }

    /// A time as a comparable instant: seconds since the epoch, then microseconds.
    public struct Instant: Comparable, Sendable {
        public var seconds: Int64
        public var micros: Int

        public init(seconds: Int64, micros: Int) {
            self.seconds = seconds
            self.micros = micros
        }

        public static func < (a: Instant, b: Instant) -> Bool { (a.seconds, a.micros) < (b.seconds, b.micros) }
    }

    /// The instant of a canonical (or any parseable) time, parsed once; naive counts as UTC.
    public static func instant(of text: String) -> Instant? {
        guard let t = parse(text) else { return nil }
        var micros = 0
        var digits = 0
        for c in t.fraction.utf8 {
            micros = micros * 10 + Int(c - 0x30)
            digits += 1
        }
        while digits < 6 {
            micros *= 10
            digits += 1
        }
        let seconds = epochSeconds(t.year, t.month, t.day, t.hour, t.minute, t.second) - Int64(t.offsetSeconds ?? 0)
        return Instant(seconds: seconds, micros: micros)
    }

    /// Seconds since the epoch of a canonical (or any parseable) time; naive counts as UTC.
    public static func epochSeconds(of text: String) -> Int64? {
        guard let t = parse(text) else { return nil }
        return epochSeconds(t.year, t.month, t.day, t.hour, t.minute, t.second) - Int64(t.offsetSeconds ?? 0)
    }

    /// A canonical time shown in `zone` as a naive local time, the way Python's
    /// `datetime.isoformat()` writes it (microseconds only when not zero).
    public static func pythonNaiveISO(fromCanonical text: String, in zone: TimeZone) -> String? {
        guard let t = parse(text), let utc = epochSeconds(of: text) else { return nil }
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc)))
        var local = fields(ofEpoch: utc + Int64(offset))
        local.fraction = pythonFraction(t.fraction)
        local.offsetSeconds = nil
        return format(local, utc: false)
    }

    /// A canonical time in Python's aware `isoformat()` with the given suffix, e.g. `+00:00`
    /// (Lobster) or `Z` (mochi writes `isoformat() + "Z"`-like text with microseconds).
    public static func pythonAwareISO(fromCanonical text: String, suffix: String) -> String? {
        guard var t = parse(text), t.offsetSeconds == 0 else { return nil }
        t.fraction = pythonFraction(t.fraction)
        t.offsetSeconds = nil
        return format(t, utc: false) + suffix
    }

    /// Python writes microseconds as exactly six digits, or nothing when they are zero.
    static func pythonFraction(_ fraction: String) -> String {
        if fraction.isEmpty || fraction.allSatisfy({ $0 == "0" }) { return "" }
        return fraction + String(repeating: "0", count: max(0, 6 - fraction.count))
    }

    static func format(_ t: LegacyTime, utc: Bool) -> String {
        // Built as bytes: this runs for every time of every session in a bulk migration.
        guard (0...9999).contains(t.year) else {
            var s = pad(t.year, 4) + "-" + pad(t.month, 2) + "-" + pad(t.day, 2) + "T" + pad(t.hour, 2) + ":"
            s += pad(t.minute, 2) + ":" + pad(t.second, 2)
            if !t.fraction.isEmpty { s += "." + t.fraction }
            if utc { s += "Z" }
            return s
        }
        // Written straight into the string's storage: 19 bytes of date and time, then the
        // dot and fraction, then the Z.
        let fraction = t.fraction.utf8
        return String(unsafeUninitializedCapacity: 21 + fraction.count) { out in
            var n = 0
            func put(_ byte: UInt8) {
                out[n] = byte
                n += 1
            }
            func two(_ v: Int) {
                put(UInt8(truncatingIfNeeded: 0x30 + v / 10 % 10))
                put(UInt8(truncatingIfNeeded: 0x30 + v % 10))
            }
            two(t.year / 100)
            two(t.year % 100)
            put(UInt8(ascii: "-"))
            two(t.month)
            put(UInt8(ascii: "-"))
            two(t.day)
            put(UInt8(ascii: "T"))
            two(t.hour)
            put(UInt8(ascii: ":"))
            two(t.minute)
            put(UInt8(ascii: ":"))
            two(t.second)
            if !fraction.isEmpty {
                put(UInt8(ascii: "."))
                for byte in fraction { put(byte) }
            }
            if utc { put(UInt8(ascii: "Z")) }
            return n
        }
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// The zone's offset in force at a local wall-clock time, resolved as Python's `zoneinfo`
    /// does with `fold=0`: in a gap (spring forward) and in an overlap (fall back) the offset
    /// from before the change applies. Fixed rules, so every machine resolves them alike.
    static func offsetOf(_ zone: TimeZone, atLocal local: Int64) -> Int {
        // The default zone has no transitions; skip Foundation's zone lookups for it.
        if zone.identifier == "UTC" || zone.identifier == "GMT" { return 0 }
        func offset(at utc: Int64) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utc))) }
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        if before == after { return offset(at: local - Int64(before)) }
        let beforeValid = offset(at: local - Int64(before)) == before
        let afterValid = offset(at: local - Int64(after)) == after
        return beforeValid || !afterValid ? before : after
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days-from-civil (H. Hinnant), proleptic Gregorian.
    static func epochSeconds(_ y0: Int, _ m: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = Int64(era * 146097 + doe - 719468)
        return days * 86400 + Int64(h * 3600 + mi * 60 + s)
    }

    static func fields(ofEpoch seconds: Int64) -> LegacyTime {
        var days = seconds / 86400
        var rem = seconds % 86400
        if rem < 0 {
            rem += 86400
            days -= 1
        }
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return LegacyTime(
            year: Int(y), month: Int(m), day: Int(d), hour: Int(rem / 3600), minute: Int(rem % 3600 / 60),
            second: Int(rem % 60), fraction: "", offsetSeconds: nil)
    }
}
