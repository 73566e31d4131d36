import Foundation
import Testing
import NetCore
import Records
@testable import Capture

/// Argus binetflow, comma- and tab-separated, columns from the header, and Argus states onto conn states.
@Suite("Flow files: Argus")
struct FlowFilesArgusTests {
    @Test func commaSeparatedWithSlipsColumns() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = """
            StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,SrcPkts,Label
            2018/12/18 14:00:00.075359,0.000000,tcp,216.73.23.146,52691,   ->,147.32.81.57,445,S_,0,0,1,70,70,1,
            2018/12/18 14:00:00.527012,0.699716,tcp,216.73.23.146,52798,   ->,147.32.81.58,445,S_RA,0,0,2,134,70,1,flow=Background
            2018/12/18 14:00:01.000000,2.5,tcp,2001:db8::1,47428,  <->,2001:db8::2,443,FSPA_FSPA,0,0,10,5000,1000,4,

            """
        let path = try FlowFilesTestKit.write(text, to: dir, name: "flows.binetflow")
        #expect(try FlowFileDetector.detect(path: path) == .argus)
        let read = try FlowFilesTestKit.read(path)
        #expect(read.summary.problems.entries.isEmpty, "\(read.summary.problems.entries)")
        try #require(read.records.count == 3)
        let first = read.records[0]
        #expect(first.startTime.microseconds ==
                FlowFilesTestKit.utcMicroseconds("2018/12/18 14:00:00", format: "yyyy/MM/dd HH:mm:ss") + 75_359)
        #expect(first.originator == IPAddress("216.73.23.146") && first.originatorPort == 52691)
        #expect(first.responder == IPAddress("147.32.81.57") && first.responderPort == 445)
        #expect(first.connState == .S0)
        #expect(read.records[1].connState == .REJ)
        #expect(read.records[1].lastTime.microseconds - read.records[1].startTime.microseconds == 699_716)
        let third = read.records[2]
        #expect(third.connState == .SF)
        #expect(third.originatorPackets == 4 && third.responderPackets == 6)
        #expect(third.originatorBytes == 1000 && third.responderBytes == 4000)
        #expect(read.summary.profiles == 2)
    }

    @Test func tabSeparatedInAnotherColumnOrder() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = [
            "SrcAddr\tDstAddr\tProto\tStartTime\tState\tDport\tSport\tDur\tTotBytes\tTotPkts\tSrcBytes\tSrcPkts",
            "10.0.2.15\t10.0.2.2\tudp\t2018/05/10 10:52:47.283479\tCON\t53\t40000\t0.045\t200\t2\t80\t1",
            "00:00:00:00:00:01\t00:00:00:00:00:02\tllc\t2018/05/10 10:52:48.0\tINT\t0\t0\t0\t60\t1\t60\t1",
            "0\t0\tman\t2018/05/10 10:52:49.0\tSTA\t0\t0\t0\t0\t0\t0\t0",
            "10.0.2.15\t10.0.2.3\ttcp\t2018/05/10 10:52:50.0\tS_\t80\tnope\t0\t60\t1\t60\t1",
        ].joined(separator: "\n") + "\n"
        let read = try FlowFilesTestKit.read(try FlowFilesTestKit.write(text, to: dir, name: "t.binetflow"))
        try #require(read.records.count == 1)
        #expect(read.records[0].proto == .udp && read.records[0].connState == .SF)
        #expect(read.records[0].responderPort == 53 && read.records[0].originatorPort == 40000)
        #expect(read.records[0].originatorBytes == 80 && read.records[0].responderBytes == 120)
        #expect(read.summary.problems.skippedCount(of: .notIPFlow) == 2)
        #expect(read.summary.problems.count(of: .badField) == 1)
    }

    @Test(arguments: [
        ("S_", 1, ConnState.S0), ("S_RA", 2, .REJ), ("S_R", 2, .REJ), ("SR_SA", 2, .S0),
        ("SPA_SPA", 6, .S1), ("FSPA_FSPA", 10, .SF), ("SRPA_FSPA", 8, .SF), ("SRPA_SPA", 8, .RSTO),
        ("SPA_SRPA", 8, .RSTR), ("PA_PA", 4, .OTH),
        ("CON", 2, .SF), ("INT", 1, .S0), ("EST", 3, .S1), ("RST", 2, .REJ), ("RST", 5, .RSTO),
        ("FIN", 3, .SH), ("FIN", 9, .SF), ("REQ", 1, .S0), ("NRS", 1, .S0),
    ])
    func stateMapping(state: String, packets: Int, expected: ConnState) {
        var text = state
        let mapped = text.withUTF8 { ArgusStates.connState($0, proto: .tcp, packets: UInt64(packets)) }
        #expect(mapped == expected, "\(state)")
        // Slips' split between established and not survives the mapping.
        let slipsEstablished = !["S_", "S_RA", "S_R", "SR_SA", "INT", "REQ", "NRS"].contains(state)
            && !(["RST", "FIN"].contains(state) && packets <= 3)
        #expect(mapped.isEstablished == slipsEstablished, "\(state)")
    }

    @Test func icmpFlowsAreOTHWithTheirTypeInThePort() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = "StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,SrcPkts,Label\n"
            + "2018/12/18 14:00:00.000000,0,icmp,10.0.0.1,0x0008,   ->,10.0.0.2,0x0000,ECO,0,0,1,98,98,1,\n"
        let read = try FlowFilesTestKit.read(try FlowFilesTestKit.write(text, to: dir, name: "i.binetflow"))
        try #require(read.records.count == 1)
        #expect(read.records[0].proto == .icmp && read.records[0].connState == .OTH && read.records[0].originatorPort == 8)
    }
}
