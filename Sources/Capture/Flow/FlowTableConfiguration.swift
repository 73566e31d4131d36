import NetCore
import Records
/// Limits and timeouts of a `FlowTable`: memory cap, Zeek-style inactivity timeouts, linger times after
/// connection close or reset, interim reporting, and the emergency mode used when the table is full.
///
/// All durations are measured in packet time (capture timestamps), never wall-clock time, so replaying a capture
/// gives the same records every time. The defaults follow Zeek's defaults where Zeek has an equivalent.
public struct FlowTableConfiguration: Sendable, Hashable {
    /// Maximum number of live flows (config key `flows.max`). Storage for this many flows is reserved once when
    /// the table is created; physical memory is touched only as flows are used. Must be in `1...4_294_967_294`.
    public var maxFlows: Int
    /// A TCP flow without packets for this long expires (Zeek's `tcp_inactivity_timeout`, 5 min).
    public var tcpInactivityTimeout: Duration
    /// After both sides sent FIN, the flow stays this long (catching the last ACKs), then expires (Zeek's
    /// `tcp_close_delay`, 5 s).
    public var tcpCloseLinger: Duration
    /// After a RST from either side, the flow stays this long, then expires (Zeek's `tcp_reset_delay`, 5 s).
    public var tcpResetLinger: Duration
    /// A UDP flow without packets for this long expires (Zeek's `udp_inactivity_timeout`, 1 min).
    public var udpInactivityTimeout: Duration
    /// An ICMP or ICMPv6 flow without packets for this long expires (Zeek's `icmp_inactivity_timeout`, 1 min).
    public var icmpInactivityTimeout: Duration
    /// A flow of any other IP protocol without packets for this long expires (1 min).
    public var otherInactivityTimeout: Duration
    /// A TCP flow still in state S0 (SYN, no answer) this long after it began gets one interim record, so that
    /// scans whose SYNs go unanswered are visible within seconds instead of after the inactivity timeout.
    public var attemptReportDelay: Duration
    /// A flow that lives longer than this gets an interim record, and another one each time this interval passes
    /// again, until it ends. A flow idle for more than half its inactivity timeout when a report is due gets none
    /// that time (its final record is near).
    public var interimReportInterval: Duration
    /// While the table is in emergency mode every timeout above is multiplied by this factor (in `(0, 1]`).
    public var emergencyTimeoutFactor: Double
    /// Emergency mode ends when the number of live flows falls below `emergencyExitRatio × maxFlows`
    /// (in `(0, 1)`).
    public var emergencyExitRatio: Double
    /// Most flows one sweep expires or reports (at least 1). What is left over is taken up by the next packets'
    /// sweeps, so entering emergency mode, or a burst of flows due at once, costs at most this many records per
    /// packet instead of expiring most of the table in one call; a packet for a flow already due expires it
    /// first, as the sweep would have.
    public var sweepBudget: Int = 2048

    /// Creates a configuration; every parameter has Zeek's default (or slipsd's where Zeek has none).
    public init(maxFlows: Int = 1_000_000,
                tcpInactivityTimeout: Duration = .seconds(300),
                tcpCloseLinger: Duration = .seconds(5),
                tcpResetLinger: Duration = .seconds(5),
                udpInactivityTimeout: Duration = .seconds(60),
                icmpInactivityTimeout: Duration = .seconds(60),
                otherInactivityTimeout: Duration = .seconds(60),
                attemptReportDelay: Duration = .seconds(3),
                interimReportInterval: Duration = .seconds(300),
                emergencyTimeoutFactor: Double = 0.1,
                emergencyExitRatio: Double = 0.9) {
        self.maxFlows = maxFlows
        self.tcpInactivityTimeout = tcpInactivityTimeout
        self.tcpCloseLinger = tcpCloseLinger
        self.tcpResetLinger = tcpResetLinger
        self.udpInactivityTimeout = udpInactivityTimeout
        self.icmpInactivityTimeout = icmpInactivityTimeout
        self.otherInactivityTimeout = otherInactivityTimeout
        self.attemptReportDelay = attemptReportDelay
        self.interimReportInterval = interimReportInterval
        self.emergencyTimeoutFactor = emergencyTimeoutFactor
        self.emergencyExitRatio = emergencyExitRatio
    }

    /// Checks every limit; `FlowTable.init` requires a configuration that passes.
    /// - Throws: `FlowTableConfigurationError` naming the first field out of range and why.
    public func validate() throws(FlowTableConfigurationError) {
        guard maxFlows >= 1, maxFlows <= Int(UInt32.max - 1) else {
            throw FlowTableConfigurationError(field: "maxFlows",
                                              reason: "must be between 1 and 4294967294, got \(maxFlows)")
        }
        let durations: [(String, Duration)] = [
            ("tcpInactivityTimeout", tcpInactivityTimeout), ("tcpCloseLinger", tcpCloseLinger),
            ("tcpResetLinger", tcpResetLinger), ("udpInactivityTimeout", udpInactivityTimeout),
            ("icmpInactivityTimeout", icmpInactivityTimeout), ("otherInactivityTimeout", otherInactivityTimeout),
            ("attemptReportDelay", attemptReportDelay), ("interimReportInterval", interimReportInterval),
        ]
        for (name, value) in durations where value.flowMicroseconds <= 0 {
            throw FlowTableConfigurationError(field: name, reason: "must be at least 1 µs, got \(value)")
        }
        guard emergencyTimeoutFactor > 0, emergencyTimeoutFactor <= 1 else {
            throw FlowTableConfigurationError(field: "emergencyTimeoutFactor",
                                              reason: "must be in (0, 1], got \(emergencyTimeoutFactor)")
        }
        guard emergencyExitRatio > 0, emergencyExitRatio < 1 else {
            throw FlowTableConfigurationError(field: "emergencyExitRatio",
                                              reason: "must be in (0, 1), got \(emergencyExitRatio)")
        }
        guard sweepBudget >= 1 else {
            throw FlowTableConfigurationError(field: "sweepBudget", reason: "must be at least 1, got \(sweepBudget)")
        }
    }
}

/// A `FlowTableConfiguration` field out of range.
public struct FlowTableConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field's name in `FlowTableConfiguration`.
    public var field: String
    /// Why the value is refused, with the value.
    public var reason: String

    /// Creates the error.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// One line: `flow table configuration: <field> <reason>`.
    public var description: String { "flow table configuration: \(field) \(reason)" }
}

extension Duration {
    /// The duration in whole microseconds (truncated), the flow table's time unit.
    var flowMicroseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1_000_000 &+ attoseconds / 1_000_000_000_000
    }
}
