import NetCore
import Records
import Capture

extension PacketBuilder {
    /// One piece of a fragmented datagram: `length` bytes of the transport message from byte `offset` (a multiple
    /// of 8). Pieces may overlap or leave holes: for reassembly tests.
    public struct FragmentPiece: Sendable, Hashable {
        public var offset: Int
        public var length: Int
        /// More-fragments flag; nil means "set unless the piece reaches the end of the message".
        public var moreFragments: Bool?
        /// The piece; `moreFragments` nil means set unless it ends the message.
        public init(offset: Int, length: Int, moreFragments: Bool? = nil) {
            self.offset = offset; self.length = length; self.moreFragments = moreFragments
        }
    }

    /// `transport` cut into the given pieces (IPv4: MF and offset in the header; IPv6: a fragment header with
    /// `ip.identification`), each framed for `link`. Bytes a piece names beyond the message are zero; a piece may
    /// carry `fill` instead of the message's bytes (overlap tests).
    public static func fragments(src: String, dst: String, protocolNumber: UInt8, transport: [UInt8],
                                 pieces: [FragmentPiece], fill: [Int: UInt8] = [:], ip: IPFields = IPFields(),
                                 link: LinkType = .ethernet) -> [[UInt8]] {
        let source = address(src), destination = address(dst)
        return pieces.enumerated().map { index, piece in
            var chunk = [UInt8](repeating: fill[index] ?? 0, count: piece.length)
            if fill[index] == nil {
                for i in 0..<piece.length where piece.offset + i < transport.count {
                    chunk[i] = transport[piece.offset + i]
                }
            }
            let more = piece.moreFragments ?? (piece.offset + piece.length < transport.count)
            var fields = ip
            let network: [UInt8]
            if source.isIPv4 {
                fields.dontFragment = false
                fields.moreFragments = more
                fields.fragmentOffset = piece.offset
                network = ipv4Packet(src: source, dst: destination, protocolNumber: protocolNumber,
                                     transport: chunk, fields: fields)
            } else {
                fields.ipv6Extensions.append(.fragment(offset: piece.offset, moreFragments: more,
                                                       identification: UInt32(ip.identification)))
                network = ipv6Packet(src: source, dst: destination, protocolNumber: protocolNumber,
                                     transport: chunk, fields: fields)
            }
            return frame(network, link: link, srcMAC: defaultMAC(for: source), dstMAC: defaultMAC(for: destination))
        }
    }
}
