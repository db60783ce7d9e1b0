//! A fake X API for tests and rehearsals: OAuth-checked, rate-limited, fault-injecting.
