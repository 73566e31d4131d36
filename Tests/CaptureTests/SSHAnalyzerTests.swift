@testable import Capture
import NetCore
import Records
import Testing
import TestSupport

/// The SSH analyzer on the framework: each side's identification, software records, the session record with
/// Slips' success heuristic, and the forgery rule (unproven flows give nothing).
@Suite("SSH analyzer")
struct SSHAnalyzerTests {
    static let server = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".utf8)
    static let client = Array("SSH-2.0-OpenSSH_9.6\r\n".utf8)

    @Test("server string at once, client string as the session record at the end; software per side")
    func session() throws {
        let run = try AppAnalyzerRun(tcpExchange([
            (.server, Self.server), (.client, Self.client),
            (.client, Array(repeating: 1, count: 1_500)), (.server, Array(repeating: 2, count: 1_500)),
        ], serverPort: 2222))
        #expect(run.ssh.count == 2)
        let fromServer = try #require(run.ssh.first)
        #expect(fromServer.fromServer && fromServer.banner == "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")
        #expect(fromServer.log == nil && fromServer.handshake)
        let session = try #require(run.ssh.last)
        #expect(!session.fromServer && session.banner == "SSH-2.0-OpenSSH_9.6" && session.serverPort == 2222)
        #expect(session.log?.serverBanner == "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")
        #expect(session.log?.version == 2 && session.log?.authSuccess == false)    // 3 000 bytes ≤ 4 290
        #expect(run.software.count == 2)
        let serverSoftware = try #require(run.software.first { $0.softwareType == "SSH::SERVER" })
        #expect(serverSoftware.host == IPAddress("10.9.0.80")! && serverSoftware.hostPort == 2222)
        #expect(serverSoftware.name == "OpenSSH" && serverSoftware.versionMajor == 9 && serverSoftware.versionMinor == 2)
        let clientSoftware = try #require(run.software.first { $0.softwareType == "SSH::CLIENT" })
        #expect(clientSoftware.host == IPAddress("10.9.0.2")! && clientSoftware.versionMinor == 6)
        #expect(run.conns.first?.service == "ssh")
    }

    @Test("more than 4290 bytes after the strings: auth_success true")
    func success() throws {
        let run = try AppAnalyzerRun(tcpExchange([
            (.server, Self.server), (.client, Self.client),
            (.client, Array(repeating: 1, count: 3_000)), (.server, Array(repeating: 2, count: 3_000)),
        ], serverPort: 22))
        #expect(run.ssh.last?.log?.authSuccess == true)
    }

    @Test("lines before the server's string are skipped; a string split over segments is read whole")
    func precedingLines() throws {
        // The client speaks first (the flow is claimed on its `SSH-`), the server sends lines before its own.
        let run = try AppAnalyzerRun(tcpExchange([
            (.client, Self.client), (.server, Array("Welcome\r\nto the host\r\n".utf8) + Self.server),
        ], segmentSize: 5))
        #expect(run.ssh.first?.banner == "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")
        #expect(run.ssh.count == 2)
    }

    @Test("a malformed or endless line is counted, never a trap; every truncation decodes")
    func malformed() throws {
        let long = Array("SSH-2.0-".utf8) + Array(repeating: 0x41, count: 400)
        let run = try AppAnalyzerRun(tcpExchange([(.server, long), (.client, Array("SSH-2.0\r\n".utf8))]))
        #expect(run.ssh.isEmpty)
        #expect(run.statistics.sshMalformations[.lineTooLong] == 1)
        #expect(run.statistics.sshMalformations[.badIdentification] == 1)
        for cut in 0...Self.server.count {
            let bytes = Array(Self.server.prefix(cut))
            bytes.withUnsafeBytes { _ = try? SSHIdentification.read($0) }
            let truncated = try AppAnalyzerRun(tcpExchange([(.server, bytes), (.client, Self.client)]))
            #expect(truncated.ssh.count == (cut == Self.server.count ? 2 : 1))
        }
    }

    @Test("software versions as Zeek splits them")
    func versions() {
        func parts(_ software: String) -> (String, UInt64?, UInt64?) {
            let id = SSHIdentification(line: "SSH-2.0-" + software, protocolVersion: "2.0", software: software)
            return id.softwareParts
        }
        #expect(parts("OpenSSH_8.9p1") == ("OpenSSH", 8, 9))
        #expect(parts("libssh_0.10.4") == ("libssh", 0, 10))
        #expect(parts("dropbear_2022.83") == ("dropbear", 2022, 83))
        #expect(parts("PuTTY_Release_0.78").0 == "PuTTY")
    }
}
