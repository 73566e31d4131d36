import NetCore
import Records

/// The port words of Slips' descriptions (`http 80/tcp`, `rdp 3389/tcp`): a service name from
/// `KnownServicePorts.builtIn` followed by `port/proto` in lower case; an unknown port leaves the name empty, so
/// the text reads `port  8000/tcp` with two spaces, as Slips writes it.
enum ServiceNames {
    /// `80/tcp`.
    static func portProto(_ port: UInt16, _ proto: TransportProtocol) -> String { "\(port)/\(proto.lowerName)" }

    /// `http 80/tcp`, or ` 8000/tcp` when the port has no known service.
    static func described(_ port: UInt16, _ proto: TransportProtocol,
                          known: KnownServicePorts = .builtIn) -> String {
        "\(known.name(port: port, proto: proto) ?? "") \(portProto(port, proto))"
    }
}
