import CPcap
import NetCore
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `slipsd-bench replay-realistic IN OUT PACKETS`: turns the capture `Benchmarks/record-realistic.sh` recorded
/// (real clients and servers in namespaces, 10.77.0.0/16) into about PACKETS packets: copy k of the capture has its
/// addresses moved to a host pair of its own (10.77.X.Y → 10.(20 + k mod 200).(X + 10·(k / 200 mod 20)).Y, IPv4
/// header checksums recomputed; TCP/UDP checksums are left, slipsd does not verify them) and its times shifted by
/// k × 0.25 s, so that many copies are live at once; the copies are merged in time order.
enum RealisticReplay {
    static func run(_ arguments: [String]) {
        guard arguments.count == 5, let target = Int(arguments[4]), target > 0 else {
            print("usage: slipsd-bench replay-realistic IN OUT PACKETS"); exit(2)
        }
        let packets = read(arguments[2])
        guard !packets.isEmpty else { print("no packets in \(arguments[2])"); exit(1) }
        let copies = max(1, min(4000, target / packets.count))
        let stride: Int64 = 250_000
        var order: [(time: Int64, copy: Int32, index: Int32)] = []
        order.reserveCapacity(copies * packets.count)
        for copy in 0..<copies {
            for (index, packet) in packets.enumerated() {
                order.append((packet.time.microseconds + Int64(copy) * stride, Int32(copy), Int32(index)))
            }
        }
        order.sort { $0.time < $1.time }
        var writer = PcapFileWriter(linkType: .ethernet, snapLength: 65_535)
        for entry in order {
            let packet = packets[Int(entry.index)]
            writer.append(rewritten(packet.bytes, copy: Int(entry.copy)), time: PacketTime(microseconds: entry.time),
                          wireLength: packet.wireLength)
        }
        do { try writer.write(to: arguments[3]) } catch { print("\(error)"); exit(1) }
        print("wrote \(arguments[3]): \(order.count) packets, \(copies) copies of \(packets.count)")
    }

    /// The frame with its IPv4 addresses in 10.77.0.0/16 moved to copy `copy`'s pair (Ethernet, no VLAN).
    static func rewritten(_ frame: [UInt8], copy: Int) -> [UInt8] {
        guard frame.count >= 34, frame[12] == 0x08, frame[13] == 0x00, frame[14] >> 4 == 4 else { return frame }
        var bytes = frame
        let headerLength = Int(bytes[14] & 0x0F) * 4
        guard headerLength >= 20, bytes.count >= 14 + headerLength else { return frame }
        for offset in [26, 30] where bytes[offset] == 10 && bytes[offset + 1] == 77 {
            bytes[offset + 1] = UInt8(20 + copy % 200)
            bytes[offset + 2] = bytes[offset + 2] &+ UInt8(10 * (copy / 200 % 20))
        }
        bytes[24] = 0; bytes[25] = 0
        var sum: UInt32 = 0
        for i in Swift.stride(from: 14, to: 14 + headerLength, by: 2) { sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = ~UInt16(sum)
        bytes[24] = UInt8(checksum >> 8); bytes[25] = UInt8(checksum & 0xFF)
        return bytes
    }

    private static func read(_ path: String) -> [TimedPacket] {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline(path, &errorBuffer) else {
            print(String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            return []
        }
        defer { pcap_close(handle) }
        var packets: [TimedPacket] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while pcap_next_ex(handle, &header, &data) == 1, let header, let data {
            let h = header.pointee
            let time = PacketTime(microseconds: Int64(h.ts.tv_sec) * 1_000_000 + Int64(h.ts.tv_usec))
            packets.append(TimedPacket(time: time, bytes: Array(UnsafeBufferPointer(start: data, count: Int(h.caplen))),
                                       wireLength: Int(h.len)))
        }
        return packets
    }
}
