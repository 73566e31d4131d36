import NetCore
import Foundation

/// Reads what `nft -j` reports inside a test namespace: the independent view used to check the blocker.
enum NftInspect {
    /// The `elem` entries of `nft -j list set <family> <table> <set>`: value, timeout (s), expires (s), comment.
    struct Element {
        var value: String
        var timeout: Int?
        var expires: Int?
        var comment: String?
    }

    /// Elements of a set, or nil when nft cannot list it (e.g. no such set).
    static func elements(namespace: String, family: String = "inet", table: String, set: String) throws -> [Element]? {
        let output = try Shell.inNamespace(namespace, ["nft", "-j", "list", "set", family, table, set])
        guard output.status == 0 else { return nil }
        var result: [Element] = []
        for object in try objects(output.stdout) {
            guard let setObject = object["set"] as? [String: Any] else { continue }
            for item in setObject["elem"] as? [Any] ?? [] {
                if let text = item as? String {
                    result.append(Element(value: text))
                } else if let wrapper = item as? [String: Any], let elem = wrapper["elem"] as? [String: Any] {
                    result.append(Element(value: "\(elem["val"] ?? "")", timeout: elem["timeout"] as? Int,
                                          expires: elem["expires"] as? Int, comment: elem["comment"] as? String))
                }
            }
        }
        return result
    }

    /// The rules (as their `expr` arrays) of a chain, or nil when the chain does not exist.
    static func rules(namespace: String, family: String, table: String, chain: String) throws -> [[Any]]? {
        let output = try Shell.inNamespace(namespace, ["nft", "-j", "list", "chain", family, table, chain])
        guard output.status == 0 else { return nil }
        return try objects(output.stdout).compactMap { ($0["rule"] as? [String: Any])?["expr"] as? [Any] }
    }

    /// The whole ruleset as text (`nft list ruleset`).
    static func ruleset(namespace: String) throws -> String {
        try Shell.inNamespace(namespace, ["nft", "list", "ruleset"]).stdout
    }

    /// The sum of the `counter` packets of a chain's rules.
    static func counterPackets(namespace: String, family: String, table: String, chain: String) throws -> Int {
        var total = 0
        for expressions in try rules(namespace: namespace, family: family, table: table, chain: chain) ?? [] {
            for case let expression as [String: Any] in expressions {
                if let counter = expression["counter"] as? [String: Any], let packets = counter["packets"] as? Int {
                    total += packets
                }
            }
        }
        return total
    }

    private static func objects(_ json: String) throws -> [[String: Any]] {
        let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return (root?["nftables"] as? [[String: Any]]) ?? []
    }
}

extension NftInspect.Element {
    init(value: String) {
        self.init(value: value, timeout: nil, expires: nil, comment: nil)
    }
}
