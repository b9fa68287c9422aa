#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

/// Whether every byte is ASCII, checked eight bytes at a time.
public func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let n = bytes.count
    var i = 0
    while i + 8 <= n {
        if UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & SWAR.highs != 0 { return false }
        i += 8
    }
    while i < n {
        if base[i] >= 0x80 { return false }
        i += 1
    }
    return true
}

/// `String(validating: bytes, as: UTF8.self)` without its generic path (over a thousand
/// instructions for a short string): ASCII, the usual case, is checked eight bytes at a time;
/// other text is decoded and compared with its bytes. Decoding replaces each invalid
/// sequence by U+FFFD, so the bytes come back unchanged exactly when they were valid UTF-8.
public func validatedString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
    if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
    let text = String(decoding: bytes, as: UTF8.self)
    let unchanged = withUTF8Bytes(of: text) { decoded in
        decoded.count == bytes.count && memcmp(decoded.baseAddress!, bytes.baseAddress!, bytes.count) == 0
    }
    return unchanged ? text : nil
}

/// The index of the first line break (`\n` or `\r`, the ones Python's universal newlines
/// split on besides rarer separators the apps never write) at or after `start`, or
/// `bytes.count`: eight bytes at a time, for the JSON Lines logs read line by line.
public func nextLineBreak(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    let n = bytes.count
    var i = start
    if let base = bytes.baseAddress {
        while i &+ 8 <= n {
            let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let breaks = SWAR.zeroMask(w ^ (SWAR.ones &* 0x0A)) | SWAR.zeroMask(w ^ (SWAR.ones &* 0x0D))
            if breaks != 0 { return i &+ breaks.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
    }
    while i < n, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
    return i
}
