import Capture
/// Placeholder so the target builds; the synthetic packet builder lands with the decoder work.
public enum TestSupportPlaceholder {}
