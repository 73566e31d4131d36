import Foundation
import Testing
@testable import slipsd

/// `slipsd -f` on a Zeek directory written by the test (ssh.log, conn.log, software.log, smtp.log, http.log,
/// weird.log): the SSH, SMTP and HTTP detections reach alerts.log with Slips' words, through the real log
/// readers, channels and engine.
@Suite("SSH/SMTP/HTTP detections from Zeek logs", .serialized)
struct AppDetectionsZeekLogsTests {
    private typealias Logs = FlowFileZeekLogsTests

    private static func values(_ ts: Int, _ uid: String, _ client: String, _ server: String, _ port: Int) -> [String] {
        ["\(ts).0", uid, client, "40000", server, "\(port)"]
    }

    private static func writeLogs(into dir: String) throws {
        func write(_ text: String, _ name: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        let id = Logs.id
        try write(Logs.log("conn", id + ["proto", "service", "duration", "orig_bytes", "resp_bytes", "conn_state"], [
            values(10, "CsshA00000000000001", "10.0.0.5", "198.51.100.22", 22) + ["tcp", "ssh", "20.0", "3000", "2000", "SF"],
            values(11, "CsshB00000000000002", "10.0.0.5", "198.51.100.22", 22) + ["tcp", "ssh", "2.0", "1000", "1000", "SF"],
        ]), "conn.log")
        try write(Logs.log("ssh", id + ["client", "auth_success"], [
            values(10, "CsshA00000000000001", "10.0.0.5", "198.51.100.22", 22) + ["SSH-2.0-OpenSSH_8.9", "F"],
            values(11, "CsshB00000000000002", "10.0.0.5", "198.51.100.22", 22) + ["SSH-2.0-OpenSSH_8.9", "T"],
        ]), "ssh.log")
        try write(Logs.log("software", ["ts", "host", "software_type", "name", "version.major", "version.minor"], [
            ["12.0", "10.0.0.5", "SSH::CLIENT", "OpenSSH", "8", "2"],
            ["13.0", "10.0.0.5", "SSH::CLIENT", "OpenSSH", "8", "9"],
        ]), "software.log")
        let bad = "535 5.7.8 Error: authentication failed: bad smtp-auth user"
        try write(Logs.log("smtp", id + ["last_reply"], (0..<3).map {
            values(20 + $0, "Csmtp0000000000000\($0)", "10.0.0.7", "192.0.2.25", 25) + [bad]
        }), "smtp.log")
        try write(Logs.log("http", id + ["method", "host", "uri", "user_agent", "request_body_len", "response_body_len",
                                         "resp_mime_types"], [
            values(30, "Chttp00000000000001", "10.0.0.8", "203.0.113.80", 80)
                + ["GET", "files.example", "/a.exe", "curl/8.5", "0", "90000", "application/x-dosexec"],
            values(31, "Chttp00000000000002", "10.0.0.8", "203.0.113.80", 80)
                + ["GET", "example.org", "/", "Mozilla/5.0 jndi", "0", "10", "text/html"],
        ]), "http.log")
        try write(Logs.log("weird", id + ["name", "addl"], [
            values(32, "Chttp00000000000003", "10.0.0.8", "203.0.113.80", 80) + ["unknown_HTTP_method", "BREW"],
        ]), "weird.log")
    }

    @Test(.timeLimit(.minutes(2)))
    func zeekLogsGiveSlipsEvidence() throws {
        let dir = NSTemporaryDirectory() + "slipsd-appdet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeLogs(into: dir)
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", dir, "-o", dir + "/out"])
        #expect(result.status == 0, "\(result.stderr)")
        let alerts = try String(contentsOfFile: dir + "/out/alerts/alerts.log", encoding: .utf8)
        for words in [
            "SSH successful to IP 198.51.100.22. From IP 10.0.0.5. Sent bytes: 5000. Detection model Slips. Confidence 0.8",
            "SSH successful to IP 198.51.100.22. From IP 10.0.0.5. Sent bytes: 2000. Detection model Zeek. Confidence 0.8",
            "SSH client version changing from 8_2 to 8_9",
            "doing bad SMTP login to 192.0.2.25",
            "doing SMTP login bruteforce to 192.0.2.25. 3 logins in 10 seconds.",
            "Unencrypted HTTP traffic from 10.0.0.8 to 203.0.113.80.",
            "Download of an executable with MIME type: ['application/x-dosexec'] by 10.0.0.8 from 203.0.113.80.",
            "Suspicious user-agent: Mozilla/5.0 jndi while connecting to example.org/",
            "Weird HTTP method BREW to IP: 203.0.113.80. by Zeek.",
        ] {
            #expect(alerts.contains(words), "missing '\(words)' in:\n\(alerts)")
        }
        #expect(alerts.components(separatedBy: "doing bad SMTP login").count - 1 == 3)
    }
}
