#if canImport(Glibc)
import Glibc
#endif
import NetCore
import Records
@testable import Detect
import Testing

/// Writes and removes small text files for the known-ports tests.
enum KnownServicesFile {
    struct WriteFailed: Error { var path: String }

    static func write(_ text: String, to path: String) throws {
        guard let file = fopen(path, "w") else { throw WriteFailed(path: path) }
        defer { fclose(file) }
        guard fputs(text, file) >= 0 else { throw WriteFailed(path: path) }
    }

    static func remove(_ path: String) { unlink(path) }
}

@Suite("KnownServicePorts")
struct KnownServicePortsTests {
    /// The shipped list has the coverage of Slips' services.csv: 142 (port, protocol) pairs over TCP and UDP.
    @Test func builtInListHasSlipsCoverage() {
        let known = KnownServicePorts.builtIn
        #expect(known.count == 142)
        for (port, proto, name) in [(22, TransportProtocol.tcp, "ssh"), (22, .udp, "ssh"), (53, .udp, "domain"),
                                    (53, .tcp, "domain"), (80, .tcp, "http"), (443, .tcp, "https"),
                                    (443, .udp, "quic"), (3389, .tcp, "rdp"), (123, .udp, "ntp"), (123, .tcp, "ntp"),
                                    (514, .tcp, "shell"), (514, .udp, "syslog"), (3306, .tcp, "mysql"),
                                    (8080, .tcp, "http-alt"), (5353, .udp, "mdns"), (57621, .udp, "spotify")] {
            #expect(known.contains(port: UInt16(port), proto: proto), "\(port)/\(proto)")
            #expect(known.name(port: UInt16(port), proto: proto) == name)
        }
        // Unknown in Slips' list as here.
        for (port, proto) in [(902, TransportProtocol.tcp), (5432, .tcp), (80, .udp), (8080, .udp), (3478, .tcp),
                              (5353, .tcp), (4444, .tcp), (31337, .tcp), (6666, .tcp), (0, .tcp)] {
            #expect(!known.contains(port: UInt16(port), proto: proto), "\(port)/\(proto)")
        }
        #expect(!known.contains(port: 22, proto: .icmp))
    }

    @Test func serviceWordsAreSlipsPortWords() {
        #expect(ServiceNames.described(80, .tcp) == "http 80/tcp")
        #expect(ServiceNames.described(3389, .tcp) == "rdp 3389/tcp")
        #expect(ServiceNames.described(8000, .tcp) == " 8000/tcp")
        #expect(ServiceNames.described(161, .udp) == "snmp 161/udp")
    }

    @Test func bitLookupAgreesWithNamesForEveryPort() {
        let known = KnownServicePorts.builtIn
        var bits = 0
        for port in 0...65535 {
            for proto in [TransportProtocol.tcp, .udp] {
                let has = known.contains(port: UInt16(port), proto: proto)
                #expect(has == (known.name(port: UInt16(port), proto: proto) != nil))
                if has { bits += 1 }
            }
        }
        #expect(bits == known.count)
    }

    @Test func parsesServicesFormatWithCommentsAliasesAndPortFirstLines() throws {
        let text = """
        # site services
        inhouse      4444/tcp    inhouse-alias   # trailing comment

        telemetry\t9999/udp
        12000/tcp    batch-runner
        appletalk    3/ddp
        stream       7777/sctp
        """
        let entries = try KnownServicePorts.parseEntries(text, source: "site.services")
        #expect(entries == [
            .init(port: 4444, proto: .tcp, name: "inhouse"),
            .init(port: 9999, proto: .udp, name: "telemetry"),
            .init(port: 12000, proto: .tcp, name: "batch-runner"),
        ])
        var known = KnownServicePorts.builtIn
        let before = known.count
        known.add(entries)
        #expect(known.count == before + 3)
        #expect(known.contains(port: 9999, proto: .udp))
        #expect(!known.contains(port: 9999, proto: .tcp))
    }

    @Test func aPortAlreadyKnownKeepsItsName() {
        var known = KnownServicePorts.builtIn
        known.add([.init(port: 22, proto: .tcp, name: "not-ssh")])
        #expect(known.name(port: 22, proto: .tcp) == "ssh")
    }

    @Test(arguments: [
        ("a 1/tcp\nbroken\n", 2, "expected 'name port/protocol'"),
        ("a 1/tcp\nb 2/tcp\nweb 80\n", 3, "expected 'port/protocol'"),
        ("web 65536/tcp\n", 1, "port '65536' is not a number"),
        ("web http/tcp\n", 1, "port 'http' is not a number"),
        ("1/tcp 2/udp\n", 1, "no service name"),
    ])
    func malformedLinesNameTheLine(text: String, line: Int, reason: String) {
        do {
            _ = try KnownServicePorts.parseEntries(text, source: "bad.services")
            Issue.record("parsed malformed text")
        } catch {
            #expect(error.line == line)
            #expect(error.source == "bad.services")
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(error.description.hasPrefix("known ports file bad.services:\(line): "))
        }
    }

    @Test func loadsAFileAndNamesAMissingOne() throws {
        let path = "/tmp/slipsd-known-ports-\(UInt32.random(in: 0...UInt32.max)).services"
        try KnownServicesFile.write("custom 6001/tcp\n", to: path)
        defer { KnownServicesFile.remove(path) }
        #expect(try KnownServicePorts.loadEntries(fromFile: path) == [.init(port: 6001, proto: .tcp, name: "custom")])
        do {
            _ = try KnownServicePorts.loadEntries(fromFile: path + ".missing")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.line == 0)
            #expect(error.description.contains("cannot open"))
            #expect(error.description.contains(path + ".missing"))
        }
    }

    @Test(.enabled(if: access("/etc/services", R_OK) == 0, "/etc/services is absent or unreadable on this machine"))
    func systemServicesFileParsesWhenPresent() throws {
        let entries = try KnownServicePorts.loadEntries(fromFile: "/etc/services")
        #expect(entries.contains(.init(port: 22, proto: .tcp, name: "ssh")))
    }
}
