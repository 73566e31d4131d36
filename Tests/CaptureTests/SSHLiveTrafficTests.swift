@testable import Capture
import Foundation
import NetCore
import Records
import Testing

/// Real SSH traffic: `sshd` with a host key and an authorized key the test makes (`ssh-keygen`), inside a
/// network namespace it creates; OpenSSH's `ssh` logs in once without a key (refused) and once with it (a
/// command runs), `tcpdump` records both. The ssh and software records are compared with tshark's
/// `ssh.protocol` of each side, and a session that ran a command is `auth_success` by Slips' byte heuristic.
/// Then every truncation of each recorded identification string is read without a trap.
@Suite("SSH analyzer on real OpenSSH traffic", .serialized, .timeLimit(.minutes(2)))
struct SSHLiveTrafficTests {
    typealias Shell = DNSLiveTrafficTests

    @Test("ssh against sshd: client and server software strings agree with tshark")
    func sshAgainstSshd() throws {
        var lab = try LiveCaptureLab("sshl", tools: ["/usr/sbin/sshd", "ssh", "ssh-keygen"],
                                     package: "openssh-server, openssh-client")
        defer { lab.close() }
        let inside = lab.inside()
        let hostKey = "\(lab.directory)/host_key", userKey = "\(lab.directory)/user_key"
        for key in [hostKey, userKey] {
            try #require(try LiveCaptureLab.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key]).status == 0)
        }
        try FileManager.default.copyItem(atPath: userKey + ".pub", toPath: "\(lab.directory)/authorized_keys")
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)  // privsep dir
        _ = try lab.start("sshd", inside + ["/usr/sbin/sshd", "-D", "-e", "-f", "/dev/null", "-h", hostKey,
                                            "-p", "2222", "-o", "ListenAddress=127.0.0.1",
                                            "-o", "PidFile=\(lab.directory)/sshd.pid",
                                            "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
                                            "-o", "PermitRootLogin=prohibit-password", "-o", "StrictModes=no",
                                            "-o", "AuthorizedKeysFile=\(lab.directory)/authorized_keys"])
        try #require(Shell.wait(seconds: 10) { lab.errors("sshd").contains("listening") }, "sshd did not start")
        let recording = try lab.record("ssh", filter: ["tcp", "port", "2222"])
        let ssh = inside + ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                            "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", "-o", "IdentitiesOnly=yes",
                            "-o", "LogLevel=ERROR", "-p", "2222"]
        let refused = try LiveCaptureLab.run(ssh + ["-i", "/dev/null", "nobody@127.0.0.1", "true"])
        #expect(refused.status == 255, "a login without a key is refused")
        let accepted = try LiveCaptureLab.run(ssh + ["-i", userKey, "root@127.0.0.1", "echo", "logged-in"])
        #expect(accepted.status == 0 && accepted.stdout.contains("logged-in"), "the key login ran its command")
        lab.finish(recording)

        let (records, statistics) = try LiveCaptureLab.records(recording.path)
        #expect(statistics.sshMalformations.total == 0, "\(statistics.sshMalformations.nonZero)")
        let sshRecords = records.compactMap { SSHRecord.from($0) }
        let software = records.compactMap { SoftwareRecord.from($0) }

        // tshark: each side's protocol string, by connection (client port) and side.
        var strings: [UInt16: (client: String, server: String)] = [:]
        for row in try LiveCaptureLab.tshark(recording.path, decode: ["tcp.port==2222,ssh"], filter: "ssh.protocol",
                                             fields: ["tcp.srcport", "tcp.dstport", "ssh.protocol"]) {
            guard let source = UInt16(row[0]), let destination = UInt16(row[1]) else { continue }
            if destination == 2222 { strings[source, default: ("", "")].client = row[2] }
            else { strings[destination, default: ("", "")].server = row[2] }
        }
        #expect(strings.count == 2, "tshark saw \(strings)")
        let sessions = sshRecords.filter { !$0.fromServer }
        let banners = sshRecords.filter(\.fromServer)
        #expect(sessions.count == 2 && banners.count == 2)
        for (port, reference) in strings {
            #expect(reference.client.hasPrefix("SSH-2.0-OpenSSH") && reference.server.hasPrefix("SSH-2.0-OpenSSH"))
            let session = try #require(sessions.first { $0.clientPort == port }, "no ssh record for port \(port)")
            #expect(session.banner == reference.client)
            #expect(session.log?.serverBanner == reference.server)
            #expect(session.log?.version == 2 && session.serverPort == 2222)
            #expect(banners.first { $0.clientPort == port }?.banner == reference.server)
            let client = software.filter { $0.softwareType == "SSH::CLIENT" && $0.unparsedVersion == reference.client }
            let server = software.filter { $0.softwareType == "SSH::SERVER" && $0.hostPort == 2222
                && $0.unparsedVersion == reference.server }
            #expect(client.count >= 1 && server.count >= 1, "software for port \(port)")
            #expect((client + server).allSatisfy { $0.name == "OpenSSH" })
        }
        // The session that ran a command moved far more than the refused one; Slips' heuristic calls it a success.
        let loggedIn = try #require(sessions.max { $0.time < $1.time })
        #expect(loggedIn.log?.authSuccess == true)
        let conns = records.compactMap { ConnRecord.from($0) }
        #expect(conns.filter { $0.service == "ssh" }.count == 2)

        // Every prefix of each recorded identification string (with the line end): a value, never a trap;
        // only a prefix that holds the whole line is found.
        var lines = 0
        for (_, bytes) in try LiveCaptureLab.streams(recording.path, serverPort: 2222) {
            guard let end = bytes.firstIndex(of: 0x0A) else { continue }
            let line = Array(bytes[...end])
            lines += 1
            for cut in 0...line.count {
                let prefix = Array(line[..<cut])
                let outcome = prefix.withUnsafeBytes { try? SSHIdentification.read($0) }
                if case .found(let identification, _)? = outcome {
                    #expect(cut == line.count && identification.line.hasPrefix("SSH-2.0-"), "cut \(cut)")
                }
            }
        }
        #expect(lines == 4)
    }
}
