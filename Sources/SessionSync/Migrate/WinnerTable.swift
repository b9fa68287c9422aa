import CSQLite
import Foundation
import SessionModel

/// The newest copy seen so far of every session of a run, and what the store held before it.
///
/// A run must remember every session it has seen to decide between copies (SPEC 2.3), so this
/// is the one table that grows with the number of sessions. Its first
/// ``MigrationOptions/sessionsInMemory`` sessions (48,000 by default) live in memory, packed
/// into fixed-size records (a canonical id and the digests as bits, no strings: 136 bytes a
/// dictionary slot; 48,000 sessions fit in 65,536 slots, under 9 MiB). Sessions past that,
/// and any whose id or digests are not in their canonical forms, go to a private temporary
/// SQLite database (`sqlite3_open_v2("")`: a file that SQLite deletes when it closes) with a
/// page cache capped at 8 MiB, opened only when the first of them arrives. So memory stays
/// flat however many sessions a run holds; if no temporary database can be made, the
/// overflow stays in a dictionary.
///
/// The in-memory tier is there for speed: every converted session asks the table once and
/// writes to it once, under one lock, and a SQLite statement per question took about 5% of a
/// run's CPU while the other workers waited for the lock.
final class WinnerTable: @unchecked Sendable {
    struct Winner: Sendable {
        var source: CandidateSource
        var digest: String
        var modifiedKey: TimeKey
        var entries: Int
        var size: Int
        var existingDigest: String?
    }

    private let inMemoryCapacity: Int
    private var packed: [PackedSessionID: PackedWinner] = [:]
    /// Opened at the first session that does not go into `packed`.
    private var db: WinnerDatabase?
    private var triedDatabase = false
    private var memory: [String: Winner] = [:]
    private let lock = NSLock()
    /// Offers of one session are serialized (so its store sees copies one at a time); offers
    /// of different sessions run in parallel except for the short table lookups.
    private let stripes = (0..<64).map { _ in NSLock() }

    /// `inMemoryCapacity`: sessions held in memory before the rest go to the database.
    init(inMemoryCapacity: Int = MigrationOptions.defaultSessionsInMemory) {
        self.inMemoryCapacity = inMemoryCapacity
    }

    /// Offers a candidate; stores it through the sink if it is the newest copy so far.
    func offer(_ candidate: MigratedSession, from source: CandidateSource, to sink: any SessionSink) throws {
        let id = candidate.session.sessionID
        let stripe = stripes[Int(UInt(bitPattern: id.hashValue) % UInt(stripes.count))]
        stripe.lock()
        defer { stripe.unlock() }
        let current = winner(of: id)
        let key = TimeKey(candidate.modifiedAt)
        let entries = candidate.session.auditLog.count
        if let current {
            guard Self.beats(key, entries, candidate.bytes.count, candidate.digest, source, current) else { return }
        }
        let existing = try current.map { $0.existingDigest } ?? sink.existingDigest(of: id)
        try sink.store(candidate, previouslyAbsent: existing == nil)
        let winner = Winner(
            source: source, digest: candidate.digest, modifiedKey: key, entries: entries, size: candidate.bytes.count,
            existingDigest: existing)
        try lock.withLock { try put(id, winner) }
    }

    /// The winning copy of a session, or nil if no input held it.
    func winner(of id: String) -> Winner? {
        lock.withLock {
            if let key = PackedSessionID(id), let found = packed[key] { return found.winner }
            return db.map { $0.get(id) } ?? memory[id]
        }
    }

    /// Stores `winner` for `id` in the tier that holds it already, else the first with room.
    /// Called under `lock`.
    private func put(_ id: String, _ winner: Winner) throws {
        if let key = PackedSessionID(id) {
            if let record = PackedWinner(winner), packed[key] != nil || packed.count < inMemoryCapacity {
                packed[key] = record
                return
            }
            // An id that moves out of memory (its new digests do not pack) must not be found there.
            packed[key] = nil
        }
        if !triedDatabase {
            triedDatabase = true
            db = WinnerDatabase()
        }
        if let db { try db.put(id, winner) } else { memory[id] = winner }
    }

    /// Newer modification time wins; then the longer audit log; then the larger document (the
    /// copy that holds more, e.g. a Lobster provenance export with its entities and agents);
    /// then the larger digest (arbitrary, but decided by content alone); identical copies: the
    /// first input in walk order.
    static func beats(
        _ key: TimeKey, _ entries: Int, _ size: Int, _ digest: String, _ source: CandidateSource, _ current: Winner
    ) -> Bool {
        if key != current.modifiedKey { return current.modifiedKey < key }
        if entries != current.entries { return entries > current.entries }
        if size != current.size { return size > current.size }
        if digest != current.digest { return digest > current.digest }
        return (source.input, source.session) < (current.source.input, current.source.session)
    }
}

/// A canonical session id (lowercase 8-4-4-4-12 UUID text) as its 128 bits.
struct PackedSessionID: Hashable {
    var high: UInt64
    var low: UInt64

    /// Nil for any text that is not a lowercase UUID (such ids go to the database tier).
    init?(_ text: String) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibbles = 0
        let ok = withUTF8Bytes(of: text) { b -> Bool in
            guard b.count == 36 else { return false }
            for i in 0..<36 {
                let c = b[i]
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    guard c == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard let v = lowercaseHexValue(c) else { return false }
                if nibbles < 16 { high = high << 4 | UInt64(v) } else { low = low << 4 | UInt64(v) }
                nibbles += 1
            }
            return true
        }
        guard ok else { return nil }
        self.high = high
        self.low = low
    }
}

/// A SHA-256 digest in lowercase hex as its 256 bits.
struct PackedDigest: Equatable {
    var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// Nil for any text that is not 64 lowercase hex digits.
    init?(_ text: String) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let ok = withUTF8Bytes(of: text) { b -> Bool in
            guard b.count == 64 else { return false }
            for i in 0..<64 {
                guard let v = lowercaseHexValue(b[i]) else { return false }
                switch i >> 4 {
                case 0: words.0 = words.0 << 4 | UInt64(v)
                case 1: words.1 = words.1 << 4 | UInt64(v)
                case 2: words.2 = words.2 << 4 | UInt64(v)
                default: words.3 = words.3 << 4 | UInt64(v)
                }
            }
            return true
        }
        guard ok else { return nil }
        (w0, w1, w2, w3) = words
    }

    /// The 64 lowercase hex digits it was made from.
    var hex: String {
        String(unsafeUninitializedCapacity: 64) { out in
            for k in 0..<4 {
                let word = k == 0 ? w0 : k == 1 ? w1 : k == 2 ? w2 : w3
                for j in 0..<16 {
                    let nibble = Int((word >> UInt64(60 - 4 * j)) & 0xF)
                    out[16 * k + j] = nibble < 10 ? UInt8(0x30 + nibble) : UInt8(0x61 + nibble - 10)
                }
            }
            return 64
        }
    }
}

@inline(__always)
private func lowercaseHexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
}

/// A ``WinnerTable/Winner`` without strings: plain bits, no reference counting.
struct PackedWinner {
    var input: Int
    var session: Int
    var digest: PackedDigest
    var seconds: Int64
    var fraction: Double
    var entries: Int
    var size: Int
    var existingDigest: PackedDigest?

    /// Nil when a digest is not in canonical form (such winners go to the database tier).
    init?(_ w: WinnerTable.Winner) {
        guard let digest = PackedDigest(w.digest) else { return nil }
        var existing: PackedDigest?
        if let e = w.existingDigest {
            guard let packed = PackedDigest(e) else { return nil }
            existing = packed
        }
        input = w.source.input
        session = w.source.session
        self.digest = digest
        seconds = w.modifiedKey.seconds
        fraction = w.modifiedKey.fraction
        entries = w.entries
        size = w.size
        existingDigest = existing
    }

    var winner: WinnerTable.Winner {
        var key = TimeKey(nil)
        key.seconds = seconds
        key.fraction = fraction
        return WinnerTable.Winner(
            source: CandidateSource(input: input, session: session), digest: digest.hex, modifiedKey: key,
            entries: entries, size: size, existingDigest: existingDigest?.hex)
    }
}

/// The SQLite side of ``WinnerTable``: one connection, two prepared statements, used under the
/// table's lock only. Owns its handles and finalizes them in `deinit`.
private final class WinnerDatabase {
    private let handle: OpaquePointer
    private let select: OpaquePointer
    private let upsert: OpaquePointer
    /// The text destructor that tells SQLite to copy bound strings.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init?() {
        var db: OpaquePointer?
        // "" opens a private temporary database on disk, deleted when closed.
        guard sqlite3_open_v2("", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let db else {
            if let db { sqlite3_close_v2(db) }
            return nil
        }
        // One transaction for the whole run (the table is private and thrown away): with a
        // transaction per write, every commit walks all the cache's dirty pages, and a run of
        // 10,000 sessions spent ~5% of its CPU there, more the longer it ran.
        let setup = """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
            PRAGMA cache_size = -8192;
            CREATE TABLE winners (id TEXT PRIMARY KEY, input INTEGER NOT NULL, session INTEGER NOT NULL,
              digest TEXT NOT NULL, seconds INTEGER NOT NULL, fraction REAL NOT NULL, entries INTEGER NOT NULL,
              size INTEGER NOT NULL, existing TEXT) WITHOUT ROWID;
            BEGIN;
            """
        var select: OpaquePointer?
        var upsert: OpaquePointer?
        guard sqlite3_exec(db, setup, nil, nil, nil) == SQLITE_OK,
            sqlite3_prepare_v2(
                db,
                "SELECT input, session, digest, seconds, fraction, entries, size, existing FROM winners WHERE id = ?",
                -1, &select, nil) == SQLITE_OK,
            sqlite3_prepare_v2(
                db,
                "INSERT OR REPLACE INTO winners (id, input, session, digest, seconds, fraction, entries, size, existing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                -1, &upsert, nil) == SQLITE_OK,
            let select, let upsert
        else {
            sqlite3_finalize(select)
            sqlite3_finalize(upsert)
            sqlite3_close_v2(db)
            return nil
        }
        handle = db
        self.select = select
        self.upsert = upsert
    }

    deinit {
        sqlite3_finalize(select)
        sqlite3_finalize(upsert)
        sqlite3_close_v2(handle)
    }

    func get(_ id: String) -> WinnerTable.Winner? {
        defer {
            sqlite3_reset(select)
            sqlite3_clear_bindings(select)
        }
        sqlite3_bind_text(select, 1, id, -1, Self.transient)
        guard sqlite3_step(select) == SQLITE_ROW else { return nil }
        func text(_ i: Int32) -> String? {
            sqlite3_column_text(select, i).map { String(cString: $0) }
        }
        var key = TimeKey(nil)
        key.seconds = sqlite3_column_int64(select, 3)
        key.fraction = sqlite3_column_double(select, 4)
        return WinnerTable.Winner(
            source: CandidateSource(
                input: Int(sqlite3_column_int64(select, 0)), session: Int(sqlite3_column_int64(select, 1))),
            digest: text(2) ?? "", modifiedKey: key, entries: Int(sqlite3_column_int64(select, 5)),
            size: Int(sqlite3_column_int64(select, 6)), existingDigest: text(7))
    }

    /// A failed write (a full disk under the temporary folder), with SQLite's reason.
    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    func put(_ id: String, _ w: WinnerTable.Winner) throws {
        defer {
            sqlite3_reset(upsert)
            sqlite3_clear_bindings(upsert)
        }
        sqlite3_bind_text(upsert, 1, id, -1, Self.transient)
        sqlite3_bind_int64(upsert, 2, Int64(w.source.input))
        sqlite3_bind_int64(upsert, 3, Int64(w.source.session))
        sqlite3_bind_text(upsert, 4, w.digest, -1, Self.transient)
        sqlite3_bind_int64(upsert, 5, w.modifiedKey.seconds)
        sqlite3_bind_double(upsert, 6, w.modifiedKey.fraction)
        sqlite3_bind_int64(upsert, 7, Int64(w.entries))
        sqlite3_bind_int64(upsert, 8, Int64(w.size))
        if let existing = w.existingDigest {
            sqlite3_bind_text(upsert, 9, existing, -1, Self.transient)
        } else {
            sqlite3_bind_null(upsert, 9)
        }
        guard sqlite3_step(upsert) == SQLITE_DONE else {
            throw WriteError(
                description: "the run's table of sessions cannot be written: " + String(cString: sqlite3_errmsg(handle))
            )
        }
    }
}
