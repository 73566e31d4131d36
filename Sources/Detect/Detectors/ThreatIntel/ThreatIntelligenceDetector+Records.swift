import NetCore
import Records

extension ThreatIntelligenceDetector {
    /// A listed domain (or listed parent) seen by `client`: `THREAT_INTELLIGENCE_BLACKLISTED_DOMAIN`, attacker
    /// the client, victim the domain. Returns whether it matched.
    @discardableResult
    func matchDomain(_ domain: String, client: IPAddress, window: TimeWindow, uid: FlowUID,
                     time: PacketTime) -> IoCSource? {
        guard !Self.isIgnored(domain: domain), let (listedName, listed) = lists.iocs.match(domain: domain) else {
            return nil
        }
        let parent = listedName.utf8.count != Self.trimmedLength(domain)
        let confidence = parent ? Self.parentDomainConfidence : Self.domainConfidence
        evidence(.THREAT_INTELLIGENCE_BLACKLISTED_DOMAIN,
                 ThreatIntelDescriptions.domain(domain, listed, confidence: confidence),
                 attacker: Attacker(direction: .SRC, value: client.description),
                 victim: Victim(direction: .DST, iocType: .DOMAIN, value: domain), level: listed.threatLevel,
                 confidence: confidence, profile: client, window: window, uid: uid, time: time)
        return listed
    }

    /// The length of `domain` without a trailing dot.
    static func trimmedLength(_ domain: String) -> Int {
        domain.utf8.last == UInt8(ascii: ".") ? domain.utf8.count - 1 : domain.utf8.count
    }

    func matchDNS(_ message: DNSMessage) {
        let dns = message.record
        let client = dns.originator, window = message.timeWindow
        let listedQuery = matchDomain(dns.query, client: client, window: window, uid: dns.uid, time: dns.time)
        for answer in dns.answers {
            if let address = IPAddress(answer) {
                if !Self.isIgnored(address), let listed = lists.iocs.match(address) {
                    let text = ThreatIntelDescriptions.dnsAnswerIP(address, query: dns.query, listed)
                    evidence(.THREAT_INTELLIGENCE_BLACKLISTED_DNS_ANSWER, text,
                             attacker: Attacker(direction: .DST, value: address.description),
                             victim: Victim(direction: .SRC, value: client.description), level: listed.threatLevel,
                             confidence: 1, profile: address, window: window, uid: dns.uid, time: dns.time)
                    evidence(.THREAT_INTELLIGENCE_BLACKLISTED_DNS_ANSWER, text,
                             attacker: Attacker(direction: .SRC, value: client.description),
                             victim: Victim(direction: .DST, value: address.description), level: listed.threatLevel,
                             confidence: 1, profile: client, window: window, uid: dns.uid, time: dns.time)
                } else if let listedQuery, !Self.isIgnored(address) {
                    evidence(.THREAT_INTELLIGENCE_ANSWER_OF_BLACKLISTED_QUERY,
                             ThreatIntelDescriptions.answerOfBlacklistedQuery(answer, query: dns.query, listedQuery),
                             attacker: Attacker(direction: .DST, value: address.description),
                             victim: Victim(direction: .SRC, value: client.description),
                             level: listedQuery.threatLevel, confidence: 1, profile: address, window: window,
                             uid: dns.uid, time: dns.time)
                }
            } else if !Self.isIgnored(domain: answer), let (listedName, listed) = lists.iocs.match(domain: answer) {
                let parent = listedName.utf8.count != Self.trimmedLength(answer)
                let confidence = parent ? Self.parentDomainConfidence : Self.domainConfidence
                evidence(.THREAT_INTELLIGENCE_BLACKLISTED_DNS_ANSWER,
                         ThreatIntelDescriptions.dnsAnswerCNAME(answer, query: dns.query, listed,
                                                                confidence: confidence),
                         attacker: Attacker(direction: .SRC, value: client.description),
                         victim: Victim(direction: .DST, iocType: .DOMAIN, value: dns.query),
                         level: listed.threatLevel, confidence: confidence, profile: client, window: window,
                         uid: dns.uid, time: dns.time)
            }
        }
    }

    func matchSSL(_ message: RecordMessage<SSLRecord>) {
        let ssl = message.record
        guard let client = ssl.id.originator else { return }
        let server = ssl.id.responder.map(\.description) ?? "-"
        let window = message.timeWindow
        matchDomain(ssl.serverName, client: client, window: window, uid: ssl.uid, time: ssl.time)
        if !ssl.ja3.isEmpty, ssl.ja3 != "-", let listed = lists.iocs.match(.ja3, ssl.ja3) {
            evidence(.MALICIOUS_JA3, ThreatIntelDescriptions.ja3(ssl.ja3, from: client, to: server, listed),
                     attacker: Attacker(direction: .SRC, value: client.description),
                     victim: Victim(direction: .DST, value: server), level: listed.threatLevel, confidence: 1,
                     profile: client, window: window, uid: ssl.uid, time: ssl.time)
        }
        if !ssl.ja4.isEmpty, ssl.ja4 != "-", let listed = lists.iocs.match(.ja4, ssl.ja4) {
            evidence(.MALICIOUS_JA4, ThreatIntelDescriptions.ja4(ssl.ja4, from: client, to: server, listed),
                     attacker: Attacker(direction: .SRC, value: client.description),
                     victim: Victim(direction: .DST, value: server), level: listed.threatLevel, confidence: 1,
                     profile: client, window: window, uid: ssl.uid, time: ssl.time)
        }
        if !ssl.ja3s.isEmpty, ssl.ja3s != "-", let listed = lists.iocs.match(.ja3s, ssl.ja3s),
           let serverAddress = ssl.id.responder {
            evidence(.MALICIOUS_JA3S, ThreatIntelDescriptions.ja3s(ssl.ja3s, server: server, listed),
                     attacker: Attacker(direction: .DST, value: server),
                     victim: Victim(direction: .SRC, value: client.description), level: listed.threatLevel,
                     confidence: 1, profile: serverAddress, window: window, uid: ssl.uid, time: ssl.time)
        }
    }

    func matchHTTP(_ message: RecordMessage<HTTPRecord>) {
        let http = message.record
        guard let client = http.id.originator else { return }
        let window = message.timeWindow
        if IPAddress(http.host) == nil {
            matchDomain(http.host, client: client, window: window, uid: http.uid, time: http.time)
        }
        guard !http.host.isEmpty, !http.uri.isEmpty else { return }
        let url = http.host + http.uri
        if let listed = lists.iocs.match(url: url) ?? lists.iocs.match(url: "http://" + url) {
            evidence(.THREAT_INTELLIGENCE_MALICIOUS_URL, ThreatIntelDescriptions.url(url, listed),
                     attacker: Attacker(direction: .SRC, value: client.description),
                     victim: Victim(direction: .DST, iocType: .URL, value: url), level: listed.threatLevel,
                     confidence: 1, profile: client, window: window, uid: http.uid, time: http.time)
        }
    }

    func matchFile(_ message: RecordMessage<FilesRecord>) {
        let file = message.record
        let md5 = file.md5
        guard !md5.isEmpty, md5 != "-", lists.knownFalsePositiveMD5.match(.md5, md5) == nil,
              let listed = lists.iocs.match(.md5, md5),
              let server = file.transmitters.first, let receiver = file.receivers.first,
              let uid = file.connectionUIDs.first
        else { return }
        let text = ThreatIntelDescriptions.downloadedFile(md5: md5, size: file.totalBytes > 0 ? file.totalBytes : file.seenBytes,
                                                          server: server.description, listed, confidence: 1)
        evidence(.MALICIOUS_DOWNLOADED_FILE, text, attacker: Attacker(direction: .SRC, value: server.description),
                 victim: nil, level: listed.threatLevel, confidence: 1, profile: server,
                 window: message.timeWindow, uid: uid, time: file.time)
        evidence(.MALICIOUS_DOWNLOADED_FILE, text, attacker: Attacker(direction: .DST, value: receiver.description),
                 victim: Victim(direction: .SRC, value: server.description), level: listed.threatLevel,
                 confidence: 1, profile: receiver, window: message.timeWindow, uid: uid, time: file.time)
    }
}
