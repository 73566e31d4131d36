import NetCore
import Foundation
import Testing
@testable import slipsd

/// The control protocol's typed requests and responses, and `--list-blocked --json` rows.
@Suite("Daemon control protocol")
struct DaemonControlProtocolTests {
    static func parse(_ text: String) -> Result<ControlProtocol.Request, ControlFailure> {
        ControlProtocol.parse(Array(text.utf8))
    }

    @Test func requests() {
        #expect(Self.parse(#"{"cmd":"status"}"#) == .success(.status))
        #expect(Self.parse(#"{"cmd":"unblock","ip":"10.0.0.1"}"#) == .success(.unblock(IPAddress("10.0.0.1")!)))
        #expect(Self.parse(#"{"cmd":"unblock","ip":"10.0.0.0/8"}"#) == .failure(ControlFailure("unblock needs \"ip\": an IP address")))
        #expect(Self.parse(#"{"cmd":"resync"}"#) == .success(.resync))
        #expect(Self.parse(#"{"cmd":"reboot"}"#) == .failure(ControlFailure("unknown cmd 'reboot' (unblock, status, resync)")))
        #expect(Self.parse(#"{"ip":"10.0.0.1"}"#) == .failure(ControlFailure("missing \"cmd\"")))
        for bad in ["not json", "[1,2]", #"{"cmd":5}"#, ""] {
            guard case .failure = Self.parse(bad) else { Issue.record("accepted \(bad)"); continue }
        }
        let long = #"{"cmd":"status","ip":""# + String(repeating: "x", count: ControlProtocol.maxRequestBytes) + #""}"#
        #expect(Self.parse(long) == .failure(ControlFailure("request longer than 4096 bytes")))
    }

    @Test func requestLineRoundTrip() throws {
        for request in [ControlProtocol.Request.status, .unblock(IPAddress("2001:db8::5")!)] {
            let line = ControlProtocol.encode(ControlProtocol.RequestLine(request))
            #expect(line.last == 0x0A)
            #expect(ControlProtocol.parse(Array(line.dropLast())) == .success(request))
        }
    }

    @Test func responsesAreSnakeCaseAndRoundTrip() throws {
        let status = DaemonStatus(queues: "0:1", mode: "blocking", failOpen: true, blockedInProcess: 3,
                                  nfqueue: .init(packets: 10, accepted: 9, dropped: 1, overruns: 2, watchdogStalls: 4,
                                                 watchdogReleases: 5, errors: 0),
                                  droppedDetectionEvents: 7, reloads: 1,
                                  flowTables: .init(inEmergency: true, emergencyEntries: 2, liveFlows: 100, capacity: 1000))
        let response = ControlResponse(ok: true, status: status)
        let line = ControlProtocol.encode(response)
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        for key in ["\"blocked_in_process\":3", "\"watchdog_stalls\":4", "\"dropped_detection_events\":7",
                    "\"overruns\":2", "\"fail_open\":true", "\"queues\":\"0:1\"", "\"in_emergency\":true",
                    "\"emergency_entries\":2"] {
            #expect(text.contains(key), "\(key) missing in \(text)")
        }
        #expect(!text.contains("\"error\""), "nil fields are left out: \(text)")
        #expect(ControlProtocol.decodeResponse(Array(line.dropLast())) == response)

        let unblock = ControlResponse(ok: true, removed: true, graceSeconds: 600)
        let unblockText = String(decoding: ControlProtocol.encode(unblock), as: UTF8.self)
        #expect(unblockText == "{\"grace_seconds\":600,\"ok\":true,\"removed\":true}\n")
        #expect(ControlProtocol.decodeResponse(Array("{\"ok\":false,\"error\":\"bad\"}".utf8)) == .failure("bad"))
        #expect(ControlProtocol.decodeResponse(Array("garbage".utf8)) == nil)
    }

    /// A request line is kept up to the cap and refused one byte past it, newline or not.
    @Test func connectionLineCap() {
        let cap = ControlProtocol.maxRequestBytes
        var atCap = ControlConnection(fd: -1, deadline: 0)
        #expect(atCap.append(ArraySlice([UInt8](repeating: 0x61, count: cap))) == .waiting)
        #expect(atCap.append(ArraySlice([0x0A, 0x62])) == .line([UInt8](repeating: 0x61, count: cap)))
        var overCap = ControlConnection(fd: -1, deadline: 0)
        #expect(overCap.append(ArraySlice([UInt8](repeating: 0x61, count: cap + 1))) == .tooLong)
        var overWithNewline = ControlConnection(fd: -1, deadline: 0)
        #expect(overWithNewline.append(ArraySlice([UInt8](repeating: 0x61, count: cap + 1) + [0x0A])) == .tooLong)
        var split = ControlConnection(fd: -1, deadline: 0)
        #expect(split.append(ArraySlice(Array(#"{"cmd":"#.utf8))) == .waiting)
        #expect(split.append(ArraySlice(Array("\"status\"}\n".utf8))) == .line(Array(#"{"cmd":"status"}"#.utf8)))
    }

    /// Root always; the control group as primary or supplementary group; nobody else.
    @Test func peerAccess() {
        #expect(ControlPeer(uid: 0, gid: 0, groups: []).isAllowed(group: nil))
        #expect(!ControlPeer(uid: 1000, gid: 1000, groups: [27]).isAllowed(group: nil))
        #expect(ControlPeer(uid: 1000, gid: 27, groups: []).isAllowed(group: 27))
        #expect(ControlPeer(uid: 1000, gid: 1000, groups: [4, 27]).isAllowed(group: 27))
        #expect(!ControlPeer(uid: 1000, gid: 1000, groups: [4, 24]).isAllowed(group: 27))
    }
}
