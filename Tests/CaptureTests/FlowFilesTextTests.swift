import Foundation
import Testing
import NetCore
@testable import Capture

/// The byte-level readers every format shares: numbers, times, addresses, JSON structure, type detection.
@Suite("Flow files: text")
struct FlowFilesTextTests {
    private func with<R>(_ text: String, _ body: (FieldBytes) -> R) -> R {
        var copy = text
        return copy.withUTF8 { body($0) }
    }

    @Test(arguments: [("928.943457", Int64(928_943_457)), ("0", 0), ("0.5", 500_000), ("12.1234567", 12_123_456),
                      ("1.5e-05", 15), ("1601998366.785668", 1_601_998_366_785_668)])
    func decimalSeconds(text: String, micros: Int64) {
        #expect(with(text) { ByteText.microseconds($0) } == micros)
    }

    @Test(arguments: ["", "-", "1.2.3", "abc", "1,5", "12 "])
    func notSeconds(text: String) {
        #expect(with(text) { ByteText.microseconds($0) } == nil)
    }

    @Test func addressesAndPorts() {
        #expect(with("192.168.1.129") { ByteText.ipAddress($0) } == IPAddress("192.168.1.129"))
        #expect(with("2001:718:2:1634:96de:80ff:fe7a:bdf0") { ByteText.ipAddress($0) } == IPAddress("2001:718:2:1634:96de:80ff:fe7a:bdf0"))
        for bad in ["256.1.1.1", "1.2.3", "00:00:00:00:00:00", "0", "1.2.3.4.5", ""] {
            #expect(with(bad) { ByteText.ipAddress($0) } == nil, "\(bad)")
        }
        #expect(with("0x0008") { ByteText.port($0) } == 8)
        #expect(with("65535") { ByteText.port($0) } == 65535)
        #expect(with("65536") { ByteText.port($0) } == nil)
        #expect(with("18446744073709551616") { ByteText.unsigned($0) } == nil)
    }

    /// Expected values computed independently (Python's datetime, UTC and the stated offsets).
    @Test(arguments: [("2018/12/18 14:00:00.075359", Int64(1_545_141_600_075_359)),
                      ("2023-11-14 22:13:20", 1_700_000_000_000_000),
                      ("2021-06-06T16:38:55.855844+0200", 1_622_990_335_855_844),
                      ("2021-06-06T16:38:55+02:00", 1_622_990_335_000_000),
                      ("2021-06-06T10:00:00.000000-03:30", 1_622_986_200_000_000),
                      ("2000-02-29T23:59:59Z", 951_868_799_000_000),
                      ("1969-12-31 23:59:59", -1_000_000),
                      ("2100-03-01 00:00:00", 4_107_542_400_000_000)])
    func calendarTimes(text: String, micros: Int64) {
        #expect(with(text) { CivilTime.microseconds($0) } == micros, "\(text)")
    }

    @Test(arguments: ["2018-13-01 00:00:00", "2018-12-01", "2018-12-01T10:00:00+2", "yesterday"])
    func notCalendarTimes(text: String) {
        #expect(with(text) { CivilTime.microseconds($0) } == nil)
    }

    @Test func jsonScannerChecksStructure() {
        #expect(with(#"{"a":1,"b":"x\"y","c":{"d":[1,{"e":"}"}]},"f":null,"g":true}"#) {
            JSONObjectScanner.forEachMember(in: $0) { _, _ in }
        } == nil)
        for bad in [#"{"a":1"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{"a":tru}"#, #"{"a":1} x"#, #"["a"]"#, #"{"a":"b}"#] {
            #expect(with(bad) { JSONObjectScanner.forEachMember(in: $0) { _, _ in } } != nil, "\(bad)")
        }
        #expect(with(#"a\"b\\c\u00e9\ud83d\ude00"#) { JSONObjectScanner.decodedString($0) } == "a\"b\\cé😀")
    }

    @Test func detectionFromContentNotName() throws {
        let dir = try FlowFilesTestKit.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, FlowFileFormat?)] = [
            ("\n\t#separator \\x09\n#fields\tts\n", .zeekTSV),
            (#"{"ts":1.0,"uid":"Ca","id.orig_h":"10.0.0.1"}"# + "\n", .zeekJSON),
            (#"{"timestamp":"x","flow_id":1,"event_type":"flow"}"# + "\n", .suricata),
            ("StartTime\tDur\tProto\n", .argus),
            ("2018/12/18 14:00:00.0,0,tcp,1.2.3.4,1,   ->,5.6.7.8,2,S_,0,0,1,1,1,1,\n", .argus),
            ("hello world\n", nil),
            ("# A Markdown heading\n\nText.\n", nil),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let path = try FlowFilesTestKit.write(text, to: dir, name: "input\(index).txt")
            #expect(try FlowFileDetector.detect(path: path) == expected, "\(text)")
        }
        var pcap = Data([0xD4, 0xC3, 0xB2, 0xA1]); pcap.append(Data(count: 20))
        try pcap.write(to: URL(fileURLWithPath: dir + "/c.pcap"))
        #expect(try FlowFileDetector.detect(path: dir + "/c.pcap") == nil)
        try Data([0x0C, 0xA5, 0x02, 0x00, 0, 0]).write(to: URL(fileURLWithPath: dir + "/capture"))
        #expect(try FlowFileDetector.detect(path: dir + "/capture") == .nfdump)
        // A folder without a Zeek log is no Zeek directory.
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/sub/notes.txt"))
        #expect(try FlowFileDetector.detect(path: dir + "/sub") == nil)
    }
}
