import Foundation
import Testing
import NetCore
import Records
import Capture
@testable import slipsd

/// `slipsd -f` end to end: the built binary on flow files the tests write, through detection and the outputs.
@Suite("Flow file input (slipsd -f)", .serialized)
struct FlowFileInputTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "slipsd-flowinput-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func write(_ text: String, _ path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

    /// A Zeek conn.log of 2020-10-06: one HTTP connection, then 12 unanswered SYNs from 10.0.0.66 to port 23.
    static func scanConnLog() -> String {
        var lines = ["#separator \\x09", "#unset_field\t-", "#empty_field\t(empty)", "#path\tconn",
                     "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes",
                     "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tstring\tcount\tcount\tcount\tcount",
                     "1601998366.000000\tCHttp0000000000001\t10.0.0.1\t40000\t10.0.0.2\t80\ttcp\thttp\t0.5\t37\t2000\tSF\tShADadFf\t5\t300\t4\t2200"]
        for target in 1...12 {
            lines.append("1601998\(370 + target).000000\tCScan\(String(format: "%013d", target))\t10.0.0.66\t\(50000 + target)\t10.0.1.\(target)\t23\ttcp\t-\t-\t-\t-\tS0\tS\t1\t60\t0\t0")
        }
        lines.append("#close\t2020-10-06-17-33-29")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func zeekScanIsDetectedInTheFilesTime() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(Self.scanConnLog(), dir + "/conn.log")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary,
                                           ["-f", dir + "/conn.log", "-o", dir + "/out", "--flows", dir + "/flows.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("(Zeek log, tab-separated)"), "\(result.stdout)")
        #expect(result.stdout.contains(" 13 records"), "\(result.stdout)")
        #expect(result.stdout.contains("profiles      2"), "\(result.stdout)")
        #expect(result.stdout.contains("problems      none"), "\(result.stdout)")
        let alerts = try String(contentsOfFile: dir + "/out/alerts/alerts.log", encoding: .utf8)
        #expect(alerts.contains("Horizontal port scan to port telnet 23/tcp. From 10.0.0.66 to 10 unique destination IPs."), "\(alerts)")
        #expect(alerts.contains("2020-10-06T"), "time windows follow the file's times: \(alerts)")
        // The records keep Zeek's uids on their way to the outputs.
        let flows = try String(contentsOfFile: dir + "/flows.json", encoding: .utf8)
        #expect(flows.contains(#""uid":"CHttp0000000000001""#), "\(flows.prefix(400))")
        #expect(flows.contains(#""uid":"CScan0000000000012""#))
    }

    @Test func readOptionAcceptsFlowFilesToo() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(Self.scanConnLog(), dir + "/conn.log")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-r", dir + "/conn.log"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(" 13 records"), "\(result.stdout)")
    }

    @Test func argusAndSuricataFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var argus = "StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,SrcPkts,Label\n"
        for target in 1...12 {
            argus += "2018/12/18 14:00:\(String(format: "%02d", target)).000000,0,tcp,46.166.151.160,\(40000 + target),   ->,147.32.80.\(target),3389,S_,0,0,1,60,60,1,\n"
        }
        try write(argus, dir + "/scan.binetflow")
        let a = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", dir + "/scan.binetflow", "-o", dir + "/a"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.contains("(Argus binetflow)") && a.stdout.contains(" 12 records"), "\(a.stdout)")
        let alerts = try String(contentsOfFile: dir + "/a/alerts/alerts.log", encoding: .utf8)
        #expect(alerts.contains("Horizontal port scan to port rdp 3389/tcp. From 46.166.151.160 to 10 unique destination IPs."), "\(alerts)")

        let eve = """
            {"timestamp":"2021-06-06T15:57:37.272281+0200","flow_id":1,"event_type":"flow","src_ip":"10.0.0.1","src_port":1,"dest_ip":"10.0.0.2","dest_port":445,"proto":"TCP","flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":60,"bytes_toclient":0,"start":"2021-06-06T16:38:55.855844+0200","end":"2021-06-06T16:38:55.855844+0200","state":"closed"}}
            {"timestamp":"2021-06-06T15:59:46.457984+0200","flow_id":2,"event_type":"alert","src_ip":"10.0.0.3","src_port":1,"dest_ip":"10.0.0.2","dest_port":445,"proto":"TCP","alert":{}}

            """
        try write(eve, dir + "/eve.json")
        let s = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", dir + "/eve.json"])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(s.stdout.contains("(Suricata eve.json)") && s.stdout.contains(" 1 records"), "\(s.stdout)")
        #expect(s.stdout.contains("1 alert events"), "\(s.stdout)")
    }

    @Test func badLinesAreReportedOnceAndTheRunGoesOn() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var text = Self.scanConnLog()
        text = text.replacingOccurrences(of: "10.0.1.3\t23", with: "10.0.1.3\ttelnet")
            .replacingOccurrences(of: "10.0.1.4\t23", with: "10.0.1.4\tssh")
            .replacingOccurrences(of: "#close\t2020-10-06-17-33-29\n", with: "this is not a flow\n1601998399.0\tCx\t10.0.0.66")
        try write(text, dir + "/conn.log")
        let result = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", dir + "/conn.log"])
        #expect(result.status == 3, "a truncated last line: exit 3 as for a truncated capture; \(result.stderr)")
        #expect(result.stdout.contains(" 11 records"), "\(result.stdout)")
        #expect(result.stdout.contains("problems      2 wrong type in a field (first at \(dir)/conn.log:10: id.resp_p: 'telnet' is not a port)"),
                "\(result.stdout)")
        #expect(result.stdout.contains("problems      1 malformed line"), "\(result.stdout)")
        #expect(result.stdout.contains("problems      1 truncated last line"), "\(result.stdout)")
        let typeWarnings = result.stderr.components(separatedBy: "wrong type in a field").count - 1
        #expect(typeWarnings == 1, "reported once: \(result.stderr)")
        #expect(result.stderr.contains("\(dir)/conn.log:21: truncated last line"), "\(result.stderr)")
    }

    @Test func unreadableInputsExitOne() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("hello\nworld\n", dir + "/notes.txt")
        let unknown = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", dir + "/notes.txt"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("not a flow file slipsd recognises"), "\(unknown.stderr)")
        let missing = try ProcessResult.run(RepositoryPaths.slipsdBinary, ["-f", dir + "/absent.log"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("absent.log"), "\(missing.stderr)")
    }

    @Test func standardInputEndsAtDone() throws {
        let json = (1...5).map { #"{"ts":1601998366.\#($0),"uid":"C\#($0)","id.orig_h":"10.0.0.\#($0)","id.orig_p":1,"id.resp_h":"10.0.0.9","id.resp_p":80,"proto":"tcp","conn_state":"SF"}"# }
        let input = (json[0..<3] + ["done"] + json[3...]).joined(separator: "\n") + "\n"
        let result = try Self.run(["-f", "-", "--input-type", "zeek"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(" 3 records"), "\(result.stdout)")
        #expect(result.stdout.contains("ended by a 'done' line"), "\(result.stdout)")
        let argus = "2018/12/18 14:00:00.0,0,tcp,1.2.3.4,1,   ->,5.6.7.8,2,S_,0,0,1,60,60,1,\ndone\n"
        let fromArgus = try Self.run(["-f", "-", "--input-type", "argus"], stdin: argus)
        #expect(fromArgus.status == 0 && fromArgus.stdout.contains(" 1 records"), "\(fromArgus.stdout) \(fromArgus.stderr)")
    }

    @Test func optionsFitTheMode() throws {
        #expect(try Slipsd.parse(["-f", "conn.log"]).mode == .flowFile("conn.log"))
        #expect(try Slipsd.parse(["-f", "x", "--input-type", "argus"]).inputType == .argus)
        #expect(try Slipsd.parse(["-r", "x", "--input-type", "suricata"]).inputType == .suricata)
        #expect(try Slipsd.parse(["-f", "x", "--flows", "f.json"]).flowsFile == "f.json")
        for bad in [["-f", "-"], ["-f", "x", "-r", "y"], ["-i", "eth0", "--input-type", "zeek"],
                    ["-f", "x", "--input-type", "pcap"]] {
            #expect(throws: (any Error).self, "\(bad)") { try Slipsd.parse(bad) }
        }
    }

    /// Runs slipsd with `stdin` as its standard input.
    static func run(_ arguments: [String], stdin: String) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.slipsdBinary)
        process.arguments = arguments
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }
}
