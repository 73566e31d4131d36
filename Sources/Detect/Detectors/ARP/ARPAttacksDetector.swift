import NetCore
import Records

/// Slips' `arp` module, besides the scan (`ARPScanDetector`): three checks on each ARP packet (`new_arp`, from
/// packets or Slips' Zeek arp.log), with Slips' triggers, levels, confidences and words.
///
/// - `ARP_OUTSIDE_LOCALNET` (low, 0.6): a request whose target is outside the home network — neither address
///   0.0.0.0 (probes), the target not multicast or link-local, not inside any `home_network` range (Slips'
///   default: 192.168.0.0/16, 172.16.0.0/12, 10.0.0.0/8) and, as Slips compares the text, not starting with the
///   sender's first octet. `192.168.1.15 sending ARP packet to a destination address outside of local network:
///   69.220.152.0. `; victim the target (DST).
/// - `UNSOLICITED_ARP` (low, 0.8): a reply broadcast both in the Ethernet header and as the payload's target
///   hardware address, from a sender MAC that is not 00:00:00:00:00:00: `broadcasting unsolicited ARP`.
/// - `MITM_ARP_ATTACK` (critical, 0.2): a gratuitous reply (a reply whose target hardware address is broadcast or
///   zero) in which a MAC claims an IP other than the one it was first seen with (in ARP packets or as a flow's
///   source): `192.168.1.66 performing a MITM ARP attack. The MAC aa:…, now belonging to 192.168.1.66, was seen
///   before for IP 192.168.1.5.`, with `The gateway …` / `of the gateway …` / `the gateway IP …` when the
///   addresses are the configured `gateway` (or the MAC of the gateway, learned as the MAC claiming that IP
///   first). Attacker: the IP the MAC had before (the host behind that MAC), victim the IP it now claims.
///
/// Forgery: ARP packets are not flows and any host on the link can forge them, so the evidence lists no uid and
/// is never `attackerVerified` (the rule `ARP_SCAN` keeps): an alert built on it blocks only what the verified-
/// source policy allows for unverified alerts.
///
/// Deviations: Slips names the claimed IP as the attacker, which puts the evidence on the impersonated host (the
/// gateway, in the classic attack); here the attacker is the MAC's own earlier IP. Each (sender, target) outside the network, each unsolicited sender and each (MAC, claimed IP) is
/// reported once per time window (Slips sets evidence for every packet, so a forged flood would add up to an
/// alert within seconds). Memory: the first IP of at most `max_tracked_macs` MACs and the reported keys of at most
/// as many, each in a `BoundedKeyMap` (oldest forgotten first). Confined to the detection thread.
public final class ARPAttacksDetector: Detector {
    /// The name used in config and logs; also the YAML section's name.
    public static let name = "arp_attacks"
    /// What it detects, in one line.
    public static let description = "ARP to outside the local network, unsolicited ARP, MITM ARP (Slips' arp module)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `arp_attacks:` section.
    public struct Settings: DetectorSettings {
        /// `home_network`: the local ranges (Slips' `home_network`, default its three RFC 1918 ranges).
        public var homeNetwork = ["192.168.0.0/16", "172.16.0.0/12", "10.0.0.0/8"]
        /// `gateway`: the gateway's IP, named in MITM descriptions (empty: none).
        public var gateway = ""
        /// `max_tracked_macs`: MACs whose first IP is remembered (and reported keys kept).
        public var maxTrackedMACs = 65_536

        /// Slips' values.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case homeNetwork = "home_network", gateway, maxTrackedMACs = "max_tracked_macs"
        }

        /// Reads the section over the defaults; every `home_network` entry must be an address range.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            homeNetwork = try section.value(.homeNetwork, default: homeNetwork)
            if let bad = homeNetwork.first(where: { CIDR($0) == nil }) {
                throw DecodingError.dataCorruptedError(forKey: .homeNetwork, in: section,
                                                       debugDescription: "'\(bad)' is not an address range")
            }
            gateway = try section.value(.gateway, default: gateway)
            if !gateway.isEmpty, IPAddress(gateway) == nil {
                throw DecodingError.dataCorruptedError(forKey: .gateway, in: section,
                                                       debugDescription: "'\(gateway)' is not an IP address")
            }
            maxTrackedMACs = try section.value(.maxTrackedMACs, default: maxTrackedMACs, in: 1...10_000_000)
        }
    }

    /// What was reported in one window, so that it is not reported again there.
    struct ReportKey: Hashable {
        var kind: EvidenceType
        var first: IPAddress
        var second: IPAddress
    }

    private let context: DetectorContext
    private let homeNetwork: [CIDR]
    private let gateway: IPAddress?
    /// The gateway's MAC: the first MAC seen claiming the gateway's IP.
    private(set) var gatewayMAC: MACAddress?
    /// Each MAC's first IP.
    private(set) var firstIPOfMAC: BoundedKeyMap<MACAddress, IPAddress>
    /// Keys reported, with the window number they were reported in.
    private(set) var reported: BoundedKeyMap<ReportKey, Int>

    /// Subscribes to `new_arp` and `new_flow` (flows teach which IP a MAC had first).
    public init(context: DetectorContext) throws {
        self.context = context
        let settings = context.detectorSettings(Settings.self)
        homeNetwork = settings.homeNetwork.compactMap(CIDR.init)
        gateway = settings.gateway.isEmpty ? nil : IPAddress(settings.gateway)
        firstIPOfMAC = BoundedKeyMap(capacity: settings.maxTrackedMACs)
        reported = BoundedKeyMap(capacity: settings.maxTrackedMACs)
        context.subscribe(.newARP)
        context.subscribe(.newFlow)
    }

    /// Runs the three checks on an ARP packet; learns a flow source's MAC.
    public func main(_ message: ChannelMessage) throws {
        if let flow = message.flow {
            // Only a proven handshake from a local host teaches a MAC its IP: a forged packet cannot pair an
            // innocent address with the forger's MAC, and routed traffic does not pair the gateway's MAC with
            // every outside address it forwards.
            let record = flow.flow
            if record.handshake, record.originator.isPrivate || homeNetwork.contains(where: { $0.contains(record.originator) }) {
                learn(mac: record.originatorMAC, ip: record.originator)
            }
            return
        }
        guard let arp = message.arp else { return }
        let record = arp.record
        if record.operation == 2, record.targetMAC == .broadcast || record.targetMAC == .zero {
            checkMITM(arp)
        }
        if record.operation == 1 {
            checkOutsideLocalNetwork(arp)
        } else if record.operation == 2 {
            checkUnsolicited(arp)
        }
        learn(mac: record.senderMAC, ip: record.senderIP)
    }

    private func learn(mac: MACAddress, ip: IPAddress) {
        guard mac != .zero, mac != .broadcast, ip != .zeroIPv4, firstIPOfMAC[mac] == nil else { return }
        firstIPOfMAC.set(ip, for: mac)
        if let gateway, ip == gateway, gatewayMAC == nil { gatewayMAC = mac }
    }

    /// True the first time `key` is seen in `window`.
    private func firstReport(_ key: ReportKey, _ window: TimeWindow) -> Bool {
        if reported[key] == window.number { return false }
        reported.set(window.number, for: key)
        return true
    }

    // MARK: ARP_OUTSIDE_LOCALNET

    /// Slips' `check_dstip_outside_localnet` on a request.
    static func isOutsideLocalNetwork(sender: IPAddress, target: IPAddress, homeNetwork: [CIDR]) -> Bool {
        guard sender != .zeroIPv4, target != .zeroIPv4, target.isIPv4 else { return false }
        let value = target.ipv4Value
        if (value >> 28) == 0xE || (value >> 16) == 0xA9FE { return false }     // multicast, link-local
        if homeNetwork.contains(where: { $0.contains(target) }) { return false }
        let senderText = sender.description
        let firstOctet = senderText.prefix { $0 != "." }
        return !target.description.hasPrefix(firstOctet)
    }

    private func checkOutsideLocalNetwork(_ arp: ARPMessage) {
        let record = arp.record
        guard Self.isOutsideLocalNetwork(sender: record.senderIP, target: record.targetIP, homeNetwork: homeNetwork),
              firstReport(ReportKey(kind: .ARP_OUTSIDE_LOCALNET, first: record.senderIP, second: record.senderIP),
                          arp.timeWindow) else { return }
        context.setEvidence(Evidence(
            type: .ARP_OUTSIDE_LOCALNET,
            description: "\(record.senderIP) sending ARP packet to a destination address outside of local network: "
                + "\(record.targetIP). ",
            attacker: Attacker(direction: .SRC, value: record.senderIP.description),
            victim: Victim(direction: .DST, value: record.targetIP.description),
            threatLevel: .low, confidence: 0.6, profile: arp.profile, timeWindow: arp.timeWindow,
            uids: [], timestamp: record.time))
    }

    // MARK: UNSOLICITED_ARP

    /// Slips' `detect_unsolicited_arp` on a reply.
    static func isUnsolicited(_ record: ARPRecord) -> Bool {
        record.destinationMAC == .broadcast && record.targetMAC == .broadcast && record.senderMAC != .zero
    }

    private func checkUnsolicited(_ arp: ARPMessage) {
        let record = arp.record
        guard Self.isUnsolicited(record),
              firstReport(ReportKey(kind: .UNSOLICITED_ARP, first: record.senderIP, second: record.senderIP),
                          arp.timeWindow) else { return }
        context.setEvidence(Evidence(
            type: .UNSOLICITED_ARP, description: "broadcasting unsolicited ARP",
            attacker: Attacker(direction: .SRC, value: record.senderIP.description),
            threatLevel: .low, confidence: 0.8, profile: arp.profile, timeWindow: arp.timeWindow,
            uids: [], timestamp: record.time))
    }

    // MARK: MITM_ARP_ATTACK

    private func checkMITM(_ arp: ARPMessage) {
        let record = arp.record
        guard record.senderMAC != .zero, record.senderIP != .zeroIPv4,
              let original = firstIPOfMAC[record.senderMAC], original != record.senderIP,
              firstReport(ReportKey(kind: .MITM_ARP_ATTACK, first: original, second: original), arp.timeWindow)
        else { return }
        context.setEvidence(Evidence(
            type: .MITM_ARP_ATTACK,
            description: Self.describeMITM(claimed: record.senderIP, mac: record.senderMAC, original: original,
                                           gateway: gateway, gatewayMAC: gatewayMAC),
            attacker: Attacker(direction: .SRC, value: original.description),
            victim: Victim(direction: .DST, value: record.senderIP.description),
            threatLevel: .critical, confidence: 0.2, profile: ProfileID(ip: original), timeWindow: arp.timeWindow,
            uids: [], timestamp: record.time))
    }

    /// Slips' words, naming the gateway where it is involved.
    static func describeMITM(claimed: IPAddress, mac: MACAddress, original: IPAddress, gateway: IPAddress?,
                             gatewayMAC: MACAddress?) -> String {
        let source = claimed == gateway ? "The gateway \(claimed)" : "\(claimed)"
        let macText = mac == gatewayMAC ? "of the gateway \(mac)" : "\(mac)"
        let before = original == gateway ? "the gateway IP \(original)" : "IP \(original)"
        return "\(source) performing a MITM ARP attack. The MAC \(macText), now belonging to \(source), "
            + "was seen before for \(before)."
    }
}
