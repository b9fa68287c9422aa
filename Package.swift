// swift-tools-version:6.0
import PackageDescription

// Layering (see docs/ARCHITECTURE.md): C shims at the bottom, `Git` is the only module that
// touches libgit2, `SessionModel` knows nothing of files or git, `Pickle` decodes pickles as
// data, `LegacyFormats` holds one importer/exporter per app format, `SessionSync` holds the
// operations, and `sessionsync` only parses arguments and delegates.
let package = Package(
    name: "SessionSync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sessionsync", targets: ["sessionsync"]),
        .library(name: "SessionSync", targets: ["SessionSync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibgit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // zlib for the pack writer, used by `Git` only.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "Git",
            dependencies: ["CLibgit2", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "SessionModel", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Pickle"),
        .target(name: "LegacyFormats", dependencies: ["SessionModel", "Pickle", "CSQLite"]),
        .target(
            name: "SessionSync",
            dependencies: [
                "SessionModel", "LegacyFormats", "Git", "CSQLite",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "sessionsync",
            dependencies: [
                "SessionSync", "SessionModel", "LegacyFormats",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // One short `commit` per save is the common use (issue #5): linking the Swift runtime
            // and Foundation into the binary spares every run the dynamic loader's work on a dozen
            // shared libraries (about 8 ms). This module is compiled against the static SDK too,
            // so that its link names Foundation's own static dependencies (ICU, CoreFoundation);
            // lld links them without gold's warnings about glibc's mktemp. Only this target
            // changes, so the other modules and the dependencies build once for product and tests.
            // The exported symbol keeps libgit2 from parsing the CA certificates (NoCACertificates.swift).
            swiftSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux]))],
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-static-stdlib", "-use-ld=lld", "-Xlinker",
                        "--export-dynamic-symbol=mbedtls_x509_crt_parse_file",
                    ], .when(platforms: [.linux]))
            ]),
        // scripts/bench-packwriter: the bulk write paths compared in release (a tool, not a test).
        .executableTarget(name: "bench-packwriter", dependencies: ["Git"], path: "scripts/PackWriterBench"),
        .testTarget(name: "GitTests", dependencies: ["Git"]),
        .testTarget(name: "SessionModelTests", dependencies: ["SessionModel"]),
        .testTarget(name: "PickleTests", dependencies: ["Pickle"]),
        .testTarget(name: "LegacyFormatsTests", dependencies: ["LegacyFormats", "SessionModel"]),
        .testTarget(name: "SessionSyncTests", dependencies: ["SessionSync", "SessionModel", "LegacyFormats", "Git"]),
        .testTarget(name: "CLITests", dependencies: ["SessionModel"]),
    ],
    swiftLanguageModes: [.v6]
)
