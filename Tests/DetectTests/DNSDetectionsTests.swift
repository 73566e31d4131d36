import NetCore
import Records
import Testing
@testable import Detect

private typealias Kit = DetectorsTestKit

/// Slips' DNS detections (`flow_alerts/dns.py`) on dns records: thresholds at and just below, levels, confidences,
/// Slips' words, directions and exclusions.
@Suite("DNS detections: DGA, high-entropy TXT, invalid resolution, ARPA scan")
struct DNSDetectionsTests {
    let client = Kit.ip("10.0.0.5")
    let resolver = Kit.ip("192.168.1.1")

    // MARK: DGA_NXDOMAINS

    func nxdomain(_ index: Int, uid: UInt64? = nil, at seconds: Double = 1, query: String? = nil) -> ChannelMessage {
        Kit.dns(uid: uid ?? UInt64(1_000 + index), at: seconds, client: client, server: resolver,
                query: query ?? "qx\(index)zk.example", rcode: "NXDOMAIN")
    }

    @Test func dgaAtTenDistinctNXDomainsNotAtNine() throws {
        let (detector, out) = try Kit.make(DGANXDomainsDetector.self)
        for index in 0..<9 { try detector.main(nxdomain(index)) }
        #expect(out.evidence.isEmpty)
        try detector.main(nxdomain(9))
        let evidence = try #require(out.of(.DGA_NXDOMAINS).first)
        #expect(out.evidence.count == 1)
        #expect(evidence.description == "Possible DGA or domain scanning. 10.0.0.5 failed to resolve 10 different domains")
        #expect(evidence.threatLevel == .high && evidence.confidence == 0.1)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "10.0.0.5") && evidence.victim == nil)
        #expect(evidence.profile == ProfileID(ip: client) && evidence.timeWindow == Kit.window(1))
        #expect(evidence.uids == (0..<10).map { FlowUID(UInt64(1_000 + $0)) })
    }

    @Test func dgaCountsDistinctNamesAgainAtEachMultipleOfFive() throws {
        let (detector, out) = try Kit.make(DGANXDomainsDetector.self)
        for index in 0..<9 { try detector.main(nxdomain(index)) }
        for _ in 0..<5 { try detector.main(nxdomain(3, uid: 77)) }          // a repeated name counts once
        #expect(out.evidence.isEmpty)
        for index in 9..<14 { try detector.main(nxdomain(index)) }
        #expect(out.evidence.count == 1)
        try detector.main(nxdomain(14))
        #expect(out.evidence.count == 2)
        #expect(out.evidence[1].description.hasSuffix("failed to resolve 15 different domains"))
        #expect(out.evidence[1].confidence == 0.15)
        #expect(out.evidence[1].uids == (10..<15).map { FlowUID(UInt64(1_000 + $0)) })  // since the previous one
    }

    @Test func dgaConfidenceGrowsToOneAtAHundredNames() throws {
        let (detector, out) = try Kit.make(DGANXDomainsDetector.self)
        for index in 0..<110 { try detector.main(nxdomain(index)) }
        #expect(out.evidence.count == 21)                                  // 10, 15, …, 110
        #expect(out.evidence[18].description.hasSuffix("failed to resolve 100 different domains"))
        #expect(out.evidence[18].confidence == 1)
        #expect(out.evidence[17].confidence == 0.95)
        #expect(out.evidence[20].confidence == 1)                          // (110 − 100)/100 + 1, clamped
    }

    @Test func dgaIgnoresReverseLookupsMDNSOtherAnswersAndCountsPerWindow() throws {
        let (detector, out) = try Kit.make(DGANXDomainsDetector.self)
        for index in 0..<12 {
            try detector.main(nxdomain(index, query: "\(index).1.168.192.in-addr.arpa"))
            try detector.main(nxdomain(index, query: "printer\(index).local"))
            try detector.main(Kit.dns(uid: UInt64(index), client: client, query: "ok\(index).example"))
            try detector.main(Kit.dns(uid: UInt64(index), client: client, query: "q\(index).example", rcode: nil))
        }
        #expect(out.evidence.isEmpty)
        for index in 0..<5 { try detector.main(nxdomain(index, at: 10)) }
        for index in 5..<10 { try detector.main(nxdomain(index, at: 3_700)) }   // window 2: a new count
        #expect(out.evidence.isEmpty)
        for index in 10..<15 { try detector.main(nxdomain(index, at: 3_700)) }
        #expect(out.evidence.count == 1 && out.evidence[0].timeWindow == Kit.window(2))
    }

    @Test func dgaThresholdsComeFromItsSection() throws {
        var own = DGANXDomainsDetector.Settings()
        own.threshold = 3
        own.every = 2
        let (detector, out) = try Kit.make(DGANXDomainsDetector.self, own: own)
        for index in 0..<7 { try detector.main(nxdomain(index)) }
        #expect(out.evidence.map(\.description) == [3, 5, 7].map {
            "Possible DGA or domain scanning. 10.0.0.5 failed to resolve \($0) different domains"
        })
    }

    @Test func stateIsBoundedUnderAMillionDistinctKeysAndForgedSourcesDoNotBlind() throws {
        let (dga, dgaOut) = try Kit.make(DGANXDomainsDetector.self)
        let (arpa, arpaOut) = try Kit.make(DNSARPAScanDetector.self)
        for index in 0..<1_000_000 {                                        // a million distinct names and sources
            let query = index % 2 == 0 ? "f\(index).example" : "\(index).in-addr.arpa"
            let message = Kit.dns(uid: UInt64(index), at: 1, client: Kit.ip("100.64.0.0", plus: index),
                                  query: query, rcode: "NXDOMAIN")
            try dga.main(message)
            try arpa.main(message)
        }
        for statistics in [dga.windows.budget.statistics, arpa.windows.budget.statistics] {
            print("\(statistics.owner): limit \(statistics.limit), peak \(statistics.peakUsed), evictions \(statistics.evictions)")
            #expect(statistics.used <= statistics.limit && statistics.peakUsed <= statistics.limit)
            #expect(statistics.evictions > 0)
        }
        #expect(dgaOut.evidence.isEmpty && arpaOut.evidence.isEmpty)
        for index in 0..<10 {
            try dga.main(nxdomain(index, at: 2))
            try arpa.main(reverse(index, at: 2 + Double(index) * 0.1))
        }
        #expect(dgaOut.evidence.map(\.attacker.value) == ["10.0.0.5"])
        #expect(arpaOut.evidence.map(\.attacker.value) == ["10.0.0.5"])
        // One profile's own flood of distinct names is capped per window and keeps being reported.
        let (single, singleOut) = try Kit.make(DGANXDomainsDetector.self)
        for index in 0..<20_000 { try single.main(nxdomain(index)) }
        #expect(single.windows.budget.statistics.peakUsed <= DGANXDomainsDetector.namesPerWindow + 1)
        let cap = DGANXDomainsDetector.namesPerWindow
        let lastReport = cap - (cap - 10) % 5                               // the last multiple of 5 under the cap
        #expect(singleOut.evidence.last?.description.hasSuffix("\(lastReport) different domains") == true)
    }

    // MARK: HIGH_ENTROPY_DNS_ANSWER

    /// A TXT answer in which each of `distinct` scalars (T and X among them) appears exactly twice: its entropy
    /// is exactly log2(distinct) bits.
    static func txtAnswer(distinct: Int) -> String {
        let others = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSUVWYZ0123456789".prefix(distinct - 2)
        return "TXTX" + others.map { "\($0)\($0)" }.joined()
    }

    @Test func shannonEntropyIsSlipsFormula() {
        #expect(HighEntropyDNSAnswerDetector.shannonEntropy("") == 0)
        #expect(HighEntropyDNSAnswerDetector.shannonEntropy("aaaa") == 0)
        #expect(HighEntropyDNSAnswerDetector.shannonEntropy("abcd") == 2)
        #expect(HighEntropyDNSAnswerDetector.shannonEntropy("aabbccdd") == 2)
        #expect(abs(HighEntropyDNSAnswerDetector.shannonEntropy("aab") - 0.9182958340544896) < 1e-12)
        #expect(HighEntropyDNSAnswerDetector.shannonEntropy(Self.txtAnswer(distinct: 32)) == 5)
    }

    @Test func highEntropyTXTAnswerIsSlipsPairAtFiveNotBelow() throws {
        let (detector, out) = try Kit.make(HighEntropyDNSAnswerDetector.self)
        let below = Self.txtAnswer(distinct: 31)                          // log2(31) ≈ 4.95
        try detector.main(Kit.dns(uid: 1, client: client, server: resolver, query: "t.example", qtype: "TXT",
                                  answers: [below]))
        #expect(out.evidence.isEmpty)
        let at = Self.txtAnswer(distinct: 32)
        try detector.main(Kit.dns(uid: 2, at: 4, client: client, server: resolver, query: "t.example", qtype: "TXT",
                                  answers: ["93.184.216.34", at]))
        #expect(out.evidence.count == 2)
        let words = "A DNS TXT answer with high entropy. query: t.example answer: \"\(at)\" entropy: 5.0 "
        let server = out.evidence[0], host = out.evidence[1]
        #expect(server.type == .HIGH_ENTROPY_DNS_ANSWER && host.type == .HIGH_ENTROPY_DNS_ANSWER)
        #expect(server.description == words && host.description == words)
        #expect(server.attacker == Attacker(direction: .DST, value: "192.168.1.1") && server.threatLevel == .medium)
        #expect(server.profile == ProfileID(ip: resolver))
        #expect(host.attacker == Attacker(direction: .SRC, value: "10.0.0.5") && host.threatLevel == .low)
        #expect(host.profile == ProfileID(ip: client))
        #expect(server.confidence == 0.6 && host.confidence == 0.6)
        #expect(server.uids == [FlowUID(2)] && host.uids == [FlowUID(2)])
        #expect(server.id != host.id)
    }

    @Test func highEntropySkipsNonTXTAnswersAndMulticastOriginators() throws {
        let (detector, out) = try Kit.make(HighEntropyDNSAnswerDetector.self)
        let noisy = String(Self.txtAnswer(distinct: 40).dropFirst(4))      // high entropy, but no "TXT" in it
        try detector.main(Kit.dns(uid: 1, client: client, query: "c.example", answers: [noisy]))
        try detector.main(Kit.dns(uid: 2, client: Kit.ip("224.0.0.251"), query: "printer._ipp._tcp.local",
                                  qtype: "TXT", answers: [Self.txtAnswer(distinct: 40)]))
        #expect(out.evidence.isEmpty)
        var own = HighEntropyDNSAnswerDetector.Settings()
        own.entropyThreshold = 4.9
        let (lowered, loweredOut) = try Kit.make(HighEntropyDNSAnswerDetector.self, own: own)
        try lowered.main(Kit.dns(uid: 3, client: client, query: "t.example", qtype: "TXT",
                                 answers: [Self.txtAnswer(distinct: 31)]))
        #expect(loweredOut.evidence.count == 2)
        #expect(loweredOut.evidence[0].description.hasSuffix("entropy: 4.95 "))
    }

    // MARK: INVALID_DNS_RESOLUTION

    @Test func privateAnswerIsInvalidResolution() throws {
        let (detector, out) = try Kit.make(InvalidDNSResolutionDetector.self)
        try detector.main(Kit.dns(uid: 9, client: client, query: "bank.example",
                                  answers: ["bank-cdn.example", "93.184.216.34", "10.0.0.7", "fd00::7"]))
        #expect(out.evidence.map(\.description) == [
            "Invalid DNS answer. The DNS query bank.example was resolved to the private IP: 10.0.0.7",
            "Invalid DNS answer. The DNS query bank.example was resolved to the private IP: fd00::7",
        ])
        let evidence = try #require(out.evidence.first)
        #expect(evidence.type == .INVALID_DNS_RESOLUTION && evidence.threatLevel == .info && evidence.confidence == 0.8)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "10.0.0.5"))
        #expect(evidence.victim == Victim(direction: .DST, iocType: .DOMAIN, value: "bank.example"))
        #expect(evidence.uids == [FlowUID(9)] && evidence.profile == ProfileID(ip: client))
    }

    @Test func localhostMDNSAndReverseLookupsMayAnswerPrivateAddresses() throws {
        let (detector, out) = try Kit.make(InvalidDNSResolutionDetector.self)
        try detector.main(Kit.dns(uid: 1, client: client, query: "localhost", answers: ["127.0.0.1"]))
        try detector.main(Kit.dns(uid: 2, client: client, query: "nas.local", answers: ["192.168.1.20"]))
        try detector.main(Kit.dns(uid: 3, client: client, query: "7.0.0.10.in-addr.arpa", answers: ["10.0.0.7"]))
        try detector.main(Kit.dns(uid: 4, client: client, query: "public.example", answers: ["93.184.216.34"]))
        #expect(out.evidence.isEmpty)
    }

    // MARK: DNS_ARPA_SCAN

    func reverse(_ index: Int, at seconds: Double, suffix: String = "in-addr.arpa") -> ChannelMessage {
        Kit.dns(uid: UInt64(500 + index), at: seconds, client: client, query: "\(index).2.0.192.\(suffix)",
                qtype: "PTR", rcode: "NXDOMAIN")
    }

    @Test func arpaScanAtTenDistinctNamesWithinTwoSecondsNotNine() throws {
        let (detector, out) = try Kit.make(DNSARPAScanDetector.self)
        for index in 0..<9 { try detector.main(reverse(index, at: 10 + Double(index) * 0.2)) }
        try detector.main(reverse(4, at: 11.9))                                 // a repeat does not count
        #expect(out.evidence.isEmpty)
        try detector.main(reverse(9, at: 12))                                   // ten names in exactly 2 s
        let evidence = try #require(out.of(.DNS_ARPA_SCAN).first)
        #expect(out.evidence.count == 1)
        #expect(evidence.description == "Doing DNS ARPA scan. Scanned 10 hosts within 2 seconds.")
        #expect(evidence.threatLevel == .medium && evidence.confidence == 0.7)
        #expect(evidence.attacker == Attacker(direction: .SRC, value: "10.0.0.5") && evidence.victim == nil)
        #expect(evidence.uids == (0..<10).map { FlowUID(UInt64(500 + $0)) })
    }

    @Test func arpaLookupsSpreadOverMoreThanTwoSecondsOrIPv6AreNoScan() throws {
        let (detector, out) = try Kit.make(DNSARPAScanDetector.self)
        for index in 0..<30 { try detector.main(reverse(index, at: 10 + Double(index) * 0.223)) }   // 9 per 2 s
        for index in 0..<12 { try detector.main(reverse(index, at: 100, suffix: "ip6.arpa")) }
        #expect(out.evidence.isEmpty)
        for index in 100..<110 { try detector.main(reverse(index, at: 200)) }
        #expect(out.evidence.count == 1)
        #expect(detector.windows.budget.statistics.used <= 1)                    // the list started over
    }
}
