import Capture
import NetCore
import Records
import Testing
import TestSupport

/// SSH banners count only on flows whose handshake the flow table proved: a blind spoofer that sends SYN, a
/// guessed ACK and banners in a host's name gets no SSH record (before, the history letters `ShA` sufficed).
@Suite("Forgery: SSH banners need a proven handshake")
struct ForgerySSHBannerTests {
    func sshRecords(_ frames: [[UInt8]]) throws -> [SSHRecord] {
        try pipelineRecords(frames).compactMap { SSHRecord.from($0) }
    }

    /// SYN, SYN-ACK (the server really answers, to the spoofed address), the spoofer's ACK acknowledging `ack`,
    /// then the client's banners.
    func frames(finalAck: UInt32) -> [[UInt8]] {
        let client = "10.0.0.5", server = "10.0.0.22"
        let banner = Array("SSH-2.0-libssh_0.10.4\r\n".utf8)
        return [
            PacketBuilder.tcp(src: client, sport: 40_000, dst: server, dport: 22, flags: [.syn], seq: 100),
            PacketBuilder.tcp(src: server, sport: 22, dst: client, dport: 40_000, flags: [.syn, .ack], seq: 500, ack: 101),
            PacketBuilder.tcp(src: client, sport: 40_000, dst: server, dport: 22, flags: [.ack], seq: 101, ack: finalAck),
            PacketBuilder.tcp(src: client, sport: 40_000, dst: server, dport: 22, flags: [.psh, .ack], seq: 101,
                              ack: finalAck, payload: banner),
        ]
    }

    @Test("a guessed final ACK gives no SSH record; the right one gives one, marked as proven")
    func blindHandshakeNoBanner() throws {
        #expect(try sshRecords(frames(finalAck: 1)).isEmpty)
        let real = try sshRecords(frames(finalAck: 501))
        #expect(real.count == 1)
        #expect(real.first?.handshake == true)
    }
}
