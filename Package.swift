// swift-tools-version:6.2
import PackageDescription

/// slipsd: an inline intrusion prevention system for Linux gateways.
///
/// Layers, data flowing one way: `NetCore` (shared values, OS helpers, the netlink socket) → `Records` (Zeek-shaped
/// records and their hand-off) → `Capture` (packets and flow files → records) and `Detect` (records → evidence →
/// alerts; no libpcap) → `Blocker` (the response stage, on NetCore) → `slipsd` (CLI, config, daemon).
/// Dynamic exclusivity checks stay on in every build: measured (issue 13 §2) at 2 `swift_beginAccess` per packet
/// and no difference in CPU time with `-enforce-exclusivity=unchecked`, flows only or with every detector.

let package = Package(
    name: "slipsd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slipsd", targets: ["slipsd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // TLS analyzer: JA3/JA4 hashes, QUIC Initial keys (HKDF, AES-GCM), certificates parsed by a real X.509 stack.
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        // `slipsd --update-feeds`: threat-intelligence feeds over HTTP and HTTPS (slipsd target only).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, found through pkg-config.
        .systemLibrary(name: "CPcap", path: "Sources/CPcap", pkgConfig: "libpcap",
                       providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CMnl", path: "Sources/CMnl", pkgConfig: "libmnl",
                       providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CNetfilterQueue", path: "Sources/CNetfilterQueue", pkgConfig: "libnetfilter_queue",
                       providers: [.apt(["libnetfilter-queue-dev", "libmnl-dev"])]),
        .systemLibrary(name: "CNftnl", path: "Sources/CNftnl", pkgConfig: "libnftnl",
                       providers: [.apt(["libnftnl-dev", "libmnl-dev"])]),
        // prctl, setresuid/setresgid, capset: not exposed by Glibc's Swift module.
        .target(name: "CPrivileges", path: "Sources/CPrivileges"),
        // The daemon's system-call filter after set-up (issue 8).
        .systemLibrary(name: "CSeccomp", path: "Sources/CSeccomp", pkgConfig: "libseccomp",
                       providers: [.apt(["libseccomp-dev"])]),
        // ASNs of flow addresses for threat intelligence (MaxMind DB files such as GeoLite2-ASN.mmdb).
        .systemLibrary(name: "CMaxMindDB", path: "Sources/CMaxMindDB", pkgConfig: "libmaxminddb",
                       providers: [.apt(["libmaxminddb-dev"])]),

        .target(
            name: "NetCore",
            dependencies: ["CMnl", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .target(name: "Records", dependencies: ["NetCore"]),
        .target(
            name: "Capture",
            dependencies: ["NetCore", "Records", "CPcap", "CMnl", "CNetfilterQueue",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Crypto", package: "swift-crypto"),
                           // AES.permute (one AES block) for QUIC's header protection.
                           .product(name: "_CryptoExtras", package: "swift-crypto"),
                           .product(name: "X509", package: "swift-certificates"),
                           .product(name: "SwiftASN1", package: "swift-asn1")],
            swiftSettings: [.enableExperimentalFeature("Lifetimes")]
        ),
        .target(name: "Detect", dependencies: ["NetCore", "Records", "CMaxMindDB", .product(name: "Logging", package: "swift-log"),
                                              .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "Blocker", dependencies: ["NetCore", "CNftnl", "CMnl",
                                                .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "slipsd",
            dependencies: [
                "NetCore", "Records", "Capture", "Detect", "Blocker", "CPrivileges", "CSeccomp",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // Synthetic traffic: packet builder and pcap writer shared by tests and benchmarks.
        .target(name: "TestSupport", dependencies: ["NetCore", "Records", "Capture"], path: "Tests/TestSupport"),
        .testTarget(name: "NetCoreTests", dependencies: ["NetCore", "Records",
                                                        .product(name: "SystemPackage", package: "swift-system")]),
        .testTarget(name: "CaptureTests", dependencies: ["NetCore", "Records", "Capture", "TestSupport"]),
        // Detectors and their tests build without libpcap: Detect and its tests do not depend on Capture.
        .testTarget(name: "DetectTests", dependencies: ["NetCore", "Records", "Detect", "TestSupport"]),
        .testTarget(name: "BlockerTests", dependencies: ["NetCore", "Blocker"]),
        .testTarget(name: "SlipsdTests", dependencies: ["slipsd", "NetCore", "Records", "Capture", "Detect", "Blocker",
                                                        "TestSupport"]),

        // Benchmarks (`make bench`): not unit tests.
        .executableTarget(name: "slipsd-bench", dependencies: ["NetCore", "Records", "Capture", "Detect", "Blocker", "TestSupport", "CPcap",
                                                           .product(name: "Crypto", package: "swift-crypto")],
                          path: "Benchmarks/slipsd-bench"),
    ]
)
