// slipsd's entry point: synchronous on purpose. The privilege drop must happen on the main thread before any
// other thread exists, so nothing here may `await` or touch Dispatch before the mode has set up and dropped.
Slipsd.main()
