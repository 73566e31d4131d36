import Detect
import NetCore
import Records
import Testing

private typealias Kit = DetectorsTestKit

/// The `threat_intelligence` detector: each evidence type with Slips' level, confidence and words, from lists the
/// test writes in Slips' local-file formats.
@Suite("Threat intelligence detector")
struct ThreatIntelDetectorTests {
    /// Lists as slipsd loads them from a Slips local folder: own_malicious_iocs.csv, JA3/JA3S, MD5s, known FPs.
    static func lists() -> ThreatIntelLists {
        var lists = ThreatIntelLists()
        let local = IoCSource(feed: "own_malicious_iocs.csv", threatLevel: .medium, tags: ["local TI file"])
        lists.iocs.add(feed: """
            # IoC, threat level, description
            203.0.113.66,high,Simda CC
            198.51.100.0/24,critical,bad range
            evil.example,high,phishing kit
            www.example.net,low,just this host
            AS64500,medium,bad network
            http://dl.example.org/payload.exe,high,malware download
            """, format: .slipsLocalIoCs, from: local)
        lists.iocs.add(feed: "e7d705a3286e19ea42f587b344ee6865,high,Cobalt Strike\n",
                       format: .slipsFingerprints(.ja3), from: IoCSource(feed: "own_malicious_JA3.csv", threatLevel: .medium))
        lists.iocs.add(feed: "623de93db17d313345d7ea481e7443cf,medium,Trickbot server\n",
                       format: .slipsFingerprints(.ja3s), from: IoCSource(feed: "own_malicious_JA3S.csv", threatLevel: .medium))
        lists.iocs.add(feed: "t13d1516h2_8daaf6152771_e5627efa2ab1,critical,test JA4 client\n",
                       format: .slipsFingerprints(.ja4), from: IoCSource(feed: "own_malicious_JA4.csv", threatLevel: .medium))
        lists.iocs.add(feed: "0123456789abcdef0123456789abcdef,critical,dropper\nfedcba9876543210fedcba9876543210,high,benign installer\n",
                       format: .slipsFingerprints(.md5), from: IoCSource(feed: "own_malicious_md5.csv", threatLevel: .medium))
        lists.knownFalsePositiveMD5.add(feed: "Windows installer, fedcba9876543210fedcba9876543210\n",
                                        format: .knownFalsePositiveMD5, from: IoCSource(feed: "known_fp_md5_hashes.csv", threatLevel: .info))
        return lists
    }

    static func make() throws -> (ThreatIntelligenceDetector, DetectorsTestKit.Collector) {
        var settings = DetectionSettings()
        settings.threatIntelligence = lists()
        return try Kit.make(ThreatIntelligenceDetector.self, settings: settings)
    }

    static let client = Kit.ip("192.168.1.10")

    func record<Body: RecordBody>(_ body: Body, time: PacketTime) -> ChannelMessage {
        .record(RecordMessage(record: body, profile: ProfileID(ip: body.profileIP), timeWindow: Kit.window(for: time)))
    }

    @Test func flowToAListedAddressIsTwoEvidenceAsSlips() throws {
        let (detector, out) = try Self.make()
        let interim = Kit.flow(uid: 1, src: Self.client, dst: Kit.ip("203.0.113.66"), dport: 443, state: .SF,
                               reason: .interim)
        try detector.main(Kit.message(interim))
        try detector.main(Kit.message(interim))
        var final = interim
        final.reason = .expired
        try detector.main(Kit.message(final))          // interim and final records of one uid: once per flow
        let to = out.of(.THREAT_INTELLIGENCE_TO_BLACKLISTED_IP)
        try #require(to.count == 2)
        let text = "connection to blacklisted IP: 203.0.113.66 from 192.168.1.10. Description: Simda CC. Source: own_malicious_iocs.csv."
        #expect(to.allSatisfy { $0.description == text && $0.confidence == 1 && $0.uids == [FlowUID(1)] })
        #expect(to[0].attacker == Attacker(direction: .DST, value: "203.0.113.66") && to[0].threatLevel == .high)
        #expect(to[0].profile.ip == Kit.ip("203.0.113.66"))
        #expect(to[1].attacker == Attacker(direction: .SRC, value: "192.168.1.10") && to[1].threatLevel == .low)
        #expect(to[1].profile.ip == Self.client)
        #expect(out.evidence.count == 2)
    }

    @Test func flowFromAListedRangeIsFromBlacklistedIP() throws {
        let (detector, out) = try Self.make()
        try detector.main(Kit.message(Kit.flow(uid: 2, src: Kit.ip("198.51.100.7"), dst: Self.client, dport: 22)))
        let from = out.of(.THREAT_INTELLIGENCE_FROM_BLACKLISTED_IP)
        try #require(from.count == 1)
        #expect(from[0].description
                == "connection from blacklisted IP: 198.51.100.7 to 192.168.1.10. Description: bad range. Source: own_malicious_iocs.csv.")
        #expect(from[0].threatLevel == .critical && from[0].confidence == 1)
        #expect(from[0].attacker.value == "198.51.100.7" && from[0].victim?.value == "192.168.1.10")
        #expect(out.evidence.count == 1)
    }

    @Test func unlistedAndPrivateAddressesGiveNothing() throws {
        let (detector, out) = try Self.make()
        try detector.main(Kit.message(Kit.flow(uid: 3, src: Self.client, dst: Kit.ip("203.0.113.67"), dport: 80)))
        try detector.main(Kit.message(Kit.flow(uid: 4, src: Self.client, dst: Kit.ip("10.0.0.1"), dport: 80)))
        #expect(out.evidence.isEmpty)
    }

    func dns(_ query: String, answers: [String] = []) -> ChannelMessage {
        record(DNSRecord(time: Kit.at(1), uid: FlowUID(9), originator: Self.client, originatorPort: 5353,
                         responder: Kit.ip("192.168.1.1"), responderPort: 53, proto: .udp, transID: 1, query: query,
                         answers: answers), time: Kit.at(1))
    }

    @Test func dnsQueryAndItsParentAreBlacklistedDomain() throws {
        let (detector, out) = try Self.make()
        try detector.main(dns("evil.example"))
        try detector.main(dns("cdn.login.evil.example."))
        try detector.main(dns("example.net"))            // only www.example.net is listed: no parent walk down
        try detector.main(dns("x.in-addr.arpa"))
        let domains = out.of(.THREAT_INTELLIGENCE_BLACKLISTED_DOMAIN)
        try #require(domains.count == 2)
        #expect(domains[0].description == "connection to a blacklisted domain evil.example. Description: phishing kit, "
                + "Found in feed: own_malicious_iocs.csv, Confidence: 1. with tags: local TI file. ")
        #expect(domains[0].confidence == 1 && domains[0].threatLevel == .high)
        #expect(domains[0].victim == Victim(direction: .DST, iocType: .DOMAIN, value: "evil.example"))
        #expect(domains[1].confidence == 0.7)
        #expect(domains[1].description.hasPrefix("connection to a blacklisted domain cdn.login.evil.example.. "))
        #expect(domains[1].description.contains("Confidence: 0.7. "))
        #expect(out.evidence.count == 2)
    }

    @Test func dnsAnswersListedAndAnswersOfAListedQuery() throws {
        let (detector, out) = try Self.make()
        try detector.main(dns("innocent.example.org", answers: ["cname.evil.example", "203.0.113.66", "192.0.2.9"]))
        let answers = out.of(.THREAT_INTELLIGENCE_BLACKLISTED_DNS_ANSWER)
        try #require(answers.count == 3)
        #expect(answers[0].description == "blacklisted CNAME: cname.evil.example when resolving innocent.example.org "
                + "Description: phishing kit, Found in feed: own_malicious_iocs.csv, Confidence: 0.7 with tags: local TI file. ")
        #expect(answers[1].description == "DNS answer with a blacklisted IP: 203.0.113.66 for query: innocent.example.org "
                + "Description: Simda CC Source: own_malicious_iocs.csv.")
        #expect(answers[1].attacker.value == "203.0.113.66" && answers[2].attacker.value == "192.168.1.10")
        #expect(answers[1].threatLevel == .high && answers[1].confidence == 1)
        #expect(out.of(.THREAT_INTELLIGENCE_ANSWER_OF_BLACKLISTED_QUERY).isEmpty)

        try detector.main(dns("evil.example", answers: ["192.0.2.9"]))
        let ofQuery = out.of(.THREAT_INTELLIGENCE_ANSWER_OF_BLACKLISTED_QUERY)
        try #require(ofQuery.count == 1)
        #expect(ofQuery[0].attacker == Attacker(direction: .DST, value: "192.0.2.9") && ofQuery[0].threatLevel == .high)
        #expect(ofQuery[0].description.contains("192.0.2.9") && ofQuery[0].description.contains("evil.example"))
    }

    func ssl(sni: String, ja3: String = "", ja3s: String = "", ja4: String = "") -> ChannelMessage {
        var ssl = SSLRecord(time: Kit.at(2), uid: FlowUID(11),
                            id: ConnectionID(originator: Self.client, originatorPort: 50_000,
                                             responder: Kit.ip("192.0.2.80"), responderPort: 443))
        ssl.serverName = sni; ssl.ja3 = ja3; ssl.ja3s = ja3s; ssl.ja4 = ja4
        return record(ssl, time: Kit.at(2))
    }

    @Test func sniJA3AndJA3S() throws {
        let (detector, out) = try Self.make()
        try detector.main(ssl(sni: "api.evil.example", ja3: "E7D705A3286E19EA42F587B344EE6865",
                              ja3s: "623de93db17d313345d7ea481e7443cf"))
        #expect(out.of(.THREAT_INTELLIGENCE_BLACKLISTED_DOMAIN).map(\.confidence) == [0.7])
        let ja3 = out.of(.MALICIOUS_JA3)
        try #require(ja3.count == 1)
        #expect(ja3[0].description == "Malicious JA3: E7D705A3286E19EA42F587B344EE6865 from source address 192.168.1.10 "
                + "to 192.0.2.80. description: Cobalt Strike.")
        #expect(ja3[0].threatLevel == .high && ja3[0].confidence == 1 && ja3[0].attacker.value == "192.168.1.10")
        let ja3s = out.of(.MALICIOUS_JA3S)
        try #require(ja3s.count == 1)
        #expect(ja3s[0].description == "Malicious JA3s: (possible C&C server): 623de93db17d313345d7ea481e7443cf to server "
                + "192.0.2.80. description: Trickbot server.")
        #expect(ja3s[0].threatLevel == .medium && ja3s[0].attacker == Attacker(direction: .DST, value: "192.0.2.80"))
    }

    @Test func listedJA4IsMaliciousJA4() throws {
        let (detector, out) = try Self.make()
        try detector.main(ssl(sni: "fine.example", ja4: "t13d1516h2_8daaf6152771_e5627efa2ab1"))
        let ja4 = out.of(.MALICIOUS_JA4)
        try #require(ja4.count == 1)
        #expect(ja4[0].description == "Malicious JA4: t13d1516h2_8daaf6152771_e5627efa2ab1 from source address "
                + "192.168.1.10 to 192.0.2.80. description: test JA4 client.")
        #expect(ja4[0].threatLevel == .critical && ja4[0].confidence == 1 && ja4[0].attacker.value == "192.168.1.10")
        try detector.main(ssl(sni: "fine.example", ja4: "t13d1516h2_8daaf6152771_000000000000"))
        #expect(out.of(.MALICIOUS_JA4).count == 1, "an unlisted JA4 gave evidence")
    }

    @Test func httpHostIsBlacklistedDomain() throws {
        let (detector, out) = try Self.make()
        var http = HTTPRecord(time: Kit.at(3), uid: FlowUID(12),
                              id: ConnectionID(originator: Self.client, responder: Kit.ip("192.0.2.81"), responderPort: 80))
        http.host = "www.example.net"; http.uri = "/index.html"
        try detector.main(record(http, time: Kit.at(3)))
        let domains = out.of(.THREAT_INTELLIGENCE_BLACKLISTED_DOMAIN)
        try #require(domains.count == 1)
        #expect(domains[0].threatLevel == .low && domains[0].confidence == 1)
    }

    func file(md5: String) -> ChannelMessage {
        var file = FilesRecord(time: Kit.at(4), fileID: "Fx1")
        file.transmitters = [Kit.ip("192.0.2.90")]; file.receivers = [Self.client]
        file.connectionUIDs = [FlowUID(13)]; file.md5 = md5; file.totalBytes = 4096
        return record(file, time: Kit.at(4))
    }

    @Test func listedMD5IsMaliciousDownloadedFileUnlessAKnownFalsePositive() throws {
        let (detector, out) = try Self.make()
        try detector.main(file(md5: "fedcba9876543210fedcba9876543210"))     // listed, but a known FP
        #expect(out.evidence.isEmpty)
        try detector.main(file(md5: "0123456789abcdef0123456789abcdef"))
        let files = out.of(.MALICIOUS_DOWNLOADED_FILE)
        try #require(files.count == 2)
        #expect(files[0].description == "Malicious downloaded file 0123456789abcdef0123456789abcdef. size: 4096 bytes. "
                + "File was downloaded from server: 192.0.2.90. Detected by: own_malicious_md5.csv. Confidence: 1. ")
        #expect(files.allSatisfy { $0.threatLevel == .critical && $0.confidence == 1 && $0.uids == [FlowUID(13)] })
        #expect(files[0].attacker.value == "192.0.2.90" && files[1].attacker.value == "192.168.1.10")
    }

    @Test func listedURLIsMaliciousURL() throws {
        let (detector, out) = try Self.make()
        var http = HTTPRecord(time: Kit.at(3), uid: FlowUID(14),
                              id: ConnectionID(originator: Self.client, responder: Kit.ip("192.0.2.82"), responderPort: 80))
        http.host = "dl.example.org"; http.uri = "/payload.exe"
        try detector.main(record(http, time: Kit.at(3)))
        http.uri = "/other.exe"
        try detector.main(record(http, time: Kit.at(3)))
        let urls = out.of(.THREAT_INTELLIGENCE_MALICIOUS_URL)
        try #require(urls.count == 1)
        #expect(urls[0].description == "Connection to a blacklisted URL dl.example.org/payload.exe. Description: malware download, "
                + "Found in feed: own_malicious_iocs.csv.")
        #expect(urls[0].threatLevel == .high && urls[0].victim?.iocType == .URL && urls[0].uids == [FlowUID(14)])
    }

    @Test func asnIsMatchedOnlyWithAnASNDatabase() throws {
        let flow = Kit.flow(uid: 5, src: Self.client, dst: Kit.ip("192.0.2.50"), dport: 443, state: .SF)
        let (without, quiet) = try Self.make()
        try without.main(Kit.message(flow))
        #expect(quiet.evidence.isEmpty)

        var settings = DetectionSettings()
        settings.threatIntelligence = Self.lists()
        settings.threatIntelligence.asnOfAddress = { $0 == IPAddress("192.0.2.50") ? 64500 : nil }
        let (detector, out) = try Kit.make(ThreatIntelligenceDetector.self, settings: settings)
        try detector.main(Kit.message(flow))
        let asn = out.of(.THREAT_INTELLIGENCE_BLACKLISTED_ASN)
        try #require(asn.count == 1)
        #expect(asn[0].description == "Connection to IP: 192.0.2.50 with blacklisted ASN: AS64500 Description: bad network, "
                + "Found in feed: own_malicious_iocs.csv, Confidence: 0.8. Tags: local TI file ")
        #expect(asn[0].threatLevel == .medium && asn[0].confidence == 0.8)
    }
}
