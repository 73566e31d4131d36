// swift-tools-version:6.2
import PackageDescription

/// slipsd: an inline intrusion prevention system for Linux gateways.
///
/// Dependencies point one way: `slipsd` → `Detect` → `Capture`; `slipsd` → `Blocker`.
/// The packet path is single-threaded by design (one capture thread owns its flow table), so the runtime's
/// dynamic exclusivity checks only cost time there: off in release builds, kept in debug builds and tests.
let hotPathSettings = SwiftSetting.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))

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

        .target(
            name: "Capture",
            dependencies: ["CPcap", "CMnl", "CNetfilterQueue"],
            swiftSettings: [.enableExperimentalFeature("Lifetimes"), hotPathSettings]
        ),
        .target(name: "Detect", dependencies: ["Capture"], swiftSettings: [hotPathSettings]),
        .target(name: "Blocker", dependencies: ["CNftnl", "CMnl"]),
        .executableTarget(
            name: "slipsd",
            dependencies: [
                "Capture", "Detect", "Blocker", "CPrivileges",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // Synthetic traffic: packet builder and pcap writer shared by tests and benchmarks.
        .target(name: "TestSupport", dependencies: ["Capture"], path: "Tests/TestSupport"),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "TestSupport"]),
        .testTarget(name: "DetectTests", dependencies: ["Detect", "Capture", "TestSupport"]),
        .testTarget(name: "BlockerTests", dependencies: ["Blocker"]),
        .testTarget(name: "SlipsdTests", dependencies: ["slipsd", "Capture", "Detect", "Blocker", "TestSupport"]),

        // Benchmarks (`make bench`): not unit tests.
        .executableTarget(name: "slipsd-bench", dependencies: ["Capture", "Detect", "Blocker", "TestSupport", "CPcap"],
                          path: "Benchmarks/slipsd-bench"),
    ]
)
