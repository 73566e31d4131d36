import NetCore
import Records

/// Slips' tunnel analyzer (`flow_alerts/tunnel.py`): a Zeek tunnel record of type `Tunnel::GRE` is
/// `GRE_TUNNEL` (`GRE tunnel from <src> to <dst> tunnel action: <action>`), or `GRE_SCAN` (`GRE scan from …`) when
/// its action is `Tunnel::DISCOVER`; threat low, confidence 1, attacker the source (SRC), victim the destination.
/// Tunnel records come from Zeek's tunnel.log (`-f`).
public final class GRETunnelDetector: Detector {
    /// The name used in config and logs.
    public static let name = "gre_tunnel"
    /// What it detects, in one line.
    public static let description = "GRE tunnels and GRE scans from Zeek's tunnel.log (Slips' GRE_TUNNEL, GRE_SCAN)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    private let context: DetectorContext

    /// Subscribes to `new_tunnel`.
    public init(context: DetectorContext) throws {
        self.context = context
        context.subscribe(Channel(TunnelRecord.self))
    }

    /// Sets `GRE_TUNNEL` or `GRE_SCAN` for a GRE tunnel record.
    public func main(_ message: ChannelMessage) throws {
        guard let tunnelMessage = message.record(TunnelRecord.self) else { return }
        let tunnel = tunnelMessage.record
        guard tunnel.tunnelType == "Tunnel::GRE", let source = tunnel.id.originator else { return }
        let destination = tunnel.id.responder
        let scan = tunnel.action == "Tunnel::DISCOVER"
        let text = "GRE \(scan ? "scan" : "tunnel") from \(source) to \(destination.map(\.description) ?? "-") "
            + "tunnel action: \(tunnel.action)"
        context.setEvidence(Evidence(
            type: scan ? .GRE_SCAN : .GRE_TUNNEL, description: text,
            attacker: Attacker(direction: .SRC, value: source.description),
            victim: destination.map { Victim(direction: .DST, value: $0.description) },
            threatLevel: .low, confidence: 1, profile: tunnelMessage.profile,
            timeWindow: tunnelMessage.timeWindow, uids: [tunnel.uid], timestamp: tunnel.time))
    }
}
