import NetCore
import Records
import Capture
import Foundation
import Testing

@Suite struct ConnLogFormatterTests {
    static let baseKeys: Set<String> = [
        "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "duration", "orig_bytes",
        "resp_bytes", "conn_state", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
    ]

    func parse(_ line: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func tableRecordRoundTrips() throws {
        var t = TCPScript()
        t.vlan = 42
        let packets = [t.c(.syn), t.s(.synAck), t.c(.ack), t.c(.pshAck, payload: 100), t.s(.ack),
                       t.s(.pshAck, payload: 200), t.c(.finAck), t.s(.finAck), t.c(.ack)]
        let record = try #require(singleFlow(packets))
        let line = ConnLogFormatter.jsonLine(record)
        #expect(!line.contains("\n"))
        let json = try parse(line)
        #expect(Set(json.keys) == Self.baseKeys.union(["orig_l2_addr", "resp_l2_addr", "vlan"]))
        #expect(json["ts"] as? Double == 1_700_000_000.0)
        #expect(json["uid"] as? String == record.uid.description)
        #expect(json["id.orig_h"] as? String == "10.0.0.1")
        #expect(json["id.orig_p"] as? Int == 40_000)
        #expect(json["id.resp_h"] as? String == "192.0.2.80")
        #expect(json["id.resp_p"] as? Int == 80)
        #expect(json["proto"] as? String == "tcp")
        let duration = try #require(json["duration"] as? Double)
        #expect(abs(duration - 0.08) < 1e-9)
        #expect(json["orig_bytes"] as? Int == 100)
        #expect(json["resp_bytes"] as? Int == 200)
        #expect(json["conn_state"] as? String == "SF")
        #expect(json["history"] as? String == "ShADadFf")
        #expect(json["orig_pkts"] as? Int == 5)
        #expect(json["orig_ip_bytes"] as? Int == 300)
        #expect(json["resp_pkts"] as? Int == 4)
        #expect(json["resp_ip_bytes"] as? Int == 360)
        #expect(json["orig_l2_addr"] as? String == "02:00:00:00:00:01")
        #expect(json["resp_l2_addr"] as? String == "02:00:00:00:00:02")
        #expect(json["vlan"] as? Int == 42)
        // Six decimals, written from the integer microseconds.
        #expect(line.hasPrefix("{\"ts\":1700000000.000000,\"uid\":\"C"))
        #expect(line.contains("\"duration\":0.080000,"))
    }

    @Test func optionalKeysAndEscaping() throws {
        let record = ConnRecord(
            startTime: PacketTime(microseconds: 1_700_000_123_000_250), lastTime: PacketTime(microseconds: 1_700_000_123_000_250),
            uid: FlowUID(12345), originator: IPAddress("2001:db8::1")!, originatorPort: 128,
            responder: IPAddress("2001:db8::2")!, responderPort: 129, proto: .icmpv6, ipProtocol: 58,
            outerVLAN: 0, innerVLAN: 9, originatorBytes: 56, responderBytes: 0, connState: .OTH,
            history: "a\"b\\c\u{01}", originatorPackets: 1, originatorIPBytes: 104, responderPackets: 0,
            responderIPBytes: 0)
        let line = ConnLogFormatter.jsonLine(record)
        let json = try parse(line)
        #expect(Set(json.keys) == Self.baseKeys.union(["inner_vlan"]))
        #expect(json["history"] as? String == "a\"b\\c\u{01}")
        #expect(line.contains("\\u0001"))
        #expect(json["id.orig_h"] as? String == "2001:db8::1")
        #expect(json["proto"] as? String == "icmp")
        #expect(json["inner_vlan"] as? Int == 9)
        #expect(line.contains("\"ts\":1700000123.000250,"))
        #expect(line.contains("\"duration\":0.000000,"))
    }

    @Test func everyConnStateSerializesByName() throws {
        for state in ConnState.allCases {
            var record = try #require(singleFlow([FlowTestPacket.udp(flowTime(0), "10.0.0.1", 1, "10.0.0.2", 2)]))
            record.connState = state
            let json = try parse(ConnLogFormatter.jsonLine(record))
            #expect(json["conn_state"] as? String == state.rawValue)
        }
    }
}
