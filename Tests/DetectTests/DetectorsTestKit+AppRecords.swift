import NetCore
import Records
@testable import Detect

/// Channel messages of application records (smtp, http, weird, ssh.log, software) for the SSH/SMTP/HTTP
/// detection tests: profile = the record's `profileIP`, window = the window of its time.
extension DetectorsTestKit {
    /// The message of any record.
    static func record<Body: RecordBody>(_ body: Body) -> ChannelMessage {
        .record(RecordMessage(record: body, profile: ProfileID(ip: body.profileIP), timeWindow: window(for: body.time)))
    }

    /// An smtp.log transaction from `client` to `server`:25 `seconds` after `t0`.
    static func smtp(uid: UInt64, at seconds: Double, client: IPAddress, server: IPAddress,
                     lastReply: String) -> ChannelMessage {
        var smtp = SMTPRecord(time: at(seconds), uid: FlowUID(uid),
                              id: ConnectionID(originator: client, originatorPort: 41_000, responder: server, responderPort: 25))
        smtp.lastReply = lastReply
        return record(smtp)
    }

    /// An http.log request from `client` to `server`:80 `seconds` after `t0`.
    static func http(uid: UInt64, at seconds: Double = 1, client: IPAddress, server: IPAddress,
                     _ fill: (inout HTTPRecord) -> Void = { _ in }) -> ChannelMessage {
        var http = HTTPRecord(time: at(seconds), uid: FlowUID(uid),
                              id: ConnectionID(originator: client, originatorPort: 42_000, responder: server, responderPort: 80))
        http.method = "GET"
        http.host = "example.org"
        http.uri = "/"
        http.userAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
        fill(&http)
        return record(http)
    }

    /// A Zeek ssh.log session of flow `uid` (`auth_success` as given) `seconds` after `t0`.
    static func sshLog(uid: UInt64, at seconds: Double = 0, client: IPAddress, server: IPAddress,
                       authSuccess: Bool?) -> ChannelMessage {
        var details = SSHLogDetails()
        details.version = 2
        details.authSuccess = authSuccess
        let ssh = SSHRecord(time: at(seconds), uid: FlowUID(uid), client: client, clientPort: 50_000, server: server,
                            serverPort: 22, banner: "SSH-2.0-OpenSSH_8.9p1", fromServer: false, log: details)
        return record(ssh)
    }

    /// A software.log line for `host`.
    static func software(at seconds: Double, host: IPAddress, type: String, major: UInt64?, minor: UInt64?) -> ChannelMessage {
        var software = SoftwareRecord(time: at(seconds), host: host)
        software.softwareType = type
        software.name = "OpenSSH"
        software.versionMajor = major
        software.versionMinor = minor
        return record(software)
    }
}
