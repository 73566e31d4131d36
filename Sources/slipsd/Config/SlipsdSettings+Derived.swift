import Capture

/// The configurations other modules need, derived from the YAML settings, and the map from their fields back to
/// the YAML keys. `ConfigLoader` validates each derived configuration while it reads the file, so a value the
/// flow table or NFQUEUE would refuse is reported once, at start-up, as `file:line:column: key: reason`, and the
/// runners never meet an invalid one.
extension SlipsdSettings.Analyzers {
    /// The analyzers' configuration from the `analyzers.*` keys; `consumers` decide the body digests of
    /// `http_hashes: auto`.
    func configuration(hashConsumers consumers: HTTPHashConsumers) -> AnalyzerConfiguration {
        var configuration = AnalyzerConfiguration(enabled: enabled, memoryBudget: memoryBudgetMB << 20)
        configuration.httpHashBytes = UInt64(httpHashMaxMB) << 20
        configuration.httpHashes = httpHashKinds(consumers)
        return configuration
    }

    /// The body digests computed: the `http_hashes` list as given, or for `auto` what `consumers` read.
    func httpHashKinds(_ consumers: HTTPHashConsumers) -> HTTPBodyHashKinds {
        guard let httpHashes else { return consumers.needed }
        return HTTPBodyHashKinds(httpHashes.compactMap(HTTPBodyHashKinds.init(name:)))
    }
}

extension SlipsdSettings.Flows {
    /// The flow table's configuration from the `flows.*` keys (seconds, kept to the microsecond).
    var tableConfiguration: FlowTableConfiguration {
        FlowTableConfiguration(
            maxFlows: maxFlows,
            tcpInactivityTimeout: Self.duration(tcpInactivityTimeout),
            tcpCloseLinger: Self.duration(tcpCloseDelay),
            tcpResetLinger: Self.duration(tcpResetDelay),
            udpInactivityTimeout: Self.duration(udpInactivityTimeout),
            icmpInactivityTimeout: Self.duration(icmpInactivityTimeout),
            attemptReportDelay: Self.duration(attemptReportDelay),
            interimReportInterval: Self.duration(interimReportInterval))
    }

    /// Seconds as a duration in whole microseconds, the flow table's unit (the YAML ranges keep it finite).
    private static func duration(_ seconds: Double) -> Duration {
        let micros = (seconds * 1_000_000).rounded()
        guard micros.isFinite, micros > 0 else { return .zero }
        return .microseconds(micros >= 9.2e18 ? Int64.max : Int64(micros))
    }

    /// The `flows.*` key that sets a `FlowTableConfiguration` field, or nil for a field the YAML cannot set.
    static func yamlKey(forTableField field: String) -> String? {
        switch field {
        case "maxFlows": "max"
        case "tcpInactivityTimeout": "tcp_inactivity_timeout"
        case "tcpCloseLinger": "tcp_close_delay"
        case "tcpResetLinger": "tcp_reset_delay"
        case "udpInactivityTimeout": "udp_inactivity_timeout"
        case "icmpInactivityTimeout": "icmp_inactivity_timeout"
        case "attemptReportDelay": "attempt_report_delay"
        case "interimReportInterval": "interim_report_interval"
        default: nil
        }
    }
}

extension SlipsdSettings.Inline {
    /// The `inline.*` key that sets an `NFQueueConfiguration` property (the watchdog's stall bound included), or
    /// nil for a property the YAML cannot set.
    static func yamlKey(forQueueSetting setting: String) -> String? {
        switch setting {
        case "copyRange": "copy_range"
        case "maxQueueLength": "queue_maxlen"
        case "receiveBufferSize": "socket_buffer"
        case "watchdogStallBound": "watchdog_ms"
        default: nil
        }
    }
}

extension ConfigReader {
    /// Validates the flow table configuration derived from the `flows` section this reader holds.
    /// - Throws: `ConfigError` at the key whose value the flow table refuses.
    func validateFlowTable(_ flows: SlipsdSettings.Flows) throws(ConfigError) {
        do {
            try flows.tableConfiguration.validate()
        } catch {
            guard let key = SlipsdSettings.Flows.yamlKey(forTableField: error.field) else {
                throw self.error(forKey: "", "flow table \(error.field) \(error.reason)")
            }
            throw self.error(forKey: key, error.reason)
        }
    }

    /// Validates the NFQUEUE configuration (and its watchdog) derived from the `inline` section this reader holds.
    /// The queue numbers and `--fail-closed` come from the command line and cannot make it invalid.
    /// - Throws: `ConfigError` at the key whose value NFQUEUE refuses.
    func validateQueue(_ inline: SlipsdSettings.Inline) throws(ConfigError) {
        guard let problem = inline.queueConfiguration(queues: 0...0, failClosed: false).firstProblem else { return }
        guard let key = SlipsdSettings.Inline.yamlKey(forQueueSetting: problem.setting) else {
            throw error(forKey: "", "NFQUEUE \(problem.setting) \(problem.reason)")
        }
        throw error(forKey: key, problem.reason)
    }
}
