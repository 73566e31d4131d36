import NetCore

/// What the `threat_intelligence` detector matches against, built once by slipsd at start-up from the
/// `threatintelligence:` section (Slips' local IoC, JA3 and JARM files, feeds already in the download path) and
/// handed to the engine inside `DetectionSettings.threatIntelligence`. A value: a reload builds a new one aside.
public struct ThreatIntelLists: Sendable {
    /// Every IoC loaded: addresses, ranges, domains, ASNs, URLs, JA3/JA3S/JARM and MD5 fingerprints.
    public var iocs = ThreatIntelIndex()
    /// Slips' `known_fp_md5_hashes.csv`: MD5s that are never evidence, whatever list names them.
    public var knownFalsePositiveMD5 = ThreatIntelIndex()
    /// The AS number (64500 for `AS64500`) of an address, when an ASN database was opened (`ASNDatabase`);
    /// nil when none was (then ASN IoCs are not matched, which slipsd says once in its log).
    public var asnOfAddress: (@Sendable (IPAddress) -> UInt32?)? = nil
    /// Where slipsd's refresh thread publishes newer lists (`TI_files_update_period`); nil: these lists stay.
    public var updates: ThreatIntelUpdates? = nil

    /// Empty lists: the detector runs and finds nothing.
    public init() {}

    /// True when nothing at all is loaded.
    public var isEmpty: Bool { iocs.count == 0 }
}
