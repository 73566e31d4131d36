// Entry point placeholder; the CLI lands with the offline-analysis work.
print("slipsd")
