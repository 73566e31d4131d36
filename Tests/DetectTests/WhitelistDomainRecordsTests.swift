import NetCore
import Records
import Testing
@testable import Detect

/// Whitelist domain lines (Slips' whitelist.conf semantics: direction and what to ignore) on the names DNS,
/// TLS, HTTP and certificate records carry, and through the engine.
@Suite("Whitelist domains on records")
struct WhitelistDomainRecordsTests {
    private typealias Kit = DetectorsTestKit
    private static let id = ConnectionID(originator: Kit.ip("10.0.0.5"), originatorPort: 40_000,
                                         responder: Kit.ip("203.0.113.5"), responderPort: 443)

    private static func dns(query: String, answers: [String] = []) -> Record {
        DNSRecord(time: Kit.at(1), uid: FlowUID(1), originator: Kit.ip("10.0.0.5"), originatorPort: 40_000,
                  responder: Kit.ip("192.168.1.1"), responderPort: 53, proto: .udp, transID: 1, query: query,
                  qtypeName: "A", rcodeName: "NOERROR", answers: answers).record
    }

    private static func ssl(sni: String) -> Record {
        var record = SSLRecord(time: Kit.at(1), uid: FlowUID(2), id: id)
        record.serverName = sni
        return record.record
    }

    private static func http(host: String) -> Record {
        var record = HTTPRecord(time: Kit.at(1), uid: FlowUID(3), id: id)
        record.host = host
        return record.record
    }

    private static func certificate(subject: String, san: [String] = []) -> Record {
        var record = X509Record(time: Kit.at(1), fileID: "F")
        record.subject = subject
        record.sanDNS = san
        record.client = Kit.ip("10.0.0.5")
        return record.record
    }

    @Test func flowsLinesDropRecordsNamingTheDomainOrItsSubdomains() throws {
        let list = try Whitelist(parsing: "domain,example.com,both,flows\nip,198.51.100.7,dst,flows", file: "w")
        #expect(list.ignores(record: Self.dns(query: "www.example.com")))
        #expect(list.ignores(record: Self.dns(query: "other.test", answers: ["cdn.example.com"])))      // CNAME
        #expect(list.ignores(record: Self.dns(query: "other.test", answers: ["198.51.100.7"])))        // answer IP
        #expect(list.ignores(record: Self.ssl(sni: "login.EXAMPLE.com.")))
        #expect(list.ignores(record: Self.http(host: "example.com")))
        #expect(list.ignores(record: Self.certificate(subject: "CN=*.example.com,O=X")))
        #expect(list.ignores(record: Self.certificate(subject: "CN=other", san: ["api.example.com"])))
        #expect(!list.ignores(record: Self.dns(query: "notexample.com")))
        #expect(!list.ignores(record: Self.ssl(sni: "example.org")))
        #expect(!list.ignores(record: Self.http(host: "example.com.evil")))
        #expect(!list.ignores(record: Self.dns(query: "other.test", answers: ["198.51.100.8"])))
    }

    @Test func directionAndIgnoreColumnsAreKept() throws {
        // A src line does not cover a name the host asks for (a destination); an alerts line drops no record.
        let source = try Whitelist(parsing: "domain,example.com,src,flows", file: "w")
        #expect(!source.ignores(record: Self.dns(query: "www.example.com")))
        let alerts = try Whitelist(parsing: "domain,example.com,both,alerts\nip,10.9.9.9,src,flows", file: "w")
        #expect(!alerts.ignores(record: Self.ssl(sni: "www.example.com")))
        // … but evidence whose victim is that domain is dropped.
        let evidence = Evidence(type: .DNS_WITHOUT_CONNECTION, description: "d",
                                attacker: Attacker(direction: .SRC, value: "10.0.0.5"),
                                victim: Victim(direction: .DST, iocType: .DOMAIN, value: "www.example.com"),
                                threatLevel: .info, confidence: 0.8, profile: ProfileID(ip: Kit.ip("10.0.0.5")),
                                timeWindow: Kit.window(1), uids: [], timestamp: Kit.at(1))
        #expect(alerts.ignores(evidence))
        let destination = try Whitelist(parsing: "domain,example.com,dst,both", file: "w")
        #expect(destination.ignores(record: Self.http(host: "a.example.com")))
    }

    @Test func engineDropsWhitelistedDNSRecordsBeforeDetectors() throws {
        let list = try Whitelist(parsing: "domain,example.com,dst,flows", file: "w")
        let engine = DetectionEngine(settings: DetectionSettings(), detectorTypes: [DGANXDomainsDetector.self],
                                     whitelist: list)
        engine.consume(.record(Self.dns(query: "x.example.com", answers: ["198.51.100.1"])))
        engine.consume(.record(Self.dns(query: "x.example.org", answers: ["198.51.100.1"])))
        engine.finish()
        #expect(engine.whitelistedRecords == 1)
    }
}
