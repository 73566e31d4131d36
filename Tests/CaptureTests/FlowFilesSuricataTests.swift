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
        #expect(problems.skippedCount(of: .notReadYet("Suricata dns events")) == 1)
        #expect(problems.count(of: .unsupportedEvent) == 1)
        #expect(problems.count(of: .badField) == 1)
        #expect(problems.entries.first { $0.kind == .badField }?.firstDetail.hasPrefix("src_port") == true)
    }
}
