/// Every detector slipsd ships, registered in one place. The engine instantiates those enabled by config, and
/// the configuration loader decodes each one's settings section (named after the detector) from this list: a
/// new detector is its file plus one line here.
public enum DetectorList {
    /// All built-in detector types, in the order they receive messages.
    public static let all: [any Detector.Type] = [
        TemplateDetector.self,
        LocalConnectionDetector.self,
        PortScanDetector.self,
        ICMPScanDetector.self,
        ARPScanDetector.self,
        SSHPasswordGuessingDetector.self,
        FlowAlertsDetector.self,
        ZeekNoticeDetector.self,
        GRETunnelDetector.self,
        PrivateIPConnectionDetector.self,
        NonHTTPPort80Detector.self,
        NonSSLPort443Detector.self,
        DifferentLocalnetDetector.self,
        DeviceChangingIPDetector.self,
        MultiplePortsConnectionDetector.self,
        TelnetReconnectionDetector.self,
        ThreatIntelligenceDetector.self,
        DGANXDomainsDetector.self,
        HighEntropyDNSAnswerDetector.self,
        InvalidDNSResolutionDetector.self,
        DNSARPAScanDetector.self,
        SSHSuccessfulDetector.self,
        SSHVersionChangeDetector.self,
        SMTPLoginDetector.self,
        HTTPAnalyzerDetector.self,
        PastebinTLSDownloadDetector.self,
        ARPAttacksDetector.self,
        DHCPScanDetector.self,
        TLSCertificateDetector.self,
        ConnectionWithoutDNSDetector.self,
        DNSWithoutConnectionDetector.self,
        UserAgentDetector.self,
    ]
}
