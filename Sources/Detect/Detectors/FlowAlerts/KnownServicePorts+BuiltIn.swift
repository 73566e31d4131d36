import NetCore
import Records

extension KnownServicePorts {
    /// slipsd's shipped list: common services of the IANA registry and widely deployed services on other ports
    /// (databases, message brokers, orchestration, industrial protocols, remote administration).
    ///
    /// Deliberately absent although registered somewhere: ports mostly seen as backdoor defaults (4444, 31337,
    /// 1337, 6666), so that `UNKNOWN_PORT` still reports them.
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

    /// (port, name, protocols: `t` TCP, `u` UDP).
    private static let builtInTable: [(UInt16, String, String)] = [
        (1, "tcpmux", "t"), (7, "echo", "tu"), (9, "discard", "tu"), (13, "daytime", "tu"),
        (17, "qotd", "tu"), (19, "chargen", "tu"), (20, "ftp-data", "t"), (21, "ftp", "t"),
        (22, "ssh", "t"), (23, "telnet", "t"), (25, "smtp", "t"), (37, "time", "tu"),
        (43, "whois", "t"), (49, "tacacs", "tu"), (53, "domain", "tu"), (67, "bootps", "u"),
        (68, "bootpc", "u"), (69, "tftp", "u"), (70, "gopher", "t"), (79, "finger", "t"),
        (80, "http", "t"), (88, "kerberos", "tu"), (102, "iso-tsap", "t"), (110, "pop3", "t"),
        (111, "sunrpc", "tu"), (113, "ident", "t"), (119, "nntp", "t"), (123, "ntp", "u"),
        (135, "msrpc", "tu"), (137, "netbios-ns", "tu"), (138, "netbios-dgm", "u"), (139, "netbios-ssn", "t"),
        (143, "imap", "t"), (161, "snmp", "tu"), (162, "snmptrap", "tu"), (177, "xdmcp", "u"),
        (179, "bgp", "t"), (194, "irc", "t"), (199, "smux", "t"), (389, "ldap", "tu"),
        (427, "svrloc", "tu"), (443, "https", "tu"), (445, "microsoft-ds", "t"), (464, "kpasswd", "tu"),
        (465, "submissions", "t"), (500, "isakmp", "u"), (502, "modbus", "t"), (512, "exec", "t"),
        (513, "login", "t"), (514, "shell", "t"), (515, "printer", "t"), (520, "rip", "u"),
        (521, "ripng", "u"), (543, "klogin", "t"), (544, "kshell", "t"), (546, "dhcpv6-client", "u"),
        (547, "dhcpv6-server", "u"), (548, "afp", "t"), (554, "rtsp", "tu"), (563, "nntps", "t"),
        (587, "submission", "t"), (593, "http-rpc-epmap", "t"), (623, "ipmi", "u"), (631, "ipp", "tu"),
        (636, "ldaps", "t"), (646, "ldp", "tu"), (749, "kerberos-adm", "t"), (853, "domain-s", "tu"),
        (860, "iscsi", "t"), (873, "rsync", "t"), (902, "vmware-auth", "t"), (989, "ftps-data", "t"),
        (990, "ftps", "t"), (992, "telnets", "t"), (993, "imaps", "t"), (995, "pop3s", "t"),
        (1080, "socks", "t"), (1194, "openvpn", "tu"), (1352, "lotus-notes", "t"), (1414, "ibm-mq", "t"),
        (1433, "ms-sql-s", "t"), (1434, "ms-sql-m", "u"), (1521, "oracle-tns", "t"), (1701, "l2tp", "u"),
        (1723, "pptp", "t"), (1812, "radius", "u"), (1813, "radius-acct", "u"), (1883, "mqtt", "t"),
        (1900, "ssdp", "u"), (1935, "rtmp", "t"), (2000, "cisco-sccp", "t"), (2049, "nfs", "tu"),
        (2082, "cpanel", "t"), (2083, "cpanel-ssl", "t"), (2086, "whm", "t"), (2087, "whm-ssl", "t"),
        (2181, "zookeeper", "t"), (2222, "ethernet-ip-io", "u"), (2375, "docker", "t"), (2376, "docker-tls", "t"),
        (2379, "etcd-client", "t"), (2380, "etcd-server", "t"), (2404, "iec-104", "t"), (3000, "http-dev", "t"),
        (3074, "xbox-live", "tu"), (3128, "squid-http", "t"), (3260, "iscsi-target", "t"),
        (3268, "msft-gc", "t"), (3269, "msft-gc-ssl", "t"), (3283, "net-assist", "tu"), (3306, "mysql", "t"),
        (3389, "ms-wbt-server", "tu"), (3478, "stun", "tu"), (3544, "teredo", "u"), (3690, "svn", "t"),
        (3702, "ws-discovery", "u"), (4369, "epmd", "t"), (4500, "ipsec-nat-t", "u"), (4789, "vxlan", "u"),
        (4840, "opc-ua", "t"), (5000, "upnp", "t"), (5001, "commplex-link", "t"), (5004, "rtp", "u"),
        (5005, "rtcp", "u"), (5060, "sip", "tu"), (5061, "sips", "t"), (5222, "xmpp-client", "t"),
        (5223, "apple-push", "t"), (5228, "google-fcm", "t"), (5269, "xmpp-server", "t"), (5349, "stuns", "tu"),
        (5353, "mdns", "u"), (5355, "llmnr", "tu"), (5357, "wsdapi", "t"), (5432, "postgresql", "t"),
        (5671, "amqps", "t"), (5672, "amqp", "t"), (5683, "coap", "u"), (5900, "vnc", "t"),
        (5901, "vnc-1", "t"), (5938, "teamviewer", "tu"), (5985, "wsman", "t"), (5986, "wsmans", "t"),
        (6000, "x11", "t"), (6379, "redis", "t"), (6443, "kubernetes-api", "t"), (6514, "syslog-tls", "t"),
        (6667, "ircd", "t"), (6697, "ircs", "t"), (7000, "airplay", "t"), (7547, "cwmp", "t"),
        (8000, "http-alt", "t"), (8008, "http-alt2", "t"), (8009, "ajp13", "t"), (8080, "http-proxy", "t"),
        (8081, "http-alt3", "t"), (8088, "radan-http", "t"), (8089, "splunk-mgmt", "t"), (8200, "vault", "t"),
        (8291, "winbox", "t"), (8333, "bitcoin", "t"), (8443, "https-alt", "t"), (8500, "consul", "t"),
        (8600, "consul-dns", "tu"), (8728, "mikrotik-api", "t"), (8883, "secure-mqtt", "t"),
        (8888, "http-alt4", "t"), (9000, "cslistener", "t"), (9001, "tor-orport", "t"), (9030, "tor-dirport", "t"),
        (9042, "cassandra", "t"), (9050, "tor-socks", "t"), (9090, "websm", "t"), (9092, "kafka", "t"),
        (9093, "alertmanager", "t"), (9100, "jetdirect", "t"), (9200, "elasticsearch", "t"),
        (9300, "elasticsearch-transport", "t"), (9418, "git", "t"), (9993, "zerotier", "u"),
        (10000, "webmin", "t"), (10050, "zabbix-agent", "t"), (10051, "zabbix-trapper", "t"),
        (10250, "kubelet", "t"), (11211, "memcache", "tu"), (15672, "rabbitmq-mgmt", "t"),
        (16992, "intel-amt", "t"), (16993, "intel-amt-tls", "t"), (17500, "dropbox-lansync", "tu"),
        (19302, "google-stun", "u"), (20000, "dnp3", "t"), (25565, "minecraft", "t"), (27017, "mongodb", "t"),
        (32400, "plex", "t"), (44818, "ethernet-ip", "tu"), (47808, "bacnet", "u"), (51820, "wireguard", "u"),
        (514, "syslog", "u"), (1098, "java-rmi-activation", "t"), (1099, "java-rmi", "t"),
    ]
}
