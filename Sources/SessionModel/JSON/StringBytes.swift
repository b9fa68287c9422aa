/// Calls `body` with the UTF-8 bytes of `s` in place.
///
/// `String.withUTF8` is `mutating`, so calling it on a parameter means copying the string into
/// a variable first: a retain and a release of its storage, atomically, for every string. The
/// writers and lookups that read bytes of millions of strings use this instead; only a string
/// without contiguous UTF-8 (one bridged from Objective-C) is copied. (Inlinable, so that
/// other modules get it specialized, not a generic call that looks up metadata each time.)
@inlinable @inline(__always)
public func withUTF8Bytes<R>(of s: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    if let result = try s.utf8.withContiguousStorageIfAvailable(body) { return result }
    var copy = s
    return try copy.withUTF8(body)
}
