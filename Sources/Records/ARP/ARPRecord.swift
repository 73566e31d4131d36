import NetCore

/// An ARP packet, as Slips' ARP module reads it from packets or from its Zeek `arp.log` script (Zeek's field in
/// each comment).
public struct ARPRecord: Sendable, Hashable, RecordBody {
    /// The channel ARP records travel on.
    public static let channel = "new_arp"
    /// Packet time (`ts`).
    public var time: PacketTime
    /// 1 request, 2 reply (`operation`: `request`/`reply`).
    public var operation: UInt16
    /// `src_mac`.
    public var senderMAC: MACAddress
    /// `orig_h`: the address the sender claims.
    public var senderIP: IPAddress
    /// `dst_mac` of the ARP payload.
    public var targetMAC: MACAddress
    /// `resp_h`: the address asked about.
    public var targetIP: IPAddress
    /// The Ethernet destination (broadcast for a request, the asker for a reply).
    public var destinationMAC: MACAddress

    /// Memberwise initializer.
    public init(time: PacketTime, operation: UInt16, senderMAC: MACAddress, senderIP: IPAddress,
                targetMAC: MACAddress, targetIP: IPAddress, destinationMAC: MACAddress) {
        self.time = time; self.operation = operation; self.senderMAC = senderMAC; self.senderIP = senderIP
        self.targetMAC = targetMAC; self.targetIP = targetIP; self.destinationMAC = destinationMAC
    }

    /// The profile an ARP record belongs to: its sender.
    public var profileIP: IPAddress { senderIP }
    /// Wraps the record for the hand-off.
    public var record: Record { .arp(self) }
    /// The arp record inside `record`, if it is one.
    public static func from(_ record: Record) -> ARPRecord? {
        if case .arp(let value) = record { value } else { nil }
    }
}
