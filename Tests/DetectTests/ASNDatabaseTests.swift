import Detect
import Foundation
import NetCore
import Records
import Testing
import TestSupport

private typealias Kit = DetectorsTestKit

/// `ASNDatabase` over MaxMind DB files the test writes (`MMDBWriter`, from the published format), read by
/// Debian's libmaxminddb; and the `threat_intelligence` detector matching ASN IoCs through it.
@Suite("ASN database (libmaxminddb)")
struct ASNDatabaseTests {
    /// 192.0.2.0/24 in AS64500 (listed by the detector tests' IoC file), 198.51.100.0/25 in AS64501,
    /// 8.8.8.0/24 in AS15169 (not listed).
    static func writeDatabase() throws -> String {
        var writer = MMDBWriter()
        writer.add(network: "192.0.2.0", prefix: 24, asn: 64500, organization: "Bad Network Inc")
        writer.add(network: "198.51.100.0", prefix: 25, asn: 64501, organization: "Other Net")
        writer.add(network: "8.8.8.0", prefix: 24, asn: 15169, organization: "GOOGLE")
        let path = NSTemporaryDirectory() + "slipsd-asn-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).mmdb"
        try writer.write(to: path)
        return path
    }

    @Test func numbersOfAddressesInsideAndOutsideTheNetworks() throws {
        let path = try Self.writeDatabase()
        defer { unlink(path) }
        let database = try ASNDatabase(path: path)
        #expect(database.type == "GeoLite2-ASN")
        #expect(database.number(of: IPAddress("192.0.2.1")!) == 64500)
        #expect(database.number(of: IPAddress("192.0.2.255")!) == 64500)
        #expect(database.asn(of: IPAddress("198.51.100.127")!) == "AS64501")
        #expect(database.number(of: IPAddress("198.51.100.128")!) == nil)      // outside the /25
        #expect(database.asn(of: IPAddress("8.8.8.8")!) == "AS15169")
        #expect(database.number(of: IPAddress("192.0.3.1")!) == nil)
        #expect(database.number(of: IPAddress("2001:db8::1")!) == nil)         // IPv6 in an IPv4 database
    }

    @Test func absentAndMalformedFilesAreAClearError() throws {
        let missing = NSTemporaryDirectory() + "slipsd-no-such-\(getpid()).mmdb"
        #expect { try ASNDatabase(path: missing) } throws: { error in
            let text = String(describing: error)
            return text.contains(missing) && text.contains("No such file")
        }
        let garbage = NSTemporaryDirectory() + "slipsd-garbage-\(getpid()).mmdb"
        try Data("203.0.113.1,AS64500\n".utf8).write(to: URL(fileURLWithPath: garbage))
        defer { unlink(garbage) }
        #expect { try ASNDatabase(path: garbage) } throws: { error in
            String(describing: error).contains("not opened")
        }
        // A file cut inside its search tree (after the metadata would be found) must not crash a lookup.
        let whole = try Self.writeDatabase()
        defer { unlink(whole) }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: whole)))
        bytes.removeFirst(6)                                                   // the root node gone
        try Data(bytes).write(to: URL(fileURLWithPath: garbage))
        if let shifted = try? ASNDatabase(path: garbage) {
            _ = shifted.number(of: IPAddress("192.0.2.1")!)                    // any answer, no crash
        }
    }

    @Test func detectorMatchesAListedASNFromTheDatabase() throws {
        let path = try Self.writeDatabase()
        defer { unlink(path) }
        let database = try ASNDatabase(path: path)
        var settings = DetectionSettings()
        settings.threatIntelligence = ThreatIntelDetectorTests.lists()        // lists AS64500, medium
        settings.threatIntelligence.asnOfAddress = { database.number(of: $0) }
        let (detector, out) = try Kit.make(ThreatIntelligenceDetector.self, settings: settings)
        let client = ThreatIntelDetectorTests.client
        try detector.main(Kit.message(Kit.flow(uid: 21, src: client, dst: Kit.ip("192.0.2.77"), dport: 443, state: .SF)))
        try detector.main(Kit.message(Kit.flow(uid: 22, src: client, dst: Kit.ip("8.8.8.8"), dport: 53, state: .SF)))
        try detector.main(Kit.message(Kit.flow(uid: 23, src: client, dst: Kit.ip("198.51.100.5"), dport: 80, state: .SF)))
        let asn = out.of(.THREAT_INTELLIGENCE_BLACKLISTED_ASN)
        try #require(asn.count == 1)                                         // AS15169 and AS64501 are not listed
        #expect(asn[0].description == "Connection to IP: 192.0.2.77 with blacklisted ASN: AS64500 Description: bad network, "
                + "Found in feed: own_malicious_iocs.csv, Confidence: 0.8. Tags: local TI file ")
        #expect(asn[0].threatLevel == .medium && asn[0].confidence == 0.8 && asn[0].uids == [FlowUID(21)])
    }
}
