import NetCore
import Records

/// Slips' `check_connection_to_local_ip` (`flow_alerts/conn.py`): a flow from a private address (Slips'
/// `is_private_ip`, `IPAddress.isPrivateAsSlips`) to another private
/// address is evidence `CONNECTION_TO_PRIVATE_IP`, threat info, confidence 1 — it never adds to an alert, it
/// records who talks to whom inside the network. Once per flow (interim and final records of a uid count once).
///
/// Slips' exclusions: DNS queries (UDP to port 53) and DHCPv6 (UDP 546/547 on either side). Slips also skips
/// DHCP (UDP 67/68) to the gateway and DNS replies from a DNS server it learned; slipsd learns neither the
/// gateway nor DNS servers, so it skips DHCP (UDP to 67/68) to any private address and keeps replies from port 53
/// (see docs/slips-parity-heuristics.md).
///
/// Description, as Slips: `Connecting to private IP: 10.0.0.2 on destination port: 445`, or
/// `… protocol: ICMP` for ICMP. Attacker: the source (SRC); victim: the destination (DST). Flipped flows (the
/// originator only answered a SYN-ACK it never asked for) are not connections of the originator and are skipped.
///
/// On by default, as in Slips (`modules.disable: [connection_to_private_ip]` turns it off). INFO evidence never
/// adds to an alert.
public final class PrivateIPConnectionDetector: Detector {
    /// The name used in config and logs.
    public static let name = "connection_to_private_ip"
    /// What it detects, in one line.
    public static let description = "Connections from a private IP to another private IP (Slips' CONNECTION_TO_PRIVATE_IP)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `connection_to_private_ip:` section.
    public struct Settings: DetectorSettings {
        /// `skip_dhcp`: skip UDP flows to ports 67/68 (Slips skips them when sent to the gateway).
        public var skipDHCP = true

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey { case skipDHCP = "skip_dhcp" }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            skipDHCP = try section.value(.skipDHCP, default: skipDHCP)
        }
    }

    /// Confidence of the evidence.
    static let confidence = 1.0

    private let context: DetectorContext
    private let settings: Settings
    private var sightings: SharedFlowSighting
    private var originators = AddressTextCache()

    /// Subscribes to `new_flow`.
    public init(context: DetectorContext) throws {
        self.context = context
        sightings = context.flowSighting()
        settings = context.detectorSettings(Settings.self)
        context.subscribe(.newFlow)
    }

    /// Reports a private-to-private flow once, unless it is one of the exclusions.
    public func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return }
        let flow = flowMessage.flow
        guard !flow.flipped, flow.originator.isPrivateAsSlips, flow.responder.isPrivateAsSlips, !isExcluded(flow),
              sightings.isFirst(flow)
        else { return }
        let responderText = flow.responder.description           // formatted once: description and victim
        context.setEvidence(Evidence(flow: flowMessage, type: .CONNECTION_TO_PRIVATE_IP,
                                     description: Self.describe(flow, responderText: responderText),
                                     threatLevel: .info, confidence: Self.confidence,
                                     originatorText: originators.text(of: flow.originator),
                                     responderText: responderText))
    }

    /// DNS queries, DHCPv6 and (with `skip_dhcp`) DHCP.
    func isExcluded(_ flow: ConnRecord) -> Bool {
        guard flow.proto == .udp else { return false }
        if flow.responderPort == 53 { return true }
        if [546, 547].contains(flow.originatorPort) || [546, 547].contains(flow.responderPort) { return true }
        return settings.skipDHCP && (flow.responderPort == 67 || flow.responderPort == 68)
    }

    /// Slips' words: `Connecting to private IP: <daddr> ` then the port or `protocol: ICMP`.
    static func describe(_ flow: ConnRecord, responderText: String? = nil) -> String {
        let head = "Connecting to private IP: " + (responderText ?? flow.responder.description) + " "
        switch flow.proto {
        case .icmp, .icmpv6: return head + "protocol: ICMP"
        default: return head + "on destination port: \(flow.responderPort)"
        }
    }
}
