import NetCore
import Records

/// Slips' `check_different_localnet_usage` (`flow_alerts/conn.py`, helpers in `flow_alerts/utils.py`): a flow
/// that involves a private address outside the local network (learned as `LocalNetworkLearner` says) is evidence
/// `DIFFERENT_LOCALNET`, confidence 1. Checked for the destination, then for the source, of every flow once:
///
/// - only flows between two addresses of one family where both are private, or the source is public and the
///   destination private; never DNS queries (UDP to 53); never when either address is 0.0.0.0,
///   255.255.255.255, loopback, multicast or link-local;
/// - the address checked must be private and outside the local network (same family as the network).
///
/// Destination outside: threat high, attacker the destination (DST, and its profile), victim the source —
/// `A connection to a private IP (10.0.0.9) on port 445/tcp outside of the used local network 192.168.0.0/16.
/// From IP: 192.168.1.5 on destination port: 445/TCP`. Source outside: threat low, attacker the source (SRC),
/// victim the destination — `A connection from a private IP (10.0.0.9) on port 445/tcp outside of the used local
/// network 192.168.0.0/16. To IP: 192.168.1.5 `. Slips also skips DNS servers it learned on port 53; slipsd
/// learns none. Flipped flows (the originator only answered a SYN-ACK) are skipped: they say nothing about what
/// the originator connected to.
public final class DifferentLocalnetDetector: Detector {
    /// The name used in config and logs.
    public static let name = "different_localnet"
    /// What it detects, in one line.
    public static let description = "Private addresses outside the local network (Slips' DIFFERENT_LOCALNET)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `different_localnet:` section.
    public struct Settings: DetectorSettings {
        /// `local_network`: the local network (`192.168.1.0/24`); empty learns it from the traffic as Slips does
        /// on files.
        public var localNetwork = ""

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey { case localNetwork = "local_network" }

        /// Reads the section over the defaults; `local_network` must be an address range.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            localNetwork = try section.value(.localNetwork, default: localNetwork)
            if !localNetwork.isEmpty, CIDR(localNetwork) == nil {
                throw DecodingError.dataCorruptedError(forKey: .localNetwork, in: section,
                                                       debugDescription: "'\(localNetwork)' is not an address range")
            }
        }
    }

    /// Confidence of the evidence.
    static let confidence = 1.0

    private let context: DetectorContext
    private(set) var localNetwork: LocalNetworkLearner
    private var sightings: SharedFlowSighting

    /// Subscribes to `new_flow`; takes `local_network` if set.
    public init(context: DetectorContext) throws {
        self.context = context
        sightings = context.flowSighting()
        let configured = context.detectorSettings(Settings.self).localNetwork
        localNetwork = LocalNetworkLearner(configured: configured.isEmpty ? nil : CIDR(configured))
        context.subscribe(.newFlow)
    }

    /// Learns the local network, then checks the flow's destination and source.
    public func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return }
        let flow = flowMessage.flow
        localNetwork.learn(from: flow)
        guard let network = localNetwork.network, Self.isEligible(flow), sightings.isFirst(flow) else { return }
        if Self.isOutside(flow.responder, network) {
            context.setEvidence(Self.destinationEvidence(flowMessage, network))
        }
        if Self.isOutside(flow.originator, network) {
            context.setEvidence(Self.sourceEvidence(flowMessage, network))
        }
    }

    /// Slips' `should_check_different_localnet` (DNS flows skipped).
    static func isEligible(_ flow: ConnRecord) -> Bool {
        let source = flow.originator, destination = flow.responder
        guard !flow.flipped, !flow.isDNSQueryFlow, source.isIPv4 == destination.isIPv4,
              !source.isIgnoredForLocalNetwork, !destination.isIgnoredForLocalNetwork else { return false }
        return destination.isPrivateAsSlips
    }

    /// Private, not ignored, same family as `network` and outside it.
    static func isOutside(_ address: IPAddress, _ network: CIDR) -> Bool {
        guard address.isPrivateAsSlips, !address.isIgnoredForLocalNetwork,
              address.isIPv4 == network.network.isIPv4 else { return false }
        return !network.contains(address)
    }

    static func destinationEvidence(_ message: FlowMessage, _ network: CIDR) -> Evidence {
        let flow = message.flow
        let text = "A connection to a private IP (\(flow.responder)) on port \(flow.responderPort)/\(flow.proto) "
            + "outside of the used local network \(network). From IP: \(flow.originator) "
            + "on destination port: \(flow.responderPort)/\(flow.proto.description.uppercased())"
        return Evidence(type: .DIFFERENT_LOCALNET, description: text,
                        attacker: Attacker(direction: .DST, value: flow.responder.description),
                        victim: Victim(direction: .SRC, value: flow.originator.description),
                        threatLevel: .high, confidence: confidence, profile: ProfileID(ip: flow.responder),
                        timeWindow: message.timeWindow, uids: [flow.uid], timestamp: flow.startTime,
                        srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
    }

    static func sourceEvidence(_ message: FlowMessage, _ network: CIDR) -> Evidence {
        let flow = message.flow
        let text = "A connection from a private IP (\(flow.originator)) on port \(flow.responderPort)/\(flow.proto) "
            + "outside of the used local network \(network). To IP: \(flow.responder) "
        return Evidence(type: .DIFFERENT_LOCALNET, description: text,
                        attacker: Attacker(direction: .SRC, value: flow.originator.description),
                        victim: Victim(direction: .DST, value: flow.responder.description),
                        threatLevel: .low, confidence: confidence, profile: message.profile,
                        timeWindow: message.timeWindow, uids: [flow.uid], timestamp: flow.startTime,
                        srcPort: flow.originatorPort, dstPort: flow.responderPort, proto: flow.proto)
    }
}
