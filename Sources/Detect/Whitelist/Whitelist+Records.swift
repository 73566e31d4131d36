import NetCore
import Records

extension Whitelist {
    /// Slips' flow check on a record: the source and destination of a conn or SSH record, the sender and target
    /// of an ARP record (and their MACs), the record's profile host as source for other kinds.
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
        default:
            return ignoresFlow(from: record.profileIP)
        }
    }

    /// True when a listed MAC on `side` makes a flow ignored.
    public func ignoresFlow(mac: MACAddress, side: Direction) -> Bool {
        macRules[mac].map { $0.applies(to: side, for: .flows) } ?? false
    }
}
