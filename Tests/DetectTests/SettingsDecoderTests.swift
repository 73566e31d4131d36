import Testing
@testable import Detect

/// A settings type using every shape the decoder supports.
private struct Sample: DetectorSettings, Equatable {
    enum Mode: String, Decodable { case fast, careful }
    struct Nested: Decodable, Equatable { var depth = 1 }

    var count = 5
    var ratio = 0.5
    var enabled = false
    var name = "x"
    var levels = [10, 100]
    var mode = Mode.fast
    var path: String? = nil
    var nested = Nested()

    init() {}

    static let legacyDetectionKeys = ["old_count": "count"]

    enum CodingKeys: String, CodingKey { case count, ratio, enabled, name, levels, mode, path, nested }

    init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.value(.count, default: count, in: 1...100)
        ratio = try c.value(.ratio, default: ratio, in: 0...1)
        enabled = try c.value(.enabled, default: enabled)
        name = try c.value(.name, default: name)
        levels = try c.value(.levels, default: levels, eachIn: 1...1000)
        mode = try c.value(.mode, default: mode)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        nested = try c.value(.nested, default: nested)
    }
}

extension Sample.Nested {
    enum CodingKeys: String, CodingKey { case depth }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        depth = try c.value(.depth, default: 1, in: 1...9)
    }
}

private func at(_ line: Int, _ column: Int) -> SettingsMark { SettingsMark(line: line, column: column) }

@Suite("Detector settings")
struct SettingsDecoderTests {
    @Test func noSectionGivesDefaults() throws {
        #expect(try SettingsDecoder.decode(Sample.self, from: nil, path: "s") == Sample())
        #expect(try SettingsDecoder.decode(Sample.self, from: .null(nil), path: "s") == Sample())
        #expect(try SettingsDecoder.decode(Sample.self, from: .section([:]), path: "s") == Sample())
    }

    @Test func everyShapeDecodes() throws {
        let node = SettingsNode.section([
            "count": .plain("0x10"), "ratio": .plain("1"), "enabled": .plain("yes"),
            "name": .scalar("042", quoted: true, nil), "levels": .sequence([.plain("3"), .plain("1_000")], nil),
            "mode": .plain("careful"), "path": .plain("/etc/services"), "nested": .section(["depth": .plain("3")]),
        ])
        let s = try SettingsDecoder.decode(Sample.self, from: node, path: "s")
        #expect(s.count == 16 && s.ratio == 1 && s.enabled && s.name == "042" && s.levels == [3, 1000])
        #expect(s.mode == .careful && s.path == "/etc/services" && s.nested.depth == 3)
    }

    @Test func keysWithoutValueKeepTheirDefault() throws {
        let s = try SettingsDecoder.decode(Sample.self, from: .section(["count": .null(nil), "path": .null(nil)]),
                                           path: "s")
        #expect(s == Sample())
    }

    @Test("errors name the key path, its place and the reason", arguments: [
        (SettingsNode.mapping([.init(key: "cuont", keyMark: at(2, 3), value: .plain("1"))], at(1, 1)),
         "2:3: s.cuont: unknown key"),
        (.mapping([.init(key: "count", keyMark: at(2, 3), value: .scalar("many", quoted: false, at(2, 10)))], nil),
         "2:10: s.count: expected an integer, got 'many'"),
        (.mapping([.init(key: "count", value: .scalar("0", quoted: false, at(4, 10)))], nil),
         "4:10: s.count: 0 is out of range 1...100"),
        (.mapping([.init(key: "count", value: .scalar("5", quoted: true, at(4, 10)))], nil),
         "4:10: s.count: expected an integer, got '5'"),
        (.mapping([.init(key: "ratio", value: .scalar("2", quoted: false, at(3, 10)))], nil),
         "3:10: s.ratio: 2.0 is out of range 0.0...1.0"),
        (.mapping([.init(key: "enabled", value: .scalar("maybe", quoted: false, at(3, 12)))], nil),
         "3:12: s.enabled: expected true or false, got 'maybe'"),
        (.mapping([.init(key: "levels", value: .sequence([.plain("1"), .scalar("0", quoted: false, at(5, 15))],
                                                         at(5, 11)))], nil),
         "5:11: s.levels: 0 is out of range 1...1000"),
        (.mapping([.init(key: "levels", value: .scalar("10", quoted: false, at(5, 11)))], nil),
         "5:11: s.levels: expected a list, got '10'"),
        (.mapping([.init(key: "mode", value: .scalar("slow", quoted: false, at(6, 9)))], nil),
         "6:9: s.mode: Cannot initialize Mode from invalid String value slow"),
        (.mapping([.init(key: "nested", value: .mapping([.init(key: "deep", keyMark: at(8, 5),
                                                              value: .plain("1"))], at(8, 5)))], nil),
         "8:5: s.nested.deep: unknown key"),
        (.mapping([.init(key: "nested", value: .mapping([.init(key: "depth",
                                                              value: .scalar("10", quoted: false, at(8, 12)))], nil))], nil),
         "8:12: s.nested.depth: 10 is out of range 1...9"),
        (.scalar("5", quoted: false, at(1, 4)), "1:4: s: expected a mapping of keys, got '5'"),
        (.mapping([.init(key: "count", keyMark: at(3, 3), value: .scalar("0", quoted: false, at(3, 14)),
                         origin: "detection.old_count")], nil),
         "3:14: detection.old_count: 0 is out of range 1...100"),
    ])
    func preciseErrors(node: SettingsNode, message: String) {
        do {
            _ = try SettingsDecoder.decode(Sample.self, from: node, path: "s")
            Issue.record("no error for \(message)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func detectorsWithoutSettingsRefuseEveryKey() {
        #expect(throws: SettingsError(keyPath: "scripted.x", mark: at(2, 3), reason: "unknown key")) {
            _ = try SettingsDecoder.decode(NoSettings.self, from: .mapping([.init(key: "x", keyMark: at(2, 3),
                                                                                  value: .plain("1"))], nil),
                                           path: "scripted")
        }
    }

    @Test func everyShippedDetectorDecodesItsDefaultsAndRefusesUnknownKeys() throws {
        for detector in DetectorList.all {
            _ = try detector.decodeSettings(from: nil)
            #expect(throws: SettingsError.self) {
                _ = try detector.decodeSettings(from: .section(["no_such_key": .plain("1")]))
            }
        }
    }

    @Test func contextHandsTheDetectorItsSettings() throws {
        var settings = DetectionSettings()
        settings.setSettings(ScanReportSettings(minimumTargets: 3), for: PortScanDetector.self)
        #expect(settings.settings(for: PortScanDetector.self).minimumTargets == 3)
        #expect(settings.settings(for: ICMPScanDetector.self).minimumTargets == 10)   // Slips' first log10 bucket
        let context = DetectorContext(detectorName: PortScanDetector.name, settings: settings,
                                      evidenceSink: { _ in }, windowForTime: { DetectorsTestKit.window(for: $0) })
        #expect(context.detectorSettings(ScanReportSettings.self).minimumTargets == 3)
    }
}
