import NetCore

/// The text of the address formatted last, for detectors whose evidence comes in runs of one address (records come
/// in runs of one profile, so the originator repeats): a repeated address costs a comparison instead of a
/// formatting. Part of the detector kit; confined to its owner's thread.
public struct AddressTextCache {
    private var last: (address: IPAddress, text: String)?

    /// Creates an empty cache.
    public init() {}

    /// `address.description`, reusing the text of the address asked for last.
    public mutating func text(of address: IPAddress) -> String {
        if let last, last.address == address { return last.text }
        let text = address.description
        last = (address, text)
        return text
    }
}
