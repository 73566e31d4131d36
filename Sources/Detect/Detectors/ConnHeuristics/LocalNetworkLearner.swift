import NetCore
import Records

/// The local network as Slips learns it when it reads files (`LocalnetHandler`, `slips_files/core/profiler`):
/// a configured range if one is given (Slips: the first private range in `client_ips`), else the RFC 1918 range
/// (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) of the first flow whose source is a private IPv4 address other
/// than 0.0.0.0 and not loopback, multicast or link-local. Learned once, then fixed for the run.
///
/// Slips on a live interface takes the interface's own subnet instead; slipsd's detectors do not see
/// interfaces, so set `local_network` for live use to get the same.
struct LocalNetworkLearner {
    /// The local network, once known.
    private(set) var network: CIDR?

    /// Starts with `configured` (nil: learn it from the flows).
    init(configured: CIDR?) { network = configured }

    /// Learns from `flow` if the network is still unknown (Slips does this before the flow reaches detectors).
    mutating func learn(from flow: ConnRecord) {
        guard network == nil else { return }
        let source = flow.originator
        guard source.isIPv4, !source.isIgnoredForLocalNetwork, source.isPrivateAsSlips else { return }
        network = source.rfc1918Range
    }
}
