import Records

/// A map from flow uid to a small value that never holds more than `capacity` entries (`BoundedKeyMap` keyed by
/// uid). Used by detectors to recognise the interim and final records of one flow.
public typealias BoundedUIDMap<Value> = BoundedKeyMap<FlowUID, Value>
