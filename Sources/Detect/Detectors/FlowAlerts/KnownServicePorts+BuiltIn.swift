import NetCore
import Records

extension KnownServicePorts {
    /// slipsd's shipped list: the (port, protocol) pairs Slips knows as services — the same coverage as Slips'
    /// `slips_files/ports_info/services.csv` — so that `UNKNOWN_PORT` fires where Slips' does (902/tcp,
    /// 5432/tcp or 4444/tcp are unknown, 3306/tcp is known). The names are the services' names from the IANA
    /// registry and Debian's `/etc/services` (`domain`, `epmap`, `imap`), or the protocol's common name where the
    /// registry's name is obscure or absent (`rdp` for 3389, `vnc` for 5900, `quic` for 443/udp, `bittorrent`).
    /// They give the port words of the scan descriptions (`http 80/tcp`). A site adds its own services with
    /// `flowalerts.known_services_file`.
    public static let builtIn = KnownServicePorts(builtInEntries)

    /// The entries of `builtIn`.
    public static var builtInEntries: [Entry] {
        var entries: [Entry] = []
        entries.reserveCapacity(builtInTable.count * 2)
        for (port, name, protocols) in builtInTable {
            if protocols.contains("t") { entries.append(Entry(port: port, proto: .tcp, name: name)) }
            if protocols.contains("u") { entries.append(Entry(port: port, proto: .udp, name: name)) }
        }
        return entries
    }

    /// (port, name, protocols: `t` TCP, `u` UDP). A port whose TCP and UDP services differ has two rows.
    private static let builtInTable: [(UInt16, String, String)] = [
        (20, "ftp-data", "tu"), (21, "ftp", "tu"), (22, "ssh", "tu"), (23, "telnet", "tu"), (25, "smtp", "tu"),
        (37, "time", "tu"), (53, "domain", "tu"), (63, "whois++", "tu"), (66, "sql-net", "tu"),
        (67, "bootps", "tu"), (68, "bootpc", "tu"), (69, "tftp", "tu"), (80, "http", "t"), (81, "http-alt", "t"),
        (92, "npp", "tu"), (110, "pop3", "tu"), (111, "sunrpc", "tu"), (113, "auth", "tu"), (115, "sftp", "tu"),
        (119, "nntp", "tu"), (123, "ntp", "tu"), (135, "epmap", "tu"), (137, "netbios-ns", "tu"),
        (138, "netbios-dgm", "tu"), (139, "netbios-ssn", "tu"), (143, "imap", "tu"), (144, "uma", "t"),
        (150, "sql-net", "tu"), (161, "snmp", "tu"), (162, "snmp-trap", "tu"), (179, "bgp", "tu"),
        (194, "irc", "tu"), (220, "imap3", "tu"), (443, "https", "t"), (443, "quic", "u"),
        (445, "microsoft-ds", "tu"), (513, "login", "t"), (513, "who", "u"), (514, "shell", "t"),
        (514, "syslog", "u"), (515, "printer", "tu"), (529, "irc-serv", "tu"), (543, "klogin", "tu"),
        (544, "kshell", "tu"), (546, "dhcpv6-client", "tu"), (547, "dhcpv6-server", "tu"),
        (548, "afpovertcp", "tu"), (554, "rtsp", "tu"), (601, "syslog-conn", "tu"), (853, "domain-s", "t"),
        (873, "rsync", "tu"), (989, "ftps-data", "tu"), (990, "ftps", "tu"), (992, "telnets", "tu"),
        (993, "imaps", "tu"), (995, "pop3s", "tu"), (1241, "nessus", "tu"), (1720, "h323hostcall", "tu"),
        (1723, "pptp", "tu"), (1741, "cisco-net-mgmt", "tu"), (1883, "mqtt", "tu"), (1900, "ssdp", "tu"),
        (2086, "gnunet", "tu"), (2323, "telnet-alt", "t"), (3306, "mysql", "tu"), (3389, "rdp", "tu"),
        (3478, "stun", "u"), (3702, "ws-discovery", "tu"), (5222, "xmpp-client", "t"),
        (5223, "xmpp-client-tls", "t"), (5228, "google-mtalk", "t"), (5351, "nat-pmp", "tu"),
        (5353, "mdns", "u"), (5355, "llmnr", "u"), (5900, "vnc", "tu"), (6667, "ircd", "tu"),
        (6881, "bittorrent", "u"), (6882, "bittorrent", "u"), (8080, "http-alt", "t"), (8081, "tproxy", "t"),
        (8883, "secure-mqtt", "tu"), (57621, "spotify", "u"),
    ]
}
