import NetCore
import Records
import Testing

@Suite("FlowUID")
struct FlowUIDTests {
    @Test("Zeek's uids round-trip exactly", arguments: ["CYFpHn3Ip4R1y3OYpb", "C0000000000000000z", "Cz", "C",
                                                         "CAbCdEfGhIjKlMnOpQrS", "ClEkJM2Vm5giqnMf4h"])
    func zeekUIDs(text: String) throws {
        let uid = try #require(FlowUID(text: text))
        #expect(uid.description == text)
        #expect(uid.value == nil)
    }

    @Test("ids that are not base-62 or too long are refused", arguments: ["", "C-1", "C abc", "Cé",
                                                                          "C12345678901234567890"])
    func refused(text: String) {
        #expect(FlowUID(text: text) == nil)
    }

    @Test("distinct texts are distinct uids; numeric uids print as before")
    func distinct() throws {
        #expect(try #require(FlowUID(text: "CYFpHn3Ip4R1y3OYpb")) != FlowUID(text: "CYFpHn3Ip4R1y3OYpc"))
        #expect(FlowUID(text: "C1") != FlowUID(text: "C10"))
        #expect(FlowUID(12345).description == "C7D3")
        #expect(FlowUID(12345).value == 12345)
    }
}
