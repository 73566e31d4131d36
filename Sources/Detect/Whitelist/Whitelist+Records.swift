import NetCore
import Records

extension Whitelist {
    /// Slips' flow check on a record: the source and destination of a conn or SSH record, the sender and target
    /// of an ARP record (and their MACs); for DNS, TLS, HTTP and certificate records also the names they carry
    /// (Slips' destination domains of a flow): the DNS query and answers, the SNI, the HTTP host, the
    /// certificate's CN and SAN names, each matched as destination (`dst` or `both` lines, with their
    /// subdomains); the record's profile host as source for other kinds.
    public func ignores(record: Record) -> Bool {
        guard filtersFlows else { return false }
        switch record {
        case .conn(let flow):
            return ignoresFlow(source: flow.originator, destination: flow.responder)
        case .ssh(let banner):
            return ignoresFlow(source: banner.client, destination: banner.server)
        case .arp(let arp):
            return ignoresFlow(source: arp.senderIP, destination: arp.targetIP)
                || ignoresFlow(mac: arp.senderMAC, side: .SRC) || ignoresFlow(mac: arp.targetMAC, side: .DST)
        case .dns(let dns):
            return ignoresFlow(source: dns.originator, destination: dns.responder) || ignoresNamed(dns: dns)
        case .ssl(let ssl):
            return ignores(ssl.id) || ignoresFlow(domain: ssl.serverName, side: .DST)
        case .http(let http):
            return ignores(http.id) || ignoresFlow(domain: http.host, side: .DST)
        case .x509(let certificate):
            return ignoresFlow(from: record.profileIP) || ignoresNamed(certificate: certificate)
        default:
            return ignoresFlow(from: record.profileIP)
        }
    }

    /// The ends of a session record (its client as source, its server as destination).
    private func ignores(_ id: ConnectionID) -> Bool {
        guard let client = id.originator else { return false }
        guard let server = id.responder else { return ignoresFlow(from: client) }
        return ignoresFlow(source: client, destination: server)
    }

    /// Slips' domains of a DNS flow: the query as destination, and each answer (an address as destination IP,
    /// a CNAME as destination domain).
    private func ignoresNamed(dns: DNSRecord) -> Bool {
        if ignoresFlow(domain: dns.query, side: .DST) { return true }
        for answer in dns.answers.prefix(64) {
            if let address = IPAddress(answer) {
                if ignoresFlow(to: address) { return true }
            } else if ignoresFlow(domain: answer, side: .DST) {
                return true
            }
        }
        return false
    }

    /// A certificate's names (its subject's CN and SAN DNS names) as destination domains.
    private func ignoresNamed(certificate: X509Record) -> Bool {
        if let cn = certificate.subject.split(separator: ",").first(where: { $0.hasPrefix("CN=") }),
           ignoresFlow(domain: String(cn.dropFirst(3)).replacing("*.", with: ""), side: .DST) { return true }
        return certificate.sanDNS.prefix(64).contains {
            ignoresFlow(domain: $0.replacing("*.", with: ""), side: .DST)
        }
    }

    /// True when a listed MAC on `side` makes a flow ignored.
    public func ignoresFlow(mac: MACAddress, side: Direction) -> Bool {
        macRules[mac].map { $0.applies(to: side, for: .flows) } ?? false
    }
}
