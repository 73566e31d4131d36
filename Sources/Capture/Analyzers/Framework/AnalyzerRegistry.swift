/// The analyzers a pipeline runs, one line each. A protocol without an analyzer here is never claimed (its
/// probe's answer is ignored), so a probe can land before its analyzer.
enum AnalyzerRegistry {
    /// One instance of every analyzer, for one pipeline.
    static func make(_ configuration: AnalyzerConfiguration) -> [any FlowAnalyzer] {
        [
            DNSAnalyzer(configuration: configuration),
            HTTPAnalyzer(configuration: configuration),
            SSHAnalyzer(configuration: configuration),
            SMTPAnalyzer(configuration: configuration),
            DHCPAnalyzer(configuration: configuration),
            TLSAnalyzer(configuration: configuration),
            QUICAnalyzer(configuration: configuration),
        ]
    }
}
