/// The Zeek log kinds Slips reads (`slips_files/core/input_profilers/zeek.py`), with x509 and login that Zeek
/// writes beside them, and the parser of each. Adding a kind: a case here and its `ZeekLogBuilder`.
enum ZeekLogKind: String, CaseIterable, Sendable {
    case conn, dns, http, ssl, x509, ssh, smtp, dhcp, arp, notice, software, files, weird, tunnel, login, ftp

    /// The kind named by a log's file name (`http.log`, `http.log.labeled`, `http.2026-12-02-04.log`) or `#path`.
    static func named(_ name: String) -> ZeekLogKind? { ZeekLogKind(rawValue: name) }

    /// False for the kinds read past and counted (login: Slips does not read it).
    var isRead: Bool { self != .login }

    /// A parser for a log of this kind (TSV or JSON, decided on its first line).
    func makeParser() -> any FlowLineParser {
        switch self {
        case .conn: ZeekAutoParser(path: "conn")
        case .login: ZeekSkippedLogParser(skip: .notReadYet("\(rawValue).log"))
        case .dns: ZeekLogParser<DNSLogBuilder>(path: rawValue)
        case .http: ZeekLogParser<HTTPLogBuilder>(path: rawValue)
        case .ssl: ZeekLogParser<SSLLogBuilder>(path: rawValue)
        case .x509: ZeekLogParser<X509LogBuilder>(path: rawValue)
        case .ssh: ZeekLogParser<SSHLogBuilder>(path: rawValue)
        case .smtp: ZeekLogParser<SMTPLogBuilder>(path: rawValue)
        case .dhcp: ZeekLogParser<DHCPLogBuilder>(path: rawValue)
        case .arp: ZeekLogParser<ARPLogBuilder>(path: rawValue)
        case .notice: ZeekLogParser<NoticeLogBuilder>(path: rawValue)
        case .software: ZeekLogParser<SoftwareLogBuilder>(path: rawValue)
        case .files: ZeekLogParser<FilesLogBuilder>(path: rawValue)
        case .weird: ZeekLogParser<WeirdLogBuilder>(path: rawValue)
        case .tunnel: ZeekLogParser<TunnelLogBuilder>(path: rawValue)
        case .ftp: ZeekLogParser<FTPLogBuilder>(path: rawValue)
        }
    }
}
