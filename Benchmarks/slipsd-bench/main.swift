// Benchmark driver placeholder.
print("slipsd-bench")
