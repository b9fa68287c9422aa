/// Stands in for mbedTLS's `mbedtls_x509_crt_parse_file` in this process, so that libgit2 starts
/// without parsing the machine's CA certificates.
///
/// Debian's libgit2 is built with mbedTLS and a default certificate file, and `git_libgit2_init`
/// parses all of it (some 140 certificates, 4 to 5 ms of CPU) on every run, for HTTPS transfers
/// that SessionSync never makes: it reads and writes local repositories only. libgit2 has no
/// switch to skip this, so the executable defines the function itself and exports it (see the
/// linker settings in Package.swift); the dynamic linker then binds libgit2's call to this
/// definition. It reports success with no certificate added, so libgit2 would distrust every
/// server: an HTTPS transfer fails certificate verification instead of trusting anything.
/// Only this executable does this (the library modules and the tests do not), and a libgit2
/// built with another TLS library never calls it. A CLI test checks that the binding happens.
@_cdecl("mbedtls_x509_crt_parse_file")
public func skipCACertificateFile(_ chain: UnsafeMutableRawPointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    0
}
