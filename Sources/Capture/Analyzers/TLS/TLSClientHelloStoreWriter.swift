/// Copies what `TLSHelloParser` finds in a ClientHello to the next free place of its list or string in the
/// stores `TLSClientHello.layOut` gave rooms in. Every copy checks once that it stays inside its list's room (the
/// rooms are upper bounds the parser worked out from the extensions' lengths) and that its source lies inside the
/// hello; either failing — which a correct first pass rules out — is thrown as a malformation, never a trap or a
/// write past a store, since the bytes come from the network.
struct TLSClientHelloStoreWriter {
    private let reader: ByteReader
    private let valueStore: UnsafeMutableBufferPointer<UInt16>
    private let byteStore: UnsafeMutableBufferPointer<UInt8>
    /// Where each room starts (lane `k + 1`: where room `k` ends).
    private let valueStarts: SIMD8<UInt32>
    private let byteStarts: SIMD8<UInt32>
    /// The next free place of each list and string: where it ends once the parse is done.
    private(set) var valueEnds: SIMD8<UInt32>
    private(set) var byteEnds: SIMD8<UInt32>

    /// A writer into `values` and `bytes` with rooms starting at `valueStarts` and `byteStarts`, reading the
    /// hello through `reader`.
    init(_ reader: ByteReader, values: UnsafeMutableBufferPointer<UInt16>, valueStarts: SIMD8<UInt32>,
         bytes: UnsafeMutableBufferPointer<UInt8>, byteStarts: SIMD8<UInt32>) {
        precondition(Int(valueStarts[7]) <= values.count && Int(byteStarts[7]) <= bytes.count,
                     "TLSClientHelloStoreWriter: stores smaller than their rooms")
        self.reader = reader
        self.valueStore = values
        self.byteStore = bytes
        self.valueStarts = valueStarts
        self.byteStarts = byteStarts
        self.valueEnds = valueStarts
        self.byteEnds = byteStarts
    }

    /// Entries list `list` has been given so far.
    @inline(__always)
    func count(_ list: TLSClientHello.List) -> Int { Int(valueEnds[list.rawValue] &- valueStarts[list.rawValue]) }

    /// Bytes string `text` has been given so far.
    @inline(__always)
    func count(_ text: TLSClientHello.Text) -> Int { Int(byteEnds[text.rawValue] &- byteStarts[text.rawValue]) }

    /// The place of the next `count` entries of `list`, then taken.
    @inline(__always)
    private mutating func take(_ list: TLSClientHello.List, _ count: Int) throws(TLSMalformation) -> Int {
        try Self.take(count, in: list.rawValue, ends: &valueEnds, starts: valueStarts)
    }

    @inline(__always)
    private mutating func take(_ text: TLSClientHello.Text, _ count: Int) throws(TLSMalformation) -> Int {
        try Self.take(count, in: text.rawValue, ends: &byteEnds, starts: byteStarts)
    }

    /// The end of room `room` (moved on by `count`, checked against the start of the next room), before the move.
    @inline(__always)
    private static func take(_ count: Int, in room: Int, ends: inout SIMD8<UInt32>,
                             starts: SIMD8<UInt32>) throws(TLSMalformation) -> Int {
        let at = Int(ends[room])
        guard at + count <= Int(starts[room + 1]) else { throw .extensionTruncated }
        ends[room] = UInt32(truncatingIfNeeded: at + count)
        return at
    }

    /// One extension's type.
    @inline(__always)
    mutating func extensionType(_ type: UInt16) throws(TLSMalformation) { valueStore[try take(.extensions, 1)] = type }

    /// `count` big-endian 16-bit values at `offset` (inside the hello) for `list`.
    @inline(__always)
    mutating func values(_ list: TLSClientHello.List, from offset: Int, count: Int) throws(TLSMalformation) {
        guard count > 0 else { return }
        guard reader.has(2 * count, at: offset) else { throw .clientHelloTruncated }
        let out = valueStore.baseAddress! + (try take(list, count))
        var index = 0
        #if _endian(little)
        // Eight values at a time: one unaligned vector load, each lane's two bytes swapped, one store.
        while index &+ 8 <= count {
            let wire = reader.raw.loadUnaligned(fromByteOffset: offset &+ 2 &* index, as: SIMD8<UInt16>.self)
            UnsafeMutableRawPointer(out + index).storeBytes(of: wire &<< 8 | wire &>> 8, as: SIMD8<UInt16>.self)
            index &+= 8
        }
        #endif
        while index < count {
            out[index] = UInt16(bigEndian: reader.raw.loadUnaligned(fromByteOffset: offset &+ 2 &* index, as: UInt16.self))
            index &+= 1
        }
    }

    /// `count` bytes at `offset` for `text`.
    @inline(__always)
    mutating func bytes(_ text: TLSClientHello.Text, from offset: Int, count: Int) throws(TLSMalformation) {
        guard count > 0 else { return }
        guard reader.has(count, at: offset) else { throw .clientHelloTruncated }
        UnsafeMutableRawPointer(byteStore.baseAddress! + (try take(text, count)))
            .copyMemory(from: reader.raw.baseAddress! + offset, byteCount: count)
    }

    /// One ALPN protocol's `count` bytes at `offset`: its bytes, and where it ends among them.
    @inline(__always)
    mutating func alpnProtocol(from offset: Int, count: Int) throws(TLSMalformation) {
        try bytes(.alpn, from: offset, count: count)
        // Every extension lies in the 16-bit extensions block: the bytes of all ALPN names fit in UInt16.
        valueStore[try take(.alpnEnds, 1)] = UInt16(truncatingIfNeeded: self.count(.alpn))
    }
}
