import Foundation
import Testing
import NetCore
import Records
@testable import Capture

/// Zeek conn.log in both of Zeek's formats, one file or a directory, and every malformation counted by kind.
@Suite("Flow files: Zeek")
struct FlowFilesZeekTests {
    /// Headers in Zeek's order, then the columns shuffled: `#fields` decides which column is which.
    static let shuffledTSV = """
        #separator \\x09
        #set_separator\t,
        #empty_field\t(empty)
        #unset_field\t-
        #path\tconn
        #open\t2020-10-06-17-32-56
        #fields\tproto\tid.resp_p\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents
        #types\tenum\tport\ttime\tstring\taddr\tport\taddr\tstring\tinterval\tcount\tcount\tstring\tbool\tstring\tcount\tcount\tcount\tcount\tset[string]
        tcp\t80\t1601998366.785668\tCNgrt04tHika5Pgpfi\t192.0.2.10\t54170\t198.51.100.7\thttp\t0.250001\t37\t1077\tSF\t-\tShADadFf\t5\t473\t4\t1281\t(empty)
        udp\t53\t1601998367.000001\tC6Lt3k3AGsjgM321Eh\t2001:db8::1\t5353\t2001:db8::53\t-\t-\t-\t-\tS0\t-\tD\t1\t87\t0\t0\t(empty)
        #close\t2020-10-06-17-33-29

        """

    @Test func tabSeparatedColumnsInAnyOrder() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try FlowFilesTestKit.write(Self.shuffledTSV, to: dir, name: "conn.log")
        #expect(try FlowFileDetector.detect(path: path) == .zeekTSV)
        let read = try FlowFilesTestKit.read(path)
        #expect(read.summary.problems.entries.isEmpty, "\(read.summary.problems.entries)")
        try #require(read.records.count == 2)
        let http = read.records[0]
        #expect(http.uid.description == "CNgrt04tHika5Pgpfi")
        #expect(http.startTime.microseconds == 1_601_998_366_785_668)
        #expect(http.lastTime.microseconds == 1_601_998_366_785_668 + 250_001)
        #expect(http.originator == IPAddress("192.0.2.10"))
        #expect(http.originatorPort == 54170)
        #expect(http.responder == IPAddress("198.51.100.7"))
        #expect(http.responderPort == 80)
        #expect(http.proto == .tcp)
        #expect(http.service == "http")
        #expect(http.connState == .SF)
        #expect(http.history == "ShADadFf")
        #expect(http.originatorBytes == 37 && http.responderBytes == 1077)
        #expect(http.originatorPackets == 5 && http.originatorIPBytes == 473)
        #expect(http.responderPackets == 4 && http.responderIPBytes == 1281)
        let dns = read.records[1]
        #expect(dns.uid.description == "C6Lt3k3AGsjgM321Eh")
        #expect(dns.originator == IPAddress("2001:db8::1"))
        #expect(dns.proto == .udp && dns.connState == .S0)
        #expect(dns.service == "" && dns.duration == 0 && dns.originatorBytes == 0)
        #expect(read.summary.profiles == 2)
    }

    @Test func separatorHeaderEscapesAreDecoded() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = """
            #separator \\x7c
            #unset_field|-
            #path|conn
            #fields|ts|uid|id.orig_h|id.orig_p|id.resp_h|id.resp_p|proto|conn_state
            10.5|Cabc|10.0.0.1|1|10.0.0.2|22|tcp|REJ

            """
        let read = try FlowFilesTestKit.read(try FlowFilesTestKit.write(text, to: dir, name: "conn.log"))
        try #require(read.records.count == 1, "\(read.summary.problems.entries)")
        #expect(read.records[0].startTime.microseconds == 10_500_000)
        #expect(read.records[0].connState == .REJ)
        #expect(read.records[0].responderPort == 22)
    }

    @Test func jsonLines() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = """
            {"ts":1601998366.785668,"uid":"CNgrt04tHika5Pgpfi","id.orig_h":"192.0.2.10","id.orig_p":54170,"id.resp_h":"198.51.100.7","id.resp_p":443,"proto":"tcp","service":"ssl","duration":1.5,"orig_bytes":10,"resp_bytes":20,"conn_state":"SF","local_orig":true,"missed_bytes":0,"history":"Sh\\u0041D","orig_pkts":3,"orig_ip_bytes":130,"resp_pkts":2,"resp_ip_bytes":120,"tunnel_parents":[]}
            { "ts" : 1601998367 , "uid" : "C2" , "id.orig_h" : "192.0.2.11" , "id.orig_p" : 1 , "id.resp_h" : "192.0.2.12" , "id.resp_p" : 2 , "proto" : "udp" , "duration" : null , "conn_state" : "S0" }

            """
        let path = try FlowFilesTestKit.write(text, to: dir, name: "flows.json")
        #expect(try FlowFileDetector.detect(path: path) == .zeekJSON)
        let read = try FlowFilesTestKit.read(path)
        #expect(read.summary.problems.entries.isEmpty, "\(read.summary.problems.entries)")
        try #require(read.records.count == 2)
        #expect(read.records[0].uid.description == "CNgrt04tHika5Pgpfi")
        #expect(read.records[0].history == "ShAD")
        #expect(read.records[0].lastTime.microseconds - read.records[0].startTime.microseconds == 1_500_000)
        #expect(read.records[0].service == "ssl" && read.records[0].responderPort == 443)
        #expect(read.records[1].startTime.microseconds == 1_601_998_367_000_000)
        #expect(read.records[1].proto == .udp && read.records[1].connState == .S0)
    }

    @Test func directoryReadsItsLogsAndCountsTheRest() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FlowFilesTestKit.write(Self.shuffledTSV, to: dir, name: "conn.log")
        try FlowFilesTestKit.write("#fields\tts\tuid\tuser\n1.0\tCa\troot\n2.0\tCb\tadmin\n", to: dir, name: "login.log")
        try FlowFilesTestKit.write("#fields\tts\tuid\tid.orig_h\tid.resp_h\n1.0\tCa\t10.0.0.1\t10.0.0.2\n", to: dir,
                                   name: "ssl.log.labeled")
        try FlowFilesTestKit.write("#fields\tname\nbase/init\n", to: dir, name: "loaded_scripts.log")
        #expect(try FlowFileDetector.detect(path: dir) == .zeekDirectory)
        let read = try FlowFilesTestKit.read(dir)
        #expect(read.records.count == 2)
        // ssl is read (ZeekLogKindsTests has the kinds); login.log, which Slips does not read, is counted.
        #expect(read.summary.filesRead == [dir + "/conn.log", dir + "/ssl.log.labeled"])
        #expect(read.all.count == 3)
        #expect(read.summary.notReadYet.map(\.file) == ["login.log"])
        #expect(read.summary.notReadYet.map(\.lines) == [2])
        #expect(read.summary.ignoredFiles == ["loaded_scripts.log"])
        #expect(read.summary.problems.entries.isEmpty)
    }

    @Test func badLinesAreCountedByKindAndGoodLinesKept() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = "1.0\tCa\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\tS0"
        let text = [
            "#separator \\x09",
            "10.0\tC0\t10.0.0.1\t1\t10.0.0.2\t80\ttcp\tS0",                   // line 2: before #fields
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state",
            good,                                                              // 4
            "1.0\tCb\t10.0.0.1\thttp\t10.0.0.2\t80\ttcp\tS0",                  // 5: wrong type
            "1.0\tCc\t10.0.0.1\t1\t10.0.0.2\t80\ttcp",                         // 6: too few columns
            "1.0\tCd\t-\t1\t10.0.0.2\t80\ttcp\tS0",                            // 7: no originator
            good,                                                              // 8
            "1.0\tCe\t10.0.0.1\t1\t10.0.0.2\t99999\ttcp\tS0",                  // 9: wrong type again
            "1.0\tCf\t10.0.0.1\t1\t10.0.",                                     // 10: truncated, no newline
        ].joined(separator: "\n")
        let path = try FlowFilesTestKit.write(text, to: dir, name: "conn.log")
        let read = try FlowFilesTestKit.read(path)
        #expect(read.records.count == 2)
        let problems = read.summary.problems
        #expect(problems.count(of: .malformedLine) == 2)
        #expect(problems.count(of: .badField) == 2)
        #expect(problems.count(of: .missingField) == 1)
        #expect(problems.count(of: .truncatedLastLine) == 1)
        #expect(read.summary.truncated)
        let bad = try #require(problems.entries.first { $0.kind == .badField })
        #expect(bad.firstLocation == path + ":5")
        #expect(bad.firstDetail.contains("id.orig_p"))
        // One warning per kind, each naming file:line.
        #expect(read.warnings.count == 4, "\(read.warnings)")
        #expect(read.warnings.contains { $0.contains(path + ":2:") && $0.contains("malformed line") })
        #expect(read.warnings.contains { $0.contains(path + ":10:") && $0.contains("truncated last line") })
    }

    @Test func jsonMalformationsAreCounted() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = #"{"ts":1.0,"uid":"Ca","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2","id.resp_p":2,"proto":"tcp","conn_state":"S0"}"#
        let text = [
            good,
            #"{"ts":1.0,"uid":"Cb","id.orig_h":"10.0.0.1" "id.orig_p":1}"#,              // no comma
            #"{"ts":"yesterday","uid":"Cc","id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","proto":"tcp"}"#,
            #"{"ts":1.0,"uid":"Cd","id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","proto":"tcp","conn_state":"XX"}"#,
            #"{"ts":1.0,"uid":"Ce","id.orig_h":"10.0.0.1","proto":"tcp"}"#,               // no responder
            "not json at all",
            good,
            #"{"ts":1.0,"uid":"Cf","id.orig_h":"10.0"#,
        ].joined(separator: "\n")
        let read = try FlowFilesTestKit.read(try FlowFilesTestKit.write(text, to: dir, name: "conn.log"))
        #expect(read.records.count == 2)
        #expect(read.summary.problems.count(of: .malformedLine) == 2)
        #expect(read.summary.problems.count(of: .badField) == 2)
        #expect(read.summary.problems.count(of: .missingField) == 1)
        #expect(read.summary.problems.count(of: .truncatedLastLine) == 1)
    }

    @Test func aFinalLineWithoutNewlineThatParsesIsKept() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = "#fields\tts\tid.orig_h\tid.resp_h\tproto\n1.0\t10.0.0.1\t10.0.0.2\ttcp"
        let read = try FlowFilesTestKit.read(try FlowFilesTestKit.write(text, to: dir, name: "conn.log"))
        #expect(read.records.count == 1)
        #expect(!read.summary.truncated)
        #expect(read.summary.problems.entries.isEmpty)
    }

    @Test func otherZeekLogKindIsCountedNotRead() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = "#path\tlogin\n#fields\tts\tuid\tuser\n1.0\tCa\troot\n"
        let read = try FlowFilesTestKit.read(try FlowFilesTestKit.write(text, to: dir, name: "login.log"))
        #expect(read.records.isEmpty)
        #expect(read.summary.problems.skippedCount(of: .notReadYet("login.log")) == 1)
        #expect(read.summary.problems.entries.isEmpty)
    }
}
