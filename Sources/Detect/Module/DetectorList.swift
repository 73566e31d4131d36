/// Every detector slipsd ships, registered in one place. The engine instantiates those enabled by config.
public enum DetectorList {
    /// All built-in detector types, in the order they receive messages.
    public static let all: [any Detector.Type] = [
        TemplateDetector.self,
        LocalConnectionDetector.self,
        // framework detectors (template, local_connection_detector) and flow detectors are listed here
        PortScanDetector.self,
        ICMPScanDetector.self,
        ARPScanDetector.self,
        SSHPasswordGuessingDetector.self,
        FlowAlertsDetector.self,
    ]
}
