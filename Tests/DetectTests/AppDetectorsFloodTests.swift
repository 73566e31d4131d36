import NetCore
import Records
import Testing
@testable import Detect

/// Issue 11's memory promise: a million distinct keys (MACs, requested addresses, TLS sessions, destinations,
/// names, user agents) leave every new detector's state at its configured bound, and a real attacker among the
/// flood is still seen.
@Suite("App detectors under a flood of distinct keys", .serialized)
struct AppDetectorsFloodTests {
    private typealias Kit = DetectorsTestKit
    private static let keys = 1_000_000

    private static func address(_ index: Int) -> IPAddress { IPAddress(ipv4: 0x2000_0000 &+ UInt32(index)) }

    @Test(.timeLimit(.minutes(10)))
    func millionDistinctKeysKeepStateBounded() throws {
        // ARP: a million MACs each announcing a different address (first IPs, reported keys).
        var arpSettings = ARPAttacksDetector.Settings()
        arpSettings.maxTrackedMACs = 4_096
        let (arp, arpEvidence) = try Kit.make(ARPAttacksDetector.self, own: arpSettings)
        for index in 0..<Self.keys {
            let record = ARPRecord(time: Kit.at(Double(index) / 1_000), operation: 1,
                                   senderMAC: MACAddress(UInt64(0x0200_0000_0000) + UInt64(index)),
                                   senderIP: IPAddress(ipv4: 0xC0A8_0000 | UInt32(index & 0xFFFF)), targetMAC: .zero,
                                   targetIP: Self.address(index), destinationMAC: .broadcast)
            try arp.main(Kit.record(record))
        }
        #expect(arp.firstIPOfMAC.count <= 4_096 && arp.reported.count <= 4_096)
        #expect(arp.firstIPOfMAC.evicted >= Self.keys - 4_096)
        // Still judged: every one of the 65,536 senders is reported; a sender is reported once per window while its
        // key is remembered, so with 65,536 senders cycling through 4,096 keys each request is reported again.
        let outside = arpEvidence.of(.ARP_OUTSIDE_LOCALNET).count
        #expect(outside >= 65_536 && outside <= Self.keys, "\(outside)")

        // DHCP: a million clients each requesting one address; then a real scanner.
        let (dhcp, dhcpEvidence) = try Kit.make(DHCPScanDetector.self)
        for index in 0..<Self.keys {
            var record = DHCPRecord(time: Kit.at(1))
            record.clientAddress = Self.address(index)
            record.requestedAddress = Kit.ip("192.168.1.10")
            try dhcp.main(Kit.record(record))
        }
        for index in 0..<4 {
            var record = DHCPRecord(time: Kit.at(2))
            record.clientAddress = Kit.ip("10.0.0.66")
            record.requestedAddress = Kit.ip("192.168.1.100", plus: index)
            try dhcp.main(Kit.record(record))
        }
        let dhcpBudget = dhcp.windows.budget
        #expect(dhcpBudget.peakUsed <= dhcpBudget.limit && dhcpBudget.evictions > 0)
        #expect(dhcpEvidence.of(.DHCP_SCAN).map(\.attacker.value) == ["10.0.0.66"])

        // TLS: a million sessions whose certificate never comes.
        var tlsSettings = TLSCertificateDetector.Settings()
        tlsSettings.rememberedSessions = 4_096
        let (tls, _) = try Kit.make(TLSCertificateDetector.self, own: tlsSettings)
        for index in 0..<Self.keys {
            let record = SSLRecord(time: Kit.at(1), uid: FlowUID(UInt64(index + 1)),
                                   id: ConnectionID(originator: Kit.ip("10.0.0.5"), originatorPort: 1,
                                                    responder: Self.address(index), responderPort: 443))
            try tls.main(Kit.record(record))
        }
        #expect(tls.sessions.count <= 4_096)

        // Connections to a million unresolved destinations, and a million answers.
        var connectionSettings = ConnectionWithoutDNSDetector.Settings()
        (connectionSettings.maxPending, connectionSettings.maxResolvedIPs) = (4_096, 4_096)
        let (connections, connectionEvidence) = try Kit.make(ConnectionWithoutDNSDetector.self, own: connectionSettings)
        var withoutSettings = DNSWithoutConnectionDetector.Settings()
        (withoutSettings.maxPending, withoutSettings.maxContacts) = (4_096, 4_096)
        let (answers, answerEvidence) = try Kit.make(DNSWithoutConnectionDetector.self, own: withoutSettings)
        for index in 0..<Self.keys {
            let dns = Kit.dns(uid: UInt64(index + 1), at: 1, client: Kit.ip("10.0.0.5"), query: "n\(index).example",
                              answers: [Self.address(index + Self.keys).description])
            try connections.main(dns)
            try answers.main(dns)
            let flow = Kit.message(Kit.flow(uid: UInt64(index + 1), src: Kit.ip("10.0.0.5"), dst: Self.address(index),
                                            dport: 443, state: .SF, start: 1))
            try connections.main(flow)
            try answers.main(flow)
        }
        #expect(connections.pending.count <= 4_096 && connections.resolved.count <= 4_096)
        #expect(connections.reported.count <= 4_096)
        // One client, one window: exactly the quota is set, the rest is held back and counted.
        try connections.shutdownGracefully()
        try answers.shutdownGracefully()
        let withoutDNS = connectionEvidence.of(.CONNECTION_WITHOUT_DNS).count
        #expect(withoutDNS == EvidenceQuota.defaultLimit)
        // Every connection that was judged unresolved is either set or held back (a few thousand with their pair
        // still remembered are judged once).
        #expect(withoutDNS + connections.evidenceHeldBack >= Self.keys - 4_096)
        #expect(answers.pending.count <= 4_096 && answers.contacts.count <= 4_096)
        #expect(answers.addressesOfName.count <= 4_096)
        let withoutConnection = answerEvidence.of(.DNS_WITHOUT_CONNECTION).count
        #expect(withoutConnection == EvidenceQuota.defaultLimit)
        #expect(withoutConnection + answers.evidenceHeldBack == Self.keys)     // no answer was ever connected to

        // A million hosts, each with its own user agent.
        var agentSettings = UserAgentDetector.Settings()
        (agentSettings.maxTrackedHosts, agentSettings.macVendorsFile) = (4_096, "")
        let (agents, _) = try Kit.make(UserAgentDetector.self, own: agentSettings)
        for index in 0..<Self.keys {
            try agents.main(Kit.http(uid: UInt64(index + 1), client: Self.address(index), server: Kit.ip("203.0.113.80")) {
                $0.userAgent = "Mozilla/5.0 (Windows NT 10.0) agent-\(index)"
            })
        }
        #expect(agents.firstUserAgent.count <= 4_096 && agents.reported.count <= 4_096)
    }

    /// The other application detectors: NXDOMAIN names and reverse lookups, bad SMTP logins, SSH versions and
    /// sessions, pastebin TLS sessions and HTTP hosts, a million distinct keys each; their state stays at its bound
    /// and a real attacker after the flood is still seen.
    @Test(.timeLimit(.minutes(10)))
    func millionDistinctKeysKeepTheOtherAppDetectorsBounded() throws {
        // DGA: one client failing a million different names, a million clients failing one name each.
        let (dga, dgaEvidence) = try Kit.make(DGANXDomainsDetector.self)
        for index in 0..<Self.keys {
            try dga.main(Kit.dns(uid: UInt64(index + 1), at: 1, client: Kit.ip("10.0.0.5"), query: "n\(index).example",
                                 rcode: "NXDOMAIN"))
            try dga.main(Kit.dns(uid: UInt64(index + 1), at: 2, client: Self.address(index), query: "x.example",
                                 rcode: "NXDOMAIN"))
        }
        for index in 0..<10 {
            try dga.main(Kit.dns(uid: UInt64(index + 1), at: 3, client: Kit.ip("10.0.0.66"), query: "g\(index).example",
                                 rcode: "NXDOMAIN"))
        }
        let dgaBudget = dga.windows.budget
        #expect(dgaBudget.peakUsed <= dgaBudget.limit)
        #expect(dgaBudget.refused + dgaBudget.evictions > 0)
        #expect(dgaEvidence.of(.DGA_NXDOMAINS).contains { $0.attacker.value == "10.0.0.66" })

        // Reverse lookups of a million different addresses from a million clients.
        let (arpa, _) = try Kit.make(DNSARPAScanDetector.self)
        for index in 0..<Self.keys {
            let address = Self.address(index)
            let reverse = address.description.split(separator: ".").reversed().joined(separator: ".") + ".in-addr.arpa"
            try arpa.main(Kit.dns(uid: UInt64(index + 1), at: 1, client: address, query: reverse, qtype: "PTR"))
        }
        let arpaBudget = arpa.windows.budget
        #expect(arpaBudget.peakUsed <= arpaBudget.limit)

        // A million clients with one bad SMTP login each; then a brute forcer.
        var smtpSettings = SMTPLoginDetector.Settings()
        smtpSettings.maxTrackedClients = 4_096
        let (smtp, smtpEvidence) = try Kit.make(SMTPLoginDetector.self, own: smtpSettings)
        let refusal = "535 5.7.8 Error: authentication failed: bad smtp-auth user"
        try smtp.tick(now: Kit.at(0))                                        // the engine ticks from the start
        for index in 0..<Self.keys {
            try smtp.main(Kit.smtp(uid: UInt64(index + 1), at: Double(index) / 1_000_000, client: Self.address(index),
                                   server: Kit.ip("203.0.113.25"), lastReply: refusal))
        }
        #expect(smtp.trackedClients <= 4_096)
        #expect(smtpEvidence.of(.BAD_SMTP_LOGIN).count == Self.keys)         // every bad login is still evidence
        try smtp.tick(now: Kit.at(120))                                      // the flood's clients are swept
        for index in 0..<3 {
            try smtp.main(Kit.smtp(uid: UInt64(index + 1), at: 121 + Double(index), client: Kit.ip("10.0.0.66"),
                                   server: Kit.ip("203.0.113.25"), lastReply: refusal))
        }
        #expect(smtpEvidence.of(.SMTP_LOGIN_BRUTEFORCE).map(\.attacker.value) == ["10.0.0.66"])

        // A million hosts announcing an SSH version; a million SSH sessions whose flow never comes.
        var versionSettings = SSHVersionChangeDetector.Settings()
        versionSettings.maxTrackedHosts = 4_096
        let (versions, _) = try Kit.make(SSHVersionChangeDetector.self, own: versionSettings)
        var successSettings = SSHSuccessfulDetector.Settings()
        successSettings.rememberedSessions = 4_096
        let (successes, _) = try Kit.make(SSHSuccessfulDetector.self, own: successSettings)
        for index in 0..<Self.keys {
            try versions.main(Kit.software(at: 1, host: Self.address(index), type: "SSH::CLIENT", major: 8, minor: 9))
            try successes.main(Kit.sshLog(uid: UInt64(index + 1), client: Self.address(index),
                                          server: Kit.ip("203.0.113.22"), authSuccess: nil))
        }
        #expect(versions.trackedHosts <= 4_096 && versions.budget.refused >= Self.keys - 4_096)
        #expect(successes.sessions.count <= 4_096 && successes.connections.count <= 4_096)

        // A million pastebin TLS sessions without their flow; a million HTTP hosts and user agents.
        var pastebinSettings = PastebinTLSDownloadDetector.Settings()
        pastebinSettings.rememberedSessions = 4_096
        let (pastebin, _) = try Kit.make(PastebinTLSDownloadDetector.self, own: pastebinSettings)
        let (http, _) = try Kit.make(HTTPAnalyzerDetector.self)
        for index in 0..<Self.keys {
            var ssl = SSLRecord(time: Kit.at(1), uid: FlowUID(UInt64(index + 1)),
                                id: ConnectionID(originator: Self.address(index), originatorPort: 1,
                                                 responder: Kit.ip("104.20.0.1"), responderPort: 443))
            ssl.serverName = "pastebin.com"
            try pastebin.main(Kit.record(ssl))
            try http.main(Kit.http(uid: UInt64(index + 1), client: Self.address(index), server: Kit.ip("203.0.113.80")) {
                $0.host = "h\(index).example"
                $0.userAgent = "agent-\(index)"
            })
        }
        #expect(pastebin.sessions.count <= 4_096 && pastebin.connections.count <= 4_096)
        #expect(http.emptyConnections.count <= HTTPAnalyzerDetector.connectivityCheckHosts.count)
    }
}
