import Foundation
import Testing
import NetCore
import Records
@testable import Capture

/// One line of one Zeek log kind written both ways Zeek writes it: tab-separated (with Zeek's headers) and JSON.
struct ZeekLogFixture: Sendable, CustomTestStringConvertible {
    var kind: String
    var channel: String
    var fields: [String]
    var values: [String]
    var json: String

    var testDescription: String { kind }

    /// The TSV log: Zeek's headers, then the line.
    var tsv: String {
        """
        #separator \\x09
        #set_separator\t,
        #empty_field\t(empty)
        #unset_field\t-
        #path\t\(kind)
        #fields\t\(fields.joined(separator: "\t"))
        \(values.joined(separator: "\t"))
        #close\t2026-12-02-05-00-00

        """
    }
}

/// Every Zeek log kind slipsd reads besides conn: the TSV and the JSON form of a line give the same record, on the
/// kind's channel, with Zeek's fields in place; bad lines are counted by kind.
@Suite("Flow files: Zeek log kinds")
struct ZeekLogKindsTests {
    static let id = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"]

    static let fixtures: [ZeekLogFixture] = [
        ZeekLogFixture(
            kind: "http", channel: "new_http",
            fields: id + ["trans_depth", "method", "host", "uri", "version", "user_agent", "request_body_len",
                          "response_body_len", "status_code", "status_msg", "resp_fuids", "resp_mime_types"],
            values: ["1601998366.5", "CHhAvVGS1DHFjwGM9", "192.0.2.10", "54170", "198.51.100.7", "80", "1", "GET",
                     "example.com", "/index.html", "1.1", "Mozilla/5.0\\x09x", "0", "1077", "200", "OK",
                     "FakVf23,FbR2", "text/html"],
            json: #"{"ts":1601998366.5,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"192.0.2.10","id.orig_p":54170,"id.resp_h":"198.51.100.7","id.resp_p":80,"trans_depth":1,"method":"GET","host":"example.com","uri":"/index.html","version":"1.1","user_agent":"Mozilla/5.0\tx","request_body_len":0,"response_body_len":1077,"status_code":200,"status_msg":"OK","resp_fuids":["FakVf23","FbR2"],"resp_mime_types":["text/html"]}"#),
        ZeekLogFixture(
            kind: "ssl", channel: "new_ssl",
            fields: id + ["version", "cipher", "curve", "server_name", "resumed", "last_alert", "next_protocol",
                          "established", "cert_chain_fuids", "client_cert_chain_fuids", "subject", "issuer",
                          "validation_status"],
            values: ["1601998390.892400", "CYetmM3b29tLNkUk42", "147.32.83.156", "52592", "3.232.121.231", "443",
                     "TLSv12", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "x25519", "virtual.secai.com", "F", "-",
                     "http/1.1", "T", "FRBu481kCfyF0aScA1,Fyjto01jEK20hLjiY1", "(empty)", "CN=virtual.secai.com",
                     "CN=R3,O=Let's Encrypt,C=US", "ok"],
            json: #"{"ts":1601998390.8924,"uid":"CYetmM3b29tLNkUk42","id.orig_h":"147.32.83.156","id.orig_p":52592,"id.resp_h":"3.232.121.231","id.resp_p":443,"version":"TLSv12","cipher":"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256","curve":"x25519","server_name":"virtual.secai.com","resumed":false,"next_protocol":"http/1.1","established":true,"cert_chain_fps":["FRBu481kCfyF0aScA1","Fyjto01jEK20hLjiY1"],"client_cert_chain_fps":[],"subject":"CN=virtual.secai.com","issuer":"CN=R3,O=Let's Encrypt,C=US","validation_status":"ok"}"#),
        ZeekLogFixture(
            kind: "x509", channel: "new_x509",
            fields: ["ts", "id", "certificate.version", "certificate.serial", "certificate.subject", "certificate.issuer",
                     "certificate.not_valid_before", "certificate.not_valid_after", "certificate.key_alg",
                     "certificate.sig_alg", "certificate.key_type", "certificate.key_length", "san.dns", "san.ip",
                     "basic_constraints.ca"],
            values: ["1601998391.128990", "FRBu481kCfyF0aScA1", "3", "032E77", "CN=virtual.secai.com", "CN=R3",
                     "1599538205.000000", "1607317805.000000", "rsaEncryption", "sha256WithRSAEncryption", "rsa",
                     "4096", "virtual.secai.com,www.secai.com", "-", "F"],
            json: #"{"ts":1601998391.12899,"id":"FRBu481kCfyF0aScA1","certificate.version":3,"certificate.serial":"032E77","certificate.subject":"CN=virtual.secai.com","certificate.issuer":"CN=R3","certificate.not_valid_before":1599538205.0,"certificate.not_valid_after":1607317805.0,"certificate.key_alg":"rsaEncryption","certificate.sig_alg":"sha256WithRSAEncryption","certificate.key_type":"rsa","certificate.key_length":4096,"san.dns":["virtual.secai.com","www.secai.com"],"basic_constraints.ca":false}"#),
        ZeekLogFixture(
            kind: "ssh", channel: "new_ssh",
            fields: id + ["version", "auth_success", "auth_attempts", "direction", "client", "server", "cipher_alg",
                          "mac_alg", "compression_alg", "kex_alg", "host_key_alg", "host_key"],
            values: ["1.5", "CSsh1abcdefghijkl", "10.0.0.5", "40022", "10.0.0.9", "22", "2", "F", "3", "INBOUND",
                     "SSH-2.0-OpenSSH_8.9", "SSH-2.0-OpenSSH_7.4", "aes128-ctr", "hmac-sha2-256", "none",
                     "curve25519-sha256", "ssh-ed25519", "aa:bb"],
            json: #"{"ts":1.5,"uid":"CSsh1abcdefghijkl","id.orig_h":"10.0.0.5","id.orig_p":40022,"id.resp_h":"10.0.0.9","id.resp_p":22,"version":2,"auth_success":false,"auth_attempts":3,"direction":"INBOUND","client":"SSH-2.0-OpenSSH_8.9","server":"SSH-2.0-OpenSSH_7.4","cipher_alg":"aes128-ctr","mac_alg":"hmac-sha2-256","compression_alg":"none","kex_alg":"curve25519-sha256","host_key_alg":"ssh-ed25519","host_key":"aa:bb"}"#),
        ZeekLogFixture(
            kind: "smtp", channel: "new_smtp",
            fields: id + ["trans_depth", "helo", "mailfrom", "rcptto", "from", "to", "subject", "last_reply",
                          "user_agent", "tls"],
            values: ["2.0", "CSmtp1abcdefghijk", "10.0.0.5", "50000", "10.0.0.25", "25", "1", "mail.example",
                     "<a@example.com>", "<b@example.org>,<c@example.org>", "a@example.com", "b@example.org", "Hi",
                     "535 5.7.8 Authentication failed", "-", "F"],
            json: #"{"ts":2.0,"uid":"CSmtp1abcdefghijk","id.orig_h":"10.0.0.5","id.orig_p":50000,"id.resp_h":"10.0.0.25","id.resp_p":25,"trans_depth":1,"helo":"mail.example","mailfrom":"<a@example.com>","rcptto":["<b@example.org>","<c@example.org>"],"from":"a@example.com","to":["b@example.org"],"subject":"Hi","last_reply":"535 5.7.8 Authentication failed","tls":false}"#),
        ZeekLogFixture(
            kind: "dhcp", channel: "new_dhcp",
            fields: ["ts", "uids", "client_addr", "server_addr", "mac", "host_name", "requested_addr", "assigned_addr",
                     "lease_time", "msg_types"],
            values: ["1655297623.950175", "CNs2Ee4K9VuwjJ0Vil", "192.168.1.30", "192.168.1.1", "24:4b:fe:1c:48:a4",
                     "-", "192.168.1.105", "-", "600.000000", "REQUEST,REQUEST,ACK,ACK"],
            json: #"{"ts":1655297623.950175,"uids":["CNs2Ee4K9VuwjJ0Vil"],"client_addr":"192.168.1.30","server_addr":"192.168.1.1","mac":"24:4b:fe:1c:48:a4","lease_time":600.0,"requested_addr":"192.168.1.105","msg_types":["REQUEST","REQUEST","ACK","ACK"]}"#),
        ZeekLogFixture(
            kind: "arp", channel: "new_arp",
            fields: ["ts", "operation", "src_mac", "dst_mac", "orig_h", "resp_h", "orig_hw", "resp_hw"],
            values: ["1665150785.996414", "request", "50:5b:c2:db:c3:17", "ff:ff:ff:ff:ff:ff", "192.168.1.15",
                     "192.168.1.20", "50:5b:c2:db:c3:17", "00:00:00:00:00:00"],
            json: #"{"ts":1665150785.996414,"operation":"request","src_mac":"50:5b:c2:db:c3:17","dst_mac":"ff:ff:ff:ff:ff:ff","orig_h":"192.168.1.15","resp_h":"192.168.1.20","orig_hw":"50:5b:c2:db:c3:17","resp_hw":"00:00:00:00:00:00"}"#),
        ZeekLogFixture(
            kind: "notice", channel: "new_notice",
            fields: id + ["note", "msg", "sub", "src", "dst", "p", "n"],
            values: ["1601998373.487779", "-", "-", "-", "-", "-", "Scan::Address_Scan",
                     "147.32.83.156 scanned at least 25 unique hosts on port 23/tcp in 1m14s", "remote",
                     "147.32.83.156", "-", "23", "-"],
            json: #"{"ts":1601998373.487779,"note":"Scan::Address_Scan","msg":"147.32.83.156 scanned at least 25 unique hosts on port 23/tcp in 1m14s","sub":"remote","src":"147.32.83.156","p":23}"#),
        ZeekLogFixture(
            kind: "software", channel: "new_software",
            fields: ["ts", "host", "host_p", "software_type", "name", "version.major", "version.minor", "unparsed_version"],
            values: ["3.0", "10.0.0.5", "-", "HTTP::BROWSER", "Firefox", "120", "0", "Mozilla/5.0 Firefox/120.0"],
            json: #"{"ts":3.0,"host":"10.0.0.5","software_type":"HTTP::BROWSER","name":"Firefox","version.major":120,"version.minor":0,"unparsed_version":"Mozilla/5.0 Firefox/120.0"}"#),
        ZeekLogFixture(
            kind: "files", channel: "new_downloaded_file",
            fields: ["ts", "fuid", "tx_hosts", "rx_hosts", "conn_uids", "source", "depth", "analyzers", "mime_type",
                     "filename", "duration", "seen_bytes", "total_bytes", "md5", "sha1", "sha256"],
            values: ["1601998391.128990", "FRBu481kCfyF0aScA1", "3.232.121.231", "147.32.83.156", "CYetmM3b29tLNkUk42",
                     "SSL", "0", "MD5,X509,SHA1,SHA256", "application/x-x509-user-cert", "-", "0.000000", "1638", "-",
                     "aeeb74a57c1f9df4cfc4536d26a38b8c", "0a6b201a7bff643cc5dd6631e5940e858ee07d25", "-"],
            json: #"{"ts":1601998391.12899,"fuid":"FRBu481kCfyF0aScA1","tx_hosts":["3.232.121.231"],"rx_hosts":["147.32.83.156"],"conn_uids":["CYetmM3b29tLNkUk42"],"source":"SSL","depth":0,"analyzers":["MD5","X509","SHA1","SHA256"],"mime_type":"application/x-x509-user-cert","duration":0.0,"seen_bytes":1638,"md5":"aeeb74a57c1f9df4cfc4536d26a38b8c","sha1":"0a6b201a7bff643cc5dd6631e5940e858ee07d25"}"#),
        ZeekLogFixture(
            kind: "weird", channel: "new_weird",
            fields: id + ["name", "addl", "notice", "peer"],
            values: ["1601998366.034324", "-", "-", "-", "-", "-", "non_ip_packet_in_ethernet", "-", "F", "zeek"],
            json: #"{"ts":1601998366.034324,"name":"non_ip_packet_in_ethernet","notice":false,"peer":"zeek"}"#),
        ZeekLogFixture(
            kind: "tunnel", channel: "new_tunnel",
            fields: id + ["tunnel_type", "action"],
            values: ["4.0", "CTun1abcdefghijkl", "10.0.0.5", "0", "10.0.0.6", "0", "Tunnel::GRE", "Tunnel::DISCOVER"],
            json: #"{"ts":4.0,"uid":"CTun1abcdefghijkl","id.orig_h":"10.0.0.5","id.orig_p":0,"id.resp_h":"10.0.0.6","id.resp_p":0,"tunnel_type":"Tunnel::GRE","action":"Tunnel::DISCOVER"}"#),
        ZeekLogFixture(
            kind: "dns", channel: "new_dns",
            fields: id + ["proto", "trans_id", "rtt", "query", "qclass", "qclass_name", "qtype", "qtype_name", "rcode",
                          "rcode_name", "AA", "TC", "RD", "RA", "Z", "answers", "TTLs", "rejected"],
            values: ["6.0", "CDns1abcdefghijkl", "10.0.0.5", "53000", "10.0.0.53", "53", "udp", "4660", "0.012",
                     "www.example.test", "1", "C_INTERNET", "1", "A", "0", "NOERROR", "F", "F", "T", "T", "0",
                     "web.example.test,192.0.2.80", "300.000000,60.000000", "F"],
            json: #"{"ts":6.0,"uid":"CDns1abcdefghijkl","id.orig_h":"10.0.0.5","id.orig_p":53000,"id.resp_h":"10.0.0.53","id.resp_p":53,"proto":"udp","trans_id":4660,"rtt":0.012,"query":"www.example.test","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["web.example.test","192.0.2.80"],"TTLs":[300.0,60.0],"rejected":false}"#),
        ZeekLogFixture(
            kind: "ftp", channel: "new_ftp",
            fields: id + ["user", "password", "command", "arg", "reply_code", "reply_msg", "data_channel.passive",
                          "data_channel.orig_h", "data_channel.resp_h", "data_channel.resp_p"],
            values: ["5.0", "CFtp1abcdefghijkl", "10.0.0.5", "40000", "10.0.0.21", "21", "anonymous", "-", "RETR",
                     "ftp://10.0.0.21/a.txt", "150", "ok", "T", "10.0.0.5", "10.0.0.21", "50001"],
            json: #"{"ts":5.0,"uid":"CFtp1abcdefghijkl","id.orig_h":"10.0.0.5","id.orig_p":40000,"id.resp_h":"10.0.0.21","id.resp_p":21,"user":"anonymous","command":"RETR","arg":"ftp://10.0.0.21/a.txt","reply_code":150,"reply_msg":"ok","data_channel.passive":true,"data_channel.orig_h":"10.0.0.5","data_channel.resp_h":"10.0.0.21","data_channel.resp_p":50001}"#),
    ]

    /// Reads the fixture's TSV and JSON forms, each as a single file named after the kind.
    static func readBoth(_ fixture: ZeekLogFixture) throws -> (tsv: FlowFilesTestKit.Read, json: FlowFilesTestKit.Read) {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/t", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/j", withIntermediateDirectories: true)
        let tsv = try FlowFilesTestKit.read(try FlowFilesTestKit.write(fixture.tsv, to: dir + "/t", name: "\(fixture.kind).log"))
        let json = try FlowFilesTestKit.read(try FlowFilesTestKit.write(fixture.json + "\n", to: dir + "/j", name: "\(fixture.kind).log"))
        return (tsv, json)
    }

    static func record(_ kind: String) throws -> Record {
        let fixture = try #require(fixtures.first { $0.kind == kind })
        let read = try readBoth(fixture).tsv
        return try #require(read.all.first)
    }

    @Test(arguments: fixtures)
    func tabSeparatedAndJSONGiveTheSameRecord(_ fixture: ZeekLogFixture) throws {
        let (tsv, json) = try Self.readBoth(fixture)
        #expect(tsv.summary.problems.entries.isEmpty, "\(tsv.summary.problems.entries)")
        #expect(json.summary.problems.entries.isEmpty, "\(json.summary.problems.entries)")
        try #require(tsv.all.count == 1 && json.all.count == 1)
        #expect(tsv.all[0].channel == fixture.channel)
        #expect(tsv.summary.recordsByChannel[fixture.channel] == 1)
        #expect("\(tsv.all[0])" == "\(json.all[0])")
        #expect(tsv.records.isEmpty)                              // no conn record made up from another kind
    }

    @Test func applicationRecordsAreBoxedSoARecordStaysTheSizeOfAConnRecord() {
        #expect(MemoryLayout<Record>.size <= MemoryLayout<ConnRecord>.size + 1,
                "Record \(MemoryLayout<Record>.size) bytes, ConnRecord \(MemoryLayout<ConnRecord>.size)")
    }

    @Test func httpFieldsListsAndEscapes() throws {
        let http = try #require(HTTPRecord.from(try Self.record("http")))
        #expect(http.time.microseconds == 1_601_998_366_500_000)
        #expect(http.uid.description == "CHhAvVGS1DHFjwGM9")
        #expect(http.id.originator == IPAddress("192.0.2.10") && http.id.responderPort == 80)
        #expect(http.method == "GET" && http.host == "example.com" && http.uri == "/index.html")
        #expect(http.userAgent == "Mozilla/5.0\tx")                // Zeek's \x09 escape decoded
        #expect(http.statusCode == 200 && http.responseBodyLength == 1077)
        #expect(http.responseFUIDs == ["FakVf23", "FbR2"] && http.responseMIMETypes == ["text/html"])
        #expect(http.profileIP == IPAddress("192.0.2.10"))
    }

    @Test func sslKeepsCommasOfStringsAndSplitsVectors() throws {
        let ssl = try #require(SSLRecord.from(try Self.record("ssl")))
        #expect(ssl.issuer == "CN=R3,O=Let's Encrypt,C=US")
        #expect(ssl.certificateChain == ["FRBu481kCfyF0aScA1", "Fyjto01jEK20hLjiY1"])
        #expect(ssl.clientCertificateChain.isEmpty)
        #expect(ssl.established && !ssl.resumed && ssl.serverName == "virtual.secai.com")
    }

    @Test func otherKindsFields() throws {
        let x509 = try #require(X509Record.from(try Self.record("x509")))
        #expect(x509.notValidAfter?.microseconds == 1_607_317_805_000_000 && x509.keyLength == 4096)
        #expect(x509.sanDNS == ["virtual.secai.com", "www.secai.com"] && x509.client == nil)
        let ssh = try #require(SSHRecord.from(try Self.record("ssh")))
        #expect(ssh.banner == "SSH-2.0-OpenSSH_8.9" && ssh.log?.authSuccess == false && ssh.log?.authAttempts == 3)
        #expect(ssh.log?.serverBanner == "SSH-2.0-OpenSSH_7.4" && ssh.serverPort == 22)
        let smtp = try #require(SMTPRecord.from(try Self.record("smtp")))
        #expect(smtp.recipients == ["<b@example.org>", "<c@example.org>"] && smtp.lastReply.hasPrefix("535"))
        let dhcp = try #require(DHCPRecord.from(try Self.record("dhcp")))
        #expect(dhcp.messageTypes == ["REQUEST", "REQUEST", "ACK", "ACK"] && dhcp.leaseTime == 600_000_000)
        #expect(dhcp.profileIP == IPAddress("192.168.1.30") && dhcp.mac == MACAddress("24:4b:fe:1c:48:a4"))
        let arp = try #require(ARPRecord.from(try Self.record("arp")))
        #expect(arp.operation == 1 && arp.destinationMAC == .broadcast && arp.targetIP == IPAddress("192.168.1.20"))
        let notice = try #require(NoticeRecord.from(try Self.record("notice")))
        #expect(notice.note == "Scan::Address_Scan" && notice.port == 23 && notice.uid == nil)
        #expect(notice.profileIP == IPAddress("147.32.83.156"))   // no id.orig_h: the scanner
        let software = try #require(SoftwareRecord.from(try Self.record("software")))
        #expect(software.versionMajor == 120 && software.versionMinor == 0 && software.hostPort == 0)
        let files = try #require(FilesRecord.from(try Self.record("files")))
        #expect(files.analyzers == ["MD5", "X509", "SHA1", "SHA256"] && files.seenBytes == 1638 && files.totalBytes == 0)
        #expect(files.profileIP == IPAddress("147.32.83.156") && files.connectionUIDs.map(\.description) == ["CYetmM3b29tLNkUk42"])
        let weird = try #require(WeirdRecord.from(try Self.record("weird")))
        #expect(weird.name == "non_ip_packet_in_ethernet" && weird.id.originator == nil && weird.peer == "zeek")
        let tunnel = try #require(TunnelRecord.from(try Self.record("tunnel")))
        #expect(tunnel.tunnelType == "Tunnel::GRE" && tunnel.action == "Tunnel::DISCOVER")
        let dns = try #require(DNSRecord.from(try Self.record("dns")))
        #expect(dns.query == "www.example.test" && dns.qtypeName == "A" && dns.rcodeName == "NOERROR" && dns.transID == 4660)
        #expect(dns.answers == ["web.example.test", "192.0.2.80"] && dns.TTLs == [300, 60] && dns.RD && !dns.AA)
        #expect(dns.rtt.map { abs($0 - 0.012) < 1e-9 } == true && dns.proto == .udp && dns.responderPort == 53)
        let ftp = try #require(FTPRecord.from(try Self.record("ftp")))
        #expect(ftp.dataChannelResponderPort == 50001 && ftp.replyCode == 150 && ftp.command == "RETR")
    }
}
