import LegacyFormats
import SessionModel

/// A session that only one side of a ``StoreDiff`` holds.
public struct SessionReference: Sendable, Equatable {
    public var sessionID: String
    public var name: String?
    public var location: String

    public init(sessionID: String, name: String?, location: String) {
        self.sessionID = sessionID
        self.name = name
        self.location = location
    }

    public var jsonValue: JSONValue {
        ["session_id": .string(sessionID), "name": JSONValue(name), "location": .string(location)]
    }
}

/// The difference between two stores (SPEC 5): sessions matched by `session_id`, never by file
/// name; those only in A, only in B, changed (with their ``SessionDiff``) and the number of
/// identical ones. Sessions whose digests (same scheme) are equal are counted identical without
/// being decoded, so comparing two git revisions costs what changed.
public struct StoreDiff: Sendable {
    public var onlyInA: [SessionReference]
    public var onlyInB: [SessionReference]
    /// Sorted by session id.
    public var changed: [SessionDiff]
    public var identical: Int
    /// How many of the identical sessions are the same session in two differently stored
    /// copies (a desktop save and a server store file): they differ only in `origin` and the
    /// store's own bookkeeping (``SessionDiff/isSameContent``).
    public var identicalInOtherCopies: Int
    /// Inputs that could not be read (listing or decoding); they are in no other list.
    public var errors: [FormatError]

    public var hasDifferences: Bool { !onlyInA.isEmpty || !onlyInB.isEmpty || !changed.isEmpty }

    public init(
        onlyInA: [SessionReference], onlyInB: [SessionReference], changed: [SessionDiff], identical: Int,
        errors: [FormatError],
        identicalInOtherCopies: Int = 0
    ) {
        self.onlyInA = onlyInA
        self.onlyInB = onlyInB
        self.changed = changed
        self.identical = identical
        self.identicalInOtherCopies = identicalInOtherCopies
        self.errors = errors
    }

    /// Compares two sources. Changed candidates are decoded and diffed on `jobs` threads; the
    /// result does not depend on the thread count (lists are sorted by session id).
    public static func compare(
        _ a: any SessionSource, _ b: any SessionSource, jobs: Int = defaultJobCount, progress: (any ProgressSink)? = nil
    ) throws -> StoreDiff {
        var errors: [FormatError] = []
        let plan: StorePrecomparison
        if let fast = a as? any PrecomparingSessionSource, let pre = try fast.precompare(with: b) {
            plan = pre
        } else {
            let la = try a.listing()
            let lb = try b.listing()
            errors += la.failures + lb.failures
            plan = match(la.handles, lb.handles, errors: &errors)
        }
        func reference(_ h: SessionHandle, _ source: any SessionSource) -> SessionReference {
            var name = h.name
            if name == nil {
                do { name = try source.load(h).metadata.name } catch { errors.append(asFormatError(error, h)) }
            }
            return SessionReference(sessionID: h.sessionID, name: name, location: h.location)
        }
        let onlyA = plan.onlyInA.map { reference($0, a) }
        let onlyB = plan.onlyInB.map { reference($0, b) }
        let candidates = plan.candidates
        let outcomes = Locked([Result<SessionDiff, FormatError>?](repeating: nil, count: candidates.count))
        let done = Locked(0)
        defer { progress?.finish(phase: "comparing") }
        parallelForEach(count: candidates.count, jobs: jobs) { i in
            defer {
                let n = done.withLock { n -> Int in
                    n += 1
                    return n
                }
                progress?.update(phase: "comparing", done: n, total: candidates.count)
            }
            let (ha, hb) = candidates[i]
            let outcome: Result<SessionDiff, FormatError>
            do {
                outcome = .success(SessionDiff(a: try a.load(ha), b: try b.load(hb)))
            } catch {
                outcome = .failure(asFormatError(error, ha))
            }
            outcomes.withLock { $0[i] = outcome }
        }
        var changed: [SessionDiff] = []
        var identical = plan.identical
        var differentCopies = 0
        for outcome in outcomes.withLock({ $0 }) {
            switch outcome {
            case .success(let diff)?:
                if diff.isIdentical {
                    identical += 1
                } else if diff.isSameContent {
                    identical += 1
                    differentCopies += 1
                } else {
                    changed.append(diff)
                }
            case .failure(let error)?: errors.append(error)
            case nil: break
            }
        }
        return StoreDiff(
            onlyInA: onlyA.sorted { $0.sessionID < $1.sessionID },
            onlyInB: onlyB.sorted { $0.sessionID < $1.sessionID },
            changed: changed.sorted { $0.sessionID < $1.sessionID }, identical: identical, errors: errors,
            identicalInOtherCopies: differentCopies)
    }

    static func asFormatError(_ error: any Error, _ handle: SessionHandle) -> FormatError {
        error as? FormatError ?? FormatError(file: handle.location, location: "", reason: "\(error)")
    }

    /// Pairs two listings by session id in linear time; equal digests of one scheme are identical.
    static func match(_ a: [SessionHandle], _ b: [SessionHandle], errors: inout [FormatError]) -> StorePrecomparison {
        var byID: [String: SessionHandle] = [:]
        byID.reserveCapacity(b.count)
        for h in b {
            if byID[h.sessionID] != nil {
                errors.append(
                    FormatError(file: h.location, location: "", reason: "session \(h.sessionID) is listed twice"))
                continue
            }
            byID[h.sessionID] = h
        }
        var onlyA: [SessionHandle] = []
        var candidates: [(a: SessionHandle, b: SessionHandle)] = []
        var identical = 0
        var seen = Set<String>()
        for h in a {
            guard seen.insert(h.sessionID).inserted else {
                errors.append(
                    FormatError(file: h.location, location: "", reason: "session \(h.sessionID) is listed twice"))
                continue
            }
            guard let other = byID.removeValue(forKey: h.sessionID) else {
                onlyA.append(h)
                continue
            }
            if let da = h.digest, let db = other.digest, da == db {
                identical += 1
            } else {
                candidates.append((h, other))
            }
        }
        let onlyB = b.filter { byID[$0.sessionID]?.location == $0.location }
        return StorePrecomparison(onlyInA: onlyA, onlyInB: onlyB, candidates: candidates, identical: identical)
    }

    /// The `diff --json` document (SPEC 5): `identical`, `only_in_a`, `only_in_b`, `changed`,
    /// plus `errors`.
    public var jsonValue: JSONValue {
        [
            "identical": .int(identical),
            "identical_in_other_copies": .int(identicalInOtherCopies),
            "only_in_a": .array(onlyInA.map(\.jsonValue)),
            "only_in_b": .array(onlyInB.map(\.jsonValue)),
            "changed": .array(changed.map(\.jsonValue)),
            "errors": .array(errors.map { .string($0.description) }),
        ]
    }
}
