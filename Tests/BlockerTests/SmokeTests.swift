import Testing

@Test func BlockerTestsBuilds() { #expect(1 + 1 == 2) }
