import Foundation
import Testing
import NetCore
import Records
@testable import Capture

/// Suricata eve.json: flow events become records; the other event types are counted by kind.
@Suite("Flow files: Suricata")
struct FlowFilesSuricataTests {
    @Test func flowEventsBecomeRecordsAndOtherEventsAreCounted() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = [
            #"{"timestamp":"2021-06-06T15:59:46.457984+0200","flow_id":1374195536821504,"event_type":"alert","src_ip":"78.36.196.213","src_port":51698,"dest_ip":"192.168.1.129","dest_port":445,"proto":"TCP","alert":{"signature":"x"}}"#,
            #"{"timestamp":"2021-06-06T15:57:37.272281+0200","flow_id":445348883402532,"event_type":"flow","src_ip":"192.168.1.132","src_port":1900,"dest_ip":"192.168.1.129","dest_port":44232,"proto":"UDP","app_proto":"failed","flow":{"pkts_toserver":12,"pkts_toclient":0,"bytes_toserver":4056,"bytes_toclient":0,"start":"2021-06-06T16:38:55.855844+0200","end":"2021-06-06T16:38:56.963027+0200","age":1,"state":"new","reason":"timeout","alerted":false},"host":"h"}"#,
            #"{"timestamp":"2021-06-06T15:57:37.272281+0200","flow_id":2232403389523415,"event_type":"flow","src_ip":"91.238.203.56","src_port":48938,"dest_ip":"192.168.1.129","dest_port":445,"proto":"TCP","flow":{"pkts_toserver":2,"pkts_toclient":2,"bytes_toserver":120,"bytes_toclient":120,"start":"2021-06-06T17:34:31.140759Z","end":"2021-06-06T17:34:31.141012Z","state":"closed"},"tcp":{"tcp_flags":"16","syn":true,"rst":true,"ack":true,"state":"closed"}}"#,
            #"{"timestamp":"2021-06-06T15:57:38.000000+0200","flow_id":7,"event_type":"flow","src_ip":"10.0.0.1","src_port":40000,"dest_ip":"10.0.0.2","dest_port":443,"proto":"TCP","app_proto":"tls","flow":{"pkts_toserver":9,"pkts_toclient":8,"bytes_toserver":900,"bytes_toclient":8000,"start":"2021-06-06T10:00:00.000000-03:30","end":"2021-06-06T10:00:05.000000-03:30","state":"established"}}"#,
            #"{"timestamp":"2021-06-06T15:59:46.457984+0200","flow_id":8,"event_type":"dns","src_ip":"10.0.0.1","src_port":5353,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP","dns":{"rrname":"example.com"}}"#,
            #"{"timestamp":"2021-06-06T15:59:46.457984+0200","event_type":"stats","stats":{"uptime":1}}"#,
            #"{"timestamp":"2021-06-06T15:59:46.457984+0200","flow_id":9,"event_type":"smb","src_ip":"10.0.0.1","src_port":1,"dest_ip":"10.0.0.2","dest_port":445,"proto":"TCP"}"#,
            #"{"timestamp":"2021-06-06T15:59:46.457984+0200","flow_id":10,"event_type":"flow","src_ip":"10.0.0.1","src_port":"x","dest_ip":"10.0.0.2","dest_port":445,"proto":"TCP","flow":{"start":"2021-06-06T16:38:55.855844+0200"}}"#,
        ]
        let path = try FlowFilesTestKit.write(lines.joined(separator: "\n") + "\n", to: dir, name: "eve.json")
        #expect(try FlowFileDetector.detect(path: path) == .suricata)
        let read = try FlowFilesTestKit.read(path)
        try #require(read.records.count == 3, "\(read.summary.problems.entries)")
        let udp = read.records[0]
        let start = FlowFilesTestKit.utcMicroseconds("2021-06-06 14:38:55", format: "yyyy-MM-dd HH:mm:ss") + 855_844
        #expect(udp.startTime.microseconds == start)
        #expect(udp.lastTime.microseconds - udp.startTime.microseconds == 1_107_183)
        #expect(udp.uid == FlowUID(445348883402532))
        #expect(udp.service == "")
        #expect(udp.originatorPackets == 12 && udp.originatorBytes == 4056 && udp.responderPackets == 0)
        #expect(udp.connState == .OTH && udp.connState.isEstablished)       // "new": established for Slips
        #expect(read.records[1].connState == .REJ)                          // "closed" with a reset answered
        #expect(!read.records[1].connState.isEstablished)
        let tls = read.records[2]
        #expect(tls.service == "tls" && tls.connState == .SF)
        #expect(tls.startTime.microseconds ==
                FlowFilesTestKit.utcMicroseconds("2021-06-06 13:30:00", format: "yyyy-MM-dd HH:mm:ss"))
        let problems = read.summary.problems
        #expect(problems.skippedCount(of: .ignoredEvent("alert")) == 1)
        #expect(problems.skippedCount(of: .ignoredEvent("stats")) == 1)
        #expect(problems.skippedCount(of: .dnsQueryEvent) == 1)
        #expect(problems.count(of: .unsupportedEvent) == 1)
        #expect(problems.count(of: .badField) == 1)
        #expect(problems.entries.first { $0.kind == .badField }?.firstDetail.hasPrefix("src_port") == true)
    }

    @Test func dnsAnswerEventsBecomeDNSRecordsInBothEveVersions() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let envelope = #""timestamp":"2021-06-06T15:59:46.457984+0200","flow_id":8,"event_type":"dns","src_ip":"10.0.0.1","src_port":5353,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP""#
        let lines = [
            "{\(envelope),\"dns\":{\"version\":2,\"type\":\"query\",\"id\":4660,\"rrname\":\"www.example.test\",\"rrtype\":\"A\"}}",
            "{\(envelope),\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":4660,\"flags\":\"8180\",\"qr\":true,\"rd\":true,\"ra\":true,\"rrname\":\"www.example.test\",\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":\"www.example.test\",\"rrtype\":\"CNAME\",\"ttl\":300,\"rdata\":\"web.example.test\"},{\"rrname\":\"web.example.test\",\"rrtype\":\"A\",\"ttl\":60,\"rdata\":\"192.0.2.80\"}]}}",
            "{\(envelope),\"dns\":{\"version\":3,\"type\":\"response\",\"id\":7,\"rcode\":\"NXDOMAIN\",\"queries\":[{\"rrname\":\"missing.example.test\",\"rrtype\":\"AAAA\"}]}}",
            "{\(envelope),\"dns\":{\"type\":\"answer\",\"id\":\"x\",\"rrname\":\"a.test\",\"rcode\":\"NOERROR\"}}",
        ]
        let path = try FlowFilesTestKit.write(lines.joined(separator: "\n") + "\n", to: dir, name: "eve.json")
        let read = try FlowFilesTestKit.read(path)
        let dns = read.all.compactMap(DNSRecord.from)
        try #require(dns.count == 2, "\(read.summary.problems.entries)")
        #expect(dns[0].query == "www.example.test" && dns[0].qtypeName == "A" && dns[0].rcodeName == "NOERROR")
        #expect(dns[0].answers == ["web.example.test", "192.0.2.80"] && dns[0].TTLs == [300, 60])
        #expect(dns[0].transID == 4660 && dns[0].RD && dns[0].RA && dns[0].originator == IPAddress("10.0.0.1"))
        #expect(dns[1].query == "missing.example.test" && dns[1].qtypeName == "AAAA" && dns[1].rcodeName == "NXDOMAIN")
        #expect(read.summary.problems.skippedCount(of: .dnsQueryEvent) == 1)
        #expect(read.summary.problems.count(of: .badField) == 1)
    }
}
