import Foundation
import Testing

/// Issue 9 §3: what Slips' own integration tests check on its flow files, checked on slipsd. The built `slipsd`
/// reads each file of the shared dataset with `-f`; the alerts log must contain the substring Slips' test looks
/// for (Slips' description words), the run must count more profiles than Slips' test expects, and nothing may
/// be reported as an error (exit status 0, no bad line, empty stderr, an errors.log without `error`). A file
/// missing from `../shared/data/slips-dataset` is skipped with a printed reason.
@Suite("Slips' dataset: Slips' acceptance checks", .serialized)
struct SlipsDatasetAcceptanceTests {
    /// One case of Slips' integration suite.
    struct Case: Sendable, CustomTestStringConvertible {
        /// Path in the dataset.
        var path: String
        /// Profiles Slips' test expects more than.
        var moreProfilesThan: Int
        /// At least one of these must be in the alerts log.
        var anyOf: [String]

        var testDescription: String { path }
    }

    static let cases: [Case] = [
        Case(path: "port-scans/horizontal/conn.log", moreProfilesThan: 0,
             anyOf: ["Horizontal port scan to port http 80/tcp. From 10.0.2.112"]),
        Case(path: "test3-mixed.binetflow", moreProfilesThan: 20,
             anyOf: ["Horizontal port scan to port rdp 3389/tcp. From 46.166.151.160"]),
        Case(path: "test5-mixed.binetflow", moreProfilesThan: 4, anyOf: ["Long Connection"]),
        Case(path: "test6-malicious.suricata.json", moreProfilesThan: 10,
             anyOf: ["Connection to unknown destination port", "vertical port scan", "Connecting to private IP"]),
        Case(path: "test10-mixed-zeek-dir/conn.log", moreProfilesThan: 5, anyOf: ["non-SSL established connection"]),
    ]

    @Test(arguments: cases)
    func slipsChecksPass(_ check: Case) throws {
        let input = RepositoryPaths.slipsDataset + "/" + check.path
        guard FileManager.default.fileExists(atPath: input) else {
            print("skipped \(check.path): not in the shared dataset (\(input))")
            try Test.cancel("\(check.path) is not in the shared dataset (\(input))")
        }
        try #require(FileManager.default.isExecutableFile(atPath: RepositoryPaths.slipsdBinary),
                     "slipsd is not built at \(RepositoryPaths.slipsdBinary)")
        let output = NSTemporaryDirectory() + "slipsd-slips-acceptance-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", input, "-o", output])

        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout.contains("problems      none"), "\(result.stdout)")
        let errors = Self.read(output + "/errors.log")
        #expect(!errors.contains("error") && !errors.contains("Error") && !errors.contains("Traceback"), "\(errors)")

        let profiles = Self.analyzedIPs(summary: result.stdout, log: Self.read(output + "/slipsd.log"))
        #expect(profiles.map { $0 > check.moreProfilesThan } == true,
                "profiles \(profiles.map(String.init) ?? "not reported"), Slips expects > \(check.moreProfilesThan)")

        let alerts = Self.alertsLog(in: output)
        let found = check.anyOf.filter { alerts.contains($0) }
        print("acceptance \(check.path): \(profiles ?? -1) profiles; found \(found.isEmpty ? "none" : "\(found)")")
        #expect(!found.isEmpty, "none of \(check.anyOf) in the alerts log:\n\(alerts.prefix(2000))")
    }

    /// `DIR/alerts/alerts.log` (Slips' layout), else `DIR/alerts.log`.
    static func alertsLog(in directory: String) -> String {
        let slipsLayout = directory + "/alerts/alerts.log"
        return FileManager.default.fileExists(atPath: slipsLayout) ? read(slipsLayout) : read(directory + "/alerts.log")
    }

    /// The profile count: `Total analyzed IPs: N` in the summary or slipsd.log (Slips' words), else the summary's
    /// `profiles N` line.
    static func analyzedIPs(summary: String, log: String) -> Int? {
        for text in [summary, log] {
            if let range = text.range(of: "Total analyzed IPs: ") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let value = Int(digits) { return value }
            }
        }
        return summary.split(separator: "\n").first { $0.hasPrefix("  profiles") }
            .flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
}
