import NetCore
import Records
@testable import Detect

/// Builds flow records, ARP and SSH messages and a `DetectorContext` that collects evidence, for the detector
/// tests (PortScan*, ICMPScan*, ARPScan*, SSHPasswordGuessing*, FlowAlerts*, KnownServicePorts*).
enum DetectorsTestKit {
    /// Start of the run: time window 1 begins here; windows are 3600 s wide.
    static let t0 = PacketTime(seconds: 1_700_000_000, microseconds: 0)
    static let width: Int64 = 3600

    /// Collects what a detector hands to `setEvidence`.
    final class Collector {
        var evidence: [Evidence] = []
        /// The context handed to the detector (to check its subscriptions).
        var context: DetectorContext?
        func of(_ type: EvidenceType) -> [Evidence] { evidence.filter { $0.type == type } }
    }

    /// Packet time `seconds` after `t0`.
    static func at(_ seconds: Double) -> PacketTime {
        PacketTime(microseconds: t0.microseconds + Int64((seconds * 1_000_000).rounded()))
    }

    /// Window `number` (1-based).
    static func window(_ number: Int) -> TimeWindow {
        let start = t0.microseconds + Int64(number - 1) * width * 1_000_000
        return TimeWindow(number: number, start: PacketTime(microseconds: start),
                          end: PacketTime(microseconds: start + width * 1_000_000))
    }

    /// The window a time falls in (a time on a boundary goes to the next window).
    static func window(for time: PacketTime) -> TimeWindow {
        let offset = time.microseconds - t0.microseconds
        return window(Int(offset / (width * 1_000_000)) + 1)
    }

    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    /// An IPv4 address `base` + `index` (e.g. 10.1.0.0 + 300 = 10.1.1.44).
    static func ip(_ base: String, plus index: Int) -> IPAddress {
        IPAddress(ipv4: IPAddress(base)!.ipv4Value &+ UInt32(index))
    }

    /// A detector of type `D` with a collecting context; `own` are the detector's settings (default: its
    /// defaults, or those already in `settings`).
    static func make<D: Detector>(_ type: D.Type, settings: DetectionSettings = DetectionSettings(),
                                  own: D.Settings? = nil) throws -> (D, Collector) {
        var settings = settings
        if let own { settings.setSettings(own, for: D.self) }
        let collector = Collector()
        let context = DetectorContext(detectorName: D.name, settings: settings,
                                      evidenceSink: { collector.evidence.append($0) },
                                      windowForTime: { window(for: $0) })
        collector.context = context
        return (try D(context: context), collector)
    }

    /// A flow record; `start` in seconds after `t0`.
    static func flow(uid: UInt64, src: IPAddress, sport: UInt16 = 40_000, dst: IPAddress, dport: UInt16,
                     proto: TransportProtocol = .tcp, state: ConnState = .S0, start: Double = 0,
                     duration: Double = 0.5, origPackets: UInt64 = 1, respPackets: UInt64 = 0,
                     origBytes: UInt64 = 0, respBytes: UInt64 = 0,
                     reason: ConnRecord.Reason = .expired, handshake: Bool? = nil,
                     flipped: Bool = false) -> ConnRecord {
        let ipProtocol: UInt8 = switch proto {
        case .tcp: 6
        case .udp: 17
        case .icmp: 1
        case .icmpv6: 58
        case .other: 47
        }
        return ConnRecord(startTime: at(start), lastTime: at(start + duration), uid: FlowUID(uid),
                          originator: src, originatorPort: sport, responder: dst, responderPort: dport,
                          proto: proto, ipProtocol: ipProtocol, originatorBytes: origBytes,
                          responderBytes: respBytes, connState: state, history: "S",
                          originatorPackets: origPackets, originatorIPBytes: origPackets * 40 + origBytes,
                          responderPackets: respPackets, responderIPBytes: respPackets * 40 + respBytes,
                          reason: reason,
                          // By default a TCP flow in a state that implies a handshake is taken as proven.
                          handshake: handshake ?? (proto == .tcp && [.S1, .SF, .S2, .S3, .RSTO, .RSTR].contains(state)),
                          flipped: flipped)
    }

    /// The `new_flow` message of a record: profile = originator, window = the window of its start time unless
    /// given.
    static func message(_ record: ConnRecord, window: TimeWindow? = nil) -> ChannelMessage {
        .record(FlowMessage(flow: record, profile: ProfileID(ip: record.originator),
                            timeWindow: window ?? self.window(for: record.startTime)))
    }

    /// An ARP packet `seconds` after `t0`.
    static func arp(at seconds: Double, sender: IPAddress, target: IPAddress, operation: UInt16 = 1,
                    destinationMAC: MACAddress = .broadcast) -> ChannelMessage {
        let time = at(seconds)
        let packet = ARPRecord(time: time, operation: operation, senderMAC: MACAddress(0x0200_0000_0001),
                                    senderIP: sender, targetMAC: .zero, targetIP: target, destinationMAC: destinationMAC)
        return .record(ARPMessage(record: packet, profile: ProfileID(ip: sender), timeWindow: window(for: time)))
    }

    /// An SSH banner of flow `uid` `seconds` after `t0`.
    static func ssh(uid: UInt64, at seconds: Double = 0, client: IPAddress, server: IPAddress, port: UInt16,
                    fromServer: Bool = true) -> ChannelMessage {
        let time = at(seconds)
        let sighting = SSHRecord(time: time, uid: FlowUID(uid), client: client, clientPort: 50_000,
                                      server: server, serverPort: port,
                                      banner: fromServer ? "SSH-2.0-OpenSSH_9.2p1" : "SSH-2.0-libssh_0.10.4",
                                      fromServer: fromServer)
        return .record(SSHMessage(record: sighting, profile: ProfileID(ip: client), timeWindow: window(for: time)))
    }
}
