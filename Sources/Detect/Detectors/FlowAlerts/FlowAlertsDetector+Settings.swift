extension FlowAlertsDetector {
    /// The `flowalerts:` section. Keys keep the names of Slips' `flow_alerts` settings where they mean the same.
    ///
    /// ```yaml
    /// flowalerts:
    ///   long_connection_threshold: 1500          # seconds
    ///   data_exfiltration_threshold: 500         # MB uploaded to one destination in one window (Slips' key)
    ///   flow_upload_threshold: 100               # MB uploaded in one flow (Slips: hard-coded, same name)
    ///   reconnection_attempts_threshold: 5
    ///   known_services_file: /etc/services       # more ports UNKNOWN_PORT treats as known (optional)
    /// ```
    ///
    /// Older configurations set the first four in `detection:`; they are still read from there.
    public struct Settings: DetectorSettings, Equatable {
        /// `long_connection_threshold`: seconds a flow must last (strictly more) for `LONG_CONNECTION`.
        public var longConnectionThreshold = 1500.0
        /// `flow_upload_threshold`: MB (10^6 bytes) uploaded in one flow for `DATA_UPLOAD`.
        public var dataUploadFlowThresholdMB = 100.0
        /// `data_exfiltration_threshold` (Slips' key and meaning; older slipsd files: `data_exfiltration_window_threshold`):
        /// MB uploaded by a profile to one destination in one window.
        public var dataUploadWindowThresholdMB = 500.0
        /// `reconnection_attempts_threshold`: rejected connections to one IP:port per window.
        public var reconnectionThreshold = 5
        /// `known_services_file`: an `/etc/services`-format file whose ports are added to the known ones.
        public var knownServicesFile: String? = nil

        /// Slips' defaults.
        public init() {}

        /// The keys older configurations kept in `detection:`.
        public static let legacyDetectionKeys = [
            "long_connection_threshold": "long_connection_threshold",
            "data_exfiltration_threshold": "data_exfiltration_threshold",
            "data_exfiltration_window_threshold": "data_exfiltration_window_threshold",
            "flow_upload_threshold": "flow_upload_threshold",
            "reconnection_attempts_threshold": "reconnection_attempts_threshold",
        ]

        enum CodingKeys: String, CodingKey {
            case longConnectionThreshold = "long_connection_threshold"
            case dataUploadFlowThresholdMB = "flow_upload_threshold"
            case dataUploadWindowThresholdMB = "data_exfiltration_threshold"
            case olderWindowThreshold = "data_exfiltration_window_threshold"
            case reconnectionThreshold = "reconnection_attempts_threshold"
            case knownServicesFile = "known_services_file"
        }

        /// Reads the section over the defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let section = try decoder.container(keyedBy: CodingKeys.self)
            longConnectionThreshold = try section.value(.longConnectionThreshold, default: longConnectionThreshold,
                                                        in: 1...1e9)
            dataUploadFlowThresholdMB = try section.value(.dataUploadFlowThresholdMB,
                                                          default: dataUploadFlowThresholdMB, in: 0.001...1e9)
            let windowKey: CodingKeys = section.contains(.olderWindowThreshold) ? .olderWindowThreshold
                                                                                 : .dataUploadWindowThresholdMB
            if windowKey == .olderWindowThreshold, section.contains(.dataUploadWindowThresholdMB) {
                throw DecodingError.dataCorruptedError(
                    forKey: .olderWindowThreshold, in: section,
                    debugDescription: "the same as data_exfiltration_threshold (Slips' key); keep one of them")
            }
            dataUploadWindowThresholdMB = try section.value(windowKey, default: dataUploadWindowThresholdMB,
                                                            in: 0.001...1e9)
            reconnectionThreshold = try section.value(.reconnectionThreshold, default: reconnectionThreshold,
                                                      in: 1...1_000_000)
            knownServicesFile = try section.decodeIfPresent(String.self, forKey: .knownServicesFile)
        }
    }
}
