import NetCore
import Records

/// Slips' `check_device_changing_ips` (`flow_alerts/conn.py`): the first flow of a private IPv4 source address
/// whose MAC address was first seen with another private IPv4 address is evidence `DEVICE_CHANGING_IP`: threat
/// medium, confidence 0.8, attacker the new address (SRC), no victim.
///
/// As in Slips: each source address is checked once, on its first flow with a MAC address; addresses that are
/// expected to change (0.0.0.0, 255.255.255.255, link-local) are neither checked nor remembered as a MAC's
/// original address; IPv6 addresses are skipped (a device has several). The MAC is the record's originator MAC
/// (from packets, or Zeek's `orig_l2_addr`); records without one are skipped. The gateway's MAC is never
/// associated with addresses (a router forwards many hosts' traffic): as Slips does, it is learned as the MAC that
/// public addresses arrive with, or that private hosts send to public addresses through.
///
/// Description, as Slips: `A device changing IPs. IP 192.168.1.7 was found with MAC address 02:00:00:00:00:01 but
/// the MAC belongs originally to IP: 192.168.1.5. `
///
/// Memory: at most `trackedLimit` source addresses and as many MAC addresses; past that, new ones are not
/// remembered (`untracked` counts them).
public final class DeviceChangingIPDetector: Detector {
    /// The name used in config and logs.
    public static let name = "device_changing_ip"
    /// What it detects, in one line.
    public static let description = "A MAC address showing up with a new private IPv4 address (Slips' DEVICE_CHANGING_IP)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// Confidence of the evidence.
    static let confidence = 0.8
    /// Most source addresses (and MAC addresses) remembered.
    static let trackedLimit = 262_144

    private let context: DetectorContext
    private var seenSources: Set<IPAddress> = []
    private var originalAddress: [MACAddress: IPAddress] = [:]
    /// The gateway's MAC, once learned.
    private(set) var gatewayMAC: MACAddress?
    /// Sources or MAC addresses not remembered because `trackedLimit` was reached.
    private(set) var untracked = 0

    /// Subscribes to `new_flow`.
    public init(context: DetectorContext) throws {
        self.context = context
        context.subscribe(.newFlow)
    }

    /// Checks the first flow of each private IPv4 source against the first address of its MAC.
    public func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return }
        let flow = flowMessage.flow
        let source = flow.originator, mac = flow.originatorMAC
        learnGateway(from: flow)
        guard mac != .zero, mac != gatewayMAC, source.isIPv4, source.isPrivateAsSlips, !Self.mayChange(source),
              !seenSources.contains(source) else { return }
        guard seenSources.count < Self.trackedLimit else { untracked += 1; return }
        seenSources.insert(source)
        guard let original = originalAddress[mac] else {
            if originalAddress.count < Self.trackedLimit { originalAddress[mac] = source } else { untracked += 1 }
            return
        }
        guard original != source else { return }
        let text = "A device changing IPs. IP \(source) was found with MAC address \(mac) but the MAC belongs "
            + "originally to IP: \(original). "
        context.setEvidence(Evidence(
            type: .DEVICE_CHANGING_IP, description: text,
            attacker: Attacker(direction: .SRC, value: source.description), victim: nil,
            threatLevel: .medium, confidence: Self.confidence, profile: flowMessage.profile,
            timeWindow: flowMessage.timeWindow, uids: [flow.uid], timestamp: flow.startTime))
    }

    /// Slips' gateway MAC: the MAC of a public source, or the destination MAC of a private host's flow to a public
    /// address; the first one seen is kept.
    private func learnGateway(from flow: ConnRecord) {
        guard gatewayMAC == nil else { return }
        if flow.originatorMAC != .zero, !flow.originator.isPrivateAsSlips {
            gatewayMAC = flow.originatorMAC
        } else if flow.responderMAC != .zero, flow.originator.isPrivateAsSlips, !flow.responder.isPrivateAsSlips,
                  !flow.responder.isMulticastOrBroadcast {
            gatewayMAC = flow.responderMAC
        }
    }

    /// Slips' `_is_it_ok_for_ip_to_change`: its special IPv4 addresses and link-local ones.
    static func mayChange(_ address: IPAddress) -> Bool {
        let v = address.ipv4Value
        return v == 0 || v == 0xFFFF_FFFF || (v >> 16) == 0xA9FE
    }
}
