import Detect

/// Slips' module names in `modules.disable` / `modules.enable`, mapped onto slipsd's detectors. Slips compares
/// names without case, `_` or `-` (`networkdiscovery`, `network_discovery` and `Network-Discovery` are one
/// module), and so does slipsd. A Slips module slipsd has no counterpart for is accepted and does nothing.
enum SlipsModuleNames {
    /// Slips' modules that slipsd carries, by normalized name, with the detectors they became.
    static let detectorsOfModule: [String: [String]] = [
        "flowalerts": ["flowalerts", "connection_to_private_ip", "non_http_port_80", "non_ssl_port_443",
                       "different_localnet", "device_changing_ip", "connection_to_multiple_ports",
                       "telnet_reconnection", "zeek_notices", "gre_tunnel",
                       "dga_nxdomains", "high_entropy_dns_answer", "invalid_dns_resolution", "dns_arpa_scan",
                       "ssh_analyzer", "software_analyzer", "smtp_analyzer", "pastebin_tls"],
        "networkdiscovery": ["network_discovery", "icmp_scan"],
        "arp": ["arp"],
        "bruteforcedetector": ["ssh_brute_force", "zeek_notices"],
        "template": ["template"],
        "threatintelligence": ["threat_intelligence"],
    ]

    /// Slips 1.1.x's other modules (normalized names): accepted, nothing to disable.
    static let modulesWithoutCounterpart: Set<String> = [
        "anomalydetectionhttps", "arppoisoner", "blocking", "cesnet", "cyst", "exportingalerts",
        "feedsupdatemanager", "updatemanager", "fides", "flowmldetection", "httpanalyzer", "ipinfo", "iris",
        "kalipso", "leakdetector", "p2ptrust", "riskiq", "rnnccdetection", "timeline",
        "virustotal", "progressbar",
    ]

    /// `name` without case, `_` and `-`.
    static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// The detectors a name in `modules.disable`/`enable` stands for: a Slips module's (so `network_discovery`
    /// is the port scans and the ICMP scans, as in Slips), else a slipsd detector's own name; empty for a Slips
    /// module slipsd lacks; nil when the name is unknown.
    static func detectors(for name: String, known: [String]) -> [String]? {
        let key = normalized(name)
        if let mapped = detectorsOfModule[key] { return mapped.filter(known.contains) }   // Slips' meaning first
        if let own = known.first(where: { normalized($0) == key }) { return [own] }
        return modulesWithoutCounterpart.contains(key) ? [] : nil
    }
}
