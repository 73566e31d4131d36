import Foundation
import Testing

/// Issue 11's acceptance for the DNS detections: the built `slipsd` reads Slips' `test10-mixed-zeek-dir` (a Zeek
/// directory with its dns.log) with `-f`; as Slips' own integration test expects there, the alerts log holds
/// `DNS TXT answer with high entropy` and more than 20 profiles are analysed. Skipped, with the reason printed,
/// when the shared dataset is absent.
@Suite("DNS detections on Slips' dataset", .serialized)
struct DNSDetectionsDatasetTests {
    @Test func zeekDirectoryGivesHighEntropyTXTAnswersAndMoreThanTwentyProfiles() throws {
        let input = RepositoryPaths.slipsDataset + "/test10-mixed-zeek-dir"
        guard FileManager.default.fileExists(atPath: input + "/dns.log") else {
            print("skipped test10-mixed-zeek-dir: not in the shared dataset (\(input))")
            try Test.cancel("test10-mixed-zeek-dir is not in the shared dataset (\(input))")
        }
        try #require(FileManager.default.isExecutableFile(atPath: RepositoryPaths.slipsdBinary),
                     "slipsd is not built at \(RepositoryPaths.slipsdBinary)")
        let output = NSTemporaryDirectory() + "slipsd-dns-dataset-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", input, "-o", output])

        #expect(result.status == 0, "\(result.stderr)")
        let errors = SlipsDatasetAcceptanceTests.read(output + "/errors.log")
        #expect(!errors.contains("error") && !errors.contains("Error"), "\(errors)")
        let profiles = SlipsDatasetAcceptanceTests.analyzedIPs(
            summary: result.stdout, log: SlipsDatasetAcceptanceTests.read(output + "/slipsd.log"))
        #expect(profiles.map { $0 > 20 } == true, "profiles \(profiles.map(String.init) ?? "not reported"), Slips expects > 20")

        let alerts = try String(contentsOfFile: output + "/alerts/alerts.log", encoding: .utf8)
        let highEntropy = alerts.split(separator: "\n").filter { $0.contains("DNS TXT answer with high entropy") }
        print("test10-mixed-zeek-dir: \(profiles ?? -1) profiles, \(highEntropy.count) high-entropy TXT lines")
        #expect(!highEntropy.isEmpty, "no `DNS TXT answer with high entropy` in the alerts log:\n\(alerts.prefix(2000))")
    }
}
