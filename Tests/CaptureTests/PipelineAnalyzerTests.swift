import Capture
import NetCore
import Records
import Testing
import TestSupport

/// The packet pipeline's records: IPv4 and IPv4-mapped IPv6 keep apart, and the SSH analyzer believes only
/// established flows, once per direction.
@Suite("Packet pipeline and the SSH analyzer")
struct PipelineAnalyzerTests {
    func records(_ frames: [[UInt8]]) throws -> [Record] { try pipelineRecords(frames) }

    func conns(_ records: [Record]) -> [ConnRecord] { records.compactMap { ConnRecord.from($0) } }
    func sshs(_ records: [Record]) -> [SSHRecord] { records.compactMap { SSHRecord.from($0) } }

    @Test("an IPv6 packet with IPv4-mapped addresses does not join the IPv4 flow")
    func mappedAddressesKeepTheirOwnFlow() throws {
        let v4 = PacketBuilder.udp(src: "10.88.2.2", sport: 5000, dst: "10.88.1.1", dport: 53, payload: [1, 2, 3])
        let v6 = PacketBuilder.udp(src: "::ffff:10.88.2.2", sport: 5000, dst: "::ffff:10.88.1.1", dport: 53,
                                   payload: [1, 2, 3])
        let flows = conns(try records([v4, v6, v4]))
        #expect(flows.count == 2)
        let v4Flow = try #require(flows.first { $0.originator.isIPv4 })
        let v6Flow = try #require(flows.first { !$0.originator.isIPv4 })
        #expect(v4Flow.originatorPackets == 2)
        #expect(v6Flow.originatorPackets == 1)
        #expect(v6Flow.originator.description == "::ffff:10.88.2.2")
        #expect(v4Flow.uid != v6Flow.uid)
    }

    @Test("an SSH banner without a handshake is not believed")
    func bannerWithoutHandshake() throws {
        let banner = Array("SSH-2.0-OpenSSH_9.2\r\n".utf8)
        let forged = (0..<5).map { i in
            PacketBuilder.tcp(src: "198.51.100.7", sport: 40_000, dst: "10.0.0.22", dport: 22, flags: [.psh, .ack],
                              seq: 1 + UInt32(i * banner.count), ack: 1, payload: banner)
        }
        #expect(sshs(try records(forged)).isEmpty)
    }

    @Test("an established flow reports each side's banner once")
    func bannerOncePerDirection() throws {
        let client = "10.0.0.5", server = "10.0.0.22"
        let clientBanner = Array("SSH-2.0-libssh_0.10.4\r\n".utf8)
        let serverBanner = Array("SSH-2.0-OpenSSH_9.2p1\r\n".utf8)
        var frames = [
            PacketBuilder.tcp(src: client, sport: 40_000, dst: server, dport: 2222, flags: [.syn], seq: 100),
            PacketBuilder.tcp(src: server, sport: 2222, dst: client, dport: 40_000, flags: [.syn, .ack], seq: 500, ack: 101),
            PacketBuilder.tcp(src: client, sport: 40_000, dst: server, dport: 2222, flags: [.ack], seq: 101, ack: 501),
            PacketBuilder.tcp(src: server, sport: 2222, dst: client, dport: 40_000, flags: [.psh, .ack], seq: 501,
                              ack: 101, payload: serverBanner),
            PacketBuilder.tcp(src: client, sport: 40_000, dst: server, dport: 2222, flags: [.psh, .ack], seq: 101,
                              ack: 501 + UInt32(serverBanner.count), payload: clientBanner),
        ]
        // The same banners again (retransmissions, or a peer repeating them): not reported twice.
        frames += frames.suffix(2)
        let found = sshs(try records(frames))
        #expect(found.count == 2)
        let fromServer = try #require(found.first { $0.fromServer })
        let fromClient = try #require(found.first { !$0.fromServer })
        #expect(fromServer.banner == "SSH-2.0-OpenSSH_9.2p1")
        #expect(fromClient.banner == "SSH-2.0-libssh_0.10.4")
        #expect(fromServer.client == IPAddress(client) && fromServer.server == IPAddress(server))
        #expect(fromServer.serverPort == 2222)
        #expect(fromServer.uid == fromClient.uid)
    }
}
