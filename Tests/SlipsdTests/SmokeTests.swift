import Testing

@Test func SlipsdTestsBuilds() { #expect(1 + 1 == 2) }
