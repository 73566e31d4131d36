import Testing

@Test func CaptureTestsBuilds() { #expect(1 + 1 == 2) }
