import NetCore
import Records

/// The arp.log of Slips' Zeek script (`ts`, `operation`, `src_mac`, `dst_mac`, `orig_h`, `resp_h`, `orig_hw`,
/// `resp_hw`) → `ARPRecord`: `orig_hw`/`resp_hw` are the ARP payload's hardware addresses, `src_mac`/`dst_mac`
/// the Ethernet ones (the payload's sender address falls back to `src_mac` when `orig_hw` is unset).
struct ARPLogBuilder: ZeekLogBuilder {
    private var time: PacketTime?
    private var operation: UInt16?
    private var sender: IPAddress?
    private var target: IPAddress?
    private var sourceMAC = MACAddress.zero
    private var destinationMAC = MACAddress.zero
    private var senderMAC: MACAddress?
    private var targetMAC = MACAddress.zero

    init() {}

    mutating func set(_ name: String, _ value: ZeekFieldValue) -> String? {
        switch name {
        case "ts": return value.time(name, into: &time)
        case "operation":
            if ByteText.equals(value.bytes, "request") { operation = 1 }
            else if ByteText.equals(value.bytes, "reply") { operation = 2 }
            else { return value.wrong(name, "is not request or reply") }
            return nil
        case "orig_h": return value.address(name, into: &sender)
        case "resp_h": return value.address(name, into: &target)
        case "src_mac": return value.mac(name, into: &sourceMAC)
        case "dst_mac": return value.mac(name, into: &destinationMAC)
        case "orig_hw":
            var mac = MACAddress.zero
            if let problem = value.mac(name, into: &mac) { return problem }
            senderMAC = mac
            return nil
        case "resp_hw": return value.mac(name, into: &targetMAC)
        default: return nil
        }
    }

    func build(fallbackUID: FlowUID) -> Result<Record, ZeekMissingField> {
        guard let time else { return .failure(ZeekMissingField(name: "ts")) }
        guard let operation else { return .failure(ZeekMissingField(name: "operation")) }
        guard let sender else { return .failure(ZeekMissingField(name: "orig_h")) }
        guard let target else { return .failure(ZeekMissingField(name: "resp_h")) }
        return .success(.arp(ARPRecord(time: time, operation: operation, senderMAC: senderMAC ?? sourceMAC,
                                       senderIP: sender, targetMAC: targetMAC, targetIP: target,
                                       destinationMAC: destinationMAC)))
    }
}
