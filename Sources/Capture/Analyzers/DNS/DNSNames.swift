/// Zeek's names for DNS numbers (`qtype_name`, `qclass_name`, `rcode_name`), from IANA's DNS parameter registry
/// as Zeek's `DNS::query_types`, `DNS::classes` and `DNS::base_errors` spell them; unknown numbers read
/// `query-<n>`, `qclass-<n>` and `?`, as in Zeek.
public enum DNSNames {
    /// The name of a query/record type.
    public static func type(_ value: UInt16) -> String {
        switch value {
        case 1: "A"
        case 2: "NS"
        case 5: "CNAME"
        case 6: "SOA"
        case 12: "PTR"
        case 13: "HINFO"
        case 15: "MX"
        case 16: "TXT"
        case 28: "AAAA"
        case 33: "SRV"
        case 35: "NAPTR"
        case 39: "DNAME"
        case 41: "OPT"
        case 43: "DS"
        case 46: "RRSIG"
        case 47: "NSEC"
        case 48: "DNSKEY"
        case 50: "NSEC3"
        case 64: "SVCB"
        case 65: "HTTPS"
        case 99: "SPF"
        case 251: "IXFR"
        case 252: "AXFR"
        case 255: "*"
        case 257: "CAA"
        default: "query-\(value)"
        }
    }

    /// The name of a class.
    public static func qclass(_ value: UInt16) -> String {
        switch value {
        case 1: "C_INTERNET"
        case 2: "C_CSNET"
        case 3: "C_CHAOS"
        case 4: "C_HESIOD"
        case 254: "C_NONE"
        case 255: "C_ANY"
        default: "qclass-\(value)"
        }
    }

    /// The name of a response code.
    public static func rcode(_ value: UInt8) -> String {
        switch value {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSet"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        default: "?"
        }
    }
}
