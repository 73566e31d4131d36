import Testing
@testable import slipsd
import Detect

/// `time_window_width: only_one_tw` (Slips' spelling) and the heuristics' own YAML sections.
@Suite("Conn heuristics configuration")
struct ConnHeuristicsConfigTests {
    @Test func slipsOnlyOneTWWidthSelectsTheSingleWindow() throws {
        let settings = try ConfigLoader.parse("parameters:\n  time_window_width: only_one_tw\n", file: "t.yaml")
        #expect(settings.detection.onlyOneTimeWindow)
        #expect(settings.detection.effectiveWindowWidth == 9_999_999_999)
        // `only_one_tw: false` next to it (as in the shipped file) does not undo it.
        let both = try ConfigLoader.parse("parameters:\n  time_window_width: only_one_tw\n  only_one_tw: false\n",
                                          file: "t.yaml")
        #expect(both.detection.onlyOneTimeWindow)
        let flag = try ConfigLoader.parse("parameters:\n  only_one_tw: true\n", file: "t.yaml")
        #expect(flag.detection.onlyOneTimeWindow && flag.detection.timeWindowWidth == 3600)
        let plain = try ConfigLoader.parse("parameters:\n  time_window_width: 600\n", file: "t.yaml")
        #expect(!plain.detection.onlyOneTimeWindow && plain.detection.alertThreshold == 2.5)
    }

    @Test func anotherWordIsStillABadWidth() {
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("parameters:\n  time_window_width: wide\n", file: "t.yaml")
        }
    }

    @Test func heuristicsSectionsLoadAndAreChecked() throws {
        let text = "telnet_reconnection:\n  threshold: 6\ndifferent_localnet:\n  local_network: 192.168.7.0/24\n"
            + "non_ssl_port_443:\n  require_recognising_producer: false\n"
        let settings = try ConfigLoader.parse(text, file: "t.yaml")
        #expect(settings.detection.settings(for: TelnetReconnectionDetector.self).threshold == 6)
        #expect(settings.detection.settings(for: DifferentLocalnetDetector.self).localNetwork == "192.168.7.0/24")
        #expect(!settings.detection.settings(for: NonSSLPort443Detector.self).requireRecognisingProducer)
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("non_http_port_80:\n  wait_secs: 10\n", file: "t.yaml")
        }
    }
}
