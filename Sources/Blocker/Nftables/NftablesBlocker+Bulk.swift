import NetCore
#if canImport(Glibc)
import Glibc
#endif

extension NftablesBlocker {
    /// Removes many addresses from every set in as few netlink messages as the limits allow (an operator's
    /// `--unblock-from`). Elements that are not there are no error (`NFT_MSG_DESTROYSETELEM`, Linux 6.3); on
    /// an older kernel that rejects it, each address is removed on its own (`unblock`).
    /// - Returns: how many messages were sent (for the caller's report).
    /// - Throws: `BlockerError` for a failure other than an old kernel.
    @discardableResult
    public func unblock(_ addresses: [IPAddress]) throws -> Int {
        guard !addresses.isEmpty else { return 0 }
        let byFamily = Dictionary(grouping: addresses, by: \.family)
        let sent: Int? = try state.withLock { state in
            let transaction = NftTransaction("unblocking \(addresses.count) address(es) in table inet \(layout.table)")
            for scope in BlockScope.allCases {
                for family in [IPAddress.Family.ipv4, .ipv6] {
                    let perMessage = family == .ipv4 ? configuration.ipv4ElementsPerMessage
                                                     : configuration.ipv6ElementsPerMessage
                    let keys = byFamily[family] ?? []
                    var start = 0
                    while start < keys.count {
                        let end = min(keys.count, start + perMessage)
                        let elements = keys[start..<end].map {
                            NftMessages.Element(key: $0.networkBytes, timeoutMilliseconds: nil, userdata: [])
                        }
                        NftMessages.elements(.inet, table: layout.table, set: layout.setName(for: family, scope: scope),
                                             elements, delete: true, ignoringMissing: true, to: transaction)
                        start = end
                    }
                }
            }
            let report = try transaction.commit(on: state.socket, atomic: false)
            var otherFailure = false
            for outcome in report.outcomes {
                switch outcome {
                case .failed(let code, _) where code == EINVAL || code == EOPNOTSUPP: return nil
                case .failed(let code, _) where code == ENOENT: continue     // no such table or set: nothing blocked
                case .committed: continue
                default: otherFailure = true
                }
            }
            if otherFailure { try report.throwIfFailed() }
            return transaction.messages.count
        }
        if let sent { return sent }
        for address in addresses { _ = try unblock(address) }     // a kernel before 6.3
        return addresses.count
    }
}
