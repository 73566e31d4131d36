import NetCore
import Records

/// Slips' `check_non_ssl_port_443_conns` (`flow_alerts/ssl.py`): an established TCP flow to port 443 that carried
/// payload and that Zeek did not recognise as SSL, with no SSL-recognised flow from the same source to the same
/// destination and port within five minutes of it (`UnrecognisedServiceCheck`, which also says when an empty
/// `service` counts as "not SSL"), is evidence `NON_SSL_PORT_443_CONNECTION`: threat medium, confidence 0.8,
/// attacker the source (SRC), victim the destination (DST), described
/// `non-SSL established connection to port 443. destination IP: <daddr>`.
public final class NonSSLPort443Detector: Detector {
    /// The name used in config and logs.
    public static let name = "non_ssl_port_443"
    /// What it detects, in one line.
    public static let description = "Established port-443 connections that are not SSL/TLS (Slips' NON_SSL_PORT_443_CONNECTION)"
    /// Who wrote it.
    public static let authors = ["slipsd developers"]
    /// On, as in Slips.
    public static let enabledByDefault = true

    /// The `non_ssl_port_443:` section (the keys of `non_http_port_80:`).
    public typealias Settings = NonHTTPPort80Detector.Settings

    /// Confidence of the evidence.
    static let confidence = 0.8

    private let context: DetectorContext
    private(set) var check: UnrecognisedServiceCheck

    /// Subscribes to `new_flow`.
    public init(context: DetectorContext) throws {
        self.context = context
        let settings = context.detectorSettings(Settings.self)
        check = UnrecognisedServiceCheck(port: 443, service: "ssl", keyIncludesPort: true,
                                         wait: .seconds(settings.waitSeconds),
                                         requireRecognisingProducer: settings.requireRecognisingProducer)
        context.subscribe(.newFlow)
    }

    /// Records or queues a port-443 flow; reports flows whose wait ended.
    public func main(_ message: ChannelMessage) throws {
        guard let flowMessage = message.flow else { return }
        report(check.add(flowMessage))
    }

    /// Reports the flows whose wait ended by `now`.
    public func tick(now: PacketTime) throws { report(check.expire(now: now)) }

    /// End of input: decides every waiting flow.
    public func shutdownGracefully() throws { report(check.drain()) }

    private func report(_ flows: [FlowMessage]) {
        for message in flows {
            context.setEvidence(Evidence(
                flow: message, type: .NON_SSL_PORT_443_CONNECTION,
                description: "non-SSL established connection to port 443. destination IP: \(message.flow.responder)",
                threatLevel: .medium, confidence: Self.confidence))
        }
    }
}
