import Testing

@Test func DetectTestsBuilds() { #expect(1 + 1 == 2) }
